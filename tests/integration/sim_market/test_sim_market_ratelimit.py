"""Rate limits with Bybit's headers and retCode 10006 (BYBIT_V5.md §2 headers, §7 limits, §8 pybit)."""

from __future__ import annotations

import time

import requests
from pybit.unified_trading import HTTP

from openalpha.data.store import ParquetStore
from openalpha.sim.ratelimit import LimitRule, RateLimitConfig
from tests.integration.sim_market.realstore import running_sim

KLINE = {"category": "linear", "symbol": "BTCUSDT", "interval": "5", "limit": 2}


def _ms() -> int:
    return time.time_ns() // 1_000_000


def test_every_answer_carries_the_limit_headers(month_store: ParquetStore) -> None:
    """§2: X-Bapi-Limit (600 for the IP limit), X-Bapi-Limit-Status (remaining), reset timestamp."""
    with running_sim(month_store) as (url, _):
        statuses = []
        for _ in range(3):
            resp = requests.get(url + "/v5/market/kline", params=KLINE, timeout=10)
            assert resp.headers["X-Bapi-Limit"] == "600"
            statuses.append(int(resp.headers["X-Bapi-Limit-Status"]))
            assert abs(int(resp.headers["X-Bapi-Limit-Reset-Timestamp"]) - _ms()) < 5_000
        bad = requests.get(url + "/v5/market/nothing", timeout=10)
        assert "X-Bapi-Limit-Status" in bad.headers
    assert statuses == [599, 598, 597]


def test_ip_limit_breach_is_403_with_10006_and_a_future_reset(month_store: ParquetStore) -> None:
    """§7: the IP limit breach is HTTP 403; the envelope carries 10006 and the reset time is ahead."""
    with running_sim(month_store, limits=RateLimitConfig(ip=LimitRule(3, 2_000))) as (url, _):
        answers = [requests.get(url + "/v5/market/kline", params=KLINE, timeout=10) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 403]
    refused = answers[-1]
    assert refused.json()["retCode"] == 10006
    assert refused.headers["X-Bapi-Limit-Status"] == "0"
    assert int(refused.headers["X-Bapi-Limit-Reset-Timestamp"]) > _ms()


def test_endpoint_limit_breach_is_10006_and_pybit_waits_it_out(month_store: ParquetStore) -> None:
    """§7 per-endpoint limit → HTTP 200 + 10006 "Too many visits!" with a reset timestamp in the
    future, which pybit sleeps until and then retries (§8; a past reset would crash it)."""
    limits = RateLimitConfig(endpoint_overrides={"/v5/market/kline": 2})
    with running_sim(month_store, limits=limits) as (url, _):
        answers = [requests.get(url + "/v5/market/kline", params=KLINE, timeout=10) for _ in range(3)]
        body = answers[-1].json()
        assert body["retCode"] == 10006 and body["retMsg"] == "Too many visits!"
        assert answers[-1].headers["X-Bapi-Limit"] == "2"
        assert int(answers[-1].headers["X-Bapi-Limit-Reset-Timestamp"]) > _ms() - 5
        session = HTTP(max_retries=5, retry_delay=0)
        session.endpoint = url
        got = [session.get_kline(**KLINE) for _ in range(4)]  # over the limit: pybit sleeps and retries
    assert all(g["retCode"] == 0 and len(g["result"]["list"]) == 2 for g in got)


def test_disabled_limits_send_nothing_refused(month_store: ParquetStore) -> None:
    with running_sim(month_store, limits=RateLimitConfig(ip=LimitRule(1, 60_000), enabled=False)) as (url, _):
        codes = {requests.get(url + "/v5/market/time", timeout=10).status_code for _ in range(5)}
    assert codes == {200}
