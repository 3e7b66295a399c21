"""Model registry files: versions, manifest, hash check, atomicity; the ledger-row function."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import numpy as np
import pytest

from openalpha.config.paths import Paths
from openalpha.ml.errors import ModelRegistryError
from openalpha.ml.models import ModelSpec, TabularModel
from openalpha.ml.registry import ModelManifest, ModelRegistry, ledger_fields, record_in_ledger


@pytest.fixture
def trained(btc_training) -> tuple[TabularModel, Any]:  # type: ignore[no-untyped-def]
    X, y, _ = btc_training
    return TabularModel(ModelSpec(n_estimators=10, max_depth=3)).fit(X, y), X


def _save(reg: ModelRegistry, model: TabularModel, X: Any, name: str = "btc_trend") -> ModelManifest:
    return reg.save(
        model, name, train_start_ms=int(X.index[0].value // 1_000_000),
        train_end_ms=int(X.index[-1].value // 1_000_000), n_samples=len(X), symbol="BTCUSDT",
        interval="60", label={"kind": "triple_barrier", "horizon": 12}, cv_scores=[0.69, 0.70],
    )  # fmt: skip


def test_save_and_load_round_trip_under_openalpha_home(oa_home: Path, trained) -> None:  # type: ignore[no-untyped-def]
    model, X = trained
    reg = ModelRegistry(Paths.from_env().models)
    m1 = _save(reg, model, X)
    m2 = _save(reg, model, X)
    assert (m1.version, m2.version) == (1, 2)
    assert reg.versions("btc_trend") == [1, 2] and reg.names() == ["btc_trend"]
    folder = oa_home / "models" / "btc_trend" / "v1"
    assert sorted(p.name for p in folder.iterdir()) == ["manifest.json", "model.pkl"]
    on_disk = msgspec.json.decode((folder / "manifest.json").read_bytes(), type=ModelManifest)
    assert on_disk == m1 and on_disk.features == model.feature_names
    assert on_disk.cv_mean == pytest.approx(0.695) and on_disk.spec["n_estimators"] == 10
    loaded, manifest = reg.load("btc_trend")
    assert manifest.version == 2
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert not list((oa_home / "models" / "btc_trend").glob(".tmp-*"))


def test_a_tampered_model_file_is_refused(tmp_path: Path, trained) -> None:  # type: ignore[no-untyped-def]
    model, X = trained
    reg = ModelRegistry(tmp_path)
    _save(reg, model, X)
    path = tmp_path / "btc_trend" / "v1" / "model.pkl"
    path.write_bytes(path.read_bytes() + b"x")
    with pytest.raises(ModelRegistryError, match="failed its hash check"):
        reg.load("btc_trend")


def test_registry_errors_are_one_line(tmp_path: Path, trained) -> None:  # type: ignore[no-untyped-def]
    model, X = trained
    reg = ModelRegistry(tmp_path)
    with pytest.raises(ModelRegistryError, match="no model named 'nope'"):
        reg.load("nope")
    with pytest.raises(ModelRegistryError, match="bad model name"):
        _save(reg, model, X, name="../evil")
    with pytest.raises(ModelRegistryError, match="not trained"):
        _save(reg, TabularModel(), X)
    _save(reg, model, X)
    with pytest.raises(ModelRegistryError, match="has no version 7"):
        reg.load("btc_trend", 7)


class _FakeRecord(msgspec.Struct, kw_only=True):
    name: str
    version: int
    kind: str
    path: str
    sha256: str
    created_ts: int
    params: dict[str, Any] = {}
    metrics: dict[str, Any] = {}


class _FakeRepo:
    def __init__(self) -> None:
        self.rows: list[Any] = []

    def register_model(self, model: Any) -> None:
        self.rows.append(model)


def test_record_in_ledger_passes_the_manifest_to_the_repository(tmp_path: Path, trained) -> None:  # type: ignore[no-untyped-def]
    model, X = trained
    manifest = _save(ModelRegistry(tmp_path), model, X)
    repo = _FakeRepo()
    record = record_in_ledger(repo, manifest, _FakeRecord)
    assert repo.rows == [record]
    assert record.sha256 == manifest.sha256 and record.path == "btc_trend/v1/model.pkl"
    assert record.params["features"] == model.feature_names
    assert record.metrics["cv_scores"] == [0.69, 0.70]
    assert set(ledger_fields(manifest)) == {
        "name",
        "version",
        "kind",
        "path",
        "sha256",
        "created_ts",
        "params",
        "metrics",
    }
