"""What a history file holds, read from its name and folder (freqtrade and Binance layouts).

freqtrade (``user_data/data/<exchange>/``)::

    BTC_USDT-5m.feather                      spot candles            → spot/kline/BTCUSDT/5
    futures/BTC_USDT_USDT-5m-futures.feather perp candles            → linear/kline/BTCUSDT/5
    futures/BTC_USDT_USDT-1h-mark.feather    mark-price candles      → linear/mark/BTCUSDT/60
    futures/BTC_USDT_USDT-1h-index.feather   index-price candles     → linear/index/BTCUSDT/60
    futures/BTC_USDT_USDT-8h-funding_rate.json  settlements (rate in ``open``) → linear/funding/BTCUSDT
    (also ``.json`` and ``.json.gz``)

Binance public data (data.binance.vision)::

    BTCUSDT-1m-2024-01-31.csv | .zip         spot, or linear when the path has futures/um
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from openalpha.domain.enums import Category

# ccxt ids freqtrade users keep data for; a folder with one of these names tells the exchange.
KNOWN_EXCHANGES = frozenset(
    {"binance", "binanceus", "binanceusdm", "bybit", "okx", "kucoin", "gate", "gateio", "kraken", "bitget",
     "htx", "huobi", "bitmart", "hyperliquid", "bingx", "mexc", "coinbase", "bitfinex", "bitvavo"}
)  # fmt: skip

# freqtrade timeframe → Bybit interval code. Timeframes Bybit does not have (8h, 3d, 1M) are absent.
TIMEFRAMES: dict[str, str] = {
    "1m": "1", "3m": "3", "5m": "5", "15m": "15", "30m": "30", "1h": "60", "2h": "120",
    "4h": "240", "6h": "360", "12h": "720", "1d": "D", "1w": "W",
}  # fmt: skip

_CANDLE_KINDS = {"futures": "kline", "mark": "mark", "index": "index", "funding_rate": "funding"}
_FREQTRADE = re.compile(
    r"^(?P<pair>[A-Za-z0-9]+(?:_[A-Za-z0-9]+){1,2})-(?P<tf>\d+[mhdwM]|trades)"
    r"(?:-(?P<ctype>[A-Za-z_]+))?\.(?P<ext>feather|json|json\.gz|jsongz|parquet)$"
)
_BINANCE = re.compile(
    r"^(?P<symbol>[A-Z0-9]+)-(?P<tf>\d+[mhdw])-(?P<date>\d{4}-\d{2}(?:-\d{2})?)\.(?P<ext>csv|zip)$"
)


class Unsupported(ValueError):
    """A recognisable file this importer does not take (trades, inverse, an interval Bybit lacks)."""


class Unrecognised(ValueError):
    """A file whose name follows neither the freqtrade nor the Binance layout."""


@dataclass(frozen=True)
class FileSpec:
    path: Path
    layout: str  # "freqtrade" | "binance"
    fmt: str  # "feather" | "json" | "json.gz" | "csv" | "zip"
    exchange: str
    category: str
    kind: str
    symbol: str
    interval: str  # Bybit code, or "funding"

    @property
    def label(self) -> str:
        return f"{self.category}/{self.kind}/{self.symbol}/{self.interval}"


def exchange_from_path(path: Path) -> str | None:
    """The exchange folder of a freqtrade/Binance layout path (``.../bybit/futures/X`` → bybit)."""
    for part in reversed(path.resolve().parent.parts):
        if part.lower() in KNOWN_EXCHANGES:
            return part.lower()
    return None


def _exchange(path: Path, override: str | None, default: str | None = None) -> str:
    found = override or exchange_from_path(path) or default
    if not found:
        raise Unrecognised(f"{path}: cannot tell which exchange it comes from; pass --exchange NAME")
    return found.lower()


def parse_freqtrade(path: Path, exchange: str | None = None) -> FileSpec:
    match = _FREQTRADE.match(path.name)
    if not match:
        raise Unrecognised(
            f"{path}: not a freqtrade candle file name (e.g. BTC_USDT_USDT-5m-futures.feather)"
        )
    pair, tf, ctype, ext = match["pair"].upper().split("_"), match["tf"], match["ctype"], match["ext"]
    fmt = "json.gz" if ext in ("json.gz", "jsongz") else ext
    if fmt == "parquet":
        raise Unsupported(f"{path}: freqtrade parquet files are not supported; convert to feather or json")
    if tf == "trades" or ctype == "trades":
        raise Unsupported(f"{path}: trade ticks, not candles (nothing to import)")
    if ctype is not None and ctype not in _CANDLE_KINDS:
        raise Unsupported(
            f"{path}: candle type {ctype!r} is not imported (futures, mark, index, funding_rate are)"
        )
    if len(pair) == 3 and pair[2] != pair[1]:
        raise Unsupported(
            f"{path}: {pair[0]}/{pair[1]}:{pair[2]} is an inverse contract; only USDT-settled linear and spot are supported"
        )
    linear = len(pair) == 3
    if linear and ctype is None:
        raise Unrecognised(
            f"{path}: a futures pair needs a candle type suffix (-futures, -mark, -funding_rate)"
        )
    if not linear and ctype is not None:
        raise Unrecognised(f"{path}: {ctype} files belong to a futures pair (BASE_QUOTE_SETTLE)")
    kind = _CANDLE_KINDS[ctype] if ctype else "kline"
    if kind == "funding":
        interval = "funding"
    elif tf in TIMEFRAMES:
        interval = TIMEFRAMES[tf]
    else:
        raise Unsupported(f"{path}: timeframe {tf} is not a Bybit kline interval ({', '.join(TIMEFRAMES)})")
    category = Category.LINEAR.value if linear else Category.SPOT.value
    return FileSpec(
        path, "freqtrade", fmt, _exchange(path, exchange), category, kind, pair[0] + pair[1], interval
    )


def parse_binance(path: Path, exchange: str | None = None, category: str | None = None) -> FileSpec:
    match = _BINANCE.match(path.name)
    if not match:
        raise Unrecognised(f"{path}: not a Binance kline file name (e.g. BTCUSDT-1m-2024-01-31.csv)")
    tf = match["tf"]
    if tf not in TIMEFRAMES:
        raise Unsupported(f"{path}: timeframe {tf} is not a Bybit kline interval")
    if category is None:
        parts = {p.lower() for p in path.resolve().parent.parts}
        category = Category.LINEAR.value if parts & {"futures", "um"} else Category.SPOT.value
    return FileSpec(
        path,
        "binance",
        match["ext"],
        _exchange(path, exchange, "binance"),
        category,
        "kline",
        match["symbol"],
        TIMEFRAMES[tf],
    )


def parse_name(path: Path, exchange: str | None = None, category: str | None = None) -> FileSpec:
    """The :class:`FileSpec` of ``path``; :class:`Unsupported` / :class:`Unrecognised` otherwise."""
    if path.name.endswith((".csv", ".zip")):
        return parse_binance(path, exchange, category)
    spec = parse_freqtrade(path, exchange)
    if category is not None and category != spec.category:
        raise Unrecognised(f"{path}: the name says {spec.category}, not {category}")
    return spec


__all__ = ["TIMEFRAMES", "FileSpec", "Unrecognised", "Unsupported", "exchange_from_path", "parse_name"]
