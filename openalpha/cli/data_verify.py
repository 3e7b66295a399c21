"""``openalpha data verify``: gaps, duplicates, ordering, OHLC sanity, mark divergence, funding.

Exit 0 when the store is clean, 1 when anything is found (the table says what and where).
``--repair`` re-fetches the gaps from Bybit; what the exchange itself lacks is recorded as a
known gap and reported, never filled with invented candles.
"""

from __future__ import annotations

import argparse
from typing import Any

from openalpha.cli.data_list import add_store_option, open_store, render_table, split_list, utc
from openalpha.cli.errors import CliError

ROWS_PER_CHECK = 5  # per dataset and check; the rest is summarised on one line


def register(actions: Any) -> None:
    p = actions.add_parser(
        "verify", help="check the store for gaps and bad rows (exit 1 when found)", description=__doc__
    )
    p.add_argument("--symbols", help="only these symbols (comma-separated)")
    p.add_argument("--intervals", help="only these intervals (comma-separated, e.g. 1,5,60)")
    p.add_argument(
        "--max-divergence", type=float, default=0.01, help="mark vs trade close, fraction (default 0.01)"
    )
    p.add_argument("--max-funding-rate", type=float, default=0.05, help="|rate| per interval (default 0.05)")
    p.add_argument(
        "--repair", action="store_true", help="re-fetch gaps from Bybit; record the exchange's own gaps"
    )
    p.add_argument("--env", default="mainnet", choices=("mainnet", "testnet", "paper"), help="for --repair")
    p.add_argument("--base-url", help="for --repair: exchange URL (the simulator's for --env paper)")
    p.add_argument("--all", action="store_true", help="show every finding (default: 5 per dataset and check)")
    add_store_option(p)
    p.set_defaults(handler=run)


def findings_table(findings: list[Any], show_all: bool) -> str:
    rows: list[list[str]] = []
    shown: dict[tuple[str, str], int] = {}
    for f in findings:
        key = (f.label, f.check)
        shown[key] = shown.get(key, 0) + 1
        if show_all or shown[key] <= ROWS_PER_CHECK:
            rows.append([f.label, f.check, utc(f.first_ms), utc(f.last_ms), str(f.count), f.detail])
    for (label, check), n in shown.items():
        if not show_all and n > ROWS_PER_CHECK:
            rows.append([label, check, "", "", "", f"… and {n - ROWS_PER_CHECK} more (--all shows them)"])
    rows.sort(key=lambda r: (r[0], r[1], r[2] == "", r[2]))
    return render_table(("dataset", "check", "from", "until (excl.)", "count", "detail"), rows)


def _check_args(args: argparse.Namespace) -> tuple[list[str] | None, list[str] | None]:
    from openalpha.domain.intervals import normalize_interval

    symbols = split_list(args.symbols, "--symbols")
    intervals = split_list(args.intervals, "--intervals")
    for i in intervals or []:
        try:
            normalize_interval(i)
        except ValueError as err:
            raise CliError(f"--intervals: {err}") from None
    if not 0 < args.max_divergence < 1:
        raise CliError(f"--max-divergence: expected a fraction between 0 and 1, got {args.max_divergence}")
    if not 0 < args.max_funding_rate < 1:
        raise CliError(
            f"--max-funding-rate: expected a fraction between 0 and 1, got {args.max_funding_rate}"
        )
    return symbols, intervals


def _repair(args: argparse.Namespace, store: Any, report: Any) -> None:
    import asyncio

    from openalpha.cli.data_download import base_url_for
    from openalpha.data.repair import bybit_fetcher, repair_gaps
    from openalpha.exchange.errors import ExchangeError

    url = base_url_for(args)
    try:
        outcomes = asyncio.run(repair_gaps(store, report.findings, bybit_fetcher(store, url)))
    except ExchangeError as err:
        raise CliError(
            f"repair failed ({url}): {err}; nothing was recorded as known, re-run to resume", 1
        ) from None
    for o in outcomes:
        if o.skipped:
            print(f"repair {o.label}: skipped, {o.skipped}")
        else:
            print(
                f"repair {o.label}: {o.filled:,} rows re-fetched, {len(o.known)} range(s) the exchange lacks recorded"
            )


def run(args: argparse.Namespace) -> int:
    from openalpha.data.verify import verify_store

    symbols, intervals = _check_args(args)
    store = open_store(args)

    def check() -> Any:
        return verify_store(store, symbols, intervals, args.max_divergence, args.max_funding_rate)

    report = check()
    if not report.datasets:
        raise CliError(f"nothing to verify in {store.root}" + (f" for {args.symbols}" if symbols else ""))
    if args.repair and report.problems:
        _repair(args, store, report)
        report = check()
    if report.findings:
        print(findings_table(report.findings, args.all))
    known = len(report.findings) - len(report.problems)
    print(
        f"{len(report.datasets)} datasets checked: {len(report.problems)} problem(s)"
        + (f", {known} known exchange gap(s)" if known else "")
    )
    return 0 if report.ok else 1
