"""The dashboard server: routes, the login page and :func:`serve`.

``serve(control, config=..., paths=...)`` is what ``openalpha trade``/``demo``/``ui`` call.
Every page checks the session on the server before it renders; every action checks it
again when it runs (:mod:`openalpha.ui.components.actions`).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import ui
from openalpha.ui import theme
from openalpha.ui.auth import AuthError, AuthService, PasswordStore, open_store
from openalpha.ui.components.layout import NAV, apply_theme, browser_id, frame
from openalpha.ui.components.live import Live
from openalpha.ui.components.widgets import text
from openalpha.ui.context import Dashboard, PageContext
from openalpha.ui.hub import SnapshotHub
from openalpha.ui.pages import admin, ml, overview, positions, research, risk, strategies

from openalpha.config import Paths
from openalpha.config.schema import UiConfig
from openalpha.live.control import RuntimeControl
from openalpha.live.snapshot import RuntimeSnapshot
from openalpha.security import KdfParams

log = logging.getLogger("openalpha.ui")
Builder = Callable[[PageContext, Live], Awaitable[None]]
PAGES: dict[str, tuple[str, Builder]] = {
    "/": ("Overview", overview.build),
    "/positions": ("Positions & orders", positions.build),
    "/strategies": ("Strategies", strategies.build),
    "/research": ("Research", research.build),
    "/risk": ("Risk", risk.build),
    "/admin": ("Admin", admin.build),
    "/ml": ("Machine learning", ml.build),
}
assert tuple(PAGES) == tuple(path for path, _ in NAV)
MAX_PUSH_INTERVAL_S = 0.5
PUSH_INTERVAL_S = 0.25  # default: a fill reaches the page well within 1 s even on a loaded machine


def make_dashboard(
    control: RuntimeControl,
    *,
    config: UiConfig,
    paths: Paths,
    store: PasswordStore,
    push_interval_s: float = PUSH_INTERVAL_S,
    clock: Callable[[], float] = time.time,
) -> Dashboard:
    if not 0 < push_interval_s <= MAX_PUSH_INTERVAL_S:
        raise ValueError(
            f"push_interval_s must be in (0, {MAX_PUSH_INTERVAL_S}] seconds, got {push_interval_s}"
        )
    auth = AuthService(
        store, session_minutes=config.session_minutes, max_failures=config.max_login_failures, clock=clock
    )
    # One runtime snapshot per interval at most, whatever the number of open pages; a change
    # reaches an open page within two intervals plus the render.
    hub = SnapshotHub(control, max_age=push_interval_s)
    return Dashboard(control, config, paths, auth, hub, push_interval_s)


def safe_target(target: str | None) -> str:
    """Only our own page paths (never another host) after login."""
    if not target:
        return "/"
    path, _, query = target.partition("?")
    if path not in PAGES:
        return "/"
    return target if path == "/research" and query.startswith("run=") else path


def _status(dash: Dashboard) -> Callable[[RuntimeSnapshot], None]:
    def render(_: RuntimeSnapshot) -> None:
        if dash.hub.error:
            text("div", f"Runtime not answering ({dash.hub.error}); showing the last data received.",
                 "oa-banner oa-banner--warn").props('role="alert"')  # fmt: skip

    return render


def _protected(dash: Dashboard, path: str, title: str, builder: Builder) -> None:
    @ui.page(path, title=f"{title} · OPEN ALPHA")
    async def page_fn(request: Request) -> RedirectResponse | None:
        bid = browser_id()
        session = dash.auth.session(bid)
        if session is None:
            target = f"{path}?{request.url.query}" if request.url.query else path
            return RedirectResponse(f"/login?redirect_to={quote(target)}", status_code=303)
        page = PageContext(dash, bid, session, path, dict(request.query_params))
        snapshot = await dash.hub.latest()
        with frame(page, title):
            if snapshot is None:
                text("div", f"The runtime is not answering: {dash.hub.error or 'no snapshot yet'}. Retrying.",
                     "oa-banner").props('role="alert"')  # fmt: skip
                ui.timer(1.0, lambda: ui.navigate.reload() if dash.hub.current is not None else None)
                return None
            live = Live(page, snapshot)
            live.section(lambda _s: dash.hub.error, _status(dash))
            await builder(page, live)
            live.start()
        return None


def _login(dash: Dashboard) -> None:
    @ui.page("/login", title="Sign in · OPEN ALPHA")
    async def login_page(redirect_to: str = "/") -> RedirectResponse | None:
        target = safe_target(redirect_to)
        bid = browser_id()
        if dash.auth.session(bid) is not None:
            return RedirectResponse(target, status_code=303)
        apply_theme()
        with ui.element("main").classes("oa-card oa-login").props('id="main"'):
            text("h1", theme.TITLE, "oa-title q-mb-md")
            text("p", "Sign in to the dashboard.", "oa-muted")
            password = (
                ui.input("Password", password=True, password_toggle_button=True)
                .props('autofocus outlined dark aria-label="Password" autocomplete="current-password"')
                .classes("w-full")
            )
            message = text("p", "", "oa-neg q-mt-sm").props('role="alert" aria-live="assertive"')

            async def attempt() -> None:
                result = await asyncio.to_thread(dash.auth.login, bid, password.value or "")
                password.value = ""
                if result.ok:
                    ui.navigate.to(target)
                else:
                    message.text = result.message

            password.on("keydown.enter", attempt)
            ui.button("Sign in", on_click=attempt, color="primary").props(
                'aria-label="Sign in" text-color=dark'
            ).classes("w-full q-mt-md")
        return None


def register(dash: Dashboard) -> None:
    """Add the stylesheet and every route to NiceGUI's app (call once, before ``ui.run``)."""
    ui.add_css(theme.THEME_CSS.read_text(encoding="utf-8"), shared=True)
    ui.add_head_html(theme.HEAD_HTML, shared=True)
    for path, (title, builder) in PAGES.items():
        _protected(dash, path, title, builder)
    _login(dash)


