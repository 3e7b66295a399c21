"""HMAC authentication of the simulator against BYBIT_V5.md §1 (docs strings, self-computed vectors)."""

from __future__ import annotations

from openalpha.sim.auth import AuthFailure, rest_origin, sign, verify_rest, verify_ws, ws_signature

SECRET = "test_secret_123"
GET_ORIGIN = "1658384314791XXXXXXXXXX5000category=option&symbol=BTC-29JUL22-25000-C"
POST_ORIGIN = '1658385579423XXXXXXXXXX5000{"category": "option"}'


def test_sim_trading_signature_vectors_from_bybit_notes() -> None:
    # BYBIT_V5.md §1 "Self-computed test vectors" (cross-checked there with openssl).
    assert sign(SECRET, GET_ORIGIN) == "78e9085e2241ba02f3ada2c9eda08a207a255e27766515dfb86aededab0887b7"
    assert sign(SECRET, POST_ORIGIN) == "b388a86752748d6352c0bccab38f4675503ef44c4bf72a28a3bbf27078b6aa3d"
    assert (
        ws_signature(SECRET, 1662350400000)
        == "500920373dbe52b501c0c59b3baf4bd37545e5d5b183a96efbf01e36284eb8f8"
    )


def _headers(ts: int, key: str = "XXXXXXXXXX", recv: str = "5000", payload: bytes = b"") -> dict[str, str]:
    sig = sign(SECRET, rest_origin(str(ts), key, recv, payload))
    return {
        "X-BAPI-API-KEY": key,
        "X-BAPI-TIMESTAMP": str(ts),
        "X-BAPI-RECV-WINDOW": recv,
        "X-BAPI-SIGN": sig,
    }


def test_sim_trading_verify_rest_accepts_the_docs_get_request() -> None:
    payload = b"category=option&symbol=BTC-29JUL22-25000-C"
    headers = _headers(1658384314791, payload=payload)
    assert headers["X-BAPI-SIGN"] == "78e9085e2241ba02f3ada2c9eda08a207a255e27766515dfb86aededab0887b7"
    assert verify_rest(headers, payload, {"XXXXXXXXXX": SECRET}, 1658384314791 + 10) == "XXXXXXXXXX"


def test_sim_trading_timestamp_window_is_bybits() -> None:
    secrets = {"XXXXXXXXXX": SECRET}
    server = 1_700_000_000_000
    # accepted: server - recv_window <= ts < server + 1000
    assert verify_rest(_headers(server - 5000), b"", secrets, server) == "XXXXXXXXXX"
    assert verify_rest(_headers(server + 999), b"", secrets, server) == "XXXXXXXXXX"
    for ts in (server - 5001, server + 1000):
        out = verify_rest(_headers(ts), b"", secrets, server)
        assert isinstance(out, AuthFailure) and out.code == 10002
        assert f"req_timestamp[{ts}],server_timestamp[{server}],recv_window[5000]" in out.message
    # a huge recv_window cannot excuse a client clock running >1 s ahead (BYBIT_V5.md §1)
    out = verify_rest(_headers(server + 1500, recv="60000"), b"", secrets, server)
    assert isinstance(out, AuthFailure) and out.code == 10002


def test_sim_trading_bad_key_and_bad_sign() -> None:
    server = 1_700_000_000_000
    out = verify_rest(_headers(server, key="NOPE"), b"", {"XXXXXXXXXX": SECRET}, server)
    assert isinstance(out, AuthFailure) and out.code == 10003
    headers = _headers(server, payload=b'{"a": 1}')
    out = verify_rest(headers, b'{"a":1}', {"XXXXXXXXXX": SECRET}, server)  # body re-serialised: must fail
    assert isinstance(out, AuthFailure) and out.code == 10004
    assert out.message == f'error sign! origin_string[{server}XXXXXXXXXX5000{{"a":1}}]'


def test_sim_trading_ws_auth() -> None:
    secrets = {"K": SECRET}
    now = 1662350399000
    good = ["K", 1662350400000, ws_signature(SECRET, 1662350400000)]
    assert verify_ws(good, secrets, now) == "K"
    assert isinstance(verify_ws(good, secrets, 1662350400000), AuthFailure)  # expired
    bad = verify_ws(["K", 1662350400000, "0" * 64], secrets, now)
    assert isinstance(bad, AuthFailure) and bad.code == 10004
    unknown = verify_ws(["X", 1662350400000, good[2]], secrets, now)
    assert isinstance(unknown, AuthFailure) and unknown.code == 10003
    assert isinstance(verify_ws("nonsense", secrets, now), AuthFailure)
