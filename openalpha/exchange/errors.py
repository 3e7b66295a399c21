"""The exchange exception tree: what went wrong, and whether retrying can help.

::

    ExchangeError
    ├── RetryableError      transient: timeouts, HTTP 5xx/429/403, retCode 10006 (rate limit), 10016 (server error)
    ├── RejectedError       the exchange understood and said no (a business retCode)
    │   └── OrderNotFound   110001
    ├── AuthError           10003 bad key, 10004 bad signature, 10005 permission, 10010 IP
    └── UnknownStateError   we do not know whether the request took effect

Callers retry only :class:`RetryableError`; an :class:`UnknownStateError` must be resolved by
asking the exchange (e.g. look the order up by its ``orderLinkId``) before anything is re-sent.
"""

from __future__ import annotations

RETRYABLE_CODES: frozenset[int] = frozenset({10002, 10006, 10016, 10429})
AUTH_CODES: frozenset[int] = frozenset({10003, 10004, 10005, 10010})


class ExchangeError(Exception):
    """Base class. ``code`` is Bybit's retCode (or the HTTP status), ``0`` when neither applies."""

    def __init__(self, message: str, code: int = 0) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"{self.message} (code {self.code})" if self.code else self.message


class RetryableError(ExchangeError):
    """Transient failure; the same request may be sent again (after ``retry_after_ms`` if set)."""

    def __init__(self, message: str, code: int = 0, retry_after_ms: int | None = None) -> None:
        super().__init__(message, code)
        self.retry_after_ms = retry_after_ms


class RejectedError(ExchangeError):
    """The exchange rejected the request with a business retCode; retrying will not help."""


class OrderNotFound(RejectedError):
    """retCode 110001: no such order (or it is already closed)."""


class AuthError(ExchangeError):
    """Keys, signature, permission or IP whitelist problem; fix the configuration."""


class UnknownStateError(ExchangeError):
    """The outcome is unknown (e.g. a timeout after the request was sent)."""


def error_for_code(code: int, message: str, *, retry_after_ms: int | None = None) -> ExchangeError:
    """The exception matching a Bybit retCode (non-zero)."""
    if code in RETRYABLE_CODES:
        return RetryableError(message, code, retry_after_ms)
    if code in AUTH_CODES:
        return AuthError(message, code)
    if code == 110001:
        return OrderNotFound(message, code)
    return RejectedError(message, code)


def error_for_http_status(status: int, message: str) -> ExchangeError:
    """The exception for a non-200 HTTP answer: 5xx and 429 are transient, 401/403 are auth/ban."""
    if status >= 500 or status == 429:
        return RetryableError(message, status)
    if status == 403:  # Bybit: IP rate limit breached; back off for 10 minutes
        return RetryableError(message, status, retry_after_ms=600_000)
    if status == 401:
        return AuthError(message, status)
    return RejectedError(message, status)
