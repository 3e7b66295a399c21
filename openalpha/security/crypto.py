"""AES-256-GCM with a key derived by scrypt: the vault's primitives.

Parameters follow RFC 7914's interactive-login guidance scaled up (N=2^15, r=8, p=1: 32 MiB
and tens of milliseconds per derivation); each entry stores its own salt, nonce and
parameters so they can be raised later without breaking old entries.
"""

from __future__ import annotations

import hashlib
import os

import msgspec
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from openalpha.security.errors import WrongMasterKey
from openalpha.security.secret import Secret

KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12  # GCM's standard nonce
SALT_BYTES = 16


class KdfParams(msgspec.Struct, frozen=True, kw_only=True):
    n: int = 2**15
    r: int = 8
    p: int = 1

    def __post_init__(self) -> None:
        if self.n < 2**10 or self.n & (self.n - 1) or not 1 <= self.r <= 32 or not 1 <= self.p <= 16:
            raise ValueError("scrypt parameters out of range (n a power of two >= 1024, r 1..32, p 1..16)")

    @property
    def maxmem(self) -> int:
        return 128 * self.r * self.n * 2 + 1024 * 1024


def derive_key(master: Secret, salt: bytes, params: KdfParams) -> bytes:
    """scrypt(master, salt) -> 32 bytes."""
    return hashlib.scrypt(
        master.reveal().encode("utf-8"),
        salt=salt,
        n=params.n,
        r=params.r,
        p=params.p,
        maxmem=params.maxmem,
        dklen=KEY_BYTES,
    )


def new_salt() -> bytes:
    return os.urandom(SALT_BYTES)


def seal(key: bytes, plaintext: bytes, aad: bytes) -> tuple[bytes, bytes]:
    """Encrypt and authenticate; returns ``(nonce, ciphertext+tag)``. A fresh random nonce each call."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce, AESGCM(key).encrypt(nonce, plaintext, aad)


def unseal(key: bytes, nonce: bytes, ciphertext: bytes, aad: bytes, *, what: str) -> bytes:
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, aad)
    except InvalidTag:
        raise WrongMasterKey(
            f"cannot decrypt {what}: wrong master key, or the vault file was modified"
        ) from None
