"""``funding_carry``: delta-neutral funding-rate carry (long spot, short perp)."""

from __future__ import annotations

from typing import Annotated

import msgspec
import numpy as np
import pandas as pd

from openalpha.domain.enums import Category
from openalpha.domain.instrument import SPOT_SUFFIX, split_key
from openalpha.domain.intervals import interval_minutes, interval_ms
from openalpha.domain.market_data import MarketData
from openalpha.strategies.base import Strategy
from openalpha.strategies.errors import StrategyError
from openalpha.strategies.indicators import latch
from openalpha.strategies.registry import register
from openalpha.venue import FEE_TIERS, fee_rates

MINUTES_PER_YEAR = 365 * 24 * 60


def round_trip_cost(fee_tier: str) -> float:
    """Taker fees of opening and closing both legs (spot buy+sell, perp sell+buy), as a fraction."""
    spot = fee_rates(fee_tier, Category.SPOT).taker
    perp = fee_rates(fee_tier, Category.LINEAR).taker
    return float(2 * (spot + perp))


@register
class FundingCarry(Strategy):
    """Collect positive funding with a market-neutral book: long spot, short the perp.

    **Idea.** When funding is positive, shorts are paid by longs every settlement. Holding
    the same notional long in spot and short in the perp cancels the price exposure and
    leaves the funding. The signal is the mean of the rates settled during the last
    ``lookback_bars`` bars, annualised (× settlements per year). Enter when it exceeds ``entry_apr`` *plus* the
    round-trip taker fees of both legs (``fee_tier``, from :mod:`openalpha.venue`) spread
    over ``expected_hold_days``; exit when it decays below ``exit_apr`` (or ``max_hold`` bars
    after the entry condition last held). Each leg carries ``weight`` of equity.

    Needs both ``SYMBOL`` (perp, with its funding history) and ``SYMBOL@spot`` in the data;
    every such pair is traded, the weight split across pairs.

    **When it fails.** Funding flips negative faster than the average reacts (shorts then
    pay); spot and perp prices diverge (basis risk); the short perp is liquidated on a squeeze
    when leverage is high even though the spot leg gained — isolated margin does not net the
    two legs. Fees: a round trip costs ~0.31 % at VIP0, i.e. weeks of typical funding.
    """

    name = "funding_carry"

    class Params(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
        lookback_bars: Annotated[
            int, msgspec.Meta(ge=1, le=20000, description="funding averaged over bars")
        ] = 72
        entry_apr: Annotated[float, msgspec.Meta(ge=0.0, le=5.0, description="annualised, net of fees")] = (
            0.05
        )
        exit_apr: Annotated[float, msgspec.Meta(ge=-1.0, le=5.0, description="annualised")] = 0.02
        expected_hold_days: Annotated[float, msgspec.Meta(gt=0, le=365)] = 30.0
        max_hold: Annotated[int, msgspec.Meta(ge=1, le=20000, description="bars")] = 720
        weight: Annotated[float, msgspec.Meta(gt=0, le=1.0, description="equity per leg")] = 0.45
        fee_tier: str = "VIP0"
        funding_interval_min: Annotated[int, msgspec.Meta(ge=60, le=1440)] = 480

        def __post_init__(self) -> None:
            if self.fee_tier.upper() not in FEE_TIERS:
                raise ValueError(f"fee_tier {self.fee_tier!r}: expected one of {', '.join(FEE_TIERS)}")
            if self.exit_apr > self.entry_apr:
                raise ValueError(f"exit_apr ({self.exit_apr}) must be <= entry_apr ({self.entry_apr})")

    def warmup(self) -> int:
        return self.params.lookback_bars + self.params.max_hold

    def pairs(self, data: MarketData) -> list[tuple[str, str]]:
        pairs = [
            (key, f"{key}{SPOT_SUFFIX}")
            for key in data.symbols
            if split_key(key)[1] is Category.LINEAR and f"{key}{SPOT_SUFFIX}" in data.bars
        ]
        if not pairs:
            raise StrategyError(
                f"funding_carry needs a perp and its spot market (e.g. BTCUSDT and BTCUSDT@spot); got {data.symbols}"
            )
        return pairs

    def annualised_funding(self, data: MarketData, perp: str) -> np.ndarray:
        """Per bar: the mean of the rates settled during the last ``lookback_bars`` bars (up to
        the bar's close) × settlements per year; NaN while no settlement is in the window."""
        p = self.params
        if p.lookback_bars * interval_minutes(data.interval) < p.funding_interval_min:
            need = -(-p.funding_interval_min // interval_minutes(data.interval))
            raise StrategyError(
                f"funding_carry: lookback_bars={p.lookback_bars} at interval {data.interval} spans less than one "
                f"funding interval ({p.funding_interval_min} min); use lookback_bars >= {need}"
            )
        funding = data.funding.get(perp)
        if funding is None:
            raise StrategyError(f"funding_carry: no funding history for {perp}")
        rates = funding.to_numpy(dtype=np.float64)
        fund_ms = funding.index.as_unit("ms").asi8
        bar_ms = interval_ms(data.interval)
        opens = data.index.as_unit("ms").asi8
        hi = np.searchsorted(fund_ms, opens + bar_ms, side="left")
        lo = np.searchsorted(fund_ms, opens - (p.lookback_bars - 1) * bar_ms, side="left")
        out = np.full(opens.shape[0], np.nan)
        # Each window mean is computed on its own slice (no running sums): exact on any window.
        pairs, first = np.unique(np.stack([lo, hi]), axis=1, return_inverse=True)
        means = np.array([rates[a:b].mean() if b > a else np.nan for a, b in pairs.T])
        out[:] = means[first.ravel()]
        return out * (MINUTES_PER_YEAR / p.funding_interval_min)

    def targets(self, data: MarketData) -> pd.DataFrame:
        p = self.params
        hurdle = round_trip_cost(p.fee_tier) * 365.0 / p.expected_hold_days
        out = pd.DataFrame(0.0, index=data.index, columns=data.symbols)
        pairs = self.pairs(data)
        for perp, spot in pairs:
            apr = self.annualised_funding(data, perp)
            with np.errstate(invalid="ignore"):
                on = latch(apr > p.entry_apr + hurdle, ~(apr >= p.exit_apr), p.max_hold)
            leg = np.where(on, p.weight / len(pairs), 0.0)
            out[spot] = leg
            out[perp] = -leg
        return out
