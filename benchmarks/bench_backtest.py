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

Capital is 1e15 USDT so that every one of the 10,801 crossovers is traded by both engines: the
strategy loses to costs on almost every round trip (vectorbt's account shrinks ~1.4e7-fold,
ours — which also pays slippage, range impact and funding — more). With the earlier 1e9 our
account fell to ~5 USDT and the last 1,803 entries were below Bybit's minimum order size
(``orders_skipped_min_size`` = 1,803 = 10,801 − 8,998 trades), which vectorbt, having no
minimum, still traded: that was the whole trade-count difference, not a bug, but it let our
engine skip work. Both now report 10,801 trades (ours: 10,800 closed + 1 open at the end).

Timed parts (median of several runs after a warm-up; the load average is printed with the
results — a shared box: run the script several times):

* ``engine`` — ``simulate`` on prepared arrays: the target-change scan, output allocation and
  the compiled loop (equity per bar, every fill with the position after it, every funding
  settlement).
* ``from_targets`` — the apples-to-apples counterpart of vectorbt's ``from_signals`` call: from
  targets already computed (as vectorbt is given signals) to records: ``prepare`` (validation,
  [bar, instrument] arrays, funding events, fee/tier tables) + ``simulate`` + records (per-bar
  positions from the fills, and the fills, funding, trades and liquidations tables). No
  indicators, no metrics.
