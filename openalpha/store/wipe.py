"""Wiping the paper environment's history ("clear data" on the dashboard's Admin page).

Only ``paper`` can be wiped: real environments keep every record. The audit log is append-only
and is never wiped — the wipe itself is audited by the caller.
"""

from __future__ import annotations

from sqlalchemy import delete

from openalpha.domain import Environment
from openalpha.store.ledger import Ledger
from openalpha.store.models import (
    BalanceRow,
    FillRow,
    FundingPaymentRow,
    OrderRow,
    OrderStatusRow,
    PositionSnapshotRow,
    RiskDecisionRow,
)

_TABLES = (
    OrderStatusRow,
    OrderRow,
    FillRow,
    FundingPaymentRow,
    PositionSnapshotRow,
    BalanceRow,
    RiskDecisionRow,
)


def wipe_paper(ledger: Ledger) -> dict[str, int]:
    """Delete every paper row of the trading tables in one transaction; returns rows per table."""
    counts: dict[str, int] = {}
    with ledger.engine.begin() as conn:
        for row in _TABLES:
            result = conn.execute(delete(row).where(row.env == Environment.PAPER.value))
            counts[row.__tablename__] = int(result.rowcount or 0)
    return counts
