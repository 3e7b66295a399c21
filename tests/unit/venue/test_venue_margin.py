"""Isolated margin worked examples (BYBIT_V5.md §6; help centre "Liquidation Price (USDT Contract)",
"Maintenance Margin (USDT Contract)", "Margin Parameters")."""

from __future__ import annotations

import itertools
from decimal import Decimal as D

import pytest

from openalpha.domain.enums import Side
from openalpha.domain.instrument import RiskTier
from openalpha.venue import (
    bankruptcy_price,
    build_tiers,
    initial_margin,
    liquidation_price,
    maintenance_margin,
    max_leverage_for,
    risk_tiers_for,
    tier_for,
)

FLAT_05 = build_tiers([(D(2_000_000), D("0.005"), D("0.01"))])

# Help centre "Maintenance Margin (USDT Contract)", illustration table for XYZUSDT.
XYZ = build_tiers(
    [
        (D(1000), D("0.02"), D("0.04")),
        (D(2000), D("0.025"), D("0.05")),
        (D(3000), D("0.03"), D("0.06")),
        (D(4000), D("0.035"), D("0.07")),
        (D(5000), D("0.04"), D("0.08")),
    ]
)


def test_bybit_liquidation_example_long() -> None:
    """1 BTC long at 20,000, 50x, MMR 0.5 % -> IM 400, MM 100, LP 19,700 (help centre, BYBIT_V5.md §6)."""
    value = D(20000)
    assert initial_margin(value, D(50)) == 400
    assert maintenance_margin(value, FLAT_05) == 100
    assert liquidation_price(Side.BUY, D(20000), D(1), D(50), FLAT_05) == 19700


def test_bybit_liquidation_example_short_mirror() -> None:
    """Same position short: LP = entry + (IM - MM)/size = 20,300 (formula, BYBIT_V5.md §6)."""
    assert liquidation_price(Side.SELL, D(20000), D(1), D(50), FLAT_05) == 20300
    # size sign is ignored: it is the quantity
    assert liquidation_price(Side.SELL, D(20000), D(-1), D(50), FLAT_05) == 20300


def test_extra_margin_moves_lp_away() -> None:
    """Extra margin / size is subtracted (long) or added (short): 100 USDT on 1 BTC moves LP by 100."""
    assert liquidation_price(Side.BUY, D(20000), D(1), D(50), FLAT_05, D(100)) == 19600
    assert liquidation_price(Side.SELL, D(20000), D(1), D(50), FLAT_05, D(100)) == 20400
    # on 2 BTC the same 100 USDT moves it by 50
    assert liquidation_price(Side.BUY, D(20000), D(2), D(50), FLAT_05, D(100)) == 19650


def test_bankruptcy_price_example() -> None:
    """Bankruptcy: long entry x (1 - 1/lev), short entry x (1 + 1/lev) -> 19,600 / 20,400 at 50x."""
    assert bankruptcy_price(Side.BUY, D(20000), D(50)) == 19600
    assert bankruptcy_price(Side.SELL, D(20000), D(50)) == 20400


def test_btcusdt_tier_example() -> None:
    """BTCUSDT <= 2,000,000 USDT -> MMR 0.5 %; at 2,600,000 -> 0.56 % (help centre "Maintenance Margin")."""
    tiers = risk_tiers_for("BTCUSDT")
    assert tier_for(D(2_000_000), tiers).mmr == D("0.005")
    assert tier_for(D(2_000_001), tiers).mmr == D("0.0056")
    assert tier_for(D(2_600_000), tiers).mmr == D("0.0056")
    assert max_leverage_for(D(1000), tiers) == 100
    assert max_leverage_for(D(2_600_000), tiers) == 90


def test_btcusdt_deduction_recurrence() -> None:
    """MMD(2) = RL(1) x (MMR(2) - MMR(1)) + MMD(1) = 2,000,000 x 0.0006 = 1,200 (third-party
    ``/v5/market/risk-limit`` fixtures show ``mmDeduction "1200"`` for BTCUSDT tier 2)."""
    tiers = risk_tiers_for("BTCUSDT")
    assert tiers[0].mm_deduction == 0
    assert tiers[1].mm_deduction == 1200
    assert maintenance_margin(D(2_600_000), tiers) == D(2_600_000) * D("0.0056") - 1200 == 13360


