"""``SimState``: everything a simulator handler needs, reached as ``request.app["sim"]``.

One object, built once by the CLI (or a test) and passed to :func:`openalpha.sim.app.create_app`.
The trading half keeps its own objects (accounts book, matching engine, fault injector) in
``extensions`` under a name of its choosing, so this file need not change when it lands.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web

from openalpha.sim.clock import ReplayClock
from openalpha.sim.ratelimit import RateLimitConfig, SimRateLimiter

if TYPE_CHECKING:
    from openalpha.data.store import ParquetStore
    from openalpha.sim.market.cache import MarketCache


@dataclass(frozen=True)
class SimAccount:
    """An API key the simulator accepts, with its starting USDT balance."""

    api_key: str
    api_secret: str
    balance: float = 100_000.0


@dataclass
class SimState:
    """The simulator's configuration and shared runtime objects."""

    store: ParquetStore
    clock: ReplayClock = field(default_factory=ReplayClock)
    accounts: list[SimAccount] = field(default_factory=list)
    default_balance: float = 100_000.0
    seed: int = 0
    faults_path: Path | None = None
    rate_limits: SimRateLimiter = field(default_factory=lambda: SimRateLimiter(RateLimitConfig()))
    extensions: dict[str, Any] = field(default_factory=dict)
    _market: MarketCache | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    @property
    def market(self) -> MarketCache:
        """The in-memory view of the store the market endpoints serve from (built lazily)."""
        if self._market is None:
            from openalpha.sim.market.cache import MarketCache

            self._market = MarketCache(self.store)
        return self._market

    def account(self, api_key: str) -> SimAccount | None:
        for acc in self.accounts:
            if acc.api_key == api_key:
                return acc
        return None


SIM_KEY: web.AppKey[SimState] = web.AppKey("sim", SimState)


def sim_state(request: web.Request) -> SimState:
    """The :class:`SimState` of the app serving ``request`` (also ``request.app["sim"]``)."""
    return request.app[SIM_KEY]
