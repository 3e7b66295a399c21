"""``Secret``: a string that never shows itself in reprs, f-strings, logs or tracebacks."""

from __future__ import annotations

import hmac

MASK = "********"


class Secret:
    """Wraps a secret string; only :meth:`reveal` returns it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError("Secret wraps a str")
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret('{MASK}')"

    def __str__(self) -> str:
        return MASK

    def __format__(self, spec: str) -> str:
        return MASK

    def __bool__(self) -> bool:
        return bool(self._value)

    def __len__(self) -> int:
        return len(self._value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    __hash__ = None  # type: ignore[assignment]


def mask_key(key: str) -> str:
    """``abcd…wxyz`` for an API key id; short values show nothing but their length class."""
    if len(key) >= 12:
        return f"{key[:4]}…{key[-4:]}"
    return "…" if key else ""
