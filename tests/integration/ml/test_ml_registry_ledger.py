"""The registry's ledger row lands in the real ledger (SQLite under OPENALPHA_HOME)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from openalpha.config.paths import Paths
from openalpha.ml.models import ModelSpec, TabularModel
from openalpha.ml.registry import ModelRegistry, record_in_ledger
from openalpha.store import Ledger, ModelRecord


def test_model_row_round_trips_through_the_ledger(oa_home: Path) -> None:
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=300), "b": rng.normal(size=300)})
    y = (X["a"] > 0).astype(float)
    model = TabularModel(ModelSpec(n_estimators=5)).fit(X, y)
    manifest = ModelRegistry(Paths.from_env().models).save(
        model, "demo", train_start_ms=0, train_end_ms=1, n_samples=300, cv_scores=[0.5]
    )
    with Ledger.open() as ledger:
        record_in_ledger(ledger.registry, manifest, ModelRecord)
        row = ledger.registry.latest_model("demo")
    assert row is not None
    assert (row.version, row.sha256, row.path) == (1, manifest.sha256, "demo/v1/model.pkl")
    assert row.params["features"] == ["a", "b"] and row.metrics["cv_mean"] == 0.5
