"""Live sections: each renders from the snapshot and re-renders only when its slice changed.

A page asks for its first snapshot, declares sections in layout order, then :meth:`Live.start`
adds one server-side ``ui.timer`` (every ``push_interval_s``). Each tick takes the hub's
latest snapshot, encodes each section's slice and refreshes the sections whose bytes differ,
so the browser receives only what changed — no reloads and nothing polling in the browser.
An expired session stops the updates and sends the tab to the login page.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import msgspec
from nicegui import ui
from openalpha.ui.context import PageContext

from openalpha.live.snapshot import RuntimeSnapshot

KeyFn = Callable[[RuntimeSnapshot], Any]
Render = Callable[[RuntimeSnapshot], None]


@dataclass
class _Section:
    key: KeyFn
    view: Any  # the ui.refreshable wrapping the render function
    digest: bytes


def _digest(value: Any) -> bytes:
    return msgspec.json.encode(value)


class Live:
    def __init__(self, page: PageContext, snapshot: RuntimeSnapshot) -> None:
        self.page = page
        self.snapshot = snapshot
        self._sections: list[_Section] = []
        self.timer: ui.timer | None = None
        self.last_push = time.monotonic()

    def section(self, key: KeyFn, render: Render) -> None:
        """Render now (at the current place in the layout) and keep it live."""
        view = ui.refreshable(render)
        view(self.snapshot)
        self._sections.append(_Section(key, view, _digest(key(self.snapshot))))

    def start(self) -> ui.timer:
        self.timer = ui.timer(self.page.dash.push_interval_s, self.tick)
        return self.timer

    async def tick(self) -> None:
        dash = self.page.dash
        if dash.auth.session(self.page.browser_id) is None:
            if self.timer is not None:
                self.timer.cancel()
            ui.navigate.to(f"/login?redirect_to={self.page.path}")
            return
        snapshot = await dash.hub.latest()
        if snapshot is None:
            return
        self.snapshot = snapshot
        if self.page.open_dialogs:
            return  # a confirmation dialog is open: re-rendering would destroy it
        for item in self._sections:
            digest = _digest(item.key(snapshot))
            if digest != item.digest:
                item.digest = digest
                item.view.refresh(snapshot)
                self.last_push = time.monotonic()
