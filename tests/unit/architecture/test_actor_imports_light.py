"""What each runtime actor's process loads (memory, issue 6), checked in a fresh interpreter:
the governor and ledger actors without pandas/pyarrow, a strategy actor running a built-in
without numba or the ML libraries, and the built-ins still reachable by name and attribute."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ["numba", "pandas", "pyarrow", "scipy", "sklearn", "lightgbm", "xgboost", "optuna"]


def _loaded(code: str) -> dict[str, object]:
    script = f"import json, sys\n{code}\nprint(json.dumps({{'heavy': [m for m in {HEAVY!r} if m in sys.modules], 'out': out}}))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_governor_and_ledger_actors_load_neither_pandas_nor_pyarrow() -> None:
    got = _loaded("import openalpha.actors.governor_actor, openalpha.actors.ledger_actor\nout = None")
    assert got["heavy"] == []


def test_a_strategy_actor_running_a_builtin_loads_no_numba_nor_ml_libraries() -> None:
    code = (
        "import openalpha.actors.strategy_actor\n"
        "from openalpha.strategies.registry import get_strategy_class\n"
        "out = [get_strategy_class(n).name for n in ('mean_reversion', 'momentum_breakout')]"
    )
    got = _loaded(code)
    assert got["out"] == ["mean_reversion", "momentum_breakout"]
    assert set(got["heavy"]) == {"pandas", "pyarrow"}  # what a strategy computes on


def test_builtins_are_listed_without_import_and_load_on_first_use() -> None:
    code = (
        "from openalpha.strategies import strategy_names\n"
        "names = strategy_names()\n"
        "before = [m for m in sys.modules if m.startswith('openalpha.strategies.') and m.split('.')[-1] in names]\n"
        "from openalpha.strategies import SmaCross, get_strategy_class\n"
        "from openalpha.domain import MarketData\n"
        "out = {'names': names, 'before': before, 'sma': SmaCross is get_strategy_class('sma_cross'),\n"
        "       'ml': get_strategy_class('momentum_breakout_ml').name, 'md': MarketData.__name__}"
    )
    got = _loaded(code)["out"]
    assert isinstance(got, dict)
    assert got["names"] == [
        "funding_carry",
        "mean_reversion",
        "ml_trend",
        "momentum_breakout",
        "momentum_breakout_ml",
        "sma_cross",
    ]
    assert got["before"] == []
    assert got["sma"] is True
    assert got["ml"] == "momentum_breakout_ml"
    assert got["md"] == "MarketData"


def test_a_builtin_name_is_taken_before_its_module_is_imported() -> None:
    code = (
        "from openalpha.strategies import Strategy, register\n"
        "class Mine(Strategy):\n    name = 'sma_cross'\n"
        "try:\n    register(Mine)\n    out = 'registered'\nexcept ValueError as err:\n    out = str(err)\n"
        "out = [out, 'openalpha.strategies.sma_cross' in sys.modules]"
    )
    assert _loaded(code)["out"] == [
        "strategy name 'sma_cross' is taken by the built-in in openalpha.strategies.sma_cross",
        False,
    ]
