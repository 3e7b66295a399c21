"""pybit's own ``HTTP`` client works against the simulator by changing only its endpoint
(BYBIT_V5.md §8 "Loopback override works")."""

from __future__ import annotations

import pytest
from pybit.exceptions import InvalidRequestError
from pybit.unified_trading import HTTP

from openalpha.data.store import ParquetStore


@pytest.fixture
def session(sim_url: str) -> HTTP:
    s = HTTP()
    s.endpoint = sim_url
    return s


def test_pybit_market_calls(session: HTTP, month_store: ParquetStore) -> None:
    assert int(session.get_server_time()["result"]["timeSecond"]) > 0
    kline = session.get_kline(category="linear", symbol="BTCUSDT", interval=5, limit=3)["result"]["list"]
    stored = month_store.read("linear", "kline", "BTCUSDT", "5")
    assert [int(r[0]) for r in kline] == stored["ts"].iloc[-3:][::-1].tolist()
    mark = session.get_mark_price_kline(category="linear", symbol="BTCUSDT", interval=60, limit=2)["result"][
        "list"
    ]
    assert len(mark) == 2 and len(mark[0]) == 5
    assert session.get_index_price_kline(category="linear", symbol="BTCUSDT", interval=60)["retCode"] == 0
    funding = session.get_funding_rate_history(category="linear", symbol="BTCUSDT", limit=5)["result"]["list"]
    assert len(funding) == 5 and funding[0]["symbol"] == "BTCUSDT"
    inst = session.get_instruments_info(category="linear", symbol="ETHUSDT")["result"]["list"]
    assert inst[0]["symbol"] == "ETHUSDT"
    tick = session.get_tickers(category="linear", symbol="BTCUSDT")["result"]["list"]
    assert float(tick[0]["lastPrice"]) == stored["close"].iloc[-1]


def test_pybit_raises_on_unknown_symbol(session: HTTP) -> None:
    """A non-zero retCode makes pybit raise InvalidRequestError with the code (§8)."""
    with pytest.raises(InvalidRequestError) as info:
        session.get_kline(category="linear", symbol="NOPEUSDT", interval=5)
    assert info.value.status_code == 10001 and "Not supported symbols" in info.value.message
