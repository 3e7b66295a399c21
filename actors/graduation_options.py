"""How the runtime's graduation actor evaluates (a light module: the CLI and the supervisor
import it without the graduation machinery)."""

from __future__ import annotations

import msgspec


class GraduationOptions(msgspec.Struct, frozen=True, kw_only=True):
    """``criteria_path``: a graduation TOML (None: the documented defaults); ``every_s``: seconds
    between evaluations (0: only on request); ``runs_dir``: where sweep runs live."""

    criteria_path: str | None = None
    every_s: float = 60.0
    runs_dir: str | None = None
