"""The Strategy API: registry, user files, parameters and their bounds, execution style, hooks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from openalpha.strategies import (
    ExecutionStyle,
    FundingCarry,
    MeanReversion,
    MomentumBreakout,
    ParamError,
    SmaCross,
    Strategy,
    StrategyError,
    UnknownStrategy,
    get_strategy_class,
    load_strategy,
    param_specs,
    parse_assignments,
    strategy_names,
)
from tests.unit.backtest.realdata import carry_5m, perp_1h


def test_builtins_are_registered() -> None:
    assert {"sma_cross", "mean_reversion", "momentum_breakout", "funding_carry"} <= set(strategy_names())
    assert get_strategy_class("mean_reversion") is MeanReversion


def test_unknown_strategy_is_a_one_line_value_error() -> None:
    with pytest.raises(UnknownStrategy) as err:
        get_strategy_class("nope")
    assert isinstance(err.value, ValueError)
    assert "\n" not in str(err.value) and "sma_cross" in str(err.value)


def test_user_strategy_loads_from_file(tmp_path: Path) -> None:
    src = tmp_path / "mine.py"
    src.write_text(
        "import msgspec, pandas as pd\n"
        "from openalpha.strategies import Strategy\n"
        "class AlwaysLong(Strategy):\n"
        "    name = 'always_long'\n"
        "    class Params(msgspec.Struct, frozen=True):\n"
        "        size: float = 0.5\n"
        "    def targets(self, data):\n"
        "        return pd.DataFrame(self.params.size, index=data.index, columns=data.symbols)\n"
        "class NotAStrategy:\n"
        "    pass\n"
    )
    strat = load_strategy(f"{src}:AlwaysLong", {"size": "0.25"})
    assert strat.params.size == 0.25
    with pytest.raises(UnknownStrategy, match="has no class"):
        get_strategy_class(f"{src}:Missing")
    with pytest.raises(UnknownStrategy, match="not a subclass"):
        get_strategy_class(f"{src}:NotAStrategy")
    with pytest.raises(UnknownStrategy, match="not found"):
        get_strategy_class(f"{tmp_path / 'absent.py'}:AlwaysLong")


def test_broken_user_file_reports_one_line(tmp_path: Path) -> None:
    src = tmp_path / "broken.py"
    src.write_text("raise RuntimeError('boom')\n")
    with pytest.raises(UnknownStrategy, match="RuntimeError: boom"):
        get_strategy_class(f"{src}:X")


def test_params_convert_strings_and_check_bounds() -> None:
    assert SmaCross(fast="10", slow="50").params.fast == 10
    assert SmaCross(allow_short="true").params.allow_short is True
    with pytest.raises(ParamError, match="unknown parameter 'fastt'"):
        SmaCross(fastt=3)
    with pytest.raises(ParamError, match=r">= 2") as err:
        SmaCross(fast=1)
    assert "\n" not in str(err.value)
    with pytest.raises(ParamError, match=r"fast .* must be < slow"):
        SmaCross(fast=50, slow=20)
    with pytest.raises(ParamError, match="Expected `int`"):
        SmaCross(fast="ten")


def test_param_specs_list_sweep_bounds() -> None:
    specs = {s.name: s for s in param_specs(SmaCross.Params)}
    assert (specs["fast"].low, specs["fast"].high, specs["fast"].default, specs["fast"].kind) == (
        2,
        1000,
        20,
        "int",
    )
    assert specs["size"].low == 0 and specs["size"].low_open and specs["size"].high == 100
    assert specs["allow_short"].kind == "bool" and specs["allow_short"].low is None
    for name in strategy_names():  # every built-in declares bounds on its numeric params
        for spec in param_specs(get_strategy_class(name).Params):
            if spec.kind in ("int", "float"):
                assert spec.low is not None and spec.high is not None, (name, spec.name)


def test_parse_assignments() -> None:
    assert parse_assignments(["a=1", " b = x "]) == {"a": "1", "b": "x"}
    with pytest.raises(ParamError, match="key=value"):
        parse_assignments(["novalue"])


def test_execution_style() -> None:
    assert SmaCross().execution().kind == "market"
    style = MeanReversion(maker_offset_bps=5).execution()
    assert (style.kind, style.offset_bps) == ("limit", 5)
    with pytest.raises(ValueError, match="offset_bps > 0"):
        ExecutionStyle(kind="limit", offset_bps=0)


def test_base_strategy_rejects_wrong_params_type() -> None:
    with pytest.raises(StrategyError, match="params must be"):
        SmaCross(MeanReversion.Params())
    assert isinstance(Strategy(), Strategy)


def test_momentum_confirm_hook_filters_triggers(shared_data: Path) -> None:
    data = perp_1h(shared_data, end="2024-06-01")
    plain = MomentumBreakout().targets(data)
    assert (plain["BTCUSDT"] != 0).any()
    seen: dict[str, int] = {}

    def reject_all(d: object, symbol: str, triggers: np.ndarray) -> np.ndarray:
        seen[symbol] = int(np.count_nonzero(triggers))
        return np.zeros(len(triggers), dtype=bool)

    assert (MomentumBreakout(confirm=reject_all).targets(data)["BTCUSDT"] == 0).all()
    assert seen["BTCUSDT"] > 0

    keep_all = MomentumBreakout(confirm=lambda d, s, t: np.ones(len(t), dtype=bool)).targets(data)
    assert keep_all.equals(plain)
    with pytest.raises(StrategyError, match="confirm filter returned"):
        MomentumBreakout(confirm=lambda d, s, t: np.ones(3, dtype=bool)).targets(data)


def test_funding_carry_needs_spot_and_perp(shared_data: Path) -> None:
    with pytest.raises(StrategyError, match="needs a perp and its spot"):
        FundingCarry().targets(perp_1h(shared_data, end="2024-03-01"))
    with pytest.raises(StrategyError, match="lookback_bars >= 96"):
        FundingCarry(lookback_bars=72).targets(carry_5m(shared_data, end="2025-05-01"))


def test_funding_carry_is_delta_neutral_and_waits_for_funding(shared_data: Path) -> None:
    data = carry_5m(shared_data)
    targets = FundingCarry(lookback_bars=864, max_hold=8640).targets(data)
    assert (targets["BTCUSDT"] == -targets["BTCUSDT@spot"]).all()
    assert (targets["BTCUSDT@spot"] >= 0).all() and (targets["BTCUSDT@spot"] > 0).any()
    first_settlement = data.funding["BTCUSDT"].index[0]
    assert (targets.loc[targets.index < first_settlement] == 0).all().all()
