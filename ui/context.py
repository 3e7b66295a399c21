"""What every page needs: the runtime, the settings, auth and the shared snapshot source."""

from __future__ import annotations

from dataclasses import dataclass, field

from openalpha.ui.auth import AuthService, Role, Session
from openalpha.ui.hub import SnapshotHub

from openalpha.config import Paths
from openalpha.config.schema import UiConfig
from openalpha.live.control import RuntimeControl


@dataclass
class Dashboard:
    """One per server."""

    control: RuntimeControl
    config: UiConfig
    paths: Paths
    auth: AuthService
    hub: SnapshotHub
    push_interval_s: float


@dataclass
class PageContext:
    """One per rendered page (one browser tab)."""

    dash: Dashboard
    browser_id: str
    session: Session
    path: str
    query: dict[str, str] = field(default_factory=dict)
    # Open confirmation dialogs on this page: live sections do not re-render under an open
    # dialog (it would be destroyed with its section); they catch up once it closes.
    open_dialogs: set[int] = field(default_factory=set)

    @property
    def is_admin(self) -> bool:
        return self.session.role is Role.ADMIN
