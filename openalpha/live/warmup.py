"""History a live strategy needs before its first decision: the last ``warmup()+1`` closed bars
(and recent funding) of each instrument, read from the environment's own market endpoints."""

from __future__ import annotations

import asyncio

import aiohttp
import pandas as pd

from openalpha.domain import MarketData, interval_ms, split_key
from openalpha.exchange.bybit.market_client import KLINE_LIMIT, MarketClient

_COLUMNS = ["open", "high", "low", "close", "volume"]


async def _fetch(base_url: str, keys: list[str], interval: str, bars: int, now_ms: int) -> MarketData:
    step = interval_ms(interval)
    last_closed = (now_ms // step) * step - step
    first = last_closed - (bars - 1) * step
    frames: dict[str, pd.DataFrame] = {}
    funding: dict[str, pd.Series] = {}
    async with aiohttp.ClientSession() as session:
        client = MarketClient(base_url, session)
        for key in keys:
            symbol, category = split_key(key)
            parts = []
            start = first
            while start <= last_closed:
                end = min(start + (KLINE_LIMIT - 1) * step, last_closed)
                parts.append(await client.klines(category.value, symbol, interval, start, end))
                start = end + step
            raw = pd.concat(parts).drop_duplicates("ts").sort_values("ts")
            index = pd.DatetimeIndex(pd.to_datetime(raw["ts"], unit="ms", utc=True))
            frames[key] = pd.DataFrame(raw[_COLUMNS].to_numpy(dtype="float64"), index=index, columns=_COLUMNS)
            if category.value == "linear":
                rates = await client.funding_history("linear", symbol, first, now_ms)
                funding[key] = pd.Series(
                    rates["rate"].to_numpy(dtype="float64"),
                    index=pd.DatetimeIndex(pd.to_datetime(rates["ts"], unit="ms", utc=True)),
                )
    return MarketData(interval=interval, bars=frames, funding=funding)


def fetch_history(base_url: str, keys: list[str], interval: str, bars: int, now_ms: int) -> MarketData:
    """Blocking wrapper (the strategy actor calls it once at start)."""
    return asyncio.run(_fetch(base_url, keys, interval, bars, now_ms))
