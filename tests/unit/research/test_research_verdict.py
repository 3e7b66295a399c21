"""Verdict thresholds and parameter stability."""

from __future__ import annotations

import pytest

from openalpha.config import ConfigError, decode_config
from openalpha.research.stability import param_stability
from openalpha.research.verdict import VerdictThresholds, judge

GOOD = dict(
    pbo=0.1,
    dsr=0.99,
    oos_sharpe=1.5,
    oos_trades=80,
    profitable_folds=0.8,
    mc_return_p5=0.01,
    mc_drawdown_p95=0.2,
    param_dispersion=0.05,
)


def test_all_good_passes() -> None:
    verdict = judge(VerdictThresholds(), **GOOD)
    assert verdict.passed and not verdict.failures()


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("pbo", 0.6),
        ("dsr", 0.5),
        ("oos_sharpe", 0.1),
        ("oos_trades", 3),
        ("mc_drawdown_p95", 0.9),
        ("param_dispersion", 0.4),
        ("pbo", None),
        ("dsr", float("nan")),
    ],
)
def test_one_bad_or_unknown_statistic_fails(key: str, value: float | None) -> None:
    verdict = judge(VerdictThresholds(), **{**GOOD, key: value})
    assert not verdict.passed
    assert [c.name for c in verdict.failures()] == [key]


def test_thresholds_decode_with_one_line_errors() -> None:
    t = decode_config({"max_pbo": 0.3}, VerdictThresholds, "x.toml")
    assert t.max_pbo == 0.3
    with pytest.raises(ConfigError, match="max_pbo"):
        decode_config({"max_pbo": 1.5}, VerdictThresholds, "x.toml")
    with pytest.raises(ConfigError, match="unknown key"):
        decode_config({"max_pbx": 0.3}, VerdictThresholds, "x.toml")


def test_param_stability() -> None:
    folds = [
        {"fast": 10, "slow": 100, "mode": "a"},
        {"fast": 30, "slow": 100, "mode": "a"},
        {"fast": 20, "slow": 100, "mode": "b"},
        {"fast": 20, "slow": 100, "mode": "a"},
    ]
    result = {p.name: p for p in param_stability(folds, {"fast": (0, 100), "slow": (50, 250)})}
    assert result["slow"].dispersion == 0.0
    assert result["fast"].dispersion == pytest.approx((200 / 4) ** 0.5 / 100)  # std of 10,30,20,20
    assert result["mode"].dispersion == pytest.approx(0.25)
