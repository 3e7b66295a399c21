"""``openalpha ml train|list`` as a user runs it, on the real Bybit sample shipped with the package,
and ``ml_trend`` loading the trained model from the registry as a live strategy does."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from openalpha.data.sample import SAMPLE_DIR


@pytest.fixture
def home(oa_home: Path) -> Path:
    (oa_home / "data").symlink_to(SAMPLE_DIR)  # read-only use of the shipped store
    return oa_home


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OPENALPHA_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "openalpha", "ml", *args], capture_output=True, text=True, env=env, timeout=300
    )


def _one_line_error(res: subprocess.CompletedProcess[str], needle: str) -> None:
    assert res.returncode == 2, res.stdout + res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], res.stderr


TRAIN = ["train", "--name", "btc_trend", "--symbol", "BTCUSDT", "--start", "2025-01-01", "--end", "2025-05-01",
         "--trees", "20", "--folds", "3", "--horizon", "12"]  # fmt: skip


def test_ml_train_registers_a_model_that_ml_trend_loads_live(home: Path) -> None:
    res = _cli(home, *TRAIN)
    assert res.returncode == 0, res.stderr
    assert "registered btc_trend v1" in res.stdout
    assert "out of sample (purged CV): log loss" in res.stdout
    assert "use it: ml_trend registry_model=btc_trend interval=60" in res.stdout
    listing = _cli(home, "list")
    assert listing.returncode == 0 and "btc_trend" in listing.stdout and "BTCUSDT" in listing.stdout

    from openalpha.data.load import load_market_data
    from openalpha.data.store import ParquetStore
    from openalpha.domain import MarketData
    from openalpha.ml.registry import ModelRegistry
    from openalpha.strategies.ml_trend import MLTrend

    _model, manifest = ModelRegistry(home / "models").load("btc_trend")
    assert manifest.symbol == "BTCUSDT" and len(manifest.cv_scores) == 3
    assert not {"basis_mark", "basis_spot"} & set(manifest.features)  # live-safe: bars and funding only
    full = load_market_data(["BTCUSDT"], "60", "2025-05-01", "2025-07-01", store=ParquetStore(SAMPLE_DIR))
    live = MarketData(interval="60", bars=full.bars, funding=full.funding)  # what the runtime feeds
    strategy = MLTrend(registry_model="btc_trend")
    window = live.tail(strategy.warmup() + 1)
    p, conf = strategy.live_predictions(window)["BTCUSDT"]
    assert 0.0 < p < 1.0 and math.isclose(conf, abs(2 * p - 1))
    assert strategy.latest_targets(window) == strategy.targets(window).iloc[-1].to_dict()


def test_ml_train_bad_input_is_one_line_and_writes_nothing(home: Path) -> None:
    _one_line_error(
        _cli(home, "train", "--name", "x", "--symbol", "NOPEUSDT"), "no kline 60 data for NOPEUSDT"
    )
    _one_line_error(_cli(home, *TRAIN[:-6], "--trees", "0"), "bad model setting")
    _one_line_error(_cli(home, *TRAIN, "--features", "rsi_14,nope"), "unknown feature 'nope'")
    _one_line_error(_cli(home, *TRAIN, "--folds", "1"), "--folds must be at least 2")
    bad_name = [*TRAIN]
    bad_name[2] = "../escape"
    _one_line_error(_cli(home, *bad_name), "bad model name")
    assert not (home / "models").exists() or not any((home / "models").iterdir())
    assert _cli(home, "list").stdout.startswith("no models in")
