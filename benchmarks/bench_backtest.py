"""Backtest throughput and memory against vectorbt and backtesting.py, measured in the same run.

Data: the real Bybit BTCUSDT perpetual 5-minute series from the shared data (Dkotl, 86,604
bars) tiled to 1,500,000 bars. Each tile is rescaled so it starts at the previous tile's last
close (no artificial jump), and timestamps are RE-SPACED one minute apart, so this is a
1.5 M "one-minute" series built from real 5-minute candles. Funding: the real 8-hourly rates
of the same period, tiled and re-spaced every 480 bars (8 h of the new 1-minute timeline).

Strategy: long-only SMA(20/100) crossover (``sma_cross``), targets act at the next open.
Ours runs with Bybit VIP0 taker fees, 1 bp slippage + range impact, funding and isolated-margin
liquidation ON (leverage 10). vectorbt ``Portfolio.from_signals`` (timezone-NAIVE index, its
fast path — PEERS.md §5) and backtesting.py (``FractionalBacktest``) get the same signals with
one 0.055 % fee and fills at the next open; neither models funding or liquidation.

Timed: ``engine`` = ``simulate`` on prepared arrays (the target-change scan, output
allocation and the compiled loop: equity per bar, every fill with the position after it, every
funding settlement; the per-bar position table is derived from the fills afterwards, like
vectorbt derives its positions from its order records); ``end_to_end`` = targets +
preparation + loop + records + metrics (``run_backtest``); peers = their backtest call only.
vectorbt is timed with pandas Series on a tz-naive index and with plain numpy arrays; the
faster of the two is the reference. Median of several runs after a warm-up, the machine's
load average printed with the results (a shared box: run the script several times).
Prints one JSON object per line.

    python benchmarks/bench_backtest.py [--bars 1500000] [--repeat 5] [--skip-backtesting-py]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
import tracemalloc
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from openalpha.backtest import BacktestConfig, run_backtest
from openalpha.backtest.engine import simulate
from openalpha.backtest.prepare import prepare
from openalpha.domain.market_data import MarketData
from openalpha.strategies import SmaCross
from openalpha.venue import default_instrument

SHARED = Path(
    os.environ.get("OPENALPHA_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)
SRC = SHARED / "Dkotl_trade_bot/bybit/futures"
FEE = 0.00055
CAPITAL = 1e9  # large enough that fees never shrink orders below the minimum size


def tiled_data(n: int) -> MarketData:
    raw = pd.read_feather(SRC / "BTC_USDT_USDT-5m-futures.feather")
    ohlc = raw[["open", "high", "low", "close"]].to_numpy(dtype=np.float64)
    vol = raw["volume"].to_numpy(dtype=np.float64)
    reps = -(-n // len(raw))
    blocks, scale = [], 1.0
    for _ in range(reps):
        blocks.append(ohlc * scale)
        scale = blocks[-1][-1, 3] / ohlc[0, 0]  # next tile opens at this tile's last close
    prices = np.concatenate(blocks)[:n]
    index = pd.date_range("2020-01-01", periods=n, freq="1min", tz="UTC", unit="ms", name="time")
    bars = pd.DataFrame(prices, index=index, columns=["open", "high", "low", "close"])
    bars["volume"] = np.tile(vol, reps)[:n]
    rates = pd.read_feather(SRC / "BTC_USDT_USDT-1h-funding_rate.feather")["open"].to_numpy(dtype=np.float64)
    settle = index[480::480]
    funding = pd.Series(np.tile(rates, -(-len(settle) // len(rates)))[: len(settle)], index=settle)
    return MarketData(
        interval="1",
        bars={"BTCUSDT": bars},
        funding={"BTCUSDT": funding},
        instruments={"BTCUSDT": default_instrument("BTCUSDT")},
    )


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def emit(**row: Any) -> None:
    print(json.dumps(row), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bars", type=int, default=1_500_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--skip-backtesting-py", action="store_true")
    args = ap.parse_args()

    data = tiled_data(args.bars)
    n = args.bars
    strategy = SmaCross(fast=20, slow=100)
    config = BacktestConfig(
        capital=CAPITAL, leverage=10.0, fee_tier="VIP0", slippage_bps=1.0, funding=True, liquidation=True
    )
    targets = strategy.targets(data)
    arr = prepare(data, targets, config)
    load_before = os.getloadavg()[0]
    simulate(arr, config)  # warm-up: load/compile the numba kernel
    t_engine, out = timed(lambda: simulate(arr, config), args.repeat)
    t_e2e, res = timed(lambda: run_backtest(strategy, data, config), max(3, args.repeat // 2))
    m = res.metrics
    emit(
        tool="openalpha",
        part="engine",
        bars=n,
        seconds=t_engine,
        bars_per_s=n / t_engine,
        fills=len(out[1]),
        funding_settlements=len(out[2]),
    )
    emit(
        tool="openalpha",
        part="end_to_end",
        bars=n,
        seconds=t_e2e,
        bars_per_s=n / t_e2e,
        trades=m["trades"],
        liquidations=m["liquidations"],
        funding_paid=m["funding_paid"],
        fees_paid=m["fees_paid"],
        final_equity=m["final_equity"],
    )

    tracemalloc.start()
    run_backtest(strategy, data, config)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    emit(
        tool="openalpha",
        part="memory",
        bars=n,
        tracemalloc_peak_mb=peak / 2**20,
        max_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    )

    # the same signals for the peers: enter when the target turns 1, exit when it turns 0
    sig = targets["BTCUSDT"].to_numpy() > 0
    bars = data.bars["BTCUSDT"]
    naive = bars.index.tz_localize(None)
    import vectorbt as vbt

    close = pd.Series(bars["close"].to_numpy(), index=naive)
    price = pd.Series(bars["open"].to_numpy(), index=naive)
    entries = pd.Series(
        np.concatenate([[False], sig[:-1] & ~np.concatenate([[False], sig[:-2]])]), index=naive
    )
    exits = pd.Series(np.concatenate([[False], ~sig[:-1] & np.concatenate([[False], sig[:-2]])]), index=naive)

    arrays = {
        "series": (close, entries, exits, price),
        "numpy": (close.to_numpy(), entries.to_numpy(), exits.to_numpy(), price.to_numpy()),
    }

    def vbt_run(kind: str) -> Any:
        c, e, x, p = arrays[kind]
        return vbt.Portfolio.from_signals(
            c, e, x, price=p, fees=FEE, init_cash=CAPITAL, size=np.inf, freq="1min"
        )

    t_vbt = float("inf")
    for kind in arrays:
        vbt_run(kind)  # warm-up (numba compile)
        t_kind, pf = timed(lambda kind=kind: vbt_run(kind), args.repeat)
        emit(
            tool="vectorbt",
            version=vbt.__version__,
            part="from_signals",
            inputs=kind,
            bars=n,
            seconds=t_kind,
            bars_per_s=n / t_kind,
            trades=int(pf.trades.count()),
            final_equity=float(pf.final_value()),
            index="tz-naive",
        )
        t_vbt = min(t_vbt, t_kind)
    emit(
        tool="openalpha",
        part="speedup_vs_vectorbt",
        engine=t_vbt / t_engine,
        end_to_end=t_vbt / t_e2e,
        target=10.0,
        reference="the faster vectorbt variant",
        load_avg_1m_before=load_before,
        load_avg_1m_after=os.getloadavg()[0],
    )

    if not args.skip_backtesting_py:
        import backtesting
        from backtesting import Strategy
        from backtesting.lib import FractionalBacktest

        class Replay(Strategy):  # type: ignore[misc]
            def init(self) -> None:
                pass

            def next(self) -> None:
                i = len(self.data) - 1
                if sig[i] and not self.position:
                    self.buy()
                elif not sig[i] and self.position:
                    self.position.close()

        frame = bars.rename(columns=str.capitalize)
        frame.index = naive
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bt = FractionalBacktest(frame, Replay, cash=CAPITAL, commission=FEE, fractional_unit=1e-8)
            t_bt, stats = timed(bt.run, 1)
        emit(
            tool="backtesting.py",
            version=backtesting.__version__,
            part="run",
            bars=n,
            seconds=t_bt,
            bars_per_s=n / t_bt,
            trades=int(stats["# Trades"]),
            final_equity=float(stats["Equity Final [$]"]),
        )
    emit(tool="env", python=sys.version.split()[0], cpus=os.cpu_count())


if __name__ == "__main__":
    main()
