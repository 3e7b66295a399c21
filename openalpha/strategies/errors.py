"""Errors of the strategy layer: each a ValueError with a one-line message."""

from __future__ import annotations


class StrategyError(ValueError):
    """A strategy cannot be found, built or run on the data given."""


class UnknownStrategy(StrategyError):
    """No strategy is registered under that name (or the file/class does not exist)."""


class ParamError(StrategyError):
    """An unknown parameter, a value of the wrong type, or a value outside its bounds."""