* ``end_to_end`` — ``run_backtest``: targets (the SMA crossover) + everything in
  ``from_targets`` + buy-and-hold + every metric (ours and buy-and-hold's) + the result object.
* vectorbt ``from_signals`` — the portfolio call alone, with pandas Series on a tz-naive index
  and with plain numpy arrays; the faster is the reference for ``engine`` and ``from_targets``.
* vectorbt ``end_to_end`` — its own pipeline for the same result: ``vbt.MA.run`` for both
  windows, the crossover state turned into next-open entries/exits, ``from_signals``, and the
  statistics we report (total return, annualised volatility, Sharpe, Sortino, Calmar, max
  drawdown and its duration, trade count, win rate, profit factor, expectancy, fees, buy-and-
  hold return). Timed two ways — those metrics called one by one, and ``pf.stats()`` (which
  computes all of them and more) — and the faster counts.
* backtesting.py ``run`` — its whole run (signals replayed bar by bar, stats included).

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
from openalpha.backtest.kernel import positions_from_fills
from openalpha.backtest.prepare import prepare
from openalpha.backtest.records import fills_frame, funding_frame, liquidations_frame, trades_frame
from openalpha.domain.market_data import MarketData
from openalpha.strategies import SmaCross
from openalpha.venue import default_instrument

SHARED = Path(
    os.environ.get("OPENALPHA_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)
SRC = SHARED / "Dkotl_trade_bot/bybit/futures"
FEE = 0.00055
CAPITAL = 1e15  # large enough that costs never shrink an order below Bybit's minimum (see above)


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


def next_open_signals(state: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Entries/exits that act at the next bar's open: enter at bar k when the state turned on at
    bar k−1's close, exit when it turned off (our engine's target semantics)."""
    prev = np.concatenate([[False], state[:-2]])
    entries = np.concatenate([[False], state[:-1] & ~prev])
    exits = np.concatenate([[False], ~state[:-1] & prev])
    return entries, exits


def vbt_metrics(pf: Any, how: str) -> dict[str, float]:
    """The statistics our end-to-end reports, from vectorbt: one by one, or ``pf.stats()``."""
    if how == "stats":
        st = pf.stats()
        return {"total_return": float(st["Total Return [%]"]) / 100, "trades": float(st["Total Trades"])}
    return {
        "total_return": float(pf.total_return()),
        "volatility": float(pf.annualized_volatility()),
        "sharpe": float(pf.sharpe_ratio()),
        "sortino": float(pf.sortino_ratio()),
        "calmar": float(pf.calmar_ratio()),
        "max_drawdown": float(pf.max_drawdown()),
        "max_drawdown_duration": float(pf.drawdowns.max_duration() / pd.Timedelta("1min"))
        if pf.wrapper.freq is not None
        else float(pf.drawdowns.max_duration()),
        "trades": float(pf.trades.count()),
        "win_rate": float(pf.trades.win_rate()),
        "profit_factor": float(pf.trades.profit_factor()),
        "expectancy": float(pf.trades.expectancy()),
        "fees": float(pf.orders.fees.sum()),
        "benchmark_return": float(pf.total_benchmark_return()),
    }


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

    def from_targets() -> tuple[pd.DataFrame, ...]:
        a = prepare(data, targets, config)
        _, fills, funds, _ = simulate(a, config)
        positions_from_fills(fills, len(a.index), len(a.symbols))
        return (
            fills_frame(fills, a.index, a.symbols),
            funding_frame(funds, a.index, a.symbols),
            trades_frame(fills, funds, a.index, a.symbols),
            liquidations_frame(fills, a.index, a.symbols),
        )

    run_backtest(strategy, data, config)  # warm-up: load/compile every numba function
    t_engine, out = timed(lambda: simulate(arr, config), args.repeat)
    t_ft, frames = timed(from_targets, args.repeat)
    t_e2e, res = timed(lambda: run_backtest(strategy, data, config), args.repeat)
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
        part="from_targets",
        bars=n,
        seconds=t_ft,
        bars_per_s=n / t_ft,
        trades=len(frames[2]),
    )
    emit(
        tool="openalpha",
        part="end_to_end",
        bars=n,
        seconds=t_e2e,
        bars_per_s=n / t_e2e,
        trades=m["trades"] + m["open_trades"],
        closed_trades=m["trades"],
        orders_skipped_min_size=m["orders_skipped_min_size"],
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
    enter, leave = next_open_signals(sig)
    entries, exits = pd.Series(enter, index=naive), pd.Series(leave, index=naive)

    arrays = {
        "series": (close, entries, exits, price),
        "numpy": (close.to_numpy(), enter, leave, price.to_numpy()),
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

    def vbt_pipeline(kind: str, how: str) -> tuple[np.ndarray, dict[str, float]]:
        c, _, _, p = arrays[kind]
        fast, slow = vbt.MA.run(c, 20), vbt.MA.run(c, 100)
        state = fast.ma_above(slow).to_numpy()
        e, x = next_open_signals(state)
        ins: Any = (pd.Series(e, index=naive), pd.Series(x, index=naive)) if kind == "series" else (e, x)
        pf = vbt.Portfolio.from_signals(
            c, *ins, price=p, fees=FEE, init_cash=CAPITAL, size=np.inf, freq="1min"
        )
        return state, vbt_metrics(pf, how)

    t_vbt_e2e = float("inf")
    for kind in arrays:
        for how in ("metrics", "stats"):
            vbt_pipeline(kind, how)  # warm-up
            t_kind, (state, stats) = timed(
                lambda kind=kind, how=how: vbt_pipeline(kind, how), max(3, args.repeat // 2)
            )
            emit(
                tool="vectorbt",
                part="end_to_end",
                inputs=kind,
                statistics="one by one" if how == "metrics" else "pf.stats()",
                bars=n,
                seconds=t_kind,
                bars_per_s=n / t_kind,
                trades=stats["trades"],
                signal_bars_differing_from_ours=int(np.count_nonzero(state != sig)),
            )
            t_vbt_e2e = min(t_vbt_e2e, t_kind)
    emit(
        tool="openalpha",
        part="speedup_vs_vectorbt",
        engine=t_vbt / t_engine,
        from_targets=t_vbt / t_ft,
        end_to_end=t_vbt_e2e / t_e2e,
        end_to_end_vs_from_signals_alone=t_vbt / t_e2e,
        target=10.0,
        reference="the faster vectorbt variant of each part (engine, from_targets: from_signals; "
        "end_to_end: MA + from_signals + statistics)",
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
