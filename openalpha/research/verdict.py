"""The verdict: does the walk-forward result clear the configured thresholds?

Every check is reported with its value, its threshold and whether it passed; the verdict
passes only if every check with a value passes. A check whose statistic could not be computed
(too few folds or trades) fails with that reason — unknown is never a pass.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

_Prob = Annotated[float, msgspec.Meta(ge=0.0, le=1.0)]


class VerdictThresholds(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """Thresholds of the ``[verdict]`` table of a sweep config (defaults are deliberately strict)."""

    max_pbo: _Prob = 0.5
    min_dsr: _Prob = 0.95
    min_oos_sharpe: float = 0.5  # annualised Sharpe of the stitched out-of-sample curve
    min_oos_trades: Annotated[int, msgspec.Meta(ge=0)] = 20
    min_profitable_folds: _Prob = 0.5  # share of folds with a positive out-of-sample return
    min_mc_return_p5: float = -0.25  # 5th percentile of bootstrapped out-of-sample return
    max_mc_drawdown_p95: _Prob = 0.5  # 95th percentile of bootstrapped max drawdown
    max_param_dispersion: float = 0.25  # see research.stability


class Check(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    value: float | None
    threshold: float
    direction: str  # ">=" or "<="
    passed: bool
    reason: str


class Verdict(msgspec.Struct, frozen=True, kw_only=True):
    passed: bool
    checks: list[Check]

    def failures(self) -> list[Check]:
        return [c for c in self.checks if not c.passed]


def _check(name: str, value: float | None, threshold: float, direction: str) -> Check:
    if value is None or value != value:  # None or NaN
        return Check(
            name=name,
            value=None,
            threshold=threshold,
            direction=direction,
            passed=False,
            reason=f"{name}: could not be computed",
        )
    ok = value >= threshold if direction == ">=" else value <= threshold
    word = "ok" if ok else "FAIL"
    return Check(
        name=name,
        value=float(value),
        threshold=threshold,
        direction=direction,
        passed=ok,
        reason=f"{name} = {value:.4g} ({word}: needs {direction} {threshold:g})",
    )


def judge(
    thresholds: VerdictThresholds,
    *,
    pbo: float | None,
    dsr: float | None,
    oos_sharpe: float | None,
    oos_trades: int | None,
    profitable_folds: float | None,
    mc_return_p5: float | None,
    mc_drawdown_p95: float | None,
    param_dispersion: float | None,
) -> Verdict:
    t = thresholds
    checks = [
        _check("pbo", pbo, t.max_pbo, "<="),
        _check("dsr", dsr, t.min_dsr, ">="),
        _check("oos_sharpe", oos_sharpe, t.min_oos_sharpe, ">="),
        _check(
            "oos_trades", None if oos_trades is None else float(oos_trades), float(t.min_oos_trades), ">="
        ),
        _check("profitable_folds", profitable_folds, t.min_profitable_folds, ">="),
        _check("mc_return_p5", mc_return_p5, t.min_mc_return_p5, ">="),
        _check("mc_drawdown_p95", mc_drawdown_p95, t.max_mc_drawdown_p95, "<="),
        _check("param_dispersion", param_dispersion, t.max_param_dispersion, "<="),
    ]
    return Verdict(passed=all(c.passed for c in checks), checks=checks)


__all__ = ["Check", "Verdict", "VerdictThresholds", "judge"]
