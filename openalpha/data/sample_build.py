"""Rebuild the shipped sample from the shared real-data fixtures (developer tool).

    python -m openalpha.data.sample_build /path/to/shared/data [OUT_DIR]

Each dataset is stitched from freqtrade files of independent Bybit downloads. Where two
sources overlap, the build checks that they agree (OHLC exactly, volume to 1e-9 relative)
and stops otherwise; the later source wins on equal timestamps. Candles are resampled with
:func:`openalpha.data.resample.resample_bars` (complete buckets only). ``MANIFEST.md`` is
written from the recipe with each source's repository, commit and path, read from the
shared data's own MANIFEST.
"""

from __future__ import annotations

import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from openalpha.data.importers import plan_import
from openalpha.data.resample import resample_bars
from openalpha.data.sample import SAMPLE_DIR
from openalpha.data.store import ParquetStore

MOHS_1H = "mohsenjfar_trade/05394495/bybit/futures"
MOHS_15M = "mohsenjfar_trade/e1a2d25d/bybit/futures"
DKOTL = "Dkotl_trade_bot/bybit"
FIVE_MIN_FROM = "2026-04-21"  # keep the last three months of 5 min perp candles
MARK_FROM = "2023-12-18"  # the first mark-price and funding data: perp candles start with them


@dataclass(frozen=True)
class Source:
    path: str  # relative to the shared data folder
    from_interval: str | None = None  # resample from this interval to the target's


@dataclass(frozen=True)
class Target:
    category: str
    kind: str
    symbol: str
    interval: str
    sources: tuple[Source, ...]
    start: str | None = None


def recipe() -> list[Target]:
    out: list[Target] = []
    for coin in ("BTC", "ETH"):
        sym = f"{coin}USDT"
        perp5 = f"{DKOTL}/futures/{coin}_USDT_USDT-5m-futures.feather"
        spot5 = f"{DKOTL}/{coin}_USDT-5m.feather"
        out += [
            Target("linear", "kline", sym, "60", (Source(f"{MOHS_1H}/{coin}_USDT_USDT-1h-futures.feather"), Source(perp5, "5")), MARK_FROM),
            Target("linear", "kline", sym, "15", (Source(f"{MOHS_15M}/{coin}_USDT_USDT-15m-futures.feather"), Source(perp5, "5")), MARK_FROM),
            Target("linear", "kline", sym, "5", (Source(perp5),), start=FIVE_MIN_FROM),
            Target("linear", "mark", sym, "60", (Source(f"{MOHS_1H}/{coin}_USDT_USDT-1h-mark.feather"),
                                                 Source(f"{DKOTL}/futures/{coin}_USDT_USDT-1h-mark.feather"))),
            Target("linear", "funding", sym, "funding", (Source(f"{MOHS_1H}/{coin}_USDT_USDT-1h-funding_rate.feather"),
                                                         Source(f"{DKOTL}/futures/{coin}_USDT_USDT-1h-funding_rate.feather"))),
            Target("spot", "kline", sym, "5", (Source(spot5),)),
            Target("spot", "kline", sym, "60", (Source(spot5, "5"),)),
        ]  # fmt: skip
    return out


def _origin(shared: Path) -> dict[str, str]:
    """Shared path → "repo @ commit : original path", from the shared MANIFEST table."""
    table: dict[str, str] = {}
    for line in (shared / "MANIFEST.md").read_text().splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > 3 and cells[1].startswith("`"):
            table[cells[1].strip("`")] = re.sub(r"\s+", " ", cells[2])
    return table


def _read(shared: Path, source: Source, interval: str) -> pd.DataFrame:
    planned, _ = plan_import([shared / source.path], exchange="bybit")
    frame = planned[0].frame
    if source.from_interval is not None:
        frame = resample_bars(frame, source.from_interval, interval)
    return frame


def _stitch(target: Target, frames: list[tuple[Source, pd.DataFrame]]) -> pd.DataFrame:
    merged = frames[0][1]
    for source, frame in frames[1:]:
        both = merged.merge(frame, on="ts", suffixes=("", "_new"))
        for col in merged.columns.drop("ts"):
            a, b = both[col].to_numpy(), both[f"{col}_new"].to_numpy()
            exact = col not in ("volume", "turnover")
            same = (
                np.array_equal(a, b, equal_nan=True)
                if exact
                else np.allclose(a, b, rtol=1e-9, equal_nan=True)
            )
            if not same:
                raise SystemExit(
                    f"{target.symbol} {target.kind} {target.interval}: {source.path} disagrees on {col}"
                )
        merged = pd.concat([merged, frame]).drop_duplicates("ts", keep="last").sort_values("ts")
    return merged.reset_index(drop=True)


def _utc(ms: int) -> str:
    return pd.Timestamp(ms, unit="ms", tz="UTC").strftime("%Y-%m-%d %H:%M")


def build(shared: Path, out: Path = SAMPLE_DIR) -> list[str]:
    """Write the sample store and its MANIFEST into ``out`` (replacing it); returns manifest rows."""
    origin = _origin(shared)
    if out.exists():
        shutil.rmtree(out)
    store = ParquetStore(out)
    rows: list[str] = []
    for target in recipe():
        frames = [(s, _read(shared, s, target.interval)) for s in target.sources]
        frame = _stitch(target, frames)
        if target.start is not None:
            frame = frame[frame.ts >= pd.Timestamp(target.start, tz="UTC").value // 10**6]
        store.write(target.category, target.kind, target.symbol, target.interval, frame)
        how = "; ".join(
            f"{origin.get(s.path, s.path)}"
            + (f" (resampled {s.from_interval} → {target.interval})" if s.from_interval else "")
            for s in target.sources
        )
        if target.start:
            how += f"; cut to open time ≥ {target.start}"
        path = store.path(target.category, target.kind, target.symbol, target.interval).relative_to(out)
        rows.append(
            f"| `{path}` | {len(frame)} | {_utc(int(frame.ts.iloc[0]))} | {_utc(int(frame.ts.iloc[-1]))} | {how} |"
        )
    for lock in out.rglob(".*.lock"):
        lock.unlink()
    (out / "MANIFEST.md").write_text(_manifest(rows))
    return rows


def _manifest(rows: list[str]) -> str:
    head = """# Shipped sample data

Real Bybit market data (facts, attributed to the public repositories they were copied from;
those repositories declare no license). Built by `python -m openalpha.data.sample_build
<shared data dir>` from the freqtrade files listed; `openalpha data import --sample` copies it
into `$OPENALPHA_HOME/data`.

Schema as the store's (README "Data"): `ts` int64 ms UTC bar open time (funding: settlement
time), float64 `open high low close volume turnover` (kline; turnover is NaN: freqtrade files
do not carry it), `open high low close` (mark), `rate` (funding, fraction per interval).
Parquet, zstd. Where two downloads overlap the build checked they agree (OHLC exactly,
volume to 1e-9 relative), then kept the later one's rows on equal timestamps. Resampling keeps
complete buckets only. No row was invented or filled.

| file | rows | first open (UTC) | last open (UTC) | source (repo @ commit : path) and transformation |
|---|---|---|---|---|
"""
    return head + "\n".join(rows) + "\n"


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    out = Path(argv[1]) if len(argv) > 1 else SAMPLE_DIR
    for row in build(Path(argv[0]), out):
        print(row)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
