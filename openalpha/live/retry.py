"""Retrying a transient failure (5xx, 10006, a dropped connection) where the runtime starts.

The adapter retries each of its own calls (orders, reads, server time, instruments); this wraps
what is bigger than one call — a whole start-up step (instruments, leverage, reconciliation,
wallet) and the warm-up history read over plain HTTP — with a longer patience, so a burst of
503s while an actor starts does not kill the actor. Anything that is not transient (a
rejection, bad keys) is raised at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from openalpha.exchange.errors import RetryableError

T = TypeVar("T")


def with_retries(
    fn: Callable[[], T],
    *,
    attempts: int = 6,
    base_s: float = 0.2,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """``fn()``, retried with exponential backoff (capped at 5 s) while it raises a
    :class:`RetryableError` or an ``OSError``; the last error is raised after ``attempts``."""
    for attempt in range(attempts):
        try:
            return fn()
        except (RetryableError, OSError) as err:
            if attempt == attempts - 1:
                raise
            wait = base_s * 2**attempt
            retry_after = getattr(err, "retry_after_ms", None)
            if retry_after:
                wait = max(wait, retry_after / 1000)
            sleep(min(wait, 5.0))
    raise AssertionError("unreachable")
