"""Live decisions equal the backtest's targets on real data (ARCHITECTURE §3: one code path)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from openalpha.domain import Bar, MarketData
from openalpha.live.strategy_runner import StrategyRunner
from openalpha.strategies.sma_cross import SmaCross


def _real_bars(shared_data: Path, coin: str) -> pd.DataFrame:
    raw = pd.read_feather(shared_data / f"Dkotl_trade_bot/bybit/futures/{coin}_USDT_USDT-4h-futures.feather")
    frame = raw.set_index(pd.DatetimeIndex(raw["date"]).tz_convert("UTC"))[
        ["open", "high", "low", "close", "volume"]
    ]
    return frame.astype("float64").iloc[:400]


def _bar(key: str, ts: pd.Timestamp, row: pd.Series) -> Bar:
    return Bar(
        symbol=key,
        interval="240",
        ts=int(ts.value // 1_000_000),
        open=row.open,
        high=row.high,
        low=row.low,
        close=row.close,
        volume=row.volume,
    )


def test_bar_by_bar_signals_equal_full_history_targets(shared_data: Path) -> None:
    bars = {"BTCUSDT": _real_bars(shared_data, "BTC"), "ETHUSDT": _real_bars(shared_data, "ETH")}
    strategy = SmaCross(fast=10, slow=30, allow_short=True)
    full = strategy.targets(MarketData(interval="240", bars=bars))
    start = 50
    history = MarketData(interval="240", bars={k: v.iloc[:start] for k, v in bars.items()})
    runner = StrategyRunner("sma-1", strategy, list(bars), "240", history=history)
    decided = 0
    for ts in bars["BTCUSDT"].index[start:]:
        signals = runner.on_bar("ETHUSDT", _bar("ETHUSDT", ts, bars["ETHUSDT"].loc[ts]))
        assert signals == []  # BTC has not closed this bar yet
        signals = runner.on_bar("BTCUSDT", _bar("BTCUSDT", ts, bars["BTCUSDT"].loc[ts]))
        assert {s.symbol: s.target for s in signals} == full.loc[ts].to_dict()
        decided += 1
    assert decided == 350 and (full.iloc[start:] != 0).any().all()


def test_duplicate_and_late_bars_do_not_decide_twice(shared_data: Path) -> None:
    bars = _real_bars(shared_data, "BTC")
    runner = StrategyRunner(
        "sma-1",
        SmaCross(fast=5, slow=20),
        ["BTCUSDT"],
        "240",
        history=MarketData(interval="240", bars={"BTCUSDT": bars.iloc[:40]}),
    )
    ts = bars.index[40]
    assert len(runner.on_bar("BTCUSDT", _bar("BTCUSDT", ts, bars.loc[ts]))) == 1
    assert runner.on_bar("BTCUSDT", _bar("BTCUSDT", ts, bars.loc[ts])) == []  # re-delivered
    late = bars.index[39]
    assert runner.on_bar("BTCUSDT", _bar("BTCUSDT", late, bars.loc[late])) == []


def test_not_warm_means_no_decision(shared_data: Path) -> None:
    bars = _real_bars(shared_data, "BTC")
    runner = StrategyRunner("sma-1", SmaCross(fast=5, slow=20), ["BTCUSDT"], "240")
    outs = [runner.on_bar("BTCUSDT", _bar("BTCUSDT", ts, bars.loc[ts])) for ts in bars.index[:25]]
    assert all(o == [] for o in outs[:20]) and all(len(o) == 1 for o in outs[20:])
