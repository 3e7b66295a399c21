"""``openalpha sim`` rejects a malformed fault file in one line before it listens."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[nonsense\n", "not valid TOML"),
        ('http_5xx = "often"\n', "--faults:"),
    ],
)
def test_bad_fault_file_is_one_line_exit_2(tmp_path: Path, text: str, message: str) -> None:
    faults = tmp_path / "faults.toml"
    faults.write_text(text)
    out = subprocess.run(
        [sys.executable, "-m", "openalpha", "sim", "--port", "0", "--faults", str(faults)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], out.stderr
    assert "listening" not in out.stdout
