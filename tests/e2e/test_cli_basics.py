"""The ``openalpha`` command as a user runs it: version, help, config check and bad input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from openalpha import __version__


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "openalpha", *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def test_version_and_help() -> None:
    out = run("--version")
    assert out.returncode == 0 and out.stdout.strip() == f"openalpha {__version__}"
    out = run("--help")
    assert out.returncode == 0 and "config" in out.stdout


def test_config_check_default_ok() -> None:
    out = run("config", "check")
    assert out.returncode == 0, out.stderr
    assert "ok" in out.stdout


def test_config_check_bad_file_is_one_line_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "x.toml"
    bad.write_text('[risk]\naccount_drawdown_limit = "high"\n')
    out = run("config", "check", str(bad))
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert lines == [
        f'openalpha: error: {bad}: risk.account_drawdown_limit: expected float in (0, 1], got "high"'
    ]


def test_unknown_command_is_one_line_exit_2() -> None:
    out = run("frobnicate")
    assert out.returncode == 2
    assert len(out.stderr.strip().splitlines()) == 1 and "invalid choice" in out.stderr
