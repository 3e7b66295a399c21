"""One Tune run for every fold: each fold's searcher and scheduler see only that fold's trials.

No Ray runtime is started: the routing objects are driven the way Tune's controller drives them.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import optuna
from ray.tune.schedulers import ASHAScheduler, TrialScheduler
from ray.tune.search import Searcher
from ray.tune.search.optuna import OptunaSearch

from openalpha.research.tune_driver import FOLD_KEY
from openalpha.research.tune_folds import FoldScheduler, FoldSearcher


def _optuna(seed: int) -> OptunaSearch:
    from ray import tune

    alg = OptunaSearch(sampler=optuna.samplers.TPESampler(seed=seed))
    alg.set_search_properties("score", "max", {"x": tune.uniform(0.0, 1.0)})
    return alg


def test_trials_alternate_over_folds_until_each_budget_is_spent() -> None:
    inner = {0: _optuna(1), 1: _optuna(2)}
    searcher = FoldSearcher(inner, {0: 3, 1: 2}, FOLD_KEY, "score")
    assert searcher.set_search_properties("score", "max", {})
    configs = [searcher.suggest(f"t{i}") for i in range(6)]
    assert [c[FOLD_KEY] for c in configs[:5]] == [0, 1, 0, 1, 0]  # type: ignore[index]
    assert configs[5] == Searcher.FINISHED
    # each fold's study saw exactly its own trials, scored with their own results
    for i, config in enumerate(configs[:5]):
        searcher.on_trial_complete(f"t{i}", {"score": float(i), "training_iteration": 1})
        assert 0.0 <= config["x"] <= 1.0  # type: ignore[index]
    fold0 = [t.value for t in inner[0]._ot_study.trials]
    fold1 = [t.value for t in inner[1]._ot_study.trials]
    assert fold0 == [0.0, 2.0, 4.0] and fold1 == [1.0, 3.0]


def test_same_seed_same_suggestions_as_a_tuner_per_fold() -> None:
    alone = _optuna(7)
    first = alone.suggest("a")
    routed = FoldSearcher({0: _optuna(5), 1: _optuna(7)}, {0: 1, 1: 1}, FOLD_KEY, "score")
    routed.suggest("t0")
    second = routed.suggest("t1")
    assert second == {**first, FOLD_KEY: 1}  # type: ignore[dict-item]


class _Recorder(TrialScheduler):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, Any]] = []

    def on_trial_add(self, tune_controller: Any, trial: Any) -> None:
        self.seen.append(("add", trial.trial_id))

    def on_trial_result(self, tune_controller: Any, trial: Any, result: dict[str, Any]) -> str:
        self.seen.append(("result", trial.trial_id))
        return TrialScheduler.STOP if result["score"] < 0 else TrialScheduler.CONTINUE

    def on_trial_complete(self, tune_controller: Any, trial: Any, result: dict[str, Any]) -> None:
        self.seen.append(("complete", trial.trial_id))


def test_scheduler_events_go_to_the_trials_fold() -> None:
    inner = {0: _Recorder(), 1: _Recorder()}
    scheduler = FoldScheduler(inner, FOLD_KEY)  # type: ignore[arg-type]
    a = SimpleNamespace(trial_id="a", config={"x": 0.1, FOLD_KEY: 0})
    b = SimpleNamespace(trial_id="b", config={"x": 0.2, FOLD_KEY: 1})
    scheduler.on_trial_add(None, a)
    scheduler.on_trial_add(None, b)
    assert scheduler.on_trial_result(None, b, {"score": -1.0}) == TrialScheduler.STOP
    assert scheduler.on_trial_result(None, a, {"score": 1.0}) == TrialScheduler.CONTINUE
    scheduler.on_trial_complete(None, a, {"score": 1.0})
    assert inner[0].seen == [("add", "a"), ("result", "a"), ("complete", "a")]
    assert inner[1].seen == [("add", "b"), ("result", "b")]


def test_asha_per_fold_takes_metric_and_mode_from_tune() -> None:
    inner = {0: ASHAScheduler(max_t=3, grace_period=1), 1: ASHAScheduler(max_t=3, grace_period=1)}
    scheduler = FoldScheduler(inner, FOLD_KEY)  # type: ignore[arg-type]
    assert scheduler.set_search_properties("score", "max")
    assert all(s.metric == "score" for s in inner.values())
