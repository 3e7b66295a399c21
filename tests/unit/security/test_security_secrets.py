"""Secret wrapper, key masking, password hashing and the log redaction filter."""

from __future__ import annotations

import io
import logging

import pytest

from openalpha.security import (
    KdfParams,
    RedactionFilter,
    Secret,
    SecretRegistry,
    hash_password,
    install_redaction,
    mask_key,
    needs_rehash,
    verify_password,
)

FAST = KdfParams(n=2**12)


def test_security_secret_never_shows_itself() -> None:
    secret = Secret("hunter2-is-my-password")
    shown = [
        repr(secret),
        str(secret),
        f"{secret}",
        f"{secret!r}",
        f"{secret:>30}",
        repr([secret]),
        repr({"k": secret}),
    ]
    assert all("hunter2" not in text for text in shown)
    assert secret.reveal() == "hunter2-is-my-password"
    assert secret == Secret("hunter2-is-my-password") and secret != Secret("other")
    with pytest.raises(TypeError):
        hash(secret)
    with pytest.raises(TypeError):
        Secret(b"bytes")  # type: ignore[arg-type]


def test_security_mask_key() -> None:
    assert mask_key("abcdEFGH1234wxyz") == "abcd…wxyz"
    assert mask_key("short") == "…" and mask_key("") == ""


def test_security_password_hash_and_verify() -> None:
    stored = hash_password("correct horse", FAST)
    assert stored.startswith("scrypt$4096$8$1$") and "correct horse" not in stored
    assert verify_password("correct horse", stored)
    assert verify_password(Secret("correct horse"), stored)
    assert not verify_password("correct hors", stored)
    assert hash_password("correct horse", FAST) != stored  # fresh salt
    assert needs_rehash(stored) and not needs_rehash(stored, FAST)
    with pytest.raises(ValueError, match="not a scrypt password hash"):
        verify_password("x", "md5$abc")
    with pytest.raises(ValueError, match="malformed"):
        verify_password("x", "scrypt$4096$8$1$!!$!!")
    with pytest.raises(ValueError, match="empty"):
        hash_password("")


def _logger(name: str, registry: SecretRegistry) -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    parent = logging.getLogger(name)
    parent.handlers = [handler]
    parent.propagate = False
    parent.setLevel(logging.DEBUG)
    install_redaction(parent, registry)
    return parent, stream


def test_security_redaction_masks_registered_secrets_in_message_and_args() -> None:
    registry = SecretRegistry()
    registry.register(Secret("Zq8vXw2Lk9Pm"))
    parent, stream = _logger("oa_redact_1", registry)
    child = logging.getLogger("oa_redact_1.exchange")  # propagates to the parent's handler
    child.info("signing with %s for %r", "Zq8vXw2Lk9Pm", {"key": "Zq8vXw2Lk9Pm"})
    parent.warning("raw secret Zq8vXw2Lk9Pm in the message")
    out = stream.getvalue()
    assert "Zq8vXw2Lk9Pm" not in out
    assert out.count("********") == 3
    assert "oa_redact_1.exchange signing with ******** for {'key': '********'}" in out


@pytest.mark.parametrize(
    ("line", "leak"),
    [
        ("GET /v5/order?api_secret=abc123def456&symbol=BTCUSDT", "abc123def456"),
        ("headers={'X-BAPI-API-KEY': 'KEY123', 'X-BAPI-SIGN': 'f00dbabe1234'}", "f00dbabe1234"),
        ('{"X-BAPI-SIGN": "9f86d081884c7d65", "x": 1}', "9f86d081884c7d65"),
        ("X-BAPI-SIGN: 5e884898da280471", "5e884898da280471"),
        ("password=p4ssw0rd! login", "p4ssw0rd!"),
        ("sign=deadbeefcafe&recv_window=5000", "deadbeefcafe"),
    ],
)
def test_security_redaction_masks_credential_patterns(line: str, leak: str) -> None:
    _, stream = _logger("oa_redact_2", SecretRegistry())
    logging.getLogger("oa_redact_2").info(line)
    out = stream.getvalue()
    assert leak not in out and "********" in out


def test_security_redaction_leaves_ordinary_text_alone() -> None:
    _, stream = _logger("oa_redact_3", SecretRegistry())
    logging.getLogger("oa_redact_3").info("design=minimal signal=0.5 symbol=BTCUSDT")
    assert stream.getvalue().strip() == "oa_redact_3 design=minimal signal=0.5 symbol=BTCUSDT"


def test_security_redaction_covers_exception_text() -> None:
    registry = SecretRegistry()
    registry.register("Tr4ceb4ckSecret")
    parent, stream = _logger("oa_redact_4", registry)
    try:
        raise RuntimeError("request failed: api_secret=Tr4ceb4ckSecret")
    except RuntimeError:
        parent.exception("order failed")
    out = stream.getvalue()
    assert "RuntimeError" in out and "Tr4ceb4ckSecret" not in out


def test_security_install_redaction_is_idempotent() -> None:
    parent, _ = _logger("oa_redact_5", SecretRegistry())
    install_redaction(parent)
    assert sum(isinstance(f, RedactionFilter) for f in parent.handlers[0].filters) == 1
    assert sum(isinstance(f, RedactionFilter) for f in parent.filters) == 1
