"""The one exception the simulator's trading core raises: a Bybit retCode and retMsg."""

from __future__ import annotations


class SimError(Exception):
    """A request the simulated exchange refuses; handlers turn it into a Bybit error envelope."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
