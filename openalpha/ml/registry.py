"""The model registry: trained models as files under ``$OPENALPHA_HOME/models`` plus a ledger row.

Layout: ``<root>/<name>/v<version>/model.pkl`` and ``manifest.json`` (:class:`ModelManifest`:
features, training window, CV scores, hyper-parameters and the SHA-256 of ``model.pkl``). A
version is written into a temporary directory and renamed into place, so a crash never leaves
a half-written model. :meth:`ModelRegistry.load` refuses a model whose file does not match the
hash in its manifest (the pickle is only ever read after that check).

The ledger row is written by :func:`record_in_ledger` through any repository with a
``register_model(record)`` method (``openalpha.store``'s ``RegistryRepository``); this module
imports no database library.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import msgspec

from openalpha.ml.errors import ModelRegistryError
from openalpha.ml.models import TabularModel

MODEL_FILE = "model.pkl"
MANIFEST_FILE = "manifest.json"


class ModelManifest(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    version: int
    kind: str
    task: str
    features: list[str]
    created_ts: int  # ms UTC
    train_start_ms: int
    train_end_ms: int
    n_samples: int
    sha256: str
    path: str  # relative to the registry root
    symbol: str = ""
    interval: str = ""
    label: dict[str, Any] = {}
    cv_scores: list[float] = []
    spec: dict[str, Any] = {}
    metrics: dict[str, Any] = {}

    @property
    def cv_mean(self) -> float | None:
        return sum(self.cv_scores) / len(self.cv_scores) if self.cv_scores else None


def _check_name(name: str) -> None:
    if not name or not all(c.isalnum() or c in "-_." for c in name) or name.startswith("."):
        raise ModelRegistryError(f"bad model name {name!r}: use letters, digits, '-', '_' or '.'")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync_write(path: Path, data: bytes) -> None:
    with path.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


class ModelRegistry:
    """Versioned models in a directory (``Paths.from_env().models`` in normal use)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def versions(self, name: str) -> list[int]:
        _check_name(name)
        folder = self.root / name
        if not folder.is_dir():
            return []
        found = [p.name[1:] for p in folder.iterdir() if p.is_dir() and p.name.startswith("v")]
        return sorted(int(v) for v in found if v.isdigit())

    def names(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and self.versions(p.name))

    def save(
        self,
        model: TabularModel,
        name: str,
        *,
        train_start_ms: int,
        train_end_ms: int,
        n_samples: int,
        symbol: str = "",
        interval: str = "",
        label: dict[str, Any] | None = None,
        cv_scores: list[float] | None = None,
        metrics: dict[str, Any] | None = None,
    ) -> ModelManifest:
        """Write ``model`` as the next version of ``name``; returns its manifest."""
        _check_name(name)
        if not model.fitted:
            raise ModelRegistryError("cannot register a model that is not trained")
        folder = self.root / name
        folder.mkdir(parents=True, exist_ok=True)
        version = (self.versions(name) or [0])[-1] + 1
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=folder))
        try:
            _fsync_write(tmp / MODEL_FILE, pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))
            manifest = ModelManifest(
                name=name, version=version, kind=model.spec.kind, task=model.spec.task,
                features=list(model.feature_names), created_ts=int(time.time() * 1000),
                train_start_ms=train_start_ms, train_end_ms=train_end_ms, n_samples=n_samples,
                sha256=_sha256(tmp / MODEL_FILE), path=f"{name}/v{version}/{MODEL_FILE}", symbol=symbol,
                interval=interval, label=label or {}, cv_scores=list(cv_scores or []),
                spec=msgspec.structs.asdict(model.spec), metrics=metrics or {},
            )  # fmt: skip
            _fsync_write(tmp / MANIFEST_FILE, msgspec.json.format(msgspec.json.encode(manifest)))
            os.rename(tmp, folder / f"v{version}")
        except OSError as err:
            raise ModelRegistryError(f"cannot write model {name} v{version}: {err}") from None
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        return manifest

    def manifest(self, name: str, version: int | None = None) -> ModelManifest:
        """The manifest of ``name`` at ``version`` (latest when None)."""
        versions = self.versions(name)
        if not versions:
            raise ModelRegistryError(f"no model named {name!r} in {self.root}")
        version = versions[-1] if version is None else version
        if version not in versions:
            raise ModelRegistryError(f"model {name!r} has no version {version} (have {versions})")
        path = self.root / name / f"v{version}" / MANIFEST_FILE
        try:
            return msgspec.json.decode(path.read_bytes(), type=ModelManifest)
        except (OSError, msgspec.DecodeError) as err:
            raise ModelRegistryError(f"unreadable manifest {path}: {err}") from None

    def load(self, name: str, version: int | None = None) -> tuple[TabularModel, ModelManifest]:
        """The model and its manifest; refuses a file whose hash differs from the manifest."""
        manifest = self.manifest(name, version)
        path = self.root / manifest.path
        if not path.is_file():
            raise ModelRegistryError(f"model file missing: {path}")
        actual = _sha256(path)
        if actual != manifest.sha256:
            raise ModelRegistryError(
                f"model {name} v{manifest.version} failed its hash check (file {actual[:12]}…, "
                f"manifest {manifest.sha256[:12]}…); refusing to load it"
            )
        model = pickle.loads(path.read_bytes())
        if not isinstance(model, TabularModel) or model.feature_names != manifest.features:
            raise ModelRegistryError(f"model {name} v{manifest.version} does not match its manifest")
        return model, manifest


class ModelLedger(Protocol):
    """The part of the ledger's registry repository this module needs."""

    def register_model(self, model: Any) -> None: ...


def ledger_fields(manifest: ModelManifest) -> dict[str, Any]:
    """The ledger row's fields for ``manifest`` (``openalpha.store.ModelRecord``'s constructor)."""
    return {
        "name": manifest.name,
        "version": manifest.version,
        "kind": manifest.kind,
        "path": manifest.path,
        "sha256": manifest.sha256,
        "created_ts": manifest.created_ts,
        "params": {
            "task": manifest.task,
            "features": manifest.features,
            "symbol": manifest.symbol,
            "interval": manifest.interval,
            "label": manifest.label,
            "spec": manifest.spec,
            "train_start_ms": manifest.train_start_ms,
            "train_end_ms": manifest.train_end_ms,
            "n_samples": manifest.n_samples,
        },
        "metrics": {**manifest.metrics, "cv_scores": manifest.cv_scores, "cv_mean": manifest.cv_mean},
    }


def record_in_ledger(repo: ModelLedger, manifest: ModelManifest, record_type: Callable[..., Any]) -> Any:
    """Write the ledger row of ``manifest`` via ``repo.register_model(record_type(**fields))``."""
    record = record_type(**ledger_fields(manifest))
    repo.register_model(record)
    return record
