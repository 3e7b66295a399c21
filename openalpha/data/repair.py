"""``verify --repair``: re-fetch the gaps verify found; record what the exchange itself lacks.

For each dataset with gaps, the missing ranges are downloaded again (the downloader fetches
only what the store lacks). Whatever is still missing afterwards is a gap in the exchange's
own history: it is recorded as a known gap (``ParquetStore.record_known_gap``) and reported,
never filled with invented candles. Datasets imported from another exchange are not touched.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

from openalpha.data.importers import BYBIT
from openalpha.data.ranges import Range
from openalpha.data.store import FUNDING, ParquetStore
from openalpha.data.verify import Finding

# fetch(category, kind, symbol, interval, start_ms, end_ms): download into the store.
Fetcher = Callable[[str, str, str, str, int, int], Awaitable[object]]

REPAIRABLE = ("gap", "funding-gap")


@dataclass
class RepairOutcome:
    label: str
    gaps: list[Range]
    filled: int = 0  # rows the re-fetch added
    known: list[Range] = field(default_factory=list)  # what the exchange has no rows for
    skipped: str = ""  # why nothing was tried


def _by_dataset(findings: Iterable[Finding]) -> dict[str, list[Range]]:
    out: dict[str, list[Range]] = {}
    for f in findings:
        if f.check in REPAIRABLE and not f.known and f.first_ms is not None and f.last_ms is not None:
            out.setdefault(f.label, []).append((f.first_ms, f.last_ms))
    return out


def _rows(store: ParquetStore, cat: str, kind: str, sym: str, ivl: str) -> int:
    info = [
        d for d in store.datasets() if (d.category, d.kind, d.symbol, d.interval) == (cat, kind, sym, ivl)
    ]
    return info[0].rows if info else 0


async def repair_gaps(
    store: ParquetStore, findings: Iterable[Finding], fetch: Fetcher
) -> list[RepairOutcome]:
    """Re-fetch every gap in ``findings``; returns one outcome per dataset."""
    sources = store.sources()
    outcomes: list[RepairOutcome] = []
    for label, gaps in _by_dataset(findings).items():
        cat, kind, sym, ivl = label.split("/")
        outcome = RepairOutcome(label, gaps)
        outcomes.append(outcome)
        origin = sources.get(label, BYBIT)
        if origin != BYBIT:
            outcome.skipped = f"imported from {origin}: re-import the missing range from there"
            continue
        before = _rows(store, cat, kind, sym, ivl)
        await fetch(cat, kind, sym, ivl, min(a for a, _ in gaps), max(b for _, b in gaps))
        outcome.filled = _rows(store, cat, kind, sym, ivl) - before
        for start, end in gaps:
            for lo, hi in store.missing_ranges(cat, kind, sym, ivl, start, end):
                store.record_known_gap(cat, kind, sym, ivl, lo, hi)
                outcome.known.append((lo, hi))
    return outcomes


def bybit_fetcher(store: ParquetStore, base_url: str, concurrency: int = 4) -> Fetcher:
    """A :data:`Fetcher` that runs :func:`openalpha.data.download.run_download` for one range."""
    from openalpha.data.download import DownloadSpec, run_download

    async def fetch(cat: str, kind: str, sym: str, ivl: str, start: int, end: int) -> object:
        intervals = ("60",) if kind == FUNDING else (ivl,)  # funding ignores the intervals
        spec = DownloadSpec((sym,), intervals, start, end, cat, (kind,))
        return await run_download(spec, store, base_url, concurrency=concurrency)

    return fetch


__all__ = ["Fetcher", "RepairOutcome", "bybit_fetcher", "repair_gaps"]
