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

**Batches.** Tune costs a fixed amount of driver and worker time per trial (scheduling, result
processing, experiment bookkeeping), which for a 50 ms backtest is as much as the backtest. So
one Tune trial scores a *batch* of parameter sets: :class:`FoldSearcher` asks the fold's
``OptunaSearch`` for ``batch`` sets (each an Optuna trial of its own, under the id
``<tune trial id>~<j>``), the trainable scores all of them on that fold's training window, and
every set's score is told back to that fold's study. Every set is a trial of the search
(TPE's model, DSR's trial count, PBO's returns matrix); a Tune trial is only the unit of work.
An early-stopping scheduler sees a batch as one trial whose score is the best of its sets.
"""

from __future__ import annotations

from typing import Any

from ray.tune.experiment import Trial
from ray.tune.schedulers import FIFOScheduler, TrialScheduler
from ray.tune.search import Searcher

BATCH_KEY = "_batch"


class FoldSearcher(Searcher):  # type: ignore[misc]
    """One searcher per fold behind one Tune search algorithm, ``batch`` parameter sets a trial.

    ``inner[fold]`` must already know its metric, mode and search space. Tune trials are handed
    out round-robin over the folds that have budget left (``budget[fold]`` parameter sets each),
    so the folds progress together and every fold's study gets its results back early. A trial's
    config is ``{fold_key: fold, BATCH_KEY: [params, ...]}``; its results carry ``scores``, one
    per set (the last result may lack them if the trial failed).
    """

    def __init__(
        self,
        inner: dict[int, Searcher],
        budget: dict[int, int],
        fold_key: str,
        metric: str,
        batch: int = 1,
    ) -> None:
        super().__init__(metric=metric, mode="max")
        if batch < 1:
            raise ValueError(f"batch must be >= 1, got {batch}")
        self.inner = inner
        self.left = dict(budget)
        self.fold_key = fold_key
        self.batch = batch
        self.fold_of: dict[str, int] = {}
        self.sets_of: dict[str, list[str]] = {}  # Tune trial id -> the inner ids of its sets
        self._order = sorted(inner)
        self._next = 0

    def set_search_properties(
        self, metric: str | None, mode: str | None, config: dict[str, Any], **spec: Any
    ) -> bool:
        return not config  # the folds' spaces are set already; Tune's own space must be empty

    def save(self, checkpoint_path: str) -> None:
        """Write nothing: a sweep is never resumed from Tune's experiment checkpoint (running it
        again starts afresh). ``Searcher.save`` raises instead, which Ray turns into a "save not
        implemented" warning in every sweep's output."""

    def suggest(self, trial_id: str) -> dict[str, Any] | str | None:
        folds = self._order
        for i in range(len(folds)):
            fold = folds[(self._next + i) % len(folds)]
            sets = self._ask(fold, trial_id)
            if not sets:
                continue
            self.fold_of[trial_id] = fold
            self.sets_of[trial_id] = [sub for sub, _ in sets]
            self._next = (self._next + i + 1) % len(folds)
            return {self.fold_key: fold, BATCH_KEY: [config for _, config in sets]}
        return Searcher.FINISHED  # type: ignore[no-any-return]

    def _ask(self, fold: int, trial_id: str) -> list[tuple[str, dict[str, Any]]]:
        out: list[tuple[str, dict[str, Any]]] = []
        while self.left[fold] > 0 and len(out) < self.batch:
            sub = f"{trial_id}~{len(out)}"
            config = self.inner[fold].suggest(sub)
            if config is None or config == Searcher.FINISHED:
                self.left[fold] = 0
                break
            self.left[fold] -= 1
            out.append((sub, config))
        return out

    def _per_set(self, trial_id: str, result: dict[str, Any] | None) -> list[dict[str, Any] | None]:
        subs = self.sets_of[trial_id]
        scores = (result or {}).get("scores")
        if not isinstance(scores, list) or len(scores) != len(subs):
            return [None] * len(subs)
        return [{**result, self.metric: float(v)} for v in scores]  # type: ignore[dict-item]

    def on_trial_result(self, trial_id: str, result: dict[str, Any]) -> None:
        inner = self.inner[self.fold_of[trial_id]]
        for sub, row in zip(self.sets_of[trial_id], self._per_set(trial_id, result), strict=True):
            if row is not None:
                inner.on_trial_result(sub, row)

    def on_trial_complete(
        self, trial_id: str, result: dict[str, Any] | None = None, error: bool = False
    ) -> None:
        inner = self.inner[self.fold_of[trial_id]]
        for sub, row in zip(self.sets_of[trial_id], self._per_set(trial_id, result), strict=True):
            inner.on_trial_complete(sub, result=row, error=error or row is None)


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


__all__ = ["BATCH_KEY", "FoldScheduler", "FoldSearcher"]
