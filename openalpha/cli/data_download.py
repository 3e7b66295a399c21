"""``openalpha data download``: Bybit history into the Parquet store (incremental, resumable)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import IO, Any

from openalpha.cli.errors import CliError
from openalpha.cli.timearg import format_ms, parse_time_ms

ENVS = ("mainnet", "testnet", "paper")


def register(actions: Any) -> None:
    p = actions.add_parser(
        "download",
        help="download candles, mark prices and funding from Bybit (or the simulator)",
        description="Fetch only what the store lacks; safe to interrupt and re-run.",
    )
    p.add_argument("--symbols", required=True, help="comma-separated Bybit symbols, e.g. BTCUSDT,ETHUSDT")
    p.add_argument(
        "--intervals", default="60", help="comma-separated kline intervals, e.g. 1,5,15,60 (default 60)"
    )
    p.add_argument("--start", required=True, help="first time to fetch (2023-01-01, ISO time or ms)")
    p.add_argument("--end", help="end time, exclusive (default: now; the forming candle is never stored)")
    p.add_argument("--category", default="linear", choices=("linear", "spot"), help="market (default linear)")
    p.add_argument(
        "--kinds",
        help="comma-separated: kline,mark,index,funding (default linear kline,mark,funding; spot kline)",
    )
    p.add_argument("--env", default="mainnet", choices=ENVS, help="mainnet, testnet or paper (the simulator)")
    p.add_argument("--base-url", help="exchange URL (required for --env paper: the simulator's URL)")
    p.add_argument("--data", metavar="STORE", help="Parquet store root (default $OPENALPHA_HOME/data)")
    p.add_argument("--concurrency", type=int, default=16, help="requests in flight (default 16)")
    p.set_defaults(handler=run)


def _split(text: str, option: str) -> tuple[str, ...]:
    items = tuple(x.strip() for x in text.split(",") if x.strip())
    if not items:
        raise CliError(f"{option}: empty list")
    return items


def build_spec(args: argparse.Namespace) -> Any:
    """The validated :class:`DownloadSpec` (one-line :class:`CliError` on bad input)."""
    from openalpha.data.download import ALL_KINDS, DownloadSpec
    from openalpha.domain.intervals import normalize_interval

    symbols = tuple(dict.fromkeys(s.upper() for s in _split(args.symbols, "--symbols")))
    for s in symbols:
        if not s.isalnum():
            raise CliError(f"--symbols: bad symbol {s!r} (use Bybit's spelling, e.g. BTCUSDT)")
    try:
        intervals = tuple(dict.fromkeys(normalize_interval(i) for i in _split(args.intervals, "--intervals")))
    except ValueError as err:
        raise CliError(f"--intervals: {err}") from None
    default_kinds = "kline,mark,funding" if args.category == "linear" else "kline"
    kinds = tuple(dict.fromkeys(_split(args.kinds or default_kinds, "--kinds")))
    for k in kinds:
        if k not in ALL_KINDS:
            raise CliError(f"--kinds: unknown kind {k!r}; expected some of {','.join(ALL_KINDS)}")
        if args.category == "spot" and k != "kline":
            raise CliError(f"--kinds: {k} does not exist for spot (only kline)")
    start = parse_time_ms(args.start, "--start")
    end = parse_time_ms(args.end, "--end") if args.end else None
    if end is not None and end <= start:
        raise CliError(f"--end ({args.end}) must be after --start ({args.start})")
    if args.concurrency < 1:
        raise CliError(f"--concurrency: expected at least 1, got {args.concurrency}")
    return DownloadSpec(symbols, intervals, start, end, args.category, kinds)


def base_url_for(args: argparse.Namespace) -> str:
    from openalpha.exchange.bybit.market_client import BASE_URLS

    if args.base_url:
        if not args.base_url.startswith(("http://", "https://")):
            raise CliError(f"--base-url: expected http(s)://HOST:PORT, got {args.base_url!r}")
        return str(args.base_url)
    if args.env == "paper":
        raise CliError("--env paper needs --base-url (the simulator's URL, see `openalpha sim`)")
    return BASE_URLS[args.env]


class ProgressBar:
    """One line on stderr (redrawn on a terminal, printed every few seconds otherwise)."""

    def __init__(self, stream: IO[str] = sys.stderr) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.last_line = 0.0

    def __call__(self, p: Any) -> None:
        done, total = p.windows_done, max(p.windows_total, 1)
        rate = p.requests / p.elapsed_s if p.elapsed_s > 0 else 0.0
        eta = (p.elapsed_s / done) * (total - done) if done else float("nan")
        width = 24
        bar = "#" * int(width * done / total) + "." * (width - int(width * done / total))
        text = (
            f"[{bar}] {done}/{p.windows_total} windows  {p.rows:,} rows  {rate:.1f} req/s"
            f"  ETA {eta:.0f}s" + (f"  throttled {p.throttled}" if p.throttled else "")
        )
        if self.tty:
            self.stream.write("\r" + text + "\x1b[K")
            self.stream.flush()
        elif time.monotonic() - self.last_line >= 2.0 or done == p.windows_total:
            self.last_line = time.monotonic()
            print(text, file=self.stream, flush=True)

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")


def summary_table(result: Any) -> str:
    head = ("kind", "symbol", "interval", "windows", "fetched", "added", "first", "last")
    rows = [head]
    for r in result.reports:
        first = format_ms(r.first_ms) if r.first_ms is not None else "-"
        last = format_ms(r.last_ms) if r.last_ms is not None else "-"
        rows.append(
            (
                r.kind,
                r.symbol,
                r.interval,
                str(r.windows),
                f"{r.rows_fetched:,}",
                f"{r.rows_added:,}",
                first,
                last,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    p = result.progress
    rate = p.requests / p.elapsed_s if p.elapsed_s > 0 else 0.0
    lines.append(
        f"{result.rows_added:,} rows added, {p.requests} requests in {p.elapsed_s:.1f}s ({rate:.1f} req/s)"
        + (f", rate-limited {p.throttled}x" if p.throttled else "")
    )
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    import asyncio

    from openalpha.config.paths import Paths
    from openalpha.data.download import DownloadError, run_download
    from openalpha.data.store import ParquetStore
    from openalpha.exchange.errors import ExchangeError

    spec = build_spec(args)
    url = base_url_for(args)
    store = ParquetStore(Path(args.data).expanduser() if args.data else Paths.from_env().data)
    bar = ProgressBar()
    try:
        result = asyncio.run(run_download(spec, store, url, concurrency=args.concurrency, on_progress=bar))
    except DownloadError as err:
        bar.close()
        raise CliError(str(err)) from None
    except ExchangeError as err:
        bar.close()
        raise CliError(
            f"download failed ({url}): {err}; what was fetched is stored, re-run to resume", 1
        ) from None
    bar.close()
    print(summary_table(result))
    return 0
