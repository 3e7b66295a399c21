"""Every fold of a walk-forward in ONE Ray Tune run, each fold still searched on its own.

A ``Tuner`` per fold pays Tune's start-up (trial actors are new worker processes that import
pandas, numba and the engine) once per fold, and its last trials leave CPUs idle while the
next fold cannot start. Here one ``Tuner`` runs the trials of all folds, interleaved, on the
same reused actors. Nothing is shared between folds that a walk-forward must keep apart:

* :class:`FoldSearcher` routes each trial to its fold's own ``OptunaSearch`` (its own TPE
  study, seeded ``seed + fold`` as before), which sees only that fold's scores;
* :class:`FoldScheduler` routes each trial to its fold's own ASHA scheduler, so early stopping
  compares a trial only with trials of the same fold (scores of different training windows
  are not comparable, and a later window overlaps an earlier fold's test period).

The fold number rides in the trial's config under ``fold_key``.
"""

from __future__ import annotations

from typing import Any

from ray.tune.experiment import Trial
from ray.tune.schedulers import FIFOScheduler, TrialScheduler
from ray.tune.search import Searcher


class FoldSearcher(Searcher):  # type: ignore[misc]
    """One searcher per fold behind one Tune search algorithm.

    ``inner[fold]`` must already know its metric, mode and search space. Trials are handed out
    round-robin over the folds that have budget left (``budget[fold]`` trials each), so the
    folds progress together and every fold's study gets its results back early.
    """

    def __init__(
        self, inner: dict[int, Searcher], budget: dict[int, int], fold_key: str, metric: str
    ) -> None:
        super().__init__(metric=metric, mode="max")
        self.inner = inner
        self.left = dict(budget)
        self.fold_key = fold_key
        self.fold_of: dict[str, int] = {}
        self._order = sorted(inner)
        self._next = 0

    def set_search_properties(
        self, metric: str | None, mode: str | None, config: dict[str, Any], **spec: Any
    ) -> bool:
        return not config  # the folds' spaces are set already; Tune's own space must be empty

    def suggest(self, trial_id: str) -> dict[str, Any] | str | None:
        folds = self._order
        for i in range(len(folds)):
            fold = folds[(self._next + i) % len(folds)]
            if self.left[fold] <= 0:
                continue
            config = self.inner[fold].suggest(trial_id)
            if config is None or config == Searcher.FINISHED:
                self.left[fold] = 0
                continue
            self.left[fold] -= 1
            self.fold_of[trial_id] = fold
            self._next = (self._next + i + 1) % len(folds)
            return {**config, self.fold_key: fold}
        return Searcher.FINISHED  # type: ignore[no-any-return]

    def on_trial_result(self, trial_id: str, result: dict[str, Any]) -> None:
        self.inner[self.fold_of[trial_id]].on_trial_result(trial_id, result)

    def on_trial_complete(
        self, trial_id: str, result: dict[str, Any] | None = None, error: bool = False
    ) -> None:
        self.inner[self.fold_of[trial_id]].on_trial_complete(trial_id, result=result, error=error)


class FoldScheduler(FIFOScheduler):  # type: ignore[misc]
    """Routes every scheduling event of a trial to its fold's scheduler (e.g. ASHA); trials are
    started in submission order, like ASHA itself does."""

    def __init__(self, inner: dict[int, TrialScheduler], fold_key: str) -> None:
        super().__init__()
        self.inner = inner
        self.fold_key = fold_key
        self._supports_buffered_results = all(s.supports_buffered_results for s in inner.values())

    def _of(self, trial: Trial) -> TrialScheduler:
        return self.inner[int(trial.config[self.fold_key])]

    def set_search_properties(self, metric: str | None, mode: str | None, **spec: Any) -> bool:
        ok = [s.set_search_properties(metric, mode, **spec) for s in self.inner.values()]
        if metric:
            self._metric = metric
        return all(ok)

    def on_trial_add(self, tune_controller: Any, trial: Trial) -> None:
        self._of(trial).on_trial_add(tune_controller, trial)

    def on_trial_error(self, tune_controller: Any, trial: Trial) -> None:
        self._of(trial).on_trial_error(tune_controller, trial)

    def on_trial_result(self, tune_controller: Any, trial: Trial, result: dict[str, Any]) -> str:
        return str(self._of(trial).on_trial_result(tune_controller, trial, result))

    def on_trial_complete(self, tune_controller: Any, trial: Trial, result: dict[str, Any]) -> None:
        self._of(trial).on_trial_complete(tune_controller, trial, result)

    def on_trial_remove(self, tune_controller: Any, trial: Trial) -> None:
        self._of(trial).on_trial_remove(tune_controller, trial)

    def debug_string(self) -> str:
        return f"One scheduler per fold ({len(self.inner)} folds)."


__all__ = ["FoldScheduler", "FoldSearcher"]
