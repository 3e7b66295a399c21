"""Ledger records that have no counterpart in :mod:`openalpha.domain` (frozen msgspec Structs)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

import msgspec

from openalpha.domain import OrderStatus, Stage

RunKind = Literal["backtest", "sweep", "walkforward"]
RunStatus = Literal["running", "finished", "failed"]


class StatusChange(msgspec.Struct, frozen=True, kw_only=True):
    """One step of an order's history."""

    status: OrderStatus
    filled_qty: Decimal
    ts: int
    reason: str = ""


class StageChange(msgspec.Struct, frozen=True, kw_only=True):
    """A strategy moving between graduation stages; ``from_stage`` is None for its first stage."""

    strategy: str
    to_stage: Stage
    ts: int
    from_stage: Stage | None = None
    actor: str = "system"
    reason: str = ""


class RunRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A backtest or sweep in the runs index; ``path`` is relative to ``Paths.runs``."""

    run_id: str
    kind: RunKind
    strategy: str
    created_ts: int
    path: str
    status: RunStatus = "running"
    params: dict[str, Any] = {}
    metrics: dict[str, Any] = {}
    finished_ts: int | None = None


class ModelRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A trained model in the registry; ``path`` is relative to ``Paths.models``."""

    name: str
    version: int
    kind: str
    path: str
    sha256: str
    created_ts: int
    params: dict[str, Any] = {}
    metrics: dict[str, Any] = {}
