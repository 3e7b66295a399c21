"""Log redaction: registered secrets and anything that looks like a credential become ``********``.

Attach :class:`RedactionFilter` to handlers (``install_redaction()`` does it for the root
logger's handlers): handler filters see records from every logger, logger filters do not.
The filter renders the message with its args first, so a secret passed as an argument is
caught too, and redacts the formatted exception and stack text.
"""

from __future__ import annotations

import logging
import re
import threading

from openalpha.security.secret import MASK, Secret

# key=value, key: value, "key": "value" and 'key': 'value' for credential-like keys.
_CREDENTIAL = re.compile(
    r"""(?ix)
    (\b(?:api[_-]?secret|secret|password|passwd|passphrase|x-bapi-sign|sign(?:ature)?|master[_-]?key)\b)
    (["']?\s*[:=]\s*["']?)
    ([^\s"'&,;}\]]+)
    """
)
_MIN_SECRET = 4  # shorter strings would mask ordinary words


class SecretRegistry:
    """The set of secret values to mask; thread-safe."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._lock = threading.Lock()

    def register(self, secret: str | Secret) -> None:
        value = secret.reveal() if isinstance(secret, Secret) else secret
        if len(value) >= _MIN_SECRET:
            with self._lock:
                self._values.add(value)

    def unregister(self, secret: str | Secret) -> None:
        value = secret.reveal() if isinstance(secret, Secret) else secret
        with self._lock:
            self._values.discard(value)

    def redact(self, text: str) -> str:
        with self._lock:
            values = sorted(self._values, key=len, reverse=True)
        for value in values:
            if value in text:
                text = text.replace(value, MASK)
        return _CREDENTIAL.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)


DEFAULT_REGISTRY = SecretRegistry()


def register_secret(secret: str | Secret) -> None:
    """Mask ``secret`` in every log record passing a :class:`RedactionFilter` from now on."""
    DEFAULT_REGISTRY.register(secret)


def redact(text: str) -> str:
    return DEFAULT_REGISTRY.redact(text)


class RedactionFilter(logging.Filter):
    def __init__(self, registry: SecretRegistry | None = None) -> None:
        super().__init__()
        self.registry = registry or DEFAULT_REGISTRY

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # bad format args: keep what there is, redacted
            message = f"{record.msg} {record.args}"
        record.msg = self.registry.redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.registry.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.registry.redact(record.stack_info)
        return True


def install_redaction(
    logger: logging.Logger | None = None, registry: SecretRegistry | None = None
) -> RedactionFilter:
    """Add one :class:`RedactionFilter` to every handler of ``logger`` (default: root) and to the
    logger itself; idempotent. Call again after adding handlers."""
    target = logger or logging.getLogger()
    existing = next((f for f in target.filters if isinstance(f, RedactionFilter)), None)
    flt = existing or RedactionFilter(registry)
    if existing is None:
        target.addFilter(flt)
    for handler in target.handlers:
        if not any(isinstance(f, RedactionFilter) for f in handler.filters):
            handler.addFilter(flt)
    return flt
