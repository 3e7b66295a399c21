"""Password file, first-run generation, loopback rule, lockout, expiry and roles (pure, no NiceGUI)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from openalpha.ui.app import safe_target
from openalpha.ui.auth import (
    AuthError,
    AuthService,
    PasswordStore,
    PermissionDenied,
    Role,
    is_loopback,
    open_store,
)

from openalpha.security import verify_password
from tests.unit.ui.conftest import FAST_KDF, Clock


def service(tmp_path: Path, clock: Clock, *, failures: int = 3) -> AuthService:
    store, _ = PasswordStore.create(tmp_path / "ui_auth.json", FAST_KDF)
    store.set_password(Role.ADMIN, "admin-password-1")
    store.set_password(Role.VIEWER, "viewer-password-1")
    return AuthService(store, session_minutes=30, max_failures=failures, lockout_seconds=300, clock=clock)


def test_first_run_generates_a_password_once_and_keeps_only_its_hash(tmp_path: Path) -> None:
    store, password = open_store(tmp_path, "127.0.0.1", FAST_KDF)
    assert password is not None and len(password) >= 16
    text = (tmp_path / "ui_auth.json").read_text()
    assert password not in text
    assert verify_password(password, json.loads(text)["admin"])
    assert stat.S_IMODE((tmp_path / "ui_auth.json").stat().st_mode) == 0o600
    assert store.check(password) is Role.ADMIN
    again, second = open_store(tmp_path, "127.0.0.1", FAST_KDF)
    assert second is None  # never shown twice
    assert again.check(password) is Role.ADMIN


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "example.org", "::"])
def test_a_non_loopback_bind_without_a_password_is_refused(tmp_path: Path, host: str) -> None:
    with pytest.raises(AuthError, match=f"refusing to bind {host} without a dashboard password"):
        open_store(tmp_path, host, FAST_KDF)
    assert not (tmp_path / "ui_auth.json").exists()  # nothing written


def test_a_non_loopback_bind_with_a_password_is_allowed(tmp_path: Path) -> None:
    open_store(tmp_path, "127.0.0.1", FAST_KDF)
    store, generated = open_store(tmp_path, "0.0.0.0", FAST_KDF)
    assert generated is None and Role.ADMIN in store.roles()


@pytest.mark.parametrize(("host", "loopback"), [("127.0.0.1", True), ("127.0.0.2", True), ("::1", True),
                                                ("localhost", True), ("0.0.0.0", False), ("10.0.0.1", False),
                                                ("", False)])  # fmt: skip
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


@pytest.mark.parametrize(
    ("content", "message"),
    [("not json", "unreadable or not JSON"), ('{"viewer": "x"}', "no admin password hash"),
     ('{"admin": "plain-text"}', "not a scrypt hash")],
)  # fmt: skip
def test_a_broken_password_file_is_a_one_line_error(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "ui_auth.json").write_text(content)
    with pytest.raises(AuthError, match=message) as err:
        open_store(tmp_path, "127.0.0.1", FAST_KDF)
    assert "\n" not in str(err.value)


def test_passwords_open_their_role_only(tmp_path: Path) -> None:
    auth = service(tmp_path, Clock())
    assert auth.login("b1", "admin-password-1").session.role is Role.ADMIN  # type: ignore[union-attr]
    assert auth.login("b2", "viewer-password-1").session.role is Role.VIEWER  # type: ignore[union-attr]
    result = auth.login("b3", "admin-password-2")
    assert not result.ok and result.message == "wrong password" and auth.session("b3") is None
    assert not auth.login("", "admin-password-1").ok  # no browser id, no session


def test_short_passwords_are_refused(tmp_path: Path) -> None:
    store, _ = PasswordStore.create(tmp_path / "ui_auth.json", FAST_KDF)
    with pytest.raises(AuthError, match="at least 8"):
        store.set_password(Role.VIEWER, "short")
    with pytest.raises(AuthError, match="cannot be removed"):
        store.remove(Role.ADMIN)


def test_lockout_after_max_failures_even_for_the_right_password(tmp_path: Path) -> None:
    clock = Clock()
    auth = service(tmp_path, clock, failures=3)
    assert auth.login("b", "nope-1").message == "wrong password"
    assert auth.login("b", "nope-2").message == "wrong password"
    assert "locked for 300 seconds" in auth.login("b", "nope-3").message
    clock.now += 100
    refused = auth.login("b", "admin-password-1")
    assert not refused.ok and "locked for 200 more seconds" in refused.message
    clock.now += 201
    assert auth.login("b", "admin-password-1").ok


def test_a_success_resets_the_failure_count(tmp_path: Path) -> None:
    auth = service(tmp_path, Clock(), failures=3)
    auth.login("b", "nope-1")
    auth.login("b", "nope-2")
    assert auth.login("b", "admin-password-1").ok
    auth.login("b", "nope-3")
    auth.login("b", "nope-4")
    assert auth.locked_for() == 0


def test_sessions_expire_and_log_out(tmp_path: Path) -> None:
    clock = Clock()
    auth = service(tmp_path, clock)
    auth.login("b", "admin-password-1")
    clock.now += 30 * 60 - 1
    assert auth.session("b") is not None
    clock.now += 1
    assert auth.session("b") is None
    auth.login("b", "admin-password-1")
    auth.logout("b")
    assert auth.session("b") is None


def test_require_checks_role_and_expiry(tmp_path: Path) -> None:
    clock = Clock()
    auth = service(tmp_path, clock)
    auth.login("admin", "admin-password-1")
    auth.login("viewer", "viewer-password-1")
    assert auth.require("admin", Role.ADMIN, "kill switch").user == "ui:admin"
    assert auth.require("viewer", Role.VIEWER, "look").user == "ui:viewer"
    with pytest.raises(PermissionDenied, match="admin only"):
        auth.require("viewer", Role.ADMIN, "kill switch")
    with pytest.raises(PermissionDenied, match="session expired"):
        auth.require("stranger", Role.VIEWER, "look")
    clock.now += 31 * 60
    with pytest.raises(PermissionDenied, match="session expired"):
        auth.require("admin", Role.ADMIN, "kill switch")


@pytest.mark.parametrize(("target", "safe"), [("/", "/"), ("/admin", "/admin"), ("/research?run=abc", "/research?run=abc"),
                                              ("//evil.example/x", "/"), ("https://evil.example", "/"),
                                              ("/admin?x=1", "/admin"), ("/nope", "/"), (None, "/")])  # fmt: skip
def test_login_redirects_only_to_our_pages(target: str | None, safe: str) -> None:
    assert safe_target(target) == safe
