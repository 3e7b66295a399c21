"""Funding and basis features (perpetuals only).

Funding statistics are taken over *settlements* (not bars), then aligned to bars as of each
bar's open time, so they mean the same at every bar interval. ``window_ms`` covers the
settlements used, assuming at most 8 h between settlements (Bybit's longest regular grid).
Basis compares the perpetual's close with its mark price and, when the data holds the coin's
spot leg (``<symbol>@spot``), with the spot close.
"""

from __future__ import annotations

import numpy as np

from openalpha.ml.features.inputs import FeatureInput, epoch_ms
from openalpha.ml.features.kernels import rolling_mean_std
from openalpha.ml.features.registry import feature

SETTLEMENT_MS = 8 * 3_600_000


def _z(values: np.ndarray, n: int, first: int = 0) -> np.ndarray:
    mean, std = rolling_mean_std(values, n, first)
    with np.errstate(invalid="ignore"):
        return np.divide(values - mean, std, out=np.full(values.shape, np.nan), where=std > 0)


def _rates(x: FeatureInput) -> np.ndarray:
    assert x.funding_events is not None  # guarded by needs={"funding"}
    return x.memo("rates", lambda: x.funding_events.to_numpy(dtype=np.float64))  # type: ignore[union-attr]


def _on_bars(x: FeatureInput, key: str, per_settlement: np.ndarray) -> np.ndarray:
    """A per-settlement series aligned to bars: the value of the last settlement at or before each open."""

    def positions() -> np.ndarray:
        assert x.funding_events is not None
        return np.searchsorted(epoch_ms(x.funding_events.index), x.epoch_ms(), side="right") - 1

    def build() -> np.ndarray:
        pos = x.memo("funding:pos", positions)
        return np.where(pos >= 0, per_settlement[np.maximum(pos, 0)], np.nan)

    return x.memo(f"funding:{key}", build)


@feature("funding_rate", "funding", 1, window_ms=SETTLEMENT_MS, needs=["funding"])
def _funding_rate(x: FeatureInput) -> np.ndarray:
    return _on_bars(x, "rate", _rates(x))


for _k in (3, 21):
    feature(f"funding_mean_{_k}", "funding", 1, window_ms=_k * SETTLEMENT_MS, needs=["funding"])(
        lambda x, k=_k: _on_bars(x, f"mean{k}", rolling_mean_std(_rates(x), k)[0])
    )


@feature("funding_z_21", "funding", 1, window_ms=21 * SETTLEMENT_MS, needs=["funding"])
def _funding_z(x: FeatureInput) -> np.ndarray:
    return _on_bars(x, "z21", _z(_rates(x), 21))


@feature("funding_change", "funding", 1, window_ms=2 * SETTLEMENT_MS, needs=["funding"])
def _funding_change(x: FeatureInput) -> np.ndarray:
    rates = _rates(x)
    return _on_bars(x, "diff", np.concatenate([[np.nan], np.diff(rates)]))


def _mark_basis(x: FeatureInput) -> np.ndarray:
    assert x.mark_close is not None  # guarded by needs={"mark"}
    return x.memo("basis_mark", lambda: x.col("close") / x.mark_close.to_numpy(dtype=np.float64) - 1.0)  # type: ignore[union-attr]


def _spot_basis(x: FeatureInput) -> np.ndarray:
    assert x.spot_close is not None  # guarded by needs={"spot"}
    return x.memo("basis_spot", lambda: x.col("close") / x.spot_close.to_numpy(dtype=np.float64) - 1.0)  # type: ignore[union-attr]


feature("basis_mark", "basis", 1, needs=["mark"])(_mark_basis)
feature("basis_mark_mean_24", "basis", 24, needs=["mark"])(
    lambda x: rolling_mean_std(_mark_basis(x), 24, x.first_output(24))[0]
)
feature("basis_mark_z_72", "basis", 72, needs=["mark"])(lambda x: _z(_mark_basis(x), 72, x.first_output(72)))
feature("basis_spot", "basis", 1, needs=["spot"])(_spot_basis)
feature("basis_spot_mean_24", "basis", 24, needs=["spot"])(
    lambda x: rolling_mean_std(_spot_basis(x), 24, x.first_output(24))[0]
)
