"""``sma_cross``: the textbook moving-average crossover (reference and benchmark strategy)."""

from __future__ import annotations

from typing import Annotated

import msgspec
import numpy as np
import pandas as pd

from openalpha.domain.instrument import split_key
from openalpha.domain.market_data import MarketData
from openalpha.strategies.base import Strategy
from openalpha.strategies.errors import ParamError
from openalpha.strategies.registry import register
from openalpha.strategies.window_sums import sma_order


@register
class SmaCross(Strategy):
    """Long (or short) while the fast simple moving average of the close is above (below) the slow one.

    **Idea.** Trends persist for a while; the crossover of two SMAs is the slowest, simplest
    trend detector.

    **Parameters.** ``fast``/``slow``: SMA windows in bars (``fast < slow``); ``size``: target
    exposure while in a position, as a fraction of equity, split evenly across the symbols;
    ``allow_short``: short below the cross instead of flat (perps only; spot stays flat).

    **When it fails.** Sideways markets: every whipsaw costs two fees and the slippage, and the
    lag of the slow SMA gives back a large part of each trend before the exit.
    """

    name = "sma_cross"

    class Params(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
        fast: Annotated[int, msgspec.Meta(ge=2, le=1000, description="fast SMA window (bars)")] = 20
        slow: Annotated[int, msgspec.Meta(ge=3, le=5000, description="slow SMA window (bars)")] = 100
        size: Annotated[float, msgspec.Meta(gt=0, le=100, description="exposure in a position")] = 1.0
        allow_short: bool = False

        def __post_init__(self) -> None:
            if self.fast >= self.slow:
                raise ValueError(f"fast ({self.fast}) must be < slow ({self.slow})")

    def warmup(self) -> int:
        return self.params.slow

    def signal(self, close: np.ndarray) -> np.ndarray:
        """+1 / 0 / −1 per bar from the close alone (used by the benchmark too): the sign of
        ``sma(close, fast) − sma(close, slow)`` from :func:`sma_order`, equal at every bar to
        comparing the window-exact :func:`~openalpha.strategies.indicators.sma` values, in O(n)."""
        order: np.ndarray = sma_order(
            np.ascontiguousarray(close, dtype=np.float64), self.params.fast, self.params.slow
        )
        out = (order > 0).astype(np.float64)
        if self.params.allow_short:
            out[order < 0] = -1.0
        return out

    def targets(self, data: MarketData) -> pd.DataFrame:
        if self.params.slow < 3:  # pragma: no cover - guarded by Params
            raise ParamError("slow must be >= 3")
        weight = self.params.size / len(data.symbols)
        cols = {}
        for key in data.symbols:
            sig = self.signal(data.bars[key]["close"].to_numpy(dtype=np.float64))
            if split_key(key)[1].value == "spot":
                sig = np.maximum(sig, 0.0)
            cols[key] = sig * weight
        return pd.DataFrame(cols, index=data.index)
