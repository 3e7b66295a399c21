"""`openalpha sweep` and `openalpha runs` as a user runs them: bad input is one line, exit 2, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from openalpha.cli import main


def test_bad_sweep_config_fails_before_any_work(
    oa_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\nstrategy = "sma_cross"\nsymbols = ["BTCUSDT"]\n[search]\nfastest = {}\n')
    assert main(["sweep", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "no parameter 'fastest'" in err
    assert main(["sweep", str(tmp_path / "missing.toml")]) == 2
    assert "file not found" in capsys.readouterr().err
    assert not (oa_home / "runs").exists()


def test_sweep_without_data_says_so(oa_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = Path(__file__).resolve().parents[2] / "configs" / "sweeps" / "sma_cross.toml"
    assert main(["sweep", str(config), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("openalpha: error:") and "BTCUSDT" in err and err.count("\n") == 0
    assert not (oa_home / "runs").exists()


def test_runs_list_and_show(oa_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["runs", "list"]) == 0
    assert "no runs yet" in capsys.readouterr().out
    assert main(["runs", "show", "20990101-000000-sweep-x"]) == 2
    assert "no run" in capsys.readouterr().err
    assert main(["runs", "show", "../x"]) == 2
