"""Errors of the ledger, phrased as one line without secrets (a database URL's password is masked)."""

from __future__ import annotations


class StoreError(Exception):
    """The ledger cannot do what was asked (bad URL, unreachable database, conflicting write)."""


class UnknownOrder(StoreError):
    """An update named an order the ledger has never recorded in that environment."""


class ConflictingRecord(StoreError):
    """A write reused an identifier (orderLinkId, execId, ...) with different content."""
