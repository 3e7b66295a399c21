"""Bring history from other tools into the store: freqtrade files and Binance kline CSVs.

Every file is read and validated against the store schema before anything is written, so a
corrupt or mislabelled file fails the whole import with a one-line reason and the store is
left exactly as it was. Files named on the command line must be importable; files found by
walking a folder that this importer does not take (trades, READMEs, 8 h candles) are skipped
and listed. Datasets remember the exchange they came from (``sources.json``); rows from one
exchange are never merged into a dataset that holds another's (downloads are Bybit's).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from openalpha.data.importers.binance_csv import read_binance_csv
from openalpha.data.importers.freqtrade import CorruptFile, read_freqtrade
from openalpha.data.importers.naming import FileSpec, Unrecognised, Unsupported, parse_name
from openalpha.data.store import ParquetStore, StoreError, dataset_id, normalize_frame

BYBIT = "bybit"


class ImportFailed(ValueError):
    """The import was refused; nothing was written (one line)."""


@dataclass
class PlannedDataset:
    category: str
    kind: str
    symbol: str
    interval: str
    exchange: str
    files: list[Path]
    frame: pd.DataFrame

    @property
    def label(self) -> str:
        return f"{self.category}/{self.kind}/{self.symbol}/{self.interval}"


@dataclass
class ImportResult:
    datasets: list[tuple[PlannedDataset, int]] = field(default_factory=list)  # (dataset, rows added)
    skipped: list[tuple[Path, str]] = field(default_factory=list)


def _candidates(paths: Iterable[Path | str]) -> list[tuple[Path, bool]]:
    """(file, named explicitly) for every path; folders are walked in sorted order."""
    out: list[tuple[Path, bool]] = []
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_dir():
            out.extend(
                (p, False) for p in sorted(path.rglob("*")) if p.is_file() and not p.name.startswith(".")
            )
        elif path.is_file():
            out.append((path, True))
        else:
            raise ImportFailed(f"{path}: no such file or folder")
    if not out:
        raise ImportFailed("no files to import")
    return out


def _read(spec: FileSpec) -> pd.DataFrame:
    frame = read_binance_csv(spec) if spec.layout == "binance" else read_freqtrade(spec)
    ds = dataset_id(spec.category, spec.kind, spec.symbol, spec.interval)
    try:
        return normalize_frame(ds, frame)
    except StoreError as err:
        raise ImportFailed(f"{spec.path}: {err}") from None


def plan_import(
    paths: Iterable[Path | str], exchange: str | None = None, category: str | None = None
) -> tuple[list[PlannedDataset], list[tuple[Path, str]]]:
    """Read and validate every file; raise :class:`ImportFailed` on the first bad one."""
    planned: dict[str, PlannedDataset] = {}
    skipped: list[tuple[Path, str]] = []
    for path, explicit in _candidates(paths):
        try:
            spec = parse_name(path, exchange, category)
        except (Unrecognised, Unsupported) as err:
            if explicit:
                raise ImportFailed(str(err)) from None
            skipped.append((path, str(err).removeprefix(f"{path}: ")))
            continue
        try:
            frame = _read(spec)
        except CorruptFile as err:
            raise ImportFailed(str(err)) from None
        if frame.empty:
            skipped.append((path, "no rows"))
            continue
        current = planned.get(spec.label)
        if current is None:
            planned[spec.label] = PlannedDataset(
                spec.category, spec.kind, spec.symbol, spec.interval, spec.exchange, [path], frame
            )
            continue
        if current.exchange != spec.exchange:
            raise ImportFailed(
                f"{path}: {spec.label} from {spec.exchange} and {current.exchange} in one import"
            )
        merged = pd.concat([current.frame, frame], ignore_index=True).drop_duplicates("ts", keep="last")
        current.frame = merged.sort_values("ts", kind="stable").reset_index(drop=True)
        current.files.append(path)
    return list(planned.values()), skipped


def check_sources(store: ParquetStore, labels: dict[str, str]) -> None:
    """Refuse (:class:`ImportFailed`) to add rows from one exchange to a dataset holding another's."""
    sources = store.sources()
    for label, exchange in labels.items():
        held = sources.get(label)
        if held is None and store.path(*label.split("/")).exists():
            held = BYBIT  # downloaded datasets carry no record: they are Bybit's
        if held is not None and held != exchange:
            raise ImportFailed(
                f"{label} already holds {held} data; refusing to mix in {exchange} rows "
                f"(use another OPENALPHA_HOME for {exchange} history)"
            )


def import_files(
    paths: Iterable[Path | str],
    store: ParquetStore,
    exchange: str | None = None,
    category: str | None = None,
) -> ImportResult:
    """Validate every file, refuse to mix exchanges, then write each dataset."""
    planned, skipped = plan_import(paths, exchange, category)
    if not planned:
        raise ImportFailed("none of the files holds candles or funding this importer takes")
    check_sources(store, {ds.label: ds.exchange for ds in planned})
    result = ImportResult(skipped=skipped)
    for ds in planned:
        added = store.write(ds.category, ds.kind, ds.symbol, ds.interval, ds.frame)
        result.datasets.append((ds, added))
    store.record_sources({ds.label: ds.exchange for ds in planned})
    return result


__all__ = [
    "BYBIT",
    "ImportFailed",
    "ImportResult",
    "PlannedDataset",
    "check_sources",
    "import_files",
    "plan_import",
]
