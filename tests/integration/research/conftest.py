"""Session-scoped local Ray for the research integration tests, and real data in a temporary home.

A Ray session already running in this process is reused (and left running), not initialised again.

``RAY_AUTH_MODE=disabled`` keeps ``ray.init`` from turning token authentication on (and writing
``~/.ray/auth_token``); the token-auth path is exercised by the ``ray job submit`` test itself.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

BTC = "Dkotl_trade_bot/bybit/futures"


@pytest.fixture(scope="session")
def ray_local() -> Iterator[None]:
    os.environ["RAY_AUTH_MODE"] = "disabled"
    os.environ.setdefault("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")
    import ray

    if ray.is_initialized():  # another fixture or test of this session started Ray: reuse it
        yield
        return
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.fixture(scope="session")
def research_home(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An ``OPENALPHA_HOME`` whose store holds real Bybit BTCUSDT perp 5-minute candles and funding,
    imported the way a user does it (``openalpha data import``)."""
    from openalpha.cli import main

    home = tmp_path_factory.mktemp("research_home")
    old = os.environ.get("OPENALPHA_HOME")
    os.environ["OPENALPHA_HOME"] = str(home)
    try:
        code = main([
            "data", "import",
            str(shared_data / BTC / "BTC_USDT_USDT-5m-futures.feather"),
            str(shared_data / BTC / "BTC_USDT_USDT-1h-funding_rate.feather"),
        ])  # fmt: skip
    finally:
        if old is None:
            os.environ.pop("OPENALPHA_HOME", None)
        else:
            os.environ["OPENALPHA_HOME"] = old
    assert code == 0
    return home


SMALL_SWEEP = """
name = "itest"
strategy = "sma_cross"
symbols = ["BTCUSDT"]
interval = "15"
start = "2026-01-01"
end = "2026-02-10"

[search]
fast = { low = 5, high = 60 }
slow = { low = 80, high = 300 }

[objective]
min_trades = 2

[walk_forward]
train = "20D"
test = "10D"
inner_folds = 2

[searcher]
algorithm = "{algorithm}"
trials_per_fold = 4
max_concurrent = 2
grid_points = 2

[montecarlo]
n_sims = 500
"""


@pytest.fixture
def small_sweep(tmp_path: Path) -> Path:
    path = tmp_path / "itest.toml"
    path.write_text(SMALL_SWEEP.replace("{algorithm}", "optuna"))
    return path
