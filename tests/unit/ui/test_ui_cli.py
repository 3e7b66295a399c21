"""``openalpha ui``: bind rules, password management and one-line errors (in-process, no sockets)."""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any

import pytest
from openalpha.ui.auth import PasswordStore, Role

from openalpha.cli import main


def fake_client(monkeypatch: pytest.MonkeyPatch, connect: Any) -> None:
    """Stand-in for ``openalpha.actors.client`` (the real one imports Ray; unit tests do not)."""
    module = types.ModuleType("openalpha.actors.client")
    module.connect = connect  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "openalpha.actors.client", module)


def test_non_loopback_bind_without_a_password_is_refused(
    oa_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ui", "--host", "0.0.0.0"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "refusing to bind 0.0.0.0 without a dashboard password" in err
    assert not (oa_home / "ui_auth.json").exists()


def test_bad_port_is_a_one_line_error(oa_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ui", "--port", "70000"]) == 2
    assert "--port: 70000 is not a TCP port" in capsys.readouterr().err


def test_password_management(oa_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ui", "--new-admin-password"]) == 0
    first = capsys.readouterr().out.strip().rsplit(" ", 1)[-1]
    assert PasswordStore.load(oa_home / "ui_auth.json").check(first) is Role.ADMIN  # type: ignore[union-attr]
    assert first not in (oa_home / "ui_auth.json").read_text()
    assert main(["ui", "--new-admin-password"]) == 0
    second = capsys.readouterr().out.strip().rsplit(" ", 1)[-1]
    store = PasswordStore.load(oa_home / "ui_auth.json")
    assert store is not None and second != first
    assert store.check(first) is None and store.check(second) is Role.ADMIN
    assert main(["ui", "--new-viewer-password"]) == 0
    viewer = capsys.readouterr().out.strip().rsplit(" ", 1)[-1]
    assert PasswordStore.load(oa_home / "ui_auth.json").check(viewer) is Role.VIEWER  # type: ignore[union-attr]
    assert main(["ui", "--remove-viewer"]) == 0
    assert PasswordStore.load(oa_home / "ui_auth.json").check(viewer) is None  # type: ignore[union-attr]


def test_a_corrupt_password_file_is_a_one_line_error(
    oa_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (oa_home / "ui_auth.json").write_text("{")
    assert main(["ui", "--host", "0.0.0.0"]) == 2
    assert "unreadable or not JSON" in capsys.readouterr().err


def test_missing_runtime_client_is_a_clear_error(
    oa_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "openalpha.actors.client", None)  # import fails
    assert main(["ui", "--address", "127.0.0.1:6379"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "the runtime client is not available" in err


def test_unreachable_runtime_is_a_one_line_error(
    oa_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def refuse(address: str | None = None) -> Any:
        raise RuntimeError(f"nothing answers at {address}\n(ray details)")

    fake_client(monkeypatch, refuse)
    assert main(["ui", "--address", "10.9.9.9:6379"]) == 2
    err = capsys.readouterr().err
    assert (
        err.count("\n") == 1
        and "no Open Alpha runtime at 10.9.9.9:6379: nothing answers at 10.9.9.9:6379" in err
    )


def test_serves_the_connected_runtime_with_the_configured_ui(
    oa_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import openalpha.ui.app as app

    runtime = object()
    calls: list[dict[str, Any]] = []
    fake_client(monkeypatch, lambda address=None: runtime)
    monkeypatch.setattr(app, "serve", lambda control, **kw: calls.append({"control": control, **kw}))
    config = tmp_path / "c.toml"
    config.write_text("[ui]\nport = 9123\nsession_minutes = 15\n")
    assert main(["ui", "--address", "auto", "--config", str(config)]) == 0
    (call,) = calls
    assert call["control"] is runtime and call["host"] == "127.0.0.1" and call["port"] == 9123
    assert call["config"].session_minutes == 15 and call["paths"].home == oa_home
