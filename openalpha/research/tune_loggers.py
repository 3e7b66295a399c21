"""Tune's own CSV and JSON result files, without a batch's bulky payload.

The last result of a batched Tune trial carries every parameter set's record, daily returns
included (thousands of floats, packed into one string by ``trial.pack_records``). Tune's
default loggers would write all of it to ``result.json`` and ``progress.csv`` in the driver,
~15 ms per Tune trial (measured before the packing); the run directory
keeps those returns anyway (``trials.parquet``). These loggers write the rest of each result
(scores, trade counts, timings, config). Passing them stops Tune from adding its CSV and JSON
defaults; :func:`result_loggers` also sets ``TUNE_DISABLE_AUTO_CALLBACK_LOGGERS=1`` (unless the
environment says otherwise) so Tune does not add its TensorBoard logger, ~7 ms of driver time
per Tune trial that nothing reads.
"""

from __future__ import annotations

import os
from typing import Any

from ray.tune.experiment import Trial
from ray.tune.logger import CSVLoggerCallback, JsonLoggerCallback

BULKY = ("records",)


def slim(result: dict[str, Any]) -> dict[str, Any]:
    """``result`` without the keys in :data:`BULKY`."""
    return {k: v for k, v in result.items() if k not in BULKY}


class SlimCsvLogger(CSVLoggerCallback):  # type: ignore[misc]
    def log_trial_result(self, iteration: int, trial: Trial, result: dict[str, Any]) -> None:
        super().log_trial_result(iteration, trial, slim(result))


class SlimJsonLogger(JsonLoggerCallback):  # type: ignore[misc]
    def log_trial_result(self, iteration: int, trial: Trial, result: dict[str, Any]) -> None:
        super().log_trial_result(iteration, trial, slim(result))


def result_loggers() -> list[Any]:
    os.environ.setdefault("TUNE_DISABLE_AUTO_CALLBACK_LOGGERS", "1")  # read when Tune starts a run
    return [SlimCsvLogger(), SlimJsonLogger()]


__all__ = ["BULKY", "SlimCsvLogger", "SlimJsonLogger", "result_loggers", "slim"]
