"""The runtime's command surface, shared by the CLI and the dashboard.

Every mutating command names who asked (``actor``) so the runtime can check the role and
audit it; implementations return a short human-readable outcome.
"""

from __future__ import annotations

from typing import Protocol

from openalpha.domain import Environment, Stage
from openalpha.live.snapshot import RuntimeSnapshot


class RuntimeControl(Protocol):
    def snapshot(self) -> RuntimeSnapshot: ...

    def kill_switch(self, *, actor: str, flatten: bool = False) -> str:
        """Cancel every order in every active environment (and flatten when asked); blocks new orders."""
        ...

    def release_kill_switch(self, *, actor: str) -> str: ...

    def cancel_all(self, env: Environment, *, actor: str) -> str: ...

    def close_all(self, env: Environment, *, actor: str) -> str:
        """Cancel orders, then close every position with reduce-only market orders."""
        ...

    def wipe_paper(self, *, actor: str) -> str:
        """Close and cancel on paper first, then wipe paper history (never touches other environments)."""
        ...

    def pause(self, strategy_id: str, *, actor: str) -> str: ...

    def resume(self, strategy_id: str, *, actor: str) -> str: ...

    def approve(self, strategy_id: str, *, actor: str, capital: float) -> str:
        """Promote a ``testnet`` strategy with a pending approval request to ``mainnet`` with
        ``capital`` USDT (raises ``IllegalStageChange`` when refused)."""
        ...

    def demote(self, strategy_id: str, *, actor: str, to: Stage, reason: str) -> str:
        """Move a strategy down to ``paper`` or ``halted`` (raises ``IllegalStageChange``)."""
        ...
