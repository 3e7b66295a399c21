"""Real Bybit history from the shared data (freqtrade feather files) as :class:`MarketData`.

Used by the strategy, backtest and peer tests; never synthetic. Paths are relative to the
``shared_data`` fixture (``/work/shared/data``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from openalpha.domain.market_data import MarketData
from openalpha.venue import default_instrument

DKOTL = Path("Dkotl_trade_bot/bybit")
LOGASHAN = Path("Logashan_freqtrade-news-ml/bybit")
MOHSEN_1H = Path("mohsenjfar_trade/05394495/bybit/futures")

_COIN = {"BTCUSDT": "BTC", "ETHUSDT": "ETH", "SOLUSDT": "SOL"}


def read_bars(path: Path) -> pd.DataFrame:
    """A freqtrade candle file as a frame indexed by tz-aware UTC open time (ms resolution)."""
    raw = pd.read_feather(path)
    index = pd.DatetimeIndex(raw["date"]).as_unit("ms").rename("time")
    cols = ["open", "high", "low", "close", "volume"]
    return pd.DataFrame({c: raw[c].to_numpy(dtype="float64") for c in cols}, index=index)


def read_funding(path: Path) -> pd.Series:
    raw = pd.read_feather(path)
    index = pd.DatetimeIndex(raw["date"]).as_unit("ms").rename("time")
    return pd.Series(raw["open"].to_numpy(dtype="float64"), index=index, name="rate")


def _cut(frame: pd.DataFrame, start: str | None, end: str | None) -> pd.DataFrame:
    if start is not None:
        frame = frame[frame.index >= pd.Timestamp(start, tz="UTC")]
    if end is not None:
        frame = frame[frame.index < pd.Timestamp(end, tz="UTC")]
    return frame


def perp_1h(
    shared: Path, symbol: str = "BTCUSDT", start: str | None = None, end: str | None = None
) -> MarketData:
    """Hourly perp bars with hourly mark bars and 8 h funding (mohsenjfar, 2023-12 .. 2026-02)."""
    coin = _COIN[symbol]
    base = shared / MOHSEN_1H
    bars = _cut(read_bars(base / f"{coin}_USDT_USDT-1h-futures.feather"), start, end)
    mark = read_bars(base / f"{coin}_USDT_USDT-1h-mark.feather")
    mark = mark[["open", "high", "low", "close"]].reindex(bars.index)
    funding = read_funding(base / f"{coin}_USDT_USDT-1h-funding_rate.feather")
    funding = funding[(funding.index >= bars.index[0]) & (funding.index <= bars.index[-1])]
    return MarketData(
        interval="60",
        bars={symbol: bars},
        mark={symbol: mark},
        funding={symbol: funding},
        instruments={symbol: default_instrument(symbol)},
    )


def perp_5m(
    shared: Path, symbol: str = "BTCUSDT", start: str | None = None, end: str | None = None
) -> MarketData:
    """5 min perp bars with 8 h funding, no mark bars (Dkotl, 2025-09-24 .. 2026-07-21, 86,604 bars)."""
    coin = _COIN[symbol]
    base = shared / DKOTL / "futures"
    bars = _cut(read_bars(base / f"{coin}_USDT_USDT-5m-futures.feather"), start, end)
    funding = read_funding(base / f"{coin}_USDT_USDT-1h-funding_rate.feather")
    funding = funding[(funding.index >= bars.index[0]) & (funding.index <= bars.index[-1])]
    return MarketData(
        interval="5",
        bars={symbol: bars},
        funding={symbol: funding},
        instruments={symbol: default_instrument(symbol)},
    )


def carry_5m(
    shared: Path, symbol: str = "BTCUSDT", start: str | None = None, end: str | None = None
) -> MarketData:
    """Spot + perp 5 min bars on a common index with 8 h funding (Logashan, 2025-04-11 .. 2025-08-09)."""
    coin = _COIN[symbol]
    perp = read_bars(shared / LOGASHAN / "futures" / f"{coin}_USDT_USDT-5m-futures.feather")
    spot = read_bars(shared / LOGASHAN / f"{coin}_USDT-5m.feather")
    index = perp.index.intersection(spot.index)
    perp, spot = _cut(perp.loc[index], start, end), _cut(spot.loc[index], start, end)
    funding = read_funding(shared / LOGASHAN / "futures" / f"{coin}_USDT_USDT-8h-funding_rate.feather")
    funding = funding[(funding.index >= perp.index[0]) & (funding.index <= perp.index[-1])]
    spot_key = f"{symbol}@spot"
    return MarketData(
        interval="5",
        bars={symbol: perp, spot_key: spot},
        funding={symbol: funding},
        instruments={symbol: default_instrument(symbol), spot_key: default_instrument(spot_key)},
    )
