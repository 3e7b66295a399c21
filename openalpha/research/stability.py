"""Parameter stability across walk-forward folds.

If the best parameters jump from one end of their range to the other between folds, the
optimum is noise. For each parameter:

* numeric with bounds: ``dispersion = std / (high - low)`` of the per-fold best values
  (0 = the same value every fold; about 0.29 = uniformly scattered over the whole range);
* numeric without bounds: ``std / |mean|`` (coefficient of variation);
* anything else: ``1 - share of folds that agree with the most common value``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import msgspec
import numpy as np


class ParamStability(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    values: list[Any]
    mean: float | None
    std: float | None
    dispersion: float


def _numeric(values: Sequence[Any]) -> bool:
    return all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)


def param_stability(
    best_per_fold: Sequence[Mapping[str, Any]], bounds: Mapping[str, tuple[float | None, float | None]]
) -> list[ParamStability]:
    """Stability of each parameter over the per-fold best configurations."""
    if not best_per_fold:
        return []
    names = list(best_per_fold[0])
    out: list[ParamStability] = []
    for name in names:
        values = [fold[name] for fold in best_per_fold]
        if _numeric(values):
            arr = np.asarray(values, dtype=float)
            mean, std = float(arr.mean()), float(arr.std(ddof=0))
            low, high = bounds.get(name, (None, None))
            if low is not None and high is not None and high > low:
                dispersion = std / (high - low)
            else:
                dispersion = std / abs(mean) if mean else (0.0 if std == 0 else float("inf"))
            out.append(ParamStability(name=name, values=values, mean=mean, std=std, dispersion=dispersion))
        else:
            agree = Counter(map(repr, values)).most_common(1)[0][1]
            out.append(
                ParamStability(
                    name=name, values=values, mean=None, std=None, dispersion=1 - agree / len(values)
                )
            )
    return out


__all__ = ["ParamStability", "param_stability"]
