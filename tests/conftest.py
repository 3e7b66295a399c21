"""Fixtures shared by every test tier.

* ``shared_data``: the real market data beside the checkout (``../shared/data``; override with
  ``OPENALPHA_SHARED_DATA``). Tests that need it fail loudly when it is missing — never skip.
* ``oa_home``: an empty ``OPENALPHA_HOME`` for the test, so nothing touches ``~/.openalpha``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def shared_data_dir() -> Path:
    override = os.environ.get("OPENALPHA_SHARED_DATA")
    path = Path(override) if override else REPO.parent / "shared" / "data"
    if not (path / "MANIFEST.md").exists():
        raise RuntimeError(f"real market data not found at {path} (set OPENALPHA_SHARED_DATA)")
    return path


@pytest.fixture(scope="session")
def shared_data() -> Path:
    return shared_data_dir()


@pytest.fixture
def oa_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "oa_home"
    home.mkdir()
    monkeypatch.setenv("OPENALPHA_HOME", str(home))
    monkeypatch.delenv("OPENALPHA_DATABASE_URL", raising=False)
    return home
