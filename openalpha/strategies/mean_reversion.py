"""``mean_reversion``: fade stretched moves that happen on high volume."""

from __future__ import annotations

from typing import Annotated

import msgspec
import numpy as np
import pandas as pd

from openalpha.domain.instrument import split_key
from openalpha.domain.market_data import MarketData
from openalpha.strategies.base import ExecutionStyle, Strategy
from openalpha.strategies.indicators import latch, rolling_std, sma
from openalpha.strategies.registry import register


@register
class MeanReversion(Strategy):
    """Bollinger / z-score mean reversion with a volume filter.

    **Idea.** z = (close − SMA(n)) / σ(n). A close more than ``entry_z`` standard deviations
    below the mean, on a bar whose volume is at least ``volume_mult`` × its ``volume_window``
    average (capitulation, not drift), tends to snap back. Go long; exit when z has reverted
    above −``exit_z`` or after ``max_hold`` bars without a fresh signal. Mirror image for
    shorts when ``allow_short`` (perps only).

    **Parameters.** ``window`` (n), ``entry_z``, ``exit_z`` (< entry_z), ``volume_window``,
    ``volume_mult`` (0 disables the filter), ``max_hold`` (bars), ``size`` (exposure per
    position, split across symbols), ``allow_short``, ``maker_offset_bps`` (> 0: enter and exit
    with post-only limits that far from the open, paying maker instead of taker fees).

    **When it fails.** Trending markets and regime breaks: a "stretched" price keeps going,
    the strategy buys every dip of a crash, and ``max_hold`` is then its only stop — pair it
    with the engine's stop-loss. Maker execution misses exactly the fast reversions it wants.
    """

    name = "mean_reversion"

    class Params(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
        window: Annotated[int, msgspec.Meta(ge=5, le=1000, description="z-score window (bars)")] = 48
        entry_z: Annotated[float, msgspec.Meta(ge=0.5, le=5.0, description="enter beyond this z")] = 2.0
        exit_z: Annotated[float, msgspec.Meta(ge=0.0, le=4.0, description="exit inside this z")] = 0.5
        volume_window: Annotated[int, msgspec.Meta(ge=2, le=1000)] = 48
        volume_mult: Annotated[float, msgspec.Meta(ge=0.0, le=10.0)] = 1.5
        max_hold: Annotated[int, msgspec.Meta(ge=1, le=2000, description="bars")] = 48
        size: Annotated[float, msgspec.Meta(gt=0, le=10)] = 1.0
        allow_short: bool = True
        maker_offset_bps: Annotated[float, msgspec.Meta(ge=0, le=500)] = 0.0

        def __post_init__(self) -> None:
            if self.exit_z >= self.entry_z:
                raise ValueError(f"exit_z ({self.exit_z}) must be < entry_z ({self.entry_z})")

    def warmup(self) -> int:
        p = self.params
        return max(p.window, p.volume_window) + p.max_hold

    def execution(self) -> ExecutionStyle:
        if self.params.maker_offset_bps > 0:
            return ExecutionStyle(kind="limit", offset_bps=self.params.maker_offset_bps)
        return ExecutionStyle()

    def signal(self, bars: pd.DataFrame, can_short: bool) -> np.ndarray:
        p = self.params
        close = bars["close"].to_numpy(dtype=np.float64)
        volume = bars["volume"].to_numpy(dtype=np.float64)
        mean, std = sma(close, p.window), rolling_std(close, p.window)
        with np.errstate(invalid="ignore", divide="ignore"):
            z = np.where(std > 0, (close - mean) / std, np.nan)
            loud = volume >= p.volume_mult * sma(volume, p.volume_window)
        valid = ~np.isnan(z)
        long_on = latch(valid & loud & (z <= -p.entry_z), valid & (z >= -p.exit_z), p.max_hold)
        out = np.where(long_on, 1.0, 0.0)
        if can_short:
            short_on = latch(valid & loud & (z >= p.entry_z), valid & (z <= p.exit_z), p.max_hold)
            out = out - np.where(short_on, 1.0, 0.0)
        return out

    def targets(self, data: MarketData) -> pd.DataFrame:
        weight = self.params.size / len(data.symbols)
        cols = {}
        for key in data.symbols:
            can_short = self.params.allow_short and split_key(key)[1].value != "spot"
            cols[key] = self.signal(data.bars[key], can_short) * weight
        return pd.DataFrame(cols, index=data.index)
