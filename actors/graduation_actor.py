"""``GraduationSupervisor``: the graduation loop on a schedule, a thin shell over
:class:`openalpha.graduation.supervisor.StageSupervisor`.

It opens the ledger for the stage book and the evidence (sweep runs, fills, denials), reads
market time and bars from each environment's own market endpoints (the simulator in paper),
and after every change tells the runtime through the supervisor actor, which sets the stage
and the stage's capital on the exchange actor. Each tick also re-sends every stage, so an
exchange actor that restarted (and denies everything until told) is back within one tick.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from pathlib import Path

import aiohttp
import ray
from openalpha.actors import names
from openalpha.actors.graduation_options import GraduationOptions

from openalpha.domain import Environment, MarketData, Stage, interval_ms
from openalpha.exchange.bybit.market_client import MarketClient
from openalpha.graduation.criteria import load_criteria
from openalpha.graduation.ports import ApprovalRequest, StageRecord
from openalpha.graduation.supervisor import Review, StageSupervisor
from openalpha.live.graduation_evidence import LedgerEvidence, StrategySpec
from openalpha.live.stage_book import LedgerStageBook
from openalpha.live.warmup import fetch_history
from openalpha.store import Ledger


async def _server_time(base_url: str) -> int:
    async with aiohttp.ClientSession() as session:
        return await MarketClient(base_url, session).server_time()


@ray.remote(max_restarts=-1, max_task_retries=0, max_concurrency=4)
class GraduationSupervisor:
    def __init__(
        self,
        specs: list[StrategySpec],
        base_urls: dict[Environment, str],
        database_url: str | None,
        options: GraduationOptions,
    ) -> None:
        from openalpha.config import Paths

        self.options = options
        self.base_urls = base_urls
        self.specs = {s.plan.strategy_id: s for s in specs}
        self.ledger = Ledger.open(database_url)
        self.criteria = load_criteria(options.criteria_path)
        self.capitals: dict[str, float | None] = {}
        runs = Path(options.runs_dir) if options.runs_dir else Paths.from_env().runs
        evidence = LedgerEvidence(
            self.ledger, runs, self.specs, self._market, self.capitals.get, self.criteria
        )
        self.book = LedgerStageBook(self.ledger)
        envs = {sid: s.env for sid, s in self.specs.items()}
        self.core = StageSupervisor(self.book, evidence, self.criteria, envs, self._clock)
        self.lock = threading.RLock()
        with self.lock:
            self.core.load()
        self._stop = threading.Event()
        self._running = False
        self.ticks = 0
        self.last_error = ""

    # -- the world ------------------------------------------------------------------------------
    def _clock(self, env: Environment) -> int:
        return asyncio.run(_server_time(self.base_urls[env]))

    def _market(self, keys: list[str], interval: str, first_ms: int, end_ms: int) -> MarketData:
        step = interval_ms(interval)
        last_closed = (end_ms // step) * step - step
        bars = max(1, (last_closed - first_ms) // step + 1)
        env = next(s.env for s in self.specs.values() if set(keys) <= set(s.plan.symbols))
        return fetch_history(self.base_urls[env], keys, interval, bars, end_ms)

    def _tell(self) -> None:
        """Send every stage and its capital to the runtime; keep the capital it reports back."""
        stages = self.current()
        with contextlib.suppress(ValueError):  # no supervisor (a bare actor in a test): nothing to tell
            supervisor = ray.get_actor(names.SUPERVISOR, namespace=names.NAMESPACE)
            self.capitals.update(ray.get(supervisor.apply_stages.remote(stages), timeout=30))

    # -- schedule -------------------------------------------------------------------------------
    def run(self) -> None:
        """Start evaluating every ``every_s`` seconds (idempotent)."""
        if self._running or self.options.every_s <= 0:
            return
        self._running = True
        threading.Thread(target=self._loop, name="graduation", daemon=True).start()

    def _loop(self) -> None:
        while not self._stop.wait(self.options.every_s):
            try:
                self.step()
                self.ticks += 1
            except Exception as err:  # one failed tick (a restarting actor) must not end the loop
                self.last_error = f"{type(err).__name__}: {err}"

    def step(self) -> list[StageRecord]:
        """Evaluate every strategy now; returns the changes (recorded, audited, and told)."""
        with self.lock:
            self._tell()  # the runtime's capital in force is the base the evidence measures from
            changes = self.core.step()
            self._tell()
        return changes

    def stop(self) -> None:
        self._stop.set()

    # -- humans ---------------------------------------------------------------------------------
    def approve(self, strategy_id: str, user: str, capital: float) -> StageRecord:
        with self.lock:
            change = self.core.approve(strategy_id, user=user, capital=capital)
            self._tell()
        return change

    def demote(self, strategy_id: str, to: Stage, user: str, reason: str) -> StageRecord:
        with self.lock:
            change = self.core.demote(strategy_id, to=to, user=user, reason=reason)
            self._tell()
        return change

    # -- reads ----------------------------------------------------------------------------------
    def current(self) -> dict[str, tuple[Stage, float]]:
        """Each strategy's stage and the USDT its stage grants (what the runtime enforces)."""
        with self.lock:
            return {sid: (self.core.stage(sid), self.core.capital(sid)) for sid in self.specs}

    def reviews(self) -> dict[str, Review]:
        return dict(self.core.reviews)

    def history(self, strategy_id: str | None = None) -> list[StageRecord]:
        return self.book.history(strategy_id)

    def pending(self) -> list[ApprovalRequest]:
        with self.lock:
            return [p for sid in self.specs if (p := self.core.pending(sid)) is not None]

    def health(self) -> dict[str, object]:
        return {"running": self._running, "ticks": self.ticks, "last_error": self.last_error}

    def database_url(self) -> str:
        from openalpha.store import safe_url

        return safe_url(self.ledger.engine.url)

    def ping(self) -> bool:
        return True
