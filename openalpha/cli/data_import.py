"""``openalpha data import``: freqtrade files and Binance kline CSVs into the store.

PATHs may be files or folders (walked recursively). Every file is read and checked before
anything is written: one bad file fails the whole import with a one-line reason and the store
is unchanged. ``--sample`` installs the real Bybit sample shipped with Open Alpha.
"""

from __future__ import annotations

import argparse
from typing import Any

from openalpha.cli.data_list import add_store_option, open_store, render_table, utc
from openalpha.cli.errors import CliError


def register(actions: Any) -> None:
    p = actions.add_parser(
        "import", help="import freqtrade / Binance files, or the shipped sample", description=__doc__
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or folders to import")
    p.add_argument("--exchange", help="exchange the files come from (default: from the folder names)")
    p.add_argument(
        "--category", choices=("linear", "spot"), help="market of Binance CSVs (default: from the path)"
    )
    p.add_argument(
        "--sample", action="store_true", help="install the real Bybit sample shipped with Open Alpha"
    )
    add_store_option(p)
    p.set_defaults(handler=run)


def _import_sample(store: Any) -> None:
    from openalpha.data.importers import ImportFailed
    from openalpha.data.sample import install_sample

    try:
        summary = install_sample(store)
    except ImportFailed as err:
        raise CliError(str(err)) from None
    print(
        f"sample: {summary.datasets} datasets, {summary.rows:,} rows ({summary.added:,} new) into {summary.root}"
    )


def run(args: argparse.Namespace) -> int:
    from openalpha.data.importers import ImportFailed, import_files

    if not args.paths and not args.sample:
        raise CliError("nothing to import: give PATH… or --sample")
    if args.exchange is not None and not args.exchange.isalnum():
        raise CliError(f"--exchange: expected a name like binance or bybit, got {args.exchange!r}")
    store = open_store(args)
    if args.paths:
        try:
            result = import_files(args.paths, store, exchange=args.exchange, category=args.category)
        except ImportFailed as err:
            raise CliError(f"{err} (nothing imported)") from None
        rows = [
            [ds.label, ds.exchange, str(len(ds.files)), f"{len(ds.frame):,}", f"{added:,}",
             utc(int(ds.frame.ts.iloc[0])), utc(int(ds.frame.ts.iloc[-1]))]
            for ds, added in result.datasets
        ]  # fmt: skip
        print(render_table(("dataset", "exchange", "files", "rows", "added", "first", "last"), rows))
        for path, why in result.skipped:
            print(f"skipped {path}: {why}")
        print(f"{len(result.datasets)} datasets imported into {store.root}")
    if args.sample:
        _import_sample(store)
    return 0
