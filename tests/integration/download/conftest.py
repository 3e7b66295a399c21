"""Fixtures: real Bybit history in a store the simulator serves, and an empty store to fill."""

from __future__ import annotations

from pathlib import Path

import pytest

from openalpha.data.store import ParquetStore
from tests.integration.sim_market.realstore import MS_2026_05_01, MS_2026_06_01, build_real_store


@pytest.fixture(scope="module")
def source_store(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> ParquetStore:
    """One month (2026-05) of BTCUSDT/ETHUSDT perp 5 min, 1 h mark, funding, BTCUSDT spot 5 min."""
    return build_real_store(tmp_path_factory.mktemp("dl_source"), shared_data, MS_2026_05_01, MS_2026_06_01)


@pytest.fixture(scope="module")
def full_store(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> ParquetStore:
    """All of the shared BTCUSDT/ETHUSDT history (2025-09-24 .. 2026-07-21)."""
    return build_real_store(tmp_path_factory.mktemp("dl_full"), shared_data)


@pytest.fixture
def target(tmp_path: Path) -> ParquetStore:
    return ParquetStore(tmp_path / "downloaded")
