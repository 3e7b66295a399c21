"""Causal features from OHLCV, mark, funding and basis, by name (see :mod:`.registry`)."""

from openalpha.ml.features import carry, regime, statistical, technical  # noqa: F401  (registration)
from openalpha.ml.features.inputs import FeatureInput, align_events, feature_input
from openalpha.ml.features.registry import (
    FEATURES,
    FeatureSpec,
    available_features,
    compute_features,
    compute_last,
    feature,
    feature_names,
    needs_mark,
    register,
    resolve,
    warmup_bars,
)

__all__ = [
    "FEATURES",
    "FeatureInput",
    "FeatureSpec",
    "align_events",
    "available_features",
    "compute_features",
    "compute_last",
    "feature",
    "feature_input",
    "feature_names",
    "needs_mark",
    "register",
    "resolve",
    "warmup_bars",
]
