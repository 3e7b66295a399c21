"""A small real sweep on Ray Tune (local, 2 CPUs): folds, trials, statistics, saved run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from openalpha.research.sweep_config import load_sweep_config
from openalpha.research.sweep_driver import load_data, run_sweep
from openalpha.research.tune_driver import TuneSearch, param_space
from openalpha.research.walkforward import make_context, plan_folds, search_space

pytestmark = pytest.mark.ray


def test_sweep_on_tune_end_to_end(
    ray_local: None, research_home: Path, small_sweep: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENALPHA_HOME", str(research_home))
    config = load_sweep_config(small_sweep)
    lines: list[str] = []
    outcome = run_sweep(config, tmp_path / "runs", progress=lines.append, verbose=0)
    # 40 days: train 20 + test 10, step 10 -> 2 folds
    assert len(outcome.result.folds) == 2
    for fold in outcome.result.folds:
        assert len(fold.trials) == 4
        assert all(80 <= t.params["slow"] <= 300 and 5 <= t.params["fast"] <= 60 for t in fold.trials)
        assert any(t.complete and t.daily_returns for t in fold.trials)
    doc = json.loads((outcome.run_dir / "run.json").read_text())
    assert doc["trials"] == 8 and doc["folds"] == 2
    assert doc["summary"]["dsr"] is not None
    assert len(doc["summary"]["montecarlo"]) >= 1
    assert {c["name"] for c in doc["summary"]["verdict"]["checks"]} >= {"pbo", "dsr", "oos_sharpe"}
    assert (tmp_path / "runs" / ".tune").is_dir()  # Tune's own experiment folders, hidden from `runs list`
    assert sum("out-of-sample return" in line for line in lines) == 2


@pytest.mark.parametrize("algorithm", ["grid", "random"])
def test_grid_and_random_search_on_tune(
    ray_local: None,
    research_home: Path,
    small_sweep: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    algorithm: str,
) -> None:
    monkeypatch.setenv("OPENALPHA_HOME", str(research_home))
    small_sweep.write_text(small_sweep.read_text().replace('"optuna"', f'"{algorithm}"'))
    config = load_sweep_config(small_sweep)
    data = load_data(config)
    folds = plan_folds(config, data)[:1]
    ctx = make_context(config, data, folds)
    dims = search_space(config)
    search = TuneSearch(config.searcher, str(tmp_path / "tune"), "t", verbose=0)
    records = search(ctx, folds[0], dims)
    if algorithm == "grid":
        assert sorted((r.params["fast"], r.params["slow"]) for r in records) == [
            (5, 80),
            (5, 300),
            (60, 80),
            (60, 300),
        ]
    else:  # Optuna's random sampler, per fold and with every fold in one Tuner
        assert len(records) == 4
        by_fold = search.search_folds(ctx, folds, dims)
        assert [len(v) for v in by_fold.values()] == [4]
        assert all(5 <= r.params["fast"] <= 60 and 80 <= r.params["slow"] <= 300 for r in by_fold[0])
    # the wrapped trainable (and so the object-store copy of the data) is made once per context
    assert search._trainable_for(ctx) is search._trainable_for(ctx)


def test_param_space_carries_the_fold() -> None:
    from openalpha.research.space import Dim
    from openalpha.research.sweep_config import Searcher

    space = param_space([Dim(name="fast", kind="int", low=5, high=10, step=1)], Searcher(), 3)
    assert space["_fold"] == 3
    assert space["fast"].lower == 5 and space["fast"].upper == 11  # randint's upper bound is exclusive


def test_batched_trials_count_every_parameter_set(
    ray_local: None, research_home: Path, small_sweep: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two parameter sets per Tune trial (with ASHA on): every set is a trial of the fold's
    search and of the statistics; Tune ran half as many trials."""
    from openalpha.research.analysis import summarise
    from openalpha.research.walkforward import run_walk_forward

    monkeypatch.setenv("OPENALPHA_HOME", str(research_home))
    small_sweep.write_text(small_sweep.read_text().replace("grid_points = 2", "grid_points = 2\nbatch = 2"))
    config = load_sweep_config(small_sweep)
    assert config.searcher.batch == 2 and config.searcher.early_stopping == "asha"
    search = TuneSearch(config.searcher, str(tmp_path / "tune"), "b", verbose=0)
    result = run_walk_forward(config, load_data(config), search, lambda _: None)
    assert search.batch == 2
    assert [len(f.trials) for f in result.folds] == [4, 4]
    for fold in result.folds:
        assert all(80 <= t.params["slow"] <= 300 and 5 <= t.params["fast"] <= 60 for t in fold.trials)
        assert any(t.complete and t.daily_returns for t in fold.trials)
    summary = summarise(result)
    assert summary.n_trials == 8 and summary.dsr is not None and summary.dsr["n_trials"] == 8
    tune_trials = list((tmp_path / "tune" / "b_folds").glob("*/params.json"))
    assert len(tune_trials) == 4  # 2 folds x 4 sets / 2 sets per Tune trial
    # Tune's own result files keep each set's score but not the bulky records (daily returns)
    lines = [json.loads(x) for p in tune_trials for x in (p.parent / "result.json").read_text().splitlines()]
    assert lines and all(len(r["scores"]) == 2 and "records" not in r for r in lines)
