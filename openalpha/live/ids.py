"""Deterministic ``orderLinkId``: the same decision always gets the same id, so a retry — even
after a crash and restart — can never create a second order (Bybit rejects a duplicate
``orderLinkId`` with 110072, BYBIT_V5.md §2).

Format ``oa-<strategy tag>-<symbol>-<seq>[-<leg>]``, at most 36 characters of ``[A-Za-z0-9_-]``:
the tag is 8 hex chars of a BLAKE2b hash of the strategy id, ``seq`` the decision sequence (the
bar number the decision was taken on: open time // interval), ``leg`` numbers replacements of a
stale limit order within the same decision.
"""

from __future__ import annotations

import hashlib
import re

_CLEAN = re.compile(r"[^A-Za-z0-9]")
_PATTERN = re.compile(r"^oa-([0-9a-f]{8})-([A-Za-z0-9]{1,10})-(\d{1,9})(?:-(\d{1,3}))?$")


def strategy_tag(strategy_id: str) -> str:
    return hashlib.blake2b(strategy_id.encode(), digest_size=4).hexdigest()


def order_link_id(strategy_id: str, symbol: str, seq: int, leg: int = 0) -> str:
    if seq < 0 or leg < 0 or leg > 999:
        raise ValueError(f"bad decision sequence {seq}/{leg}")
    sym = _CLEAN.sub("", symbol)[:10]
    link = f"oa-{strategy_tag(strategy_id)}-{sym}-{seq % 10**9}"
    return f"{link}-{leg}" if leg else link


def parse_order_link_id(link_id: str) -> tuple[str, str, int, int] | None:
    """``(strategy tag, symbol, seq, leg)`` of one of our ids, or None for a foreign order."""
    match = _PATTERN.match(link_id)
    if not match:
        return None
    return match.group(1), match.group(2), int(match.group(3)), int(match.group(4) or 0)


def is_ours(link_id: str, strategy_id: str | None = None) -> bool:
    parsed = parse_order_link_id(link_id)
    if parsed is None:
        return False
    return strategy_id is None or parsed[0] == strategy_tag(strategy_id)
