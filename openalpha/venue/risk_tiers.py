"""Risk-limit tiers of USDT linear contracts (Bybit ``/v5/market/risk-limit``) as data.

Bybit charges a larger maintenance-margin rate (MMR) and initial-margin rate (IMR) as a
position's value grows. Each tier covers position values up to its ``limit``; the maintenance
margin of a position in tier n is ``value * MMR(n) - MMD(n)``, where the deduction follows
Bybit's recurrence (help centre "Maintenance Margin (USDT Contract)", BYBIT_V5.md §6)::

    MMD(1) = 0
    MMD(n) = RL(n-1) * (MMR(n) - MMR(n-1)) + MMD(n-1)

which is exactly the "each slice of value pays its own tier's rate" rule of the help centre.

Provenance of the defaults (be honest about it; live sizing should load the real table):

* BTCUSDT tiers 1-2 (2,000,000 USDT at MMR 0.5 %/IMR 1 %/100x; 2,600,000 at 0.56 %/1.11 %/90x,
  deduction 1,200) match the help-centre example and third-party ``/v5/market/risk-limit``
  fixtures. Further BTCUSDT tiers, and every ETHUSDT/SOLUSDT/generic tier, are extrapolated with
  the same step pattern and are APPROXIMATE.
* ``max_leverage`` is ``floor(1 / IMR)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_FLOOR, Decimal

from openalpha.domain.instrument import RiskTier

__all__ = ["build_tiers", "ladder", "risk_tiers_for"]


def build_tiers(rows: Sequence[tuple[Decimal, Decimal, Decimal]]) -> tuple[RiskTier, ...]:
    """Tiers from ``(limit, mmr, imr)`` rows (ascending), with Bybit's deduction recurrence."""
    if not rows:
        raise ValueError("a risk-limit table needs at least one tier")
    tiers: list[RiskTier] = []
    prev_limit = Decimal(0)
    prev_mmr = Decimal(0)
    deduction = Decimal(0)
    for i, (limit, mmr, imr) in enumerate(rows):
        if limit <= prev_limit or mmr <= 0 or imr <= 0 or mmr > imr:
            raise ValueError(f"risk tier {i + 1} is invalid: limit={limit} mmr={mmr} imr={imr}")
        if i > 0:
            if mmr < prev_mmr:
                raise ValueError(f"risk tier {i + 1}: MMR {mmr} is below the previous tier's {prev_mmr}")
            deduction = prev_limit * (mmr - prev_mmr) + deduction
        max_lev = Decimal(int((Decimal(1) / imr).to_integral_value(rounding=ROUND_FLOOR)))
        tiers.append(RiskTier(limit=limit, mmr=mmr, imr=imr, max_leverage=max_lev, mm_deduction=deduction))
        prev_limit, prev_mmr = limit, mmr
    return tuple(tiers)


def ladder(
    first_limit: str, limit_step: str, mmr0: str, mmr_step: str, imr0: str, imr_step: str, count: int
) -> tuple[RiskTier, ...]:
    """A table whose limit, MMR and IMR grow by a fixed step per tier (Bybit's risk-limit shape)."""
    rows = [
        (
            Decimal(first_limit) + n * Decimal(limit_step),
            Decimal(mmr0) + n * Decimal(mmr_step),
            Decimal(imr0) + n * Decimal(imr_step),
        )
        for n in range(count)
    ]
    return build_tiers(rows)


_DEFAULT_TIERS: dict[str, tuple[RiskTier, ...]] = {
    "BTCUSDT": ladder("2000000", "600000", "0.005", "0.0006", "0.01", "0.0011", 40),
    "ETHUSDT": ladder("1000000", "500000", "0.005", "0.0006", "0.01", "0.0011", 40),
    "SOLUSDT": ladder("200000", "100000", "0.01", "0.001", "0.02", "0.002", 30),
}
# Unknown symbols: conservative (high MMR, 50x at most, steep steps).
_GENERIC_TIERS = ladder("100000", "100000", "0.01", "0.005", "0.02", "0.01", 20)


def risk_tiers_for(symbol: str) -> tuple[RiskTier, ...]:
    """Default tiers for ``symbol`` (BTCUSDT, ETHUSDT, SOLUSDT), else a conservative generic table."""
    return _DEFAULT_TIERS.get(symbol.upper(), _GENERIC_TIERS)
