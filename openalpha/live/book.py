"""Per-strategy positions, built from the fills of each strategy's own orders.

One account may hold several strategies' positions in the same symbol; the exchange only knows
their sum. Each fill is attributed to a strategy through its ``orderLinkId`` (the strategy tag
of :mod:`openalpha.live.ids`), so each strategy sizes against its own position and the sum is
checked against the exchange by reconciliation.

Each execution is counted once: the journal de-duplicates by ``exec_id`` before a fill reaches
the book (only newly recorded fills are applied), and the book itself remembers the newest
:data:`RECENT_EXECS` exec ids as a second guard, so its memory stays bounded.
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from decimal import Decimal

from openalpha.domain import Fill
from openalpha.live.ids import parse_order_link_id, strategy_tag

RECENT_EXECS = 4096


class StrategyBook:
    def __init__(self, strategy_ids: list[str], *, recent_execs: int = RECENT_EXECS) -> None:
        self._by_tag = {strategy_tag(s): s for s in strategy_ids}
        self.qty: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        self.recent_execs = recent_execs
        self.seen: OrderedDict[str, None] = OrderedDict()  # the newest exec ids applied
        self.cash: dict[str, Decimal] = defaultdict(Decimal)  # trade cash flows and fees per strategy
        self.fills: dict[str, int] = defaultdict(int)

    def owner(self, fill: Fill) -> str | None:
        parsed = parse_order_link_id(fill.order_link_id)
        return self._by_tag.get(parsed[0]) if parsed else None

    def apply(self, key: str, fill: Fill) -> str | None:
        """Account for a trade fill of instrument ``key``; returns the owning strategy (or None)."""
        if not fill.is_trade or fill.exec_id in self.seen:
            return None
        owner = self.owner(fill)
        if owner is None:
            return None
        self.seen[fill.exec_id] = None
        if len(self.seen) > self.recent_execs:
            self.seen.popitem(last=False)
        self.qty[(owner, key)] += fill.qty * fill.side.sign
        self.cash[owner] -= fill.qty * fill.price * fill.side.sign + fill.fee
        self.fills[owner] += 1
        return owner

    def position(self, strategy_id: str, key: str) -> Decimal:
        return self.qty.get((strategy_id, key), Decimal(0))

    def total(self, key: str) -> Decimal:
        return sum((q for (_, k), q in self.qty.items() if k == key), Decimal(0))

    def equity(self, strategy_id: str, base: float, prices: dict[str, float]) -> float | None:
        """``base`` + the strategy's trading PnL marked at ``prices``; None when a price is missing."""
        value = float(self.cash.get(strategy_id, Decimal(0)))
        for (owner, key), qty in self.qty.items():
            if owner != strategy_id or qty == 0:
                continue
            if key not in prices:
                return None
            value += float(qty) * prices[key]
        return base + value

    def gross_notional(
        self, strategy_id: str, prices: dict[str, float], *, exclude: str = ""
    ) -> float | None:
        total = 0.0
        for (owner, key), qty in self.qty.items():
            if owner != strategy_id or key == exclude or qty == 0:
                continue
            if key not in prices:
                return None
            total += abs(float(qty)) * prices[key]
        return total
