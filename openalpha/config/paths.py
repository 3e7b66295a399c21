"""Where Open Alpha keeps its files (ARCHITECTURE §7): ``$OPENALPHA_HOME`` or ``~/.openalpha``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


def home_dir(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    raw = env.get("OPENALPHA_HOME")
    return Path(raw).expanduser() if raw else Path.home() / ".openalpha"


@dataclass(frozen=True)
class Paths:
    """The layout under the home directory."""

    home: Path

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Paths:
        return cls(home_dir(environ))

    @property
    def data(self) -> Path:
        return self.home / "data"

    @property
    def database(self) -> Path:
        return self.home / "openalpha.db"

    @property
    def vault(self) -> Path:
        return self.home / "vault"

    @property
    def runs(self) -> Path:
        return self.home / "runs"

    @property
    def models(self) -> Path:
        return self.home / "models"

    def database_url(self, environ: Mapping[str, str] | None = None) -> str:
        env = os.environ if environ is None else environ
        return env.get("OPENALPHA_DATABASE_URL") or f"sqlite:///{self.database}"
