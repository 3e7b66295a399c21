"""Risk parameters in force, and the audit trail of every change to them (each revertible).

The account drawdown limit can be lowered at runtime but never raised: raising it needs a
config change and a restart, by design.
"""

from __future__ import annotations

from typing import Any

import msgspec

from openalpha.config.schema import RiskConfig

Value = float | int
RISK_SCALE = "risk_scale"  # the milestone scale: changed automatically, pinned by a revert
NEVER_RAISED = frozenset({"account_drawdown_limit"})
_TUNABLE = frozenset(f for f in RiskConfig.__struct_fields__ if f != "milestones")


class RiskParamError(ValueError):
    """A refused parameter change (one line, safe to show)."""


class ParamChange(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    ts: int
    name: str
    old: Value | None
    new: Value | None
    actor: str
    reason: str
    automatic: bool = False
    reverts: int | None = None


class ParamBook:
    """The current :class:`RiskConfig`, an optional pinned milestone scale, and the change log."""

    def __init__(self, config: RiskConfig) -> None:
        self.config = config
        self.pinned_scale: float | None = None
        self.changes: list[ParamChange] = []

    def set(self, name: str, value: Value, *, ts: int, actor: str, reason: str) -> ParamChange:
        if name == RISK_SCALE:
            return self._pin_scale(float(value), ts=ts, actor=actor, reason=reason, reverts=None)
        if name not in _TUNABLE:
            raise RiskParamError(f"unknown risk parameter {name!r}; tunable: {', '.join(sorted(_TUNABLE))}")
        old = getattr(self.config, name)
        if name in NEVER_RAISED and value > old:
            raise RiskParamError(
                f"{name} cannot be raised at runtime ({old} -> {value}); change the config and restart"
            )
        self.config = _validated(self.config, name, value)
        return self._log(name, old, value, ts=ts, actor=actor, reason=reason)

    def note_automatic(self, name: str, old: Value, new: Value, *, ts: int, reason: str) -> ParamChange:
        """Record a change the governor made by itself (e.g. a milestone passed)."""
        return self._log(name, old, new, ts=ts, actor="risk_governor", reason=reason, automatic=True)

    def revert(self, change_id: int, *, ts: int, actor: str, reason: str = "") -> ParamChange:
        """Put the parameter of change ``change_id`` back to its value before that change."""
        change = next((c for c in self.changes if c.id == change_id), None)
        if change is None:
            raise RiskParamError(f"no risk parameter change #{change_id}")
        why = reason or f"revert of change #{change_id}"
        if change.name == RISK_SCALE:
            old = None if change.old is None else float(change.old)
            return self._pin_scale(old, ts=ts, actor=actor, reason=why, reverts=change_id)
        if change.old is None:
            raise RiskParamError(f"change #{change_id} has no previous value to restore")
        current = getattr(self.config, change.name)
        if change.name in NEVER_RAISED and change.old > current:
            raise RiskParamError(
                f"reverting #{change_id} would raise {change.name} ({current} -> {change.old})"
            )
        self.config = _validated(self.config, change.name, change.old)
        return self._log(change.name, current, change.old, ts=ts, actor=actor, reason=why, reverts=change_id)

    def _pin_scale(
        self, value: float | None, *, ts: int, actor: str, reason: str, reverts: int | None
    ) -> ParamChange:
        if value is not None and not 0 < value <= 1:
            raise RiskParamError(f"risk_scale must be in (0, 1], got {value}")
        old, self.pinned_scale = self.pinned_scale, value
        return self._log(RISK_SCALE, old, value, ts=ts, actor=actor, reason=reason, reverts=reverts)

    def replay(self, change: ParamChange) -> bool:
        """Re-apply a change read back from the audit log (after a restart). It is kept in the
        log either way, but applied only when its ``old`` value is still the value in force:
        if the config file was edited since, the file wins. True when applied."""
        self.changes.append(change)
        if change.name == RISK_SCALE:
            if not change.automatic:
                self.pinned_scale = None if change.new is None else float(change.new)
            return True
        if change.name not in _TUNABLE or change.new is None:
            return False
        current = getattr(self.config, change.name)
        if current != change.old or (change.name in NEVER_RAISED and change.new > current):
            return False
        self.config = _validated(self.config, change.name, change.new)
        return True

    def _log(self, name: str, old: Any, new: Any, **kw: Any) -> ParamChange:
        next_id = max((c.id for c in self.changes), default=0) + 1
        change = ParamChange(id=next_id, name=name, old=old, new=new, **kw)
        self.changes.append(change)
        return change


def _validated(config: RiskConfig, name: str, value: Value) -> RiskConfig:
    raw = msgspec.structs.asdict(config)
    raw[name] = value
    raw["milestones"] = [msgspec.structs.asdict(m) for m in config.milestones]
    try:
        return msgspec.convert(raw, type=RiskConfig)
    except msgspec.ValidationError as err:
        raise RiskParamError(f"risk.{name} = {value!r} rejected: {err}") from None
