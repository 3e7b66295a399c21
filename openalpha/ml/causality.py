"""The causality parity check for features.

A feature is causal when its value at bar *t*, computed over the whole history, equals its value
computed on a trailing window that *ends* at *t* and is just long enough for the feature
(:meth:`FeatureSpec.warmup_bars`) and asks for its last bar only, as the live path does
(:func:`~openalpha.ml.features.registry.compute_last`). A feature that peeks at bar *t+1*
cannot reproduce its full-history value from a window ending at *t*, so the same check catches
look-ahead.

Windowed features must agree to :data:`~openalpha.ml.features.registry.EXACT_RTOL` (float
round-off of rolling sums); recursive ones (EMA, Wilder) to ``RECURSIVE_RTOL`` after their
declared convergence window.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
import numpy as np

from openalpha.ml.features.inputs import FeatureInput
from openalpha.ml.features.registry import FeatureSpec

ABS_FLOOR = 1e-12  # values this close to zero compare absolutely


class CausalityReport(msgspec.Struct, frozen=True, kw_only=True):
    feature: str
    checked: int
    mismatches: int
    examples: list[tuple[int, float, float]]
    rtol: float

    @property
    def ok(self) -> bool:
        return self.mismatches == 0 and self.checked > 0


def _same(a: float, b: float, rtol: float) -> bool:
    if np.isnan(a) or np.isnan(b):
        return bool(np.isnan(a) and np.isnan(b))
    return abs(a - b) <= rtol * max(abs(a), abs(b)) + ABS_FLOOR


def check_feature_causality(
    spec: FeatureSpec,
    inp: FeatureInput,
    positions: Sequence[int],
    *,
    max_examples: int = 5,
) -> CausalityReport:
    """Compare ``spec`` over the full history of ``inp`` with trailing windows ending at ``positions``.

    Positions earlier than the feature's warmup are skipped (a trailing window cannot be that
    long); ``checked`` counts the positions actually compared.
    """
    full = spec.compute(inp)
    length = spec.warmup_bars(inp.interval_ms)
    examples: list[tuple[int, float, float]] = []
    checked = mismatches = 0
    for pos in positions:
        if pos < length - 1 or pos >= len(full):
            continue
        window = inp.window(pos - length + 1, pos + 1).last_bar_only()  # exactly as the live path
        live = float(spec.compute(window)[-1])
        checked += 1
        if not _same(float(full[pos]), live, spec.rtol):
            mismatches += 1
            if len(examples) < max_examples:
                examples.append((pos, float(full[pos]), live))
    return CausalityReport(
        feature=spec.name, checked=checked, mismatches=mismatches, examples=examples, rtol=spec.rtol
    )
