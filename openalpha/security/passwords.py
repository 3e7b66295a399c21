"""Password hashing with scrypt (for the dashboard login): ``scrypt$n$r$p$salt$hash``."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from openalpha.security.crypto import KdfParams
from openalpha.security.secret import Secret

_PREFIX = "scrypt"
_HASH_BYTES = 32


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _scrypt(password: str, salt: bytes, params: KdfParams) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=params.n, r=params.r, p=params.p, maxmem=params.maxmem,
        dklen=_HASH_BYTES,
    )  # fmt: skip


def hash_password(password: str | Secret, params: KdfParams | None = None) -> str:
    """A salted scrypt hash of ``password`` (refuses an empty one)."""
    text = password.reveal() if isinstance(password, Secret) else password
    if not text:
        raise ValueError("the password is empty")
    params = params or KdfParams()
    salt = os.urandom(16)
    digest = _scrypt(text, salt, params)
    return f"{_PREFIX}${params.n}${params.r}${params.p}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str | Secret, stored: str) -> bool:
    """True when ``password`` matches ``stored`` (constant-time compare).

    A malformed ``stored`` hash raises ValueError (a configuration error, not a wrong password).
    """
    text = password.reveal() if isinstance(password, Secret) else password
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != _PREFIX:
        raise ValueError("not a scrypt password hash (expected scrypt$n$r$p$salt$hash)")
    try:
        params = KdfParams(n=int(parts[1]), r=int(parts[2]), p=int(parts[3]))
        salt = base64.b64decode(parts[4], validate=True)
        expected = base64.b64decode(parts[5], validate=True)
    except ValueError:
        raise ValueError("malformed scrypt password hash") from None
    return hmac.compare_digest(_scrypt(text, salt, params), expected)


def needs_rehash(stored: str, params: KdfParams | None = None) -> bool:
    """True when ``stored`` was made with weaker parameters than ``params``."""
    target = params or KdfParams()
    parts = stored.split("$")
    return len(parts) != 6 or (int(parts[1]), int(parts[2]), int(parts[3])) < (target.n, target.r, target.p)
