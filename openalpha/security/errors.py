"""Security errors: one line, never containing a secret."""

from __future__ import annotations


class SecurityError(Exception):
    """Base class."""


class VaultError(SecurityError):
    """The vault cannot do what was asked (missing entry, unreadable file, wrong key)."""


class WrongMasterKey(VaultError):
    """Authentication failed: the master key is wrong or the entry was tampered with."""
