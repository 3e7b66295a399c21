"""The feature registry: every feature by name, with what it needs and how much history.

A feature is a function of a :class:`FeatureInput` returning one float per bar, causal by
construction (the value at bar *t* uses bars up to and including *t*). Each declares

* ``window``: bars of history after which the trailing-window value equals the full-history
  value — exactly for windowed features, within :data:`RECURSIVE_RTOL` for recursive ones
  (EMA, Wilder smoothing), whose ``window`` is long enough for the start to be forgotten;
* ``window_ms``: extra history measured in time (funding settlements are not bars);
* ``needs``: inputs beyond OHLCV (``mark``, ``funding``, ``spot``).

The causality parity test (``openalpha.ml.causality``) checks every registered feature
against these declarations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from openalpha.ml.errors import MLError
from openalpha.ml.features.inputs import FeatureInput

FeatureFn = Callable[[FeatureInput], "pd.Series | np.ndarray"]
RECURSIVE_RTOL = 1e-6
EXACT_RTOL = 1e-9
GROUPS = (
    "trend", "momentum", "volatility", "volume", "returns", "stats", "calendar", "funding", "basis",
    "regime",
)  # fmt: skip
NEEDS = frozenset({"mark", "funding", "spot"})


@dataclass(frozen=True)
class FeatureSpec:
    name: str
    group: str
    fn: FeatureFn
    window: int
    recursive: bool = False
    window_ms: int = 0
    needs: frozenset[str] = frozenset()

    def warmup_bars(self, interval_ms: int) -> int:
        """Bars of history this feature needs at bars of ``interval_ms``."""
        return self.window + -(-self.window_ms // interval_ms)

    @property
    def rtol(self) -> float:
        return RECURSIVE_RTOL if self.recursive else EXACT_RTOL

    def compute(self, inp: FeatureInput) -> np.ndarray:
        out = self.fn(inp)
        values = out.to_numpy(dtype=np.float64) if isinstance(out, pd.Series) else np.asarray(out, float)
        if values.shape != (len(inp.bars),):
            raise MLError(f"feature {self.name} returned {values.shape}, expected ({len(inp.bars)},)")
        return values


FEATURES: dict[str, FeatureSpec] = {}


def register(spec: FeatureSpec) -> FeatureSpec:
    if spec.name in FEATURES:
        raise MLError(f"feature {spec.name!r} is already registered")
    if spec.group not in GROUPS:
        raise MLError(f"feature {spec.name!r}: unknown group {spec.group!r}")
    if not spec.needs <= NEEDS:
        raise MLError(f"feature {spec.name!r}: unknown needs {sorted(spec.needs - NEEDS)}")
    FEATURES[spec.name] = spec
    return spec


def feature(
    name: str,
    group: str,
    window: int,
    *,
    recursive: bool = False,
    window_ms: int = 0,
    needs: Iterable[str] = (),
) -> Callable[[FeatureFn], FeatureFn]:
    """Decorator registering ``fn`` as feature ``name``."""

    def deco(fn: FeatureFn) -> FeatureFn:
        register(FeatureSpec(name, group, fn, window, recursive, window_ms, frozenset(needs)))
        return fn

    return deco


def feature_names(group: str | None = None) -> list[str]:
    return [n for n, s in FEATURES.items() if group is None or s.group == group]


def needs_mark(names: Iterable[str] | None) -> bool:
    """Whether any of ``names`` (every feature when None) reads mark prices (unknown names do not:
    they are refused where the features are resolved)."""
    if names is None:
        return True
    return any("mark" in FEATURES[n].needs for n in names if n in FEATURES)


def available_features(inp: FeatureInput) -> list[str]:
    """Names of the features whose inputs ``inp`` has."""
    return [n for n, s in FEATURES.items() if all(inp.has(k) for k in s.needs)]


def resolve(names: Sequence[str] | None, inp: FeatureInput | None = None) -> list[FeatureSpec]:
    """Specs for ``names`` (all features available on ``inp`` when None); one-line error otherwise."""
    if names is None:
        names = available_features(inp) if inp is not None else list(FEATURES)
    unknown = [n for n in names if n not in FEATURES]
    if unknown:
        raise MLError(f"unknown feature {unknown[0]!r} ({len(FEATURES)} known; see feature_names())")
    specs = [FEATURES[n] for n in names]
    if inp is not None:
        for spec in specs:
            lacking = [k for k in sorted(spec.needs) if not inp.has(k)]
            if lacking:
                raise MLError(f"feature {spec.name!r} needs {lacking[0]} data, which the input lacks")
    return specs


def warmup_bars(names: Sequence[str] | None, interval_ms: int) -> int:
    """Bars of history the features ``names`` (all when None) need, at bars of ``interval_ms``."""
    return max((s.warmup_bars(interval_ms) for s in resolve(names)), default=0)


def compute_features(inp: FeatureInput, names: Sequence[str] | None = None) -> pd.DataFrame:
    """A float64 frame, one column per feature (registry order when ``names`` is None), indexed like the bars."""
    specs = resolve(names, inp)
    matrix = np.empty((len(inp.bars), len(specs)), dtype=np.float64)
    for j, spec in enumerate(specs):
        matrix[:, j] = spec.compute(inp)
    return pd.DataFrame(matrix, index=inp.index, columns=[s.name for s in specs])


def compute_last(inp: FeatureInput, names: Sequence[str]) -> np.ndarray:
    """The features ``names`` at the last bar of ``inp`` only (the live path), in ``names`` order.

    Equal to the last row of :func:`compute_features` (the causality check runs every feature
    this way), without the work for earlier bars or a DataFrame: the bars are cut to the longest
    ``window`` the features declare (funding settlements, counted in time, are all kept).
    """
    specs = resolve(names, inp)
    last = inp.tail(max((s.window for s in specs), default=1)).last_bar_only()
    return np.array([spec.compute(last)[-1] for spec in specs], dtype=np.float64)