def test_xyz_maintenance_margin_piecewise() -> None:
    """Help-centre XYZUSDT illustration: 100 contracts at 35 USDT, 10x -> value 3,500, IM 350.

    The article's rule ("any excess beyond a tier is charged at the next tier's MMR") gives
    MM = 1,000 x 2 % + 1,000 x 2.5 % + 1,000 x 3 % + 500 x 3.5 % = 92.5, which equals
    3,500 x 3.5 % - MMD(4) with MMD(4) = 30 from the recurrence.
    """
    value = D(100) * D(35)
    assert initial_margin(value, D(10)) == 350
    assert XYZ[3].mm_deduction == 30
    assert maintenance_margin(value, XYZ) == D("92.5")
    assert liquidation_price(Side.BUY, D(35), D(100), D(10), XYZ) == D("32.425")
    assert liquidation_price(Side.SELL, D(35), D(100), D(10), XYZ) == D("37.575")


def test_tier_boundaries_and_overflow() -> None:
    assert tier_for(D(1000), XYZ).mmr == D("0.02")
    assert tier_for(D("1000.01"), XYZ).mmr == D("0.025")
    assert tier_for(D(-3500), XYZ).mmr == D("0.035")  # a short's negative value uses |value|
    with pytest.raises(ValueError, match="exceeds the largest risk limit 5000"):
        tier_for(D(5001), XYZ)
    with pytest.raises(ValueError, match="no risk-limit tiers"):
        tier_for(D(1), ())


def test_long_lp_floors_at_zero() -> None:
    """1x long with extra margin can never be liquidated: LP reported as 0 (Bybit's empty liqPrice)."""
    assert liquidation_price(Side.BUY, D(100), D(1), D(1), FLAT_05, D(50)) == 0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"leverage": D(0)}, "leverage"),
        ({"leverage": D(-5)}, "leverage"),
        ({"entry": D(0)}, "entry"),
        ({"size": D(0)}, "size"),
    ],
)
def test_bad_inputs_raise(kwargs: dict[str, D], match: str) -> None:
    args: dict[str, D] = {"entry": D(20000), "size": D(1), "leverage": D(50)} | kwargs
    with pytest.raises(ValueError, match=match):
        liquidation_price(Side.BUY, args["entry"], args["size"], args["leverage"], FLAT_05)


def test_build_tiers_rejects_bad_tables() -> None:
    with pytest.raises(ValueError, match="at least one tier"):
        build_tiers([])
    with pytest.raises(ValueError, match="tier 2 is invalid"):
        build_tiers([(D(100), D("0.01"), D("0.02")), (D(50), D("0.02"), D("0.04"))])
    with pytest.raises(ValueError, match="below the previous"):
        build_tiers([(D(100), D("0.02"), D("0.04")), (D(200), D("0.01"), D("0.04"))])
    with pytest.raises(ValueError, match="tier 1 is invalid"):
        build_tiers([(D(100), D("0.05"), D("0.02"))])  # MMR above IMR


@pytest.mark.parametrize("symbol", ["BTCUSDT", "ETHUSDT", "SOLUSDT", "DOGEUSDT"])
def test_default_tables_are_consistent(symbol: str) -> None:
    """Every default table: ascending limits, MMR <= IMR, deductions by the recurrence, max lev = floor(1/IMR)."""
    tiers: tuple[RiskTier, ...] = risk_tiers_for(symbol)
    assert len(tiers) >= 2
    ded = D(0)
    for prev, cur in itertools.pairwise(tiers):
        assert cur.limit > prev.limit and cur.mmr >= prev.mmr and cur.imr >= prev.imr
        ded = prev.limit * (cur.mmr - prev.mmr) + ded
        assert cur.mm_deduction == ded
    for t in tiers:
        assert t.mmr <= t.imr
        assert t.max_leverage == int(1 / t.imr)


def test_generic_fallback_is_more_conservative_than_btc() -> None:
    generic, btc = risk_tiers_for("UNKNOWNUSDT"), risk_tiers_for("btcusdt")
    assert generic[0].mmr >= btc[0].mmr and generic[0].max_leverage <= btc[0].max_leverage
    assert btc == risk_tiers_for("BTCUSDT")
