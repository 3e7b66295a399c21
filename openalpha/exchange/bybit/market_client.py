"""An asyncio (aiohttp) client for Bybit's public market endpoints (BYBIT_V5.md §3), for bulk history.

Rows are decoded straight into the Parquet store's frame layout: ``ts`` int64 ms plus float64
value columns, sorted ascending and unique (Bybit sends newest first). Every request goes through
a :class:`~openalpha.exchange.ratelimit.RateLimiter` and reports the response headers back to it.

Failures (BYBIT_V5.md §2, §7):

* network errors, timeouts, HTTP 5xx/429, undecodable bodies, retCode 10016 → retried with
  exponential back-off (``base_delay · 2^k``, jittered) up to ``max_retries`` times;
* retCode 10006 or HTTP 403 (rate limit) → the limiter pauses until
  ``X-Bapi-Limit-Reset-Timestamp`` and the request is re-sent (up to ``max_throttled`` times);
* any other non-zero retCode → :class:`~openalpha.exchange.errors.RejectedError` at once
  (10001 "Not supported symbols" → :class:`UnknownSymbol`).
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import aiohttp
import msgspec
import numpy as np
import pandas as pd

from openalpha.domain.enums import Category
from openalpha.domain.instrument import Instrument
from openalpha.exchange.errors import ExchangeError, RejectedError, RetryableError, error_for_code
from openalpha.exchange.ratelimit import RateLimiter

BASE_URLS: dict[str, str] = {
    "mainnet": "https://api.bybit.com",
    "testnet": "https://api-testnet.bybit.com",
}
KLINE_PATHS: dict[str, str] = {
    "kline": "/v5/market/kline",
    "mark": "/v5/market/mark-price-kline",
    "index": "/v5/market/index-price-kline",
}
KLINE_COLUMNS: dict[str, tuple[str, ...]] = {
    "kline": ("open", "high", "low", "close", "volume", "turnover"),
    "mark": ("open", "high", "low", "close"),
    "index": ("open", "high", "low", "close"),
}
FUNDING_PATH = "/v5/market/funding/history"
KLINE_LIMIT = 1000
FUNDING_LIMIT = 200
RATE_LIMITED = 10006
SERVER_ERROR = 10016


class UnknownSymbol(RejectedError):
    """The exchange does not list the symbol (retCode 10001 "Not supported symbols")."""


class _Envelope(msgspec.Struct):
    retCode: int
    retMsg: str = ""
    result: msgspec.Raw = msgspec.Raw(b"{}")


class _RowsResult(msgspec.Struct):
    rows: list[list[str]] = msgspec.field(name="list", default_factory=list)


class _RawRowsResult(msgspec.Struct):
    rows: msgspec.Raw = msgspec.field(name="list", default=msgspec.Raw(b"[]"))


_float_rows = msgspec.json.Decoder(list[list[float]])
_raw_rows = msgspec.json.Decoder(_RawRowsResult)


class _FundingItem(msgspec.Struct):
    fundingRate: str
    fundingRateTimestamp: str


class _FundingResult(msgspec.Struct):
    rows: list[_FundingItem] = msgspec.field(name="list", default_factory=list)


class _Lot(msgspec.Struct):
    minOrderQty: str = "0"
    maxOrderQty: str = "0"
    qtyStep: str | None = None
    basePrecision: str | None = None
    maxMktOrderQty: str | None = None
    minNotionalValue: str | None = None
    minOrderAmt: str | None = None


class _Price(msgspec.Struct):
    tickSize: str


class _Leverage(msgspec.Struct):
    maxLeverage: str = "1"


class _InstrumentItem(msgspec.Struct):
    symbol: str
    baseCoin: str
    quoteCoin: str
    priceFilter: _Price
    lotSizeFilter: _Lot
    leverageFilter: _Leverage | None = None
    fundingInterval: int | None = None
    status: str = "Trading"
    launchTime: str = "0"


class _InstrumentsResult(msgspec.Struct):
    rows: list[_InstrumentItem] = msgspec.field(name="list", default_factory=list)
    nextPageCursor: str = ""


class _TimeResult(msgspec.Struct):
    timeSecond: str
    timeNano: str = ""


@dataclass(frozen=True)
class Listing:
    """An instrument as listed by ``instruments-info``, with its launch time (0 = unknown)."""

    instrument: Instrument
    launch_ms: int = 0


@dataclass
class ClientStats:
    requests: int = 0
    retries: int = 0
    rate_limited: int = 0  # answers with retCode 10006 or HTTP 403


def _empty(kind: str) -> pd.DataFrame:
    data: dict[str, np.ndarray] = {"ts": np.empty(0, np.int64)}
    data.update({c: np.empty(0, np.float64) for c in KLINE_COLUMNS[kind]})
    return pd.DataFrame(data)


def _frame(table: np.ndarray, kind: str) -> pd.DataFrame:
    """Rows ``[ts, *values]`` (any order) → ascending, unique store frame."""
    columns = KLINE_COLUMNS[kind]
    if table.ndim != 2 or table.shape[1] < 1 + len(columns):
        raise RetryableError(f"malformed {kind} rows: expected {1 + len(columns)} fields")
    ts = table[:, 0].astype(np.int64)
    order = np.argsort(ts, kind="stable")
    ts = ts[order]
    keep = np.ones(len(ts), dtype=bool)
    keep[:-1] = ts[1:] != ts[:-1]  # a repeated start time keeps its last row
    rows = order[keep]
    data: dict[str, np.ndarray] = {"ts": ts[keep]}
    for j, col in enumerate(columns, start=1):
        data[col] = table[rows, j].astype(np.float64)
    return pd.DataFrame(data)


def rows_to_frame(rows: list[list[str]], kind: str) -> pd.DataFrame:
    """Bybit string rows (any order) → the store layout, ascending and unique by ``ts``."""
    if not rows:
        return _empty(kind)
    width = 1 + len(KLINE_COLUMNS[kind])
    if any(len(r) < width for r in rows):
        raise RetryableError(f"malformed {kind} rows: expected {width} fields")
    return _frame(np.array([r[:width] for r in rows], dtype=object), kind)


def decode_kline_result(raw: bytes, kind: str) -> pd.DataFrame:
    """The ``result`` of a kline answer → store frame. Fast path: the rows are arrays of numeric
    strings, so with the quotes removed msgspec parses them as floats in C (a millisecond
    timestamp is exact in float64); anything unexpected falls back to the string path."""
    rows = bytes(_raw_rows.decode(raw).rows)
    try:
        table = _float_rows.decode(rows.replace(b'"', b""))
    except msgspec.DecodeError:
        return rows_to_frame(msgspec.json.decode(raw, type=_RowsResult).rows, kind)
    if not table:
        return _empty(kind)
    try:
        array = np.array(table, dtype=np.float64)
    except ValueError:  # ragged rows
        raise RetryableError(f"malformed {kind} rows: rows of different lengths") from None
    return _frame(array, kind)


def _instrument(item: _InstrumentItem, category: str) -> Instrument:
    lot = item.lotSizeFilter
    step = Decimal(lot.qtyStep or lot.basePrecision or lot.minOrderQty)
    notional = lot.minNotionalValue or lot.minOrderAmt or "0"
    return Instrument(
        symbol=item.symbol,
        category=Category(category),
        base_coin=item.baseCoin,
        quote_coin=item.quoteCoin,
        tick_size=Decimal(item.priceFilter.tickSize),
        qty_step=step,
        min_qty=Decimal(lot.minOrderQty),
        max_qty=Decimal(lot.maxOrderQty),
        min_notional=Decimal(notional),
        max_mkt_qty=Decimal(lot.maxMktOrderQty) if lot.maxMktOrderQty else None,
        max_leverage=Decimal(item.leverageFilter.maxLeverage) if item.leverageFilter else Decimal(1),
        funding_interval_min=item.fundingInterval or 480,
    )


class MarketClient:
    """Public market data over one ``aiohttp.ClientSession``."""

    def __init__(
        self,
        base_url: str,
        session: aiohttp.ClientSession,
        limiter: RateLimiter | None = None,
        *,
        max_retries: int = 6,
        max_throttled: int = 50,
        base_delay: float = 0.25,
        timeout_s: float = 30.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = session
        self.limiter = limiter or RateLimiter.for_category()
        self.max_retries = max_retries
        self.max_throttled = max_throttled
        self.base_delay = base_delay
        self.timeout = aiohttp.ClientTimeout(total=timeout_s)
        self.stats = ClientStats()
        self._decoder = msgspec.json.Decoder(_Envelope)

    async def _backoff(self, attempt: int) -> None:
        self.stats.retries += 1
        delay = self.base_delay * (2**attempt)
        await asyncio.sleep(delay * (0.5 + random.random() / 2))

    async def get(self, path: str, params: dict[str, Any]) -> msgspec.Raw:
        """GET ``path`` and return the raw ``result`` of a retCode-0 envelope (see module doc)."""
        query = {k: str(v) for k, v in params.items() if v is not None}
        failures = throttled = 0
        while True:
            await self.limiter.acquire(path)
            self.stats.requests += 1
            try:
                async with self.session.get(self.base_url + path, params=query, timeout=self.timeout) as resp:
                    body = await resp.read()
                    status, headers = resp.status, resp.headers
            except (TimeoutError, aiohttp.ClientError, OSError) as err:
                problem: ExchangeError = RetryableError(f"{path}: network error: {type(err).__name__}: {err}")
            else:
                self.limiter.observe_headers(headers, path)
                outcome = self._judge(path, status, headers, body)
                if isinstance(outcome, msgspec.Raw):
                    return outcome
                problem = outcome
            if problem.code in (RATE_LIMITED, 403):
                throttled += 1
                self.stats.rate_limited += 1
                if throttled > self.max_throttled:
                    raise problem
                reset = getattr(problem, "retry_after_ms", None)
                self.limiter.pause_until(reset, path, default_s=min(2.0 * throttled, 30.0))
                continue
            if not isinstance(problem, RetryableError) or failures >= self.max_retries:
                raise problem
            await self._backoff(failures)
            failures += 1

    def _judge(self, path: str, status: int, headers: Any, body: bytes) -> msgspec.Raw | ExchangeError:
        reset_raw = headers.get("X-Bapi-Limit-Reset-Timestamp")
        reset = int(reset_raw) if reset_raw and reset_raw.isdigit() else None
        if status == 403:
            return RetryableError(f"{path}: HTTP 403 (IP rate limit)", 403, reset)
        if status >= 500 or status == 429:
            return RetryableError(f"{path}: HTTP {status}", status)
        try:
            env = self._decoder.decode(body)
        except msgspec.DecodeError:
            if status != 200:
                return RejectedError(f"{path}: HTTP {status}", status)
            return RetryableError(f"{path}: undecodable response")
        if env.retCode == 0:
            return env.result
        if env.retCode == RATE_LIMITED:
            return RetryableError(f"{path}: {env.retMsg}", RATE_LIMITED, reset)
        if env.retCode == SERVER_ERROR:
            return RetryableError(f"{path}: {env.retMsg}", SERVER_ERROR)
        if env.retCode == 10001 and "symbol" in env.retMsg.lower():
            return UnknownSymbol(env.retMsg, env.retCode)
        return error_for_code(env.retCode, f"{path}: {env.retMsg}")

    # --- endpoints -------------------------------------------------------------------------
    async def server_time(self) -> int:
        """The exchange's time in ms (``/v5/market/time``)."""
        raw = await self.get("/v5/market/time", {})
        res = msgspec.json.decode(raw, type=_TimeResult)
        if res.timeNano:
            return int(res.timeNano) // 1_000_000
        return int(res.timeSecond) * 1000

    async def klines(
        self,
        category: str,
        symbol: str,
        interval: str,
        start_ms: int,
        end_ms: int,
        *,
        kind: str = "kline",
        limit: int = KLINE_LIMIT,
    ) -> pd.DataFrame:
        """Candles with ``start_ms <= ts <= end_ms`` (ascending). The caller keeps windows within
        ``limit`` candles (``end − start < limit · interval``)."""
        params = {
            "category": category,
            "symbol": symbol,
            "interval": interval,
            "start": start_ms,
            "end": end_ms,
            "limit": limit,
        }
        raw = await self.get(KLINE_PATHS[kind], params)
        frame = decode_kline_result(raw, kind)
        ts = frame["ts"].to_numpy()
        keep = (ts >= start_ms) & (ts <= end_ms)
        return frame if keep.all() else frame[keep].reset_index(drop=True)

    async def funding_page(self, category: str, symbol: str, start_ms: int, end_ms: int) -> pd.DataFrame:
        """One page (≤ 200) of settlements in ``[start_ms, end_ms]``, newest kept; ascending frame."""
        params = {
            "category": category,
            "symbol": symbol,
            "startTime": start_ms,
            "endTime": end_ms,
            "limit": FUNDING_LIMIT,
        }
        raw = await self.get(FUNDING_PATH, params)
        items = msgspec.json.decode(raw, type=_FundingResult).rows
        rows = [[i.fundingRateTimestamp, i.fundingRate] for i in items]
        if not rows:
            return pd.DataFrame({"ts": np.empty(0, np.int64), "rate": np.empty(0, np.float64)})
        ts = np.array([int(r[0]) for r in rows], dtype=np.int64)
        rate = np.array([float(r[1]) for r in rows], dtype=np.float64)
        order = np.argsort(ts, kind="stable")
        frame = pd.DataFrame({"ts": ts[order], "rate": rate[order]})
        frame = frame.drop_duplicates("ts", keep="last")
        return frame[(frame["ts"] >= start_ms) & (frame["ts"] <= end_ms)].reset_index(drop=True)

    async def funding_history(self, category: str, symbol: str, start_ms: int, end_ms: int) -> pd.DataFrame:
        """All settlements in ``[start_ms, end_ms]``. A full page (200) means there may be more:
        the range before it is fetched next with ``endTime`` just below its oldest row (paging
        backwards), and any range after its newest row too, so the result is complete whichever
        end of the range Bybit anchors a full page to."""
        pages: list[pd.DataFrame] = []
        todo = [(start_ms, end_ms)]
        while todo:
            lo, hi = todo.pop()
            page = await self.funding_page(category, symbol, lo, hi)
            if len(page):
                pages.append(page)
            if len(page) < FUNDING_LIMIT:
                continue
            first, last = int(page["ts"].iloc[0]), int(page["ts"].iloc[-1])
            if last < hi:
                todo.append((last + 1, hi))
            if first > lo:
                todo.append((lo, first - 1))
        if not pages:
            return pd.DataFrame({"ts": np.empty(0, np.int64), "rate": np.empty(0, np.float64)})
        frame = pd.concat(pages, ignore_index=True)
        return frame.drop_duplicates("ts", keep="last").sort_values("ts").reset_index(drop=True)

    async def instruments(self, category: str, symbol: str | None = None) -> list[Listing]:
        """``/v5/market/instruments-info``, following ``nextPageCursor``."""
        out: list[Listing] = []
        cursor = ""
        while True:
            params: dict[str, Any] = {"category": category, "symbol": symbol, "limit": 1000}
            if cursor:
                params["cursor"] = cursor
            raw = await self.get("/v5/market/instruments-info", params)
            res = msgspec.json.decode(raw, type=_InstrumentsResult)
            out.extend(
                Listing(_instrument(item, category), int(item.launchTime) if item.launchTime.isdigit() else 0)
                for item in res.rows
            )
            if not res.nextPageCursor or not res.rows:
                return out
            cursor = res.nextPageCursor


__all__ = [
    "BASE_URLS",
    "ClientStats",
    "Listing",
    "MarketClient",
    "UnknownSymbol",
    "decode_kline_result",
    "rows_to_frame",
]
