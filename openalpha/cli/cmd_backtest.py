"""``openalpha backtest``: one strategy over one period — metrics, trades, an offline HTML report.

Results are saved under ``$OPENALPHA_HOME/runs/<run id>/`` (see ``openalpha runs list``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from openalpha.cli.errors import CliError

TABLE_KEYS = (
    "total_return",
    "cagr",
    "volatility",
    "sharpe",
    "sortino",
    "calmar",
    "max_drawdown",
    "max_drawdown_days",
    "trades",
    "win_rate",
    "profit_factor",
    "expectancy",
    "exposure",
    "turnover",
    "fees_paid",
    "funding_paid",
    "funding_received",
    "liquidations",
    "orders_skipped_min_size",
    "final_equity",
)


def register(sub: Any) -> None:
    p = sub.add_parser(
        "backtest",
        help="backtest one strategy on stored history (Bybit fees, funding, liquidation)",
        description="Backtest a strategy on the local Parquet store; prints metrics, writes a report and "
        "saves the run under $OPENALPHA_HOME/runs.",
    )
    p.add_argument(
        "--strategy", required=True, help="built-in name (e.g. sma_cross) or path/to/file.py:ClassName"
    )
    p.add_argument("--symbols", required=True, help="comma-separated, e.g. BTCUSDT or BTCUSDT,BTCUSDT@spot")
    p.add_argument("--interval", default="60", help="bar interval: 1 5 15 60 240 D … (default 60)")
    p.add_argument("--start", help="first bar (UTC date or date-time), default: first stored")
    p.add_argument("--end", help="end (exclusive), default: last stored")
    p.add_argument(
        "--param", action="append", default=[], metavar="KEY=VALUE", help="strategy parameter (repeat)"
    )
    p.add_argument("--capital", type=float, default=10_000.0, help="starting equity in USDT (default 10000)")
    p.add_argument("--leverage", type=float, default=1.0, help="isolated-margin leverage of perp positions")
    p.add_argument("--fee-tier", default="VIP0", help="Bybit VIP tier: VIP0..VIP5, SUPREME (default VIP0)")
    p.add_argument(
        "--slippage-bps", type=float, default=1.0, help="fixed slippage of market orders (default 1)"
    )
    p.add_argument("--stop-loss", type=float, default=0.0, help="stop-loss as a fraction of entry (0 = off)")
    p.add_argument(
        "--take-profit", type=float, default=0.0, help="take-profit as a fraction of entry (0 = off)"
    )
    p.add_argument("--no-funding", action="store_true", help="ignore funding payments")
    p.add_argument("--no-liquidation", action="store_true", help="never liquidate (not Bybit's behaviour)")
    p.add_argument("--report", type=Path, help="also write the HTML report to this file")
    p.add_argument("--json", action="store_true", help="print every metric as JSON instead of a table")
    p.set_defaults(handler=run)


def _table(result: Any, run_dir: Path) -> str:
    from openalpha.backtest.report import fmt

    m, b = result.metrics, result.benchmark
    lines = [
        f"{result.strategy} on {','.join(result.symbols)} ({result.interval}) "
        f"{result.equity.index[0]:%Y-%m-%d} → {result.equity.index[-1]:%Y-%m-%d}",
        f"{'metric':<26}{'strategy':>16}{'buy & hold':>16}",
    ]
    for key in TABLE_KEYS:
        bench = fmt(key, b[key]) if key in b else ""
        lines.append(f"{key:<26}{fmt(key, m[key]):>16}{bench:>16}")
    lines.append(f"saved: {run_dir}")
    return "\n".join(lines)


def _config(args: argparse.Namespace) -> Any:
    from openalpha.backtest import make_config

    try:
        return make_config(
            capital=args.capital,
            leverage=args.leverage,
            fee_tier=args.fee_tier,
            slippage_bps=args.slippage_bps,
            funding=not args.no_funding,
            liquidation=not args.no_liquidation,
            stop_loss=args.stop_loss,
            take_profit=args.take_profit,
        )
    except ValueError as err:
        raise CliError(str(err).replace("\n", " ")) from None


def run(args: argparse.Namespace) -> int:
    from openalpha.backtest import BacktestError, run_backtest
    from openalpha.backtest.artifacts import save_run
    from openalpha.backtest.report import render
    from openalpha.config import Paths
    from openalpha.data.load import DataNotFound, load_market_data
    from openalpha.data.store import ParquetStore
    from openalpha.metrics import json_safe
    from openalpha.strategies import StrategyError, get_strategy_class, parse_assignments

    config = _config(args)
    symbols = [s.strip() for s in args.symbols.split(",") if s.strip()]
    if not symbols:
        raise CliError("--symbols: give at least one symbol, e.g. BTCUSDT")
    try:
        strategy = get_strategy_class(args.strategy)(**parse_assignments(args.param))
        data = load_market_data(
            symbols, args.interval, args.start, args.end, store=ParquetStore(Paths.from_env().data)
        )
        result = run_backtest(strategy, data, config)
    except (StrategyError, DataNotFound, BacktestError) as err:
        raise CliError(str(err).replace("\n", " ")) from None
    except ValueError as err:  # bad interval or time text, unknown instrument
        raise CliError(str(err).replace("\n", " ")) from None
    if args.report is not None:  # written before the run is saved: a bad path leaves nothing behind
        try:
            args.report.parent.mkdir(parents=True, exist_ok=True)
            tmp = args.report.with_name(args.report.name + ".tmp")
            tmp.write_text(render(result), encoding="utf-8")
            tmp.replace(args.report)
        except OSError as err:
            raise CliError(f"--report: cannot write {args.report}: {err.strerror}") from None
    run_dir = save_run(result, Paths.from_env().runs)
    if args.json:
        doc = json_safe(
            {
                "run": str(run_dir),
                "strategy": result.strategy,
                "params": result.params,
                "symbols": result.symbols,
                "interval": result.interval,
                "metrics": result.metrics,
                "benchmark": result.benchmark,
            }
        )
        json.dump(doc, sys.stdout, default=str)
        sys.stdout.write("\n")
    else:
        print(_table(result, run_dir))
    return 0
