"""``openalpha data list``: every dataset in the store with its span, rows and known gaps."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openalpha.cli.errors import CliError


def add_store_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", metavar="STORE", help="Parquet store root (default $OPENALPHA_HOME/data)")


def open_store(args: argparse.Namespace) -> Any:
    from openalpha.config.paths import Paths
    from openalpha.data.store import ParquetStore

    root = Path(args.data).expanduser() if args.data else Paths.from_env().data
    if args.data and root.exists() and not root.is_dir():
        raise CliError(f"--data: {root} is not a folder")
    return ParquetStore(root)


def split_list(text: str | None, option: str) -> list[str] | None:
    """``"a,b c"`` → ``["a", "b", "c"]``; None stays None; an empty list is an error."""
    if text is None:
        return None
    items = [x for x in text.replace(",", " ").split() if x]
    if not items:
        raise CliError(f"{option}: empty list")
    return items


def utc(ms: int | None) -> str:
    if ms is None:
        return "-"
    import pandas as pd

    return pd.Timestamp(ms, unit="ms", tz="UTC").strftime("%Y-%m-%d %H:%M")


def render_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Plain aligned columns (numbers right-aligned), one header line and a rule."""
    table = [list(headers), *[list(map(str, r)) for r in rows]]
    widths = [max(len(r[i]) for r in table) for i in range(len(headers))]
    numeric = [
        all(r[i].replace(",", "").replace(".", "").isdigit() for r in table[1:]) for i in range(len(headers))
    ]

    def line(cells: list[str]) -> str:
        parts = [c.rjust(w) if num else c.ljust(w) for c, w, num in zip(cells, widths, numeric, strict=True)]
        return "  ".join(parts).rstrip()

    return "\n".join([line(table[0]), line(["-" * w for w in widths]), *(line(r) for r in table[1:])])


def register(actions: Any) -> None:
    p = actions.add_parser("list", help="list the datasets in the store", description=__doc__)
    p.add_argument("--symbols", help="only these symbols (comma-separated)")
    add_store_option(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from openalpha.data.verify import select_datasets

    store = open_store(args)
    symbols = split_list(args.symbols, "--symbols")
    infos = select_datasets(store, symbols)
    if not infos:
        where = f" for {', '.join(symbols)}" if symbols else ""
        print(
            f"no datasets{where} in {store.root} (try `openalpha data import --sample` or `openalpha data download`)"
        )
        return 0
    sources = store.sources()
    rows = []
    for i in infos:
        label = f"{i.category}/{i.kind}/{i.symbol}/{i.interval}"
        rows.append(
            [i.symbol, i.category, i.kind, i.interval, utc(i.first_ms), utc(i.last_ms), f"{i.rows:,}", str(i.known_gaps),
             sources.get(label, "bybit")]
        )  # fmt: skip
    print(
        render_table(
            ("symbol", "category", "kind", "interval", "first", "last", "rows", "known gaps", "source"), rows
        )
    )
    print(f"{len(infos)} datasets, {sum(i.rows for i in infos):,} rows in {store.root}")
    return 0
