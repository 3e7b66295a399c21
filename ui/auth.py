"""Dashboard authentication: the password file, sessions, lockout and roles (no NiceGUI here).

* ``$OPENALPHA_HOME/ui_auth.json`` holds scrypt hashes (``openalpha.security``) of the admin
  password and, optionally, of a read-only viewer password. The first run on a loopback bind
  generates the admin password and hands it back once, to be printed once; it is never stored
  in clear.
* Sessions live in server memory, keyed by NiceGUI's signed per-browser id, with an absolute
  expiry (``UiConfig.session_minutes``): a restart logs everyone out.
* After ``max_login_failures`` consecutive failures every login is refused for
  :data:`LOCKOUT_SECONDS`, even with the right password.
* :meth:`AuthService.require` is the server-side role check every mutating action calls.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import secrets
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from openalpha.security import KdfParams, hash_password, verify_password

AUTH_FILE = "ui_auth.json"
LOCKOUT_SECONDS = 300.0
log = logging.getLogger("openalpha.ui.auth")


class Role(StrEnum):
    ADMIN = "admin"
    VIEWER = "viewer"


class AuthError(Exception):
    """A configuration problem with the password file (one line)."""


class PermissionDenied(Exception):
    """The session may not do this (expired, missing, or the wrong role)."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class PasswordStore:
    """The hashes in ``ui_auth.json`` (0600, replaced atomically)."""

    def __init__(self, path: Path, hashes: dict[Role, str], kdf: KdfParams | None = None) -> None:
        self.path = path
        self._hashes = dict(hashes)
        self._kdf = kdf

    @classmethod
    def load(cls, path: Path, kdf: KdfParams | None = None) -> PasswordStore | None:
        """The store at ``path``, or None when the file does not exist yet."""
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            raise AuthError(
                f"{path} is unreadable or not JSON; delete it to generate a new password"
            ) from None
        if not isinstance(document, dict) or not isinstance(document.get("admin"), str):
            raise AuthError(f"{path} has no admin password hash; delete it to generate a new password")
        hashes = {Role.ADMIN: document["admin"]}
        if isinstance(document.get("viewer"), str):
            hashes[Role.VIEWER] = document["viewer"]
        for role, stored in hashes.items():
            if not stored.startswith("scrypt$") or stored.count("$") != 5:
                raise AuthError(f"{path}: the {role} entry is not a scrypt hash")
        return cls(path, hashes, kdf)

    @classmethod
    def create(cls, path: Path, kdf: KdfParams | None = None) -> tuple[PasswordStore, str]:
        """A new store with a generated admin password; returns it so the caller prints it once."""
        password = secrets.token_urlsafe(15)
        store = cls(path, {}, kdf)
        store.set_password(Role.ADMIN, password)
        return store, password

    def roles(self) -> set[Role]:
        return set(self._hashes)

    def set_password(self, role: Role, password: str) -> None:
        if len(password) < 8:
            raise AuthError("a dashboard password needs at least 8 characters")
        self._hashes[role] = hash_password(password, self._kdf)
        self._save()

    def remove(self, role: Role) -> None:
        if role is Role.ADMIN:
            raise AuthError("the admin password cannot be removed")
        self._hashes.pop(role, None)
        self._save()

    def check(self, password: str) -> Role | None:
        """The role this password opens (admin first), or None. Always hashes, even for ''."""
        found: Role | None = None
        for role in (Role.ADMIN, Role.VIEWER):
            stored = self._hashes.get(role)
            if stored is not None and verify_password(password, stored) and found is None:
                found = role
        return found

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        document = {role.value: digest for role, digest in self._hashes.items()}
        fd, tmp = tempfile.mkstemp(prefix=".ui_auth.", suffix=".tmp", dir=self.path.parent)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(document, handle, indent=1, sort_keys=True)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def open_store(home: Path, host: str, kdf: KdfParams | None = None) -> tuple[PasswordStore, str | None]:
    """Load ``home/ui_auth.json``; on first run generate the admin password (loopback binds only).

    Returns ``(store, generated_password_or_None)``. A non-loopback bind without an existing
    password file is refused: the password must exist before the dashboard is reachable.
    """
    path = home / AUTH_FILE
    store = PasswordStore.load(path, kdf)
    if store is not None:
        return store, None
    if not is_loopback(host):
        raise AuthError(
            f"refusing to bind {host} without a dashboard password: run `openalpha ui` once on "
            "127.0.0.1 to generate one"
        )
    return PasswordStore.create(path, kdf)


