"""Errors raised by the domain model (programmer errors, not business outcomes)."""

from __future__ import annotations


class DomainError(Exception):
    """Base class for violations of domain invariants."""


class IllegalTransition(DomainError):
    """An order was asked to move to a state its current state cannot reach."""
