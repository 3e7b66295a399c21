"""``momentum_breakout``: Donchian channel breakouts confirmed by range expansion (ATR)."""

from __future__ import annotations

from typing import Annotated, Any, Protocol

import msgspec
import numpy as np
import pandas as pd

from openalpha.domain.instrument import split_key
from openalpha.domain.market_data import MarketData
from openalpha.strategies.base import Strategy
from openalpha.strategies.errors import StrategyError
from openalpha.strategies.indicators import atr, latch, rolling_max, rolling_min, shift
from openalpha.strategies.registry import register


class ConfirmFilter(Protocol):
    """The ML confirmation hook: given the data, one symbol and the raw breakout triggers
    (+1 long, −1 short, 0 none) per bar, return a boolean array/Series of the same length —
    True keeps the trigger. It must be causal like ``targets`` itself."""

    def __call__(self, data: MarketData, symbol: str, triggers: np.ndarray) -> Any: ...


@register
class MomentumBreakout(Strategy):
    """Donchian/ATR breakout with an optional ML confirmation filter.

    **Idea.** A close above the highest high of the previous ``channel`` bars by at least
    ``atr_buffer`` × ATR(``atr_window``) starts a trend often enough to pay for the false
    starts. Long until the close falls below the lowest low of the previous ``exit_channel``
    bars, or ``max_hold`` bars after the last fresh breakout. Shorts mirror it (perps only).

    **ML confirmation.** ``MomentumBreakout(params, confirm=fn)`` passes every raw trigger
    through ``fn(data, symbol, triggers) -> bool array`` (see :class:`ConfirmFilter`); the
    default is no filter. The ML issue plugs a model's causal prediction in here.

    **Parameters.** ``channel``, ``exit_channel`` (< channel), ``atr_window``, ``atr_buffer``,
    ``max_hold``, ``size``, ``allow_short``.

    **When it fails.** Range-bound, mean-reverting markets (every breakout is a false start
    and exits at the opposite side of a wide channel), and sudden reversals: the exit channel
    gives back a lot of open profit.
    """

    name = "momentum_breakout"

    class Params(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
        channel: Annotated[int, msgspec.Meta(ge=5, le=2000, description="breakout channel (bars)")] = 55
        exit_channel: Annotated[int, msgspec.Meta(ge=2, le=2000, description="exit channel (bars)")] = 20
        atr_window: Annotated[int, msgspec.Meta(ge=2, le=500)] = 14
        atr_buffer: Annotated[float, msgspec.Meta(ge=0.0, le=5.0)] = 0.25
        max_hold: Annotated[int, msgspec.Meta(ge=1, le=5000, description="bars")] = 240
        size: Annotated[float, msgspec.Meta(gt=0, le=10)] = 1.0
        allow_short: bool = True

        def __post_init__(self) -> None:
            if self.exit_channel >= self.channel:
                raise ValueError(f"exit_channel ({self.exit_channel}) must be < channel ({self.channel})")

    def __init__(self, params: Any = None, *, confirm: ConfirmFilter | None = None, **overrides: Any) -> None:
        super().__init__(params, **overrides)
        self.confirm = confirm

    def warmup(self) -> int:
        p = self.params
        return max(p.channel, p.atr_window) + 1 + p.max_hold

    def triggers(self, bars: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Raw (entry trigger ±1, long exit, short exit) arrays, before confirmation."""
        p = self.params
        high = bars["high"].to_numpy(dtype=np.float64)
        low = bars["low"].to_numpy(dtype=np.float64)
        close = bars["close"].to_numpy(dtype=np.float64)
        upper = shift(rolling_max(high, p.channel))
        lower = shift(rolling_min(low, p.channel))
        buffer = p.atr_buffer * atr(high, low, close, p.atr_window)
        with np.errstate(invalid="ignore"):
            trig = np.where(close > upper + buffer, 1.0, 0.0) - np.where(close < lower - buffer, 1.0, 0.0)
            long_exit = close < shift(rolling_min(low, p.exit_channel))
            short_exit = close > shift(rolling_max(high, p.exit_channel))
        return trig, long_exit, short_exit

    def _confirmed(self, data: MarketData, key: str, trig: np.ndarray) -> np.ndarray:
        if self.confirm is None:
            return trig
        keep = np.asarray(self.confirm(data, key, trig), dtype=bool)
        if keep.shape != trig.shape:
            raise StrategyError(
                f"momentum_breakout: confirm filter returned {keep.shape[0] if keep.ndim else 0} values "
                f"for {trig.shape[0]} bars"
            )
        return np.where(keep, trig, 0.0)

    def targets(self, data: MarketData) -> pd.DataFrame:
        p = self.params
        weight = p.size / len(data.symbols)
        cols = {}
        for key in data.symbols:
            trig, long_exit, short_exit = self.triggers(data.bars[key])
            trig = self._confirmed(data, key, trig)
            out = np.where(latch(trig > 0, long_exit | (trig < 0), p.max_hold), 1.0, 0.0)
            if p.allow_short and split_key(key)[1].value != "spot":
                out -= np.where(latch(trig < 0, short_exit | (trig > 0), p.max_hold), 1.0, 0.0)
            cols[key] = out * weight
        return pd.DataFrame(cols, index=data.index)