@dataclass(frozen=True)
class Session:
    browser_id: str
    role: Role
    created: float
    expires: float

    @property
    def user(self) -> str:
        return f"ui:{self.role.value}"


@dataclass(frozen=True)
class LoginResult:
    ok: bool
    message: str
    session: Session | None = None


class AuthService:
    """Logins, sessions and lockout; thread-safe (logins hash in a worker thread)."""

    def __init__(
        self,
        store: PasswordStore,
        *,
        session_minutes: int,
        max_failures: int,
        lockout_seconds: float = LOCKOUT_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.session_seconds = session_minutes * 60.0
        self.max_failures = max_failures
        self.lockout_seconds = lockout_seconds
        self._clock = clock
        self._sessions: dict[str, Session] = {}
        self._failures = 0
        self._locked_until = 0.0
        self._lock = threading.Lock()

    def locked_for(self) -> float:
        """Seconds of lockout left (0 when logins are open)."""
        return max(0.0, self._locked_until - self._clock())

    def login(self, browser_id: str, password: str) -> LoginResult:
        if not browser_id:
            return LoginResult(False, "no browser session; reload the page")
        left = self.locked_for()
        if left > 0:
            log.warning("login refused during lockout (%.0f s left)", left)
            return LoginResult(False, f"too many failed logins: locked for {left:.0f} more seconds")
        role = self.store.check(password)
        with self._lock:
            if role is None:
                self._failures += 1
                log.warning("failed dashboard login (%d in a row)", self._failures)
                if self._failures >= self.max_failures:
                    self._locked_until = self._clock() + self.lockout_seconds
                    self._failures = 0
                    log.warning("dashboard logins locked for %.0f s", self.lockout_seconds)
                    return LoginResult(
                        False, f"too many failed logins: locked for {self.lockout_seconds:.0f} seconds"
                    )
                return LoginResult(False, "wrong password")
            self._failures = 0
            now = self._clock()
            session = Session(browser_id, role, now, now + self.session_seconds)
            self._sessions[browser_id] = session
        log.info("dashboard login as %s", role.value)
        return LoginResult(True, f"signed in as {role.value}", session)

    def session(self, browser_id: str | None) -> Session | None:
        """The live session of this browser, or None (expired sessions are dropped)."""
        if not browser_id:
            return None
        with self._lock:
            found = self._sessions.get(browser_id)
            if found is not None and self._clock() >= found.expires:
                del self._sessions[browser_id]
                log.info("dashboard session of %s expired", found.role.value)
                return None
            return found

    def logout(self, browser_id: str | None) -> None:
        with self._lock:
            if browser_id:
                self._sessions.pop(browser_id, None)

    def require(self, browser_id: str | None, role: Role, action: str) -> Session:
        """The session if it may run ``action`` (checked now, server-side), else PermissionDenied."""
        found = self.session(browser_id)
        if found is None:
            log.warning("refused %s: not signed in or session expired", action)
            raise PermissionDenied(f"{action}: your session expired; sign in again")
        if role is Role.ADMIN and found.role is not Role.ADMIN:
            log.warning("refused %s for %s (admin only)", action, found.role.value)
            raise PermissionDenied(f"{action}: admin only (you are signed in as {found.role.value})")
        return found
