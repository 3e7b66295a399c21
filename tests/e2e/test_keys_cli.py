"""``openalpha keys`` as a user runs it (subprocesses without a terminal)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

API_KEY = "XBkq7PLw2hN9aRtY0c"
SECRET = "q8Zr1VnT5yWcK3mLpE7sXb2HfJ9uGdA4oQ6i"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def keys(
    home: Path, *args: str, stdin: str = "", master: str | None = "m4ster-key"
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENALPHA_")}
    env["OPENALPHA_HOME"] = str(home)
    if master is not None:
        env["OPENALPHA_MASTER_KEY"] = master
    return subprocess.run(
        [sys.executable, "-m", "openalpha", "keys", *args],
        input=stdin, capture_output=True, text=True, env=env, timeout=60,
        start_new_session=True,  # no controlling terminal: nothing may prompt
    )  # fmt: skip


def one_line_error(out: subprocess.CompletedProcess[str], text: str) -> None:
    assert out.returncode == 2, out
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and text in lines[0], lines


def vault_files(home: Path) -> dict[str, bytes]:
    directory = home / "vault"
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())} if directory.exists() else {}


def test_keys_set_list_delete(home: Path) -> None:
    out = keys(home, "set", "--env", "demo", "--api-key", API_KEY, "--secret-stdin", stdin=SECRET + "\n")
    assert out.returncode == 0, out.stderr
    assert "stored the demo key XBkq…tY0c" in out.stdout
    assert stat.S_IMODE((home / "vault" / "demo.json").stat().st_mode) == 0o600
    assert keys(home, "set", "--env", "mainnet", "--api-key", "MAINKEY0123456789", "--secret-stdin",
                stdin="another-secret-0123").returncode == 0  # fmt: skip

    listed = keys(home, "list", master=None)  # listing needs no master key
    assert listed.returncode == 0, listed.stderr
    rows = listed.stdout.strip().splitlines()
    assert rows[0].split() == ["ENV", "KEY", "CREATED", "(UTC)"]
    assert [r.split()[:2] for r in rows[1:]] == [["demo", "XBkq…tY0c"], ["mainnet", "MAIN…6789"]]

    everything = out.stdout + out.stderr + listed.stdout + listed.stderr + str(vault_files(home))
    assert SECRET not in everything and API_KEY not in everything

    deleted = keys(home, "delete", "--env", "demo")
    assert deleted.returncode == 0 and "deleted the demo key" in deleted.stdout
    assert list(vault_files(home)) == ["mainnet.json"]
    one_line_error(keys(home, "delete", "--env", "demo"), "no key stored for demo")


def test_keys_wrong_master_key_changes_nothing(home: Path) -> None:
    assert (
        keys(home, "set", "--env", "testnet", "--api-key", API_KEY, "--secret-stdin", stdin=SECRET).returncode
        == 0
    )
    before = vault_files(home)
    wrong = {"master": "not-the-master-key"}
    one_line_error(
        keys(home, "set", "--env", "demo", "--api-key", API_KEY, "--secret-stdin", stdin=SECRET, **wrong),
        "wrong master key",
    )
    one_line_error(
        keys(home, "set", "--env", "testnet", "--api-key", "NEWKEY0123456789", "--secret-stdin",
             stdin="x" * 20, **wrong),
        "wrong master key",
    )  # fmt: skip
    one_line_error(keys(home, "delete", "--env", "testnet", **wrong), "wrong master key")
    assert vault_files(home) == before


def test_keys_refuse_bad_input(home: Path) -> None:
    one_line_error(keys(home, "set", "--env", "paper", "--api-key", API_KEY, "--secret-stdin", stdin=SECRET),
                   "invalid choice: 'paper'")  # fmt: skip
    one_line_error(keys(home, "set", "--env", "demo", "--api-key", API_KEY, "--secret", SECRET),
                   "unrecognized arguments")  # fmt: skip
    one_line_error(keys(home, "set", "--env", "demo", "--api-key", API_KEY, "--secret-stdin", stdin="\n"),
                   "stdin was empty")  # fmt: skip
    one_line_error(
        keys(home, "set", "--env", "demo", "--api-key", API_KEY), "no terminal to ask for the api secret"
    )
    one_line_error(keys(home, "set", "--env", "demo", "--secret-stdin", stdin=SECRET), "pass --api-key")
    one_line_error(
        keys(home, "set", "--env", "demo", "--api-key", API_KEY, "--secret-stdin", stdin=SECRET, master=None),
        "set OPENALPHA_MASTER_KEY",
    )
    assert vault_files(home) == {}
    empty = keys(home, "list", master=None)
    assert empty.returncode == 0 and "no API keys stored" in empty.stdout
