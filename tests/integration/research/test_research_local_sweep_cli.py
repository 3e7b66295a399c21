"""`openalpha sweep --local`: the same walk-forward with Optuna alone in this process (no Ray):
the same statistics and saved run, recorded in the ledger; bad flag combinations are one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from openalpha.cli import main

from .conftest import SMALL_SWEEP


def test_local_sweep_runs_end_to_end_without_ray(
    research_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OPENALPHA_HOME", str(research_home))
    config = tmp_path / "local.toml"
    config.write_text(SMALL_SWEEP.replace("{algorithm}", "optuna").replace('"itest"', '"itest_local"'))
    before = set((research_home / "runs").glob("*")) if (research_home / "runs").exists() else set()
    assert main(["sweep", str(config), "--local", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "Optuna alone in this process" in out and "verdict:" in out and "PBO" in out
    new = [p for p in (research_home / "runs").glob("*-sweep-itest_local") if p not in before]
    assert len(new) == 1
    doc = json.loads((new[0] / "run.json").read_text())
    assert doc["folds"] == 2 and doc["trials"] == 8  # 40 days: 2 folds x 4 trials, as on Tune
    assert doc["summary"]["dsr"] is not None and doc["summary"]["montecarlo"]
    assert not (research_home / "runs" / ".tune" / f"{new[0].name}_folds").exists()  # Tune never ran
    assert main(["runs", "list"]) == 0
    assert new[0].name in capsys.readouterr().out  # recorded in the ledger


@pytest.mark.parametrize("extra", [["--address", "127.0.0.1:1"], ["--cpus", "2"]])
def test_local_refuses_ray_options(
    oa_home: Path, small_sweep: Path, capsys: pytest.CaptureFixture[str], extra: list[str]
) -> None:
    assert main(["sweep", str(small_sweep), "--local", *extra]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "--local runs in this process without Ray" in err
    assert not (oa_home / "runs").exists()