@dataclass
class UiServer:
    """A dashboard running in a background thread (``serve(..., block=False)``)."""

    thread: threading.Thread
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def wait_started(self, timeout: float = 30.0) -> None:
        """Return once the server listens; a one-line RuntimeError if it could not start."""
        from nicegui.server import Server

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            instance = getattr(Server, "instance", None)
            if instance is not None and instance.started:
                return
            if not self.thread.is_alive():
                break
            time.sleep(0.05)
        raise RuntimeError(f"the dashboard could not start on {self.host}:{self.port} (port in use?)")

    def stop(self, timeout: float = 10.0) -> None:
        from nicegui.server import Server

        instance = getattr(Server, "instance", None)
        if instance is not None:
            instance.should_exit = True
        self.thread.join(timeout)


def serve(
    control: RuntimeControl,
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    config: UiConfig,
    paths: Paths,
    push_interval_s: float = PUSH_INTERVAL_S,
    block: bool = True,
    kdf: KdfParams | None = None,
    announce: Callable[[str], None] = print,
) -> UiServer | None:
    """Serve the dashboard on ``host:port``; with ``block=False`` return a :class:`UiServer`.

    Raises :class:`openalpha.ui.auth.AuthError` (one line) for a non-loopback bind without a
    password, or an unreadable password file. On the first run ``announce`` receives the
    generated admin password, once.
    """
    store, generated = open_store(paths.home, host, kdf)
    if generated is not None:
        announce(f"dashboard admin password (shown once; only its hash is kept in {store.path}): {generated}")
    dash = make_dashboard(control, config=config, paths=paths, store=store, push_interval_s=push_interval_s)
    register(dash)
    options = dict(
        host=host, port=port, title="OPEN ALPHA", favicon="🔥", dark=True, reload=False, show=False,
        storage_secret=secrets.token_urlsafe(32), show_welcome_message=False, uvicorn_logging_level="warning",
    )  # fmt: skip
    log.info("dashboard on http://%s:%d", host, port)
    if block:
        ui.run(**options)  # type: ignore[arg-type]
        return None
    thread = threading.Thread(target=ui.run, kwargs=options, name="openalpha-ui", daemon=True)
    thread.start()
    server = UiServer(thread, host, port)
    server.wait_started()
    return server


__all__ = ["PAGES", "AuthError", "UiServer", "make_dashboard", "register", "safe_target", "serve"]
