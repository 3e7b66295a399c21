"""Funding and basis features (perpetuals only).

Funding statistics are taken over *settlements* (not bars), then aligned to bars as of each
bar's open time, so they mean the same at every bar interval. ``window_ms`` covers the
settlements used, assuming at most 8 h between settlements (Bybit's longest regular grid).
Basis compares the perpetual's close with its mark price and, when the data holds the coin's
spot leg (``<symbol>@spot``), with the spot close.
"""

from __future__ import annotations

import pandas as pd

from openalpha.ml.features.inputs import FeatureInput, align_events
from openalpha.ml.features.registry import feature

SETTLEMENT_MS = 8 * 3_600_000


def _events_on_bars(x: FeatureInput, key: str, events: pd.Series) -> pd.Series:
    """Settlement-indexed ``events`` aligned to bars: the value of the last settlement at or before each open."""

    return x.memo(f"funding:{key}", lambda: align_events(x.index, events))


def _rates(x: FeatureInput) -> pd.Series:
    assert x.funding_events is not None  # guarded by needs={"funding"}
    return x.funding_events


@feature("funding_rate", "funding", 1, window_ms=SETTLEMENT_MS, needs=["funding"])
def _funding_rate(x: FeatureInput) -> pd.Series:
    return x.funding_on_bars()


for _k in (3, 21):
    feature(f"funding_mean_{_k}", "funding", 1, window_ms=_k * SETTLEMENT_MS, needs=["funding"])(
        lambda x, k=_k: _events_on_bars(x, f"mean{k}", _rates(x).rolling(k).mean())
    )


@feature("funding_z_21", "funding", 1, window_ms=21 * SETTLEMENT_MS, needs=["funding"])
def _funding_z(x: FeatureInput) -> pd.Series:
    rates = _rates(x)
    roll = rates.rolling(21)
    std = roll.std()
    return _events_on_bars(x, "z21", (rates - roll.mean()) / std.where(std > 0))


@feature("funding_change", "funding", 1, window_ms=2 * SETTLEMENT_MS, needs=["funding"])
def _funding_change(x: FeatureInput) -> pd.Series:
    return _events_on_bars(x, "diff", _rates(x).diff())


def _mark_basis(x: FeatureInput) -> pd.Series:
    assert x.mark_close is not None  # guarded by needs={"mark"}
    return x.memo("basis_mark", lambda: x.close / x.mark_close - 1.0)


def _spot_basis(x: FeatureInput) -> pd.Series:
    assert x.spot_close is not None  # guarded by needs={"spot"}
    return x.memo("basis_spot", lambda: x.close / x.spot_close - 1.0)


feature("basis_mark", "basis", 1, needs=["mark"])(_mark_basis)
feature("basis_mark_mean_24", "basis", 24, needs=["mark"])(lambda x: _mark_basis(x).rolling(24).mean())


@feature("basis_mark_z_72", "basis", 72, needs=["mark"])
def _basis_mark_z(x: FeatureInput) -> pd.Series:
    basis = _mark_basis(x)
    roll = basis.rolling(72)
    std = roll.std()
    return (basis - roll.mean()) / std.where(std > 0)


feature("basis_spot", "basis", 1, needs=["spot"])(_spot_basis)
feature("basis_spot_mean_24", "basis", 24, needs=["spot"])(lambda x: _spot_basis(x).rolling(24).mean())
