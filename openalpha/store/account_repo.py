"""Position snapshots and balances of each environment over time."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, sessionmaker

from openalpha.domain import Balance, Environment, Position, instrument_key, split_key
from openalpha.store.convert import balance_row, env_name, position_row, row_to_balance, row_to_position
from openalpha.store.models import BalanceRow, PositionSnapshotRow


def _newest_per(model: Any, env: str, *partition: Any) -> Select[Any]:
    """Rows of ``env`` that are the newest (by ts, then insertion) within each partition."""
    rank = (
        func.row_number()
        .over(partition_by=partition, order_by=(model.ts.desc(), model.id.desc()))
        .label("rank")
    )
    ranked = select(model.id, rank).where(model.env == env).subquery()
    return select(model).join(ranked, ranked.c.id == model.id).where(ranked.c.rank == 1)


class AccountRepository:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    # --- positions ------------------------------------------------------------------------

    def record_position(self, env: Environment | str, position: Position) -> None:
        """Append a snapshot (a flat position is a snapshot too: size 0)."""
        with self._sessions.begin() as session:
            session.add(position_row(env_name(env), position))

    def record_positions(self, env: Environment | str, positions: list[Position]) -> None:
        name = env_name(env)
        with self._sessions.begin() as session:
            session.add_all([position_row(name, p) for p in positions])

    def latest_positions(self, env: Environment | str) -> dict[str, Position]:
        """The newest snapshot of every instrument ever seen, keyed ``BTCUSDT`` / ``BTCUSDT@spot``."""
        query = _newest_per(
            PositionSnapshotRow, env_name(env), PositionSnapshotRow.symbol, PositionSnapshotRow.category
        )
        with self._sessions() as session:
            positions = [row_to_position(r) for r in session.scalars(query)]
        return {instrument_key(p.symbol, p.category): p for p in sorted(positions, key=lambda p: p.symbol)}

    def position_history(
        self, env: Environment | str, key: str, *, since: int | None = None, limit: int | None = None
    ) -> list[Position]:
        """Snapshots of one instrument (``BTCUSDT`` or ``BTCUSDT@spot``), oldest first."""
        symbol, category = split_key(key)
        query = select(PositionSnapshotRow).where(
            PositionSnapshotRow.env == env_name(env),
            PositionSnapshotRow.symbol == symbol,
            PositionSnapshotRow.category == category.value,
        )
        if since is not None:
            query = query.where(PositionSnapshotRow.ts >= since)
        query = query.order_by(PositionSnapshotRow.ts, PositionSnapshotRow.id).limit(limit)
        with self._sessions() as session:
            return [row_to_position(r) for r in session.scalars(query)]

    # --- balances -------------------------------------------------------------------------

    def record_balance(self, balance: Balance) -> None:
        """Append a balance observation (its environment is ``balance.env``)."""
        with self._sessions.begin() as session:
            session.add(balance_row(balance))

    def balances_history(
        self,
        env: Environment | str,
        *,
        coin: str | None = None,
        since: int | None = None,
        until: int | None = None,
        limit: int | None = None,
    ) -> list[Balance]:
        """Balances of ``env`` in ``[since, until)``, oldest first."""
        query = select(BalanceRow).where(BalanceRow.env == env_name(env))
        if coin is not None:
            query = query.where(BalanceRow.coin == coin)
        if since is not None:
            query = query.where(BalanceRow.ts >= since)
        if until is not None:
            query = query.where(BalanceRow.ts < until)
        query = query.order_by(BalanceRow.ts, BalanceRow.id).limit(limit)
        with self._sessions() as session:
            return [row_to_balance(r) for r in session.scalars(query)]

    def latest_balances(self, env: Environment | str) -> dict[str, Balance]:
        """The newest balance of every coin of ``env``."""
        query = _newest_per(BalanceRow, env_name(env), BalanceRow.coin)
        with self._sessions() as session:
            return {r.coin: row_to_balance(r) for r in session.scalars(query.order_by(BalanceRow.coin))}
