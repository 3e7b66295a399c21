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
from openalpha.research.tune_folds import BATCH_KEY, FoldScheduler, FoldSearcher


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
        searcher.on_trial_complete(
            f"t{i}", {"score": float(i), "scores": [float(i)], "training_iteration": 1}
        )
        assert 0.0 <= config[BATCH_KEY][0]["x"] <= 1.0  # type: ignore[index]
    fold0 = [t.value for t in inner[0]._ot_study.trials]
    fold1 = [t.value for t in inner[1]._ot_study.trials]
    assert fold0 == [0.0, 2.0, 4.0] and fold1 == [1.0, 3.0]


def test_same_seed_same_suggestions_as_a_tuner_per_fold() -> None:
    alone = _optuna(7)
    first = alone.suggest("a")
    routed = FoldSearcher({0: _optuna(5), 1: _optuna(7)}, {0: 1, 1: 1}, FOLD_KEY, "score")
    routed.suggest("t0")
    second = routed.suggest("t1")
    assert second == {FOLD_KEY: 1, BATCH_KEY: [first]}


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


def test_a_trial_asks_a_batch_of_sets_and_tells_each_score_back() -> None:
    inner = {0: _optuna(1), 1: _optuna(2)}
    searcher = FoldSearcher(inner, {0: 7, 1: 4}, FOLD_KEY, "score", batch=3)
    configs = [searcher.suggest(f"t{i}") for i in range(6)]
    sizes = [(c[FOLD_KEY], len(c[BATCH_KEY])) for c in configs[:5]]  # type: ignore[index]
    assert sizes == [(0, 3), (1, 3), (0, 3), (1, 1), (0, 1)]  # 7 + 4 parameter sets in all
    assert configs[5] == Searcher.FINISHED
    for i, config in enumerate(configs[:5]):
        n = len(config[BATCH_KEY])  # type: ignore[index]
        scores = [10.0 * i + j for j in range(n)]
        searcher.on_trial_result(f"t{i}", {"score": max(scores), "scores": scores, "training_iteration": 1})
        searcher.on_trial_complete(f"t{i}", {"score": max(scores), "scores": scores, "training_iteration": 2})
    fold0, fold1 = inner[0]._ot_study.trials, inner[1]._ot_study.trials
    assert [t.value for t in fold0] == [0.0, 1.0, 2.0, 20.0, 21.0, 22.0, 40.0]
    assert [t.value for t in fold1] == [10.0, 11.0, 12.0, 30.0]
    # each set is its own Optuna trial with its own parameters and intermediate value
    assert [t.params["x"] for t in fold0[:3]] == [c["x"] for c in configs[0][BATCH_KEY]]  # type: ignore[index]
    assert all(t.intermediate_values == {1: t.value} for t in fold0 + fold1)


def test_a_failed_batch_fails_every_set() -> None:
    inner = {0: _optuna(3)}
    searcher = FoldSearcher(inner, {0: 4}, FOLD_KEY, "score", batch=2)
    searcher.suggest("a")
    searcher.suggest("b")
    searcher.on_trial_complete("a", None, error=True)
    searcher.on_trial_complete("b", {"score": 1.0, "scores": [1.0, 0.5]})
    states = [t.state for t in inner[0]._ot_study.trials]
    assert states == [optuna.trial.TrialState.FAIL] * 2 + [optuna.trial.TrialState.COMPLETE] * 2


def test_saving_the_searcher_writes_nothing_and_does_not_fail(tmp_path: Any) -> None:
    searcher = FoldSearcher({0: _optuna(1)}, {0: 2}, FOLD_KEY, "score")
    searcher.save_to_dir(str(tmp_path), session_str="s")  # what Tune calls at each experiment save
    searcher.save(str(tmp_path / "state.pkl"))  # Searcher's own raises NotImplementedError
    assert list(tmp_path.iterdir()) == []
