"""The ML confirmation filter for ``momentum_breakout`` (its ``confirm=`` hook).

A long breakout is kept when the directional model gives P(up) >= ``threshold``, a short one
when P(up) <= 1 - ``threshold``. Where the model has no prediction yet (not enough history to
train), breakouts are *not* confirmed: no model, no trade.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from openalpha.domain.market_data import MarketData
from openalpha.ml.errors import MLError
from openalpha.ml.models import TabularModel
from openalpha.ml.predictor import DirectionalConfig, model_probability, walk_forward_probability


def confirm_mask(triggers: np.ndarray, probability: np.ndarray, threshold: float) -> np.ndarray:
    """True where a trigger (+1/-1) agrees with the model at ``threshold``; True where there is none."""
    with np.errstate(invalid="ignore"):
        long_ok = (triggers > 0) & (probability >= threshold)
        short_ok = (triggers < 0) & (probability <= 1.0 - threshold)
    return (triggers == 0) | long_ok | short_ok


class MLConfirm:
    """``MomentumBreakout(params, confirm=MLConfirm(cfg, threshold))``."""

    def __init__(
        self, cfg: DirectionalConfig, threshold: float = 0.55, model: TabularModel | None = None
    ) -> None:
        if not 0.5 <= threshold < 1.0:
            raise MLError(f"confirmation threshold must be in [0.5, 1), got {threshold}")
        self.cfg = cfg
        self.threshold = threshold
        self.model = model
        self._last: dict[str, tuple[pd.Timestamp, float]] = {}

    def probability(self, data: MarketData, symbol: str) -> np.ndarray:
        if self.model is not None:
            prob = model_probability(data, symbol, self.model).to_numpy()
        else:
            prob = walk_forward_probability(data, symbol, self.cfg).to_numpy()
        self._last[symbol] = (data.bars[symbol].index[-1], float(prob[-1]))
        return prob

    def last_at(self, stamp: pd.Timestamp) -> dict[str, float]:
        """The last bar's P(up) per symbol, for those whose probability was computed up to ``stamp``."""
        return {k: p for k, (t, p) in self._last.items() if t == stamp}

    def __call__(self, data: MarketData, symbol: str, triggers: np.ndarray) -> np.ndarray:
        trig = np.asarray(triggers, dtype=np.float64)
        if not np.any(trig != 0):
            return np.ones(trig.shape, dtype=bool)  # nothing to confirm: skip the training
        return confirm_mask(trig, self.probability(data, symbol), self.threshold)
