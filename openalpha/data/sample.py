"""The small real dataset shipped inside the package, and ``install_sample(store)``.

``openalpha/data/sample_data/`` is itself a store (same layout and schema) holding real Bybit
BTCUSDT and ETHUSDT history: perp 1 h candles, 1 h mark price and funding from Dec 2023 to
Jul 2026, 15 min candles, 5 min candles for the last three months, and spot 5 min / 1 h for
2026-06-20 .. 2026-07-20. ``MANIFEST.md`` beside the files names every source (repository,
commit, path) and transformation; :mod:`openalpha.data.sample_build` rebuilds it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from openalpha.data.importers import BYBIT, check_sources
from openalpha.data.store import ParquetStore

SAMPLE_DIR = Path(__file__).resolve().parent / "sample_data"


@dataclass(frozen=True)
class SampleSummary:
    datasets: int
    rows: int
    added: int
    root: Path


def sample_store() -> ParquetStore:
    """The shipped sample, read-only, as a store."""
    if not (SAMPLE_DIR / "MANIFEST.md").exists():
        raise FileNotFoundError(f"the shipped sample is missing from {SAMPLE_DIR} (broken install?)")
    return ParquetStore(SAMPLE_DIR)


def install_sample(store: ParquetStore) -> SampleSummary:
    """Merge every shipped dataset into ``store``; returns counts. Safe to run twice."""
    source = sample_store()
    infos = source.datasets()
    labels = {f"{i.category}/{i.kind}/{i.symbol}/{i.interval}": BYBIT for i in infos}
    check_sources(store, labels)
    rows = added = 0
    for info in infos:
        frame = source.read(info.category, info.kind, info.symbol, info.interval)
        rows += len(frame)
        added += store.write(info.category, info.kind, info.symbol, info.interval, frame)
    store.record_sources(labels)
    return SampleSummary(datasets=len(infos), rows=rows, added=added, root=store.root)


__all__ = ["SAMPLE_DIR", "SampleSummary", "install_sample", "sample_store"]
