"""The page frame: skip link, header (title, navigation, role, high contrast, sign out), main."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from nicegui import app, ui
from openalpha.ui import theme
from openalpha.ui.components.widgets import heading, text
from openalpha.ui.context import PageContext

NAV: tuple[tuple[str, str], ...] = (
    ("/", "Overview"),
    ("/positions", "Positions & orders"),
    ("/strategies", "Strategies"),
    ("/research", "Research"),
    ("/risk", "Risk"),
    ("/admin", "Admin"),
    ("/ml", "ML"),
)


def apply_theme() -> None:
    """Per-page theme: Quasar dark mode and palette (the stylesheet is shared, added once)."""
    ui.dark_mode(True)
    ui.colors(**theme.QUASAR_COLOURS)


def sign_out(page: PageContext) -> None:
    page.dash.auth.logout(page.browser_id)
    ui.navigate.to("/login")


@contextmanager
def frame(page: PageContext, title: str) -> Iterator[None]:
    apply_theme()
    with ui.header().classes("oa-header items-center gap-x-4 gap-y-1 q-px-md q-py-sm").props('role="banner"'):
        ui.link("Skip to content", "#main").classes("oa-skip")  # first in tab order
        text("div", theme.TITLE, "oa-title").props('role="heading" aria-level="1"')
        with ui.element("nav").classes("oa-nav").props('aria-label="Main"'):
            for path, name in NAV:
                link = ui.link(name, path)
                if path == page.path:
                    link.props('aria-current="page"')
        ui.space()
        role = page.session.role.value
        text("span", role, "oa-badge oa-cyan").props(f'aria-label="Signed in as {role}"')
        ui.button(icon="contrast", on_click=lambda: ui.run_javascript(theme.TOGGLE_HC_JS)).props(
            'flat round color=white aria-label="Toggle high contrast"'
        ).tooltip("High contrast").mark("high-contrast")
        ui.button(icon="logout", on_click=lambda: sign_out(page)).props(
            'flat round color=white aria-label="Sign out"'
        ).tooltip("Sign out").mark("sign-out")
    with ui.column().classes("oa-main").props('id="main" role="main" tabindex="-1"'):
        heading(title)
        yield


def browser_id() -> str:
    return str(app.storage.browser.get("id", ""))
