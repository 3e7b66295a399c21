"""The Strategy API (ARCHITECTURE §3): one code path for backtest and live.

A strategy is a class with a nested ``Params`` (a frozen msgspec Struct whose fields carry
defaults and sweep bounds), ``warmup()`` (bars of history it needs) and ``targets(data)``:
for every bar close, the signed target exposure per instrument as a fraction of equity
(``0.5`` = long half of equity in notional, ``-1.0`` = short all of it). ``targets`` must be
causal — the value at bar *t* may use data up to and including bar *t* only.

How the target is executed is the execution layer's business (next-bar open in the backtest,
the order router live); a strategy may ask for maker execution by overriding
:meth:`Strategy.execution`.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import msgspec
import pandas as pd

from openalpha.domain.market_data import MarketData
from openalpha.strategies.errors import StrategyError
from openalpha.strategies.params import build_params


class ExecutionStyle(msgspec.Struct, frozen=True, kw_only=True):
    """How the engine moves a position to its target.

    * ``market``: a market order at the next bar's open (taker fee + slippage).
    * ``limit``: a post-only limit placed at the next bar's open, ``offset_bps`` below it for a
      buy (above for a sell). It fills only when a later bar trades *through* the price and
      pays the maker fee; unfilled, it is re-placed at each following open until it fills or
      the target changes.
    """

    kind: Literal["market", "limit"] = "market"
    offset_bps: float = 0.0

    def __post_init__(self) -> None:
        if self.kind == "limit" and not self.offset_bps > 0:
            raise ValueError("a maker limit needs offset_bps > 0 (otherwise it would cross)")
        if self.offset_bps < 0:
            raise ValueError("offset_bps must be >= 0")


MARKET = ExecutionStyle()


class Strategy:
    """Base class of every strategy. Subclasses set ``name``, ``Params`` and implement the two methods."""

    name: ClassVar[str] = ""

    class Params(msgspec.Struct, frozen=True):
        """No parameters."""

    def __init__(self, params: Any = None, **overrides: Any) -> None:
        params_cls = type(self).Params
        if params is None:
            params = build_params(params_cls, overrides, owner=self.label())
        elif overrides:
            merged = {**msgspec.structs.asdict(params), **overrides}
            params = build_params(params_cls, merged, owner=self.label())
        elif not isinstance(params, params_cls):
            raise StrategyError(f"{self.label()}: params must be a {params_cls.__qualname__}")
        self.params = params

    @classmethod
    def label(cls) -> str:
        return cls.name or cls.__name__

    def warmup(self) -> int:
        """Bars of history needed before the targets are meaningful (live passes ``warmup()+1``)."""
        return 0

    def targets(self, data: MarketData) -> pd.DataFrame:  # pragma: no cover - abstract
        """Signed target exposure per instrument (columns) per bar close (index = bar open time)."""
        raise NotImplementedError

    def execution(self) -> ExecutionStyle:
        """Market orders unless a subclass asks for maker limits."""
        return MARKET

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.params!r})"


__all__ = ["MARKET", "ExecutionStyle", "Strategy"]
