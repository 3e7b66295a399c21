"""``BacktestConfig``: every assumption of a backtest, in one frozen Struct.

Cost model (documented in the README, "Strategies and backtests"):

* **Fees** come from :func:`openalpha.venue.fee_rates` for ``fee_tier`` and the instrument's
  category (spot or linear): market orders and stop/take-profit exits pay the taker rate,
  resting maker limits the maker rate. ``fee_rate`` overrides both with one rate (used to
  match a peer that knows only one fee).
* **Slippage** of a market order, against the trader:
  ``open · slippage_bps/10⁴  +  impact · (high − low) · min(1, qty / bar volume)``
  — a fixed part plus a fraction of the fill bar's range that grows with the order's share
  of the bar's volume; the fill price is kept inside the bar's range. Stop and take-profit
  exits pay the fixed part. Maker limits pay none.
* **Leverage** is the isolated-margin leverage of every perp position: the initial margin is
  notional / leverage and sets the liquidation price (venue formula and risk tiers). It
  does not scale exposure: exposure is the strategy's target (a target of 2.0 needs
  leverage ≥ 2 to be affordable). Spot is never levered and never shorted.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

from openalpha.venue import FEE_TIERS

Fraction = Annotated[float, msgspec.Meta(ge=0.0, le=1.0)]


class BacktestConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    capital: Annotated[float, msgspec.Meta(gt=0)] = 10_000.0
    leverage: Annotated[float, msgspec.Meta(ge=1.0, le=200.0)] = 1.0
    fee_tier: str = "VIP0"
    fee_rate: Annotated[float, msgspec.Meta(ge=0.0, le=0.01)] | None = None
    slippage_bps: Annotated[float, msgspec.Meta(ge=0.0, le=1000.0)] = 1.0
    impact: Annotated[float, msgspec.Meta(ge=0.0, le=10.0)] = 1.0
    funding: bool = True
    liquidation: bool = True
    stop_loss: Fraction = 0.0
    take_profit: Annotated[float, msgspec.Meta(ge=0.0, le=100.0)] = 0.0
    rebalance_band: Fraction = 0.0
    benchmark: str | None = None

    def __post_init__(self) -> None:
        if self.fee_tier.replace(" ", "").upper() not in FEE_TIERS:
            raise ValueError(f"unknown fee tier {self.fee_tier!r}: expected one of {', '.join(FEE_TIERS)}")


def make_config(**values: object) -> BacktestConfig:
    """``BacktestConfig`` from keyword values, with a one-line ``ValueError`` on bad input."""
    try:
        return msgspec.convert(values, BacktestConfig)
    except msgspec.ValidationError as err:
        raise ValueError(f"backtest config: {err}") from None


__all__ = ["BacktestConfig", "make_config"]
