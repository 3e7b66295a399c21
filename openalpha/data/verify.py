"""Quality checks over the store: what ``openalpha data verify`` reports.

Per dataset, on the rows exactly as stored (not re-sorted):

* candles (kline/mark/index): ``gap`` (missing bars between the first and last stored bar,
  known exchange gaps excluded and reported as ``known-gap``), ``duplicate``, ``non-monotonic``,
  ``misaligned`` (open time off the interval grid), ``ohlc`` (low ≤ open, close ≤ high, prices
  > 0), ``volume`` (volume or turnover < 0);
* perps: ``divergence`` where the mark close and the trade close of the same bar differ by more
  than ``max_divergence`` (a fraction; Bybit's majors stay within 0.5 %);
* funding: ``funding-gap`` (more than 8 h, Bybit's longest interval, without a settlement),
  ``funding-interval`` (settlements off the hour or a spacing that is not whole hours),
  ``funding-rate`` (|rate| above ``max_funding_rate``), duplicates and ordering.

Findings are data; the CLI turns them into a table and an exit code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from openalpha.data.ranges import Range, subtract_ranges
from openalpha.data.store import FUNDING, DatasetInfo, ParquetStore, bar_holes, grid_anchor
from openalpha.domain.intervals import interval_ms, normalize_interval

HOUR_MS = 3_600_000
MAX_FUNDING_GAP_MS = 8 * HOUR_MS
# Binance stamps settlements a few ms after the hour (Bybit exactly on it): tolerate up to 1 s.
FUNDING_JITTER_MS = 1_000


def _off_hour(ms: np.ndarray) -> np.ndarray:
    rem = ms % HOUR_MS
    off: np.ndarray = np.minimum(rem, HOUR_MS - rem) > FUNDING_JITTER_MS
    return off


@dataclass(frozen=True)
class Finding:
    label: str  # category/kind/SYMBOL/interval
    check: str
    first_ms: int | None
    last_ms: int | None  # exclusive end for gaps, last offending ts otherwise
    count: int  # missing bars for gaps, offending rows otherwise
    detail: str = ""
    known: bool = False  # a recorded exchange gap: reported, not a failure


@dataclass
class VerifyReport:
    datasets: list[DatasetInfo] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if not f.known]

    @property
    def ok(self) -> bool:
        return not self.problems


def _label(info: DatasetInfo) -> str:
    return f"{info.category}/{info.kind}/{info.symbol}/{info.interval}"


def _rows(label: str, check: str, ts: np.ndarray, mask: np.ndarray, detail: str) -> list[Finding]:
    hits = ts[mask]
    if len(hits) == 0:
        return []
    return [Finding(label, check, int(hits.min()), int(hits.max()), len(hits), detail)]


def order_findings(label: str, ts: np.ndarray) -> list[Finding]:
    """Duplicated and out-of-order timestamps, as stored."""
    out: list[Finding] = []
    dup = pd.Series(ts).duplicated(keep="first").to_numpy()
    out += _rows(label, "duplicate", ts, dup, "same open time stored more than once")
    back = np.r_[False, np.diff(ts) < 0]
    out += _rows(label, "non-monotonic", ts, back, "open time earlier than the row before")
    return out


def gap_findings(label: str, ts: np.ndarray, interval: str, known: list[Range]) -> list[Finding]:
    """Missing bars between the first and last stored bar; known gaps reported separately."""
    if len(ts) == 0:
        return []
    uniq = np.unique(ts)
    step = interval_ms(interval)
    holes = bar_holes(uniq, int(uniq[0]), int(uniq[-1]) + step, interval)
    out = [
        Finding(label, "gap", a, b, (b - a) // step, f"{(b - a) // step} missing {interval} bars")
        for a, b in subtract_ranges(holes, known)
    ]
    out += [
        Finding(label, "known-gap", a, b, (b - a) // step, "exchange has no data (recorded)", known=True)
        for a, b in known
        if a < int(uniq[-1]) and b > int(uniq[0])
    ]
    return out


def candle_findings(label: str, frame: pd.DataFrame, interval: str, known: list[Range]) -> list[Finding]:
    ts = frame["ts"].to_numpy(dtype=np.int64)
    out = order_findings(label, ts) + gap_findings(label, ts, interval, known)
    off = ((ts - grid_anchor(interval)) % interval_ms(interval)) != 0
    out += _rows(label, "misaligned", ts, off, f"open time not on the {interval} grid")
    o, h, lo, c = (frame[k].to_numpy(dtype=np.float64) for k in ("open", "high", "low", "close"))
    with np.errstate(invalid="ignore"):
        bad = ~((lo <= np.minimum(o, c)) & (np.maximum(o, c) <= h) & (lo > 0))
    out += _rows(label, "ohlc", ts, bad, "needs 0 < low <= open, close <= high")
    for col in ("volume", "turnover"):
        if col in frame.columns:
            with np.errstate(invalid="ignore"):
                neg = frame[col].to_numpy(dtype=np.float64) < 0
            out += _rows(label, "volume", ts, neg, f"{col} < 0")
    return out


def funding_findings(
    label: str, frame: pd.DataFrame, max_rate: float, known: list[Range] | None = None
) -> list[Finding]:
    ts = frame["ts"].to_numpy(dtype=np.int64)
    out = order_findings(label, ts)
    uniq = np.unique(ts)
    out += _rows(label, "funding-interval", ts, _off_hour(ts), "settlement not on the hour")
    if len(uniq) > 1:
        diffs = np.diff(uniq)
        later = uniq[1:]
        long = diffs > MAX_FUNDING_GAP_MS + FUNDING_JITTER_MS
        for a, b in zip(uniq[:-1][long], later[long], strict=True):
            hours = f"{(b - a) / HOUR_MS:g} h without a settlement"
            if subtract_ranges([(int(a) + 1, int(b))], known or []):
                out.append(Finding(label, "funding-gap", int(a) + 1, int(b), 1, hours))
            else:
                out.append(
                    Finding(label, "known-gap", int(a) + 1, int(b), 1, f"{hours} (recorded)", known=True)
                )
        odd = _off_hour(diffs) & ~long
        out += _rows(label, "funding-interval", later, odd, "spacing is not a whole number of hours")
    rates = frame["rate"].to_numpy(dtype=np.float64)
    with np.errstate(invalid="ignore"):
        wild = ~(np.abs(rates) <= max_rate)
    out += _rows(label, "funding-rate", ts, wild, f"|rate| > {max_rate:g} per interval (or NaN)")
    return out


def divergence_findings(
    label: str, trade: pd.DataFrame, mark: pd.DataFrame, threshold: float
) -> list[Finding]:
    joined = trade[["ts", "close"]].merge(mark[["ts", "close"]], on="ts", suffixes=("", "_mark"))
    if joined.empty:
        return []
    rel = (joined["close_mark"] / joined["close"] - 1).abs().to_numpy()
    ts = joined["ts"].to_numpy(dtype=np.int64)
    with np.errstate(invalid="ignore"):
        wide = ~(rel <= threshold)
    hits = _rows(label, "divergence", ts, wide, "")
    if hits:
        worst = float(np.nanmax(rel[wide])) if np.isfinite(rel[wide]).any() else float("nan")
        hit = hits[0]
        hits = [Finding(hit.label, hit.check, hit.first_ms, hit.last_ms, hit.count,
                        f"mark vs trade close beyond {threshold:.2%} (worst {worst:.2%})")]  # fmt: skip
    return hits


def _raw(info: DatasetInfo) -> pd.DataFrame:
    frame: pd.DataFrame = pq.read_table(info.path).to_pandas()
    return frame


def select_datasets(
    store: ParquetStore, symbols: Iterable[str] | None = None, intervals: Iterable[str] | None = None
) -> list[DatasetInfo]:
    """Datasets matching ``symbols`` (``BTCUSDT`` matches both categories) and ``intervals``."""
    wanted_syms = {s.upper().removesuffix("@SPOT") for s in symbols} if symbols else None
    wanted_ivls = {normalize_interval(i) for i in intervals} if intervals else None
    out = []
    for info in store.datasets():
        if wanted_syms is not None and info.symbol not in wanted_syms:
            continue
        if wanted_ivls is not None and info.kind != FUNDING and info.interval not in wanted_ivls:
            continue
        out.append(info)
    return out


def verify_store(
    store: ParquetStore,
    symbols: Iterable[str] | None = None,
    intervals: Iterable[str] | None = None,
    max_divergence: float = 0.01,
    max_funding_rate: float = 0.05,
) -> VerifyReport:
    report = VerifyReport(datasets=select_datasets(store, symbols, intervals))
    frames: dict[tuple[str, str, str, str], pd.DataFrame] = {}
    for info in report.datasets:
        frame = _raw(info)
        frames[(info.category, info.kind, info.symbol, info.interval)] = frame
        label = _label(info)
        known = store.known_gaps(info.category, info.kind, info.symbol, info.interval)
        if info.kind == FUNDING:
            report.findings += funding_findings(label, frame, max_funding_rate, known)
            continue
        report.findings += candle_findings(label, frame, info.interval, known)
    for (cat, kind, sym, ivl), mark in frames.items():
        trade = frames.get((cat, "kline", sym, ivl))
        if kind == "mark" and trade is not None:
            report.findings += divergence_findings(f"{cat}/mark/{sym}/{ivl}", trade, mark, max_divergence)
    return report


__all__ = [
    "Finding",
    "VerifyReport",
    "candle_findings",
    "divergence_findings",
    "funding_findings",
    "gap_findings",
    "select_datasets",
    "verify_store",
]
