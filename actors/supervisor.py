"""``SupervisorActor``: starts the runtime's actors in namespace ``openalpha``, watches them, and
answers the control surface (:class:`openalpha.live.control.RuntimeControl`) for the CLI and
the dashboard.

Restarts: every actor is created with ``max_restarts=-1``; a restarted actor rebuilds its state
from the ledger in ``__init__`` and reconciles with the exchange before trading again. The
supervisor re-attaches strategy actors to their exchange actor after any restart it sees.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

import ray
from openalpha.actors import names
from openalpha.actors.exchange_actor import ExchangeActor
from openalpha.actors.governor_actor import RiskGovernorActor
from openalpha.actors.graduation_options import GraduationOptions
from openalpha.actors.ledger_actor import LedgerActor
from openalpha.actors.strategy_actor import StrategyActor

from openalpha.config.schema import RiskConfig
from openalpha.domain import Environment, Event, Stage
from openalpha.live.env_runtime import StrategyPlan
from openalpha.live.settings import EnvSettings
from openalpha.live.snapshot import (
    ENVIRONMENTS,
    LimitView,
    RiskSnapshot,
    RuntimeSnapshot,
    StrategySnapshot,
    inactive,
)


def _now() -> int:
    return int(time.time() * 1000)


def _graduation_fields(review: Any) -> dict[str, Any]:
    """The StrategySnapshot fields from a graduation ``Review`` (none while it is unknown)."""
    if review is None:
        return {}
    return {
        "stage_since": review.since_ms,
        "stage_reason": review.reason,
        "next_stage": review.assessment.target,
        "criteria": list(review.assessment.checks),
        "pending_approval": review.pending_approval,
        "demotion": list(review.demotion),
        "stage_evidence": dict(review.last_change.evidence) if review.last_change else {},
    }


@ray.remote(max_restarts=0, max_concurrency=8)
class SupervisorActor:
    def __init__(
        self,
        envs: list[EnvSettings],
        plans: list[tuple[StrategyPlan, dict[str, Any], Environment]],
        risk: RiskConfig,
        database_url: str | None = None,
        graduation: GraduationOptions | None = None,
    ) -> None:
        self.settings = {s.env: s for s in envs}
        self.database_url = database_url
        self.graduation_options = graduation or GraduationOptions()
        self.graduation: Any = None
        self.plans = plans
        self.risk = risk
        self.ledger = LedgerActor.options(name=names.LEDGER, namespace=names.NAMESPACE).remote(database_url)
        self.governor = RiskGovernorActor.options(name=names.GOVERNOR, namespace=names.NAMESPACE).remote(
            risk, list(self.settings), self.ledger
        )
        self.exchanges: dict[Environment, Any] = {}
        self.strategies: dict[str, Any] = {}
        self.stages: dict[str, Stage] = {}
        self.capitals: dict[str, float | None] = {}

    def start(self) -> list[str]:
        """Graduation first (each strategy's stage from the ledger), then exchange actors with
        those stages, then strategy actors; returns what was started."""
        started = []
        # The ledger actor migrates the schema; nobody else opens the database before it is done
        # (two processes migrating a fresh SQLite file at once: "table ... already exists").
        ray.get(self.ledger.ping.remote())
        # imported here: the graduation machinery (the strategies, numba) stays out of the CLI
        # process that imports this module to create the supervisor
        from openalpha.actors.graduation_actor import GraduationSupervisor

        from openalpha.live.graduation_evidence import StrategySpec

        specs = [
            StrategySpec(plan=p, params=params, env=e, fee_tier=self.settings[e].fee_tier)
            for p, params, e in self.plans
        ]
        self.graduation = GraduationSupervisor.options(
            name=names.GRADUATION, namespace=names.NAMESPACE
        ).remote(
            specs,
            {e: s.base_url for e, s in self.settings.items()},
            self.database_url,
            self.graduation_options,
        )
        # Actors of one wave start in parallel (each is a new process): graduation and the
        # exchange actors, then every strategy actor once the stages are applied.
        stages_ref = self.graduation.current.remote()
        for env, settings in self.settings.items():
            env_plans = [p for p, _, e in self.plans if e is env]
            self.exchanges[env] = ExchangeActor.options(
                name=names.exchange(env.value), namespace=names.NAMESPACE
            ).remote(settings, env_plans, self.ledger, self.governor)
        stages = ray.get(stages_ref)
        started.append(names.GRADUATION)
        ray.get([actor.ping.remote() for actor in self.exchanges.values()])
        started += [names.exchange(env.value) for env in self.exchanges]
        self.apply_stages(stages)  # before any strategy actor can send a signal
        for plan, params, env in self.plans:
            self.strategies[plan.strategy_id] = StrategyActor.options(
                name=names.strategy(plan.strategy_id), namespace=names.NAMESPACE
            ).remote(plan, params, self.exchanges[env], self.settings[env].base_url)
        ray.get([actor.ping.remote() for actor in self.strategies.values()])
        for plan, _params, env in self.plans:
            for key in plan.symbols:
                ray.get(
                    self.exchanges[env].attach.remote(key, plan.interval, self.strategies[plan.strategy_id])
                )
            started.append(names.strategy(plan.strategy_id))
        self.graduation.run.remote()
        self._audit("runtime_started", f"started {len(started)} actors", actor="supervisor")
        return started

    def apply_stages(self, stages: dict[str, tuple[Stage, float]]) -> dict[str, float | None]:
        """Graduation's stages and capitals onto the exchange actors; returns the capital in force."""
        envs = {p.strategy_id: e for p, _, e in self.plans}
        for sid, (stage, capital) in stages.items():
            env = envs.get(sid)
            if env is None or env not in self.exchanges:
                continue
            previous = self.stages.get(sid)
            self.stages[sid] = stage
            self.capitals[sid] = ray.get(
                self.exchanges[env].set_stage.remote(sid, stage, capital), timeout=30
            )
            if previous is not None and previous is not stage:
                self._audit("stage_applied", f"{sid}: {previous} -> {stage} ({capital:g} USDT)",
                            actor="graduation", env=env)  # fmt: skip
        return dict(self.capitals)

    # -- control surface ----------------------------------------------------------------------
    def snapshot(self) -> RuntimeSnapshot:
        envs = []
        alive: dict[str, bool] = {}
        for env in ENVIRONMENTS:
            actor = self.exchanges.get(env)
            if actor is None:
                envs.append(inactive(env))
                continue
            try:
                envs.append(ray.get(actor.snapshot.remote(), timeout=5))
                alive[names.exchange(env.value)] = True
            except Exception:  # an actor restarting or gone: show it, do not fail the page
                envs.append(inactive(env))
                alive[names.exchange(env.value)] = False
        strategies = self._strategy_snapshots(alive)
        governor = ray.get(self.governor.state.remote())
        audit = ray.get(self.ledger.recent_audit.remote([*self.exchanges, None], _now() - 86_400_000, 100))
        return RuntimeSnapshot(
            ts=_now(),
            environments=envs,
            strategies=strategies,
            risk=self._risk_snapshot(governor, envs, strategies),
            audit=audit,
            actors_alive=alive,
        )

    def _strategy_snapshots(self, alive: dict[str, bool]) -> list[StrategySnapshot]:
        states = {}
        for env, actor in self.exchanges.items():
            try:
                states[env] = ray.get(actor.strategy_state.remote(), timeout=5)
            except Exception:
                states[env] = {"decisions": [], "targets": {}, "paused": set()}
        try:
            reviews = ray.get(self.graduation.reviews.remote(), timeout=5) if self.graduation else {}
        except Exception:  # graduation restarting: show stages without their checks
            reviews = {}
        live = self._live_states()
        out = []
        for plan, _params, env in self.plans:
            state = states.get(env, {})
            review = reviews.get(plan.strategy_id)
            alive[names.strategy(plan.strategy_id)] = self._alive(self.strategies.get(plan.strategy_id))
            out.append(
                StrategySnapshot(
                    strategy_id=plan.strategy_id,
                    name=plan.name,
                    env=env,
                    symbols=plan.symbols,
                    stage=self.stages.get(plan.strategy_id, Stage.BACKTEST),
                    paused=plan.strategy_id in state.get("paused", set()),
                    capital_fraction=plan.capital_fraction,
                    last_targets=state.get("targets", {}).get(plan.strategy_id, {}),
                    recent_decisions=[
                        d for d in state.get("decisions", []) if d.strategy == plan.strategy_id
                    ][-20:],
                    capital=state.get("capital", {}).get(plan.strategy_id),
                    **_graduation_fields(review),
                    **live.get(plan.strategy_id, {}),
                )
            )
        return out

    def _live_states(self) -> dict[str, dict[str, Any]]:
        """Each strategy actor's own snapshot fields (ML predictions and model, the last failed
        decision), asked of every strategy actor at once."""
        refs = {sid: actor.live_state.remote() for sid, actor in self.strategies.items()}
        out: dict[str, dict[str, Any]] = {}
        for sid, ref in refs.items():
            with contextlib.suppress(Exception):  # a restarting strategy actor: no predictions this time
                out[sid] = ray.get(ref, timeout=5)
        return out

    def _risk_snapshot(
        self, governor: dict[str, Any], envs: list[Any], strategies: list[Any]
    ) -> RiskSnapshot:
        cfg: RiskConfig = governor["config"]
        active = [e for e in envs if e.active]
        worst_dd = max((e.drawdown for e in active), default=0.0)
        worst_day = min((e.pnl_today / e.equity for e in active if e.equity), default=0.0)
        open_risk = max((e.open_risk for e in active), default=0.0)
        limits = [
            LimitView(
                name="account drawdown", limit=cfg.account_drawdown_limit, current=worst_dd, unit="fraction"
            ),
            LimitView(
                name="daily loss", limit=cfg.daily_loss_limit, current=max(0.0, -worst_day), unit="fraction"
            ),
            LimitView(name="leverage (gross exposure)", limit=cfg.max_leverage, current=open_risk, unit="x"),
            LimitView(
                name="strategy capital",
                limit=cfg.max_strategy_capital,
                current=max((s.capital_fraction for s in strategies), default=0.0),
                unit="fraction",
            ),
        ]
        denials = [d for s in strategies for d in s.recent_decisions if not d.allowed][-50:]
        return RiskSnapshot(
            limits=limits,
            recent_denials=denials,
            kill_switch=governor["kill_switch"],
            reduce_only=bool(governor["reduce_only"]),
        )

    def kill_switch(self, actor: str, flatten: bool = False) -> str:
        ray.get(
            self.governor.engage_kill_switch.remote(actor, "kill switch" + (" + flatten" if flatten else ""))
        )
        lines = [ray.get(a.kill.remote(flatten)) for a in self.exchanges.values()]
        self._audit("kill_switch", "; ".join(lines), actor=actor)
        return "; ".join(lines)

    def release_kill_switch(self, actor: str) -> str:
        ray.get(self.governor.release_kill_switch.remote(actor, "released"))
        lines = [ray.get(a.release.remote()) for a in self.exchanges.values()]
        self._audit("kill_switch_released", "; ".join(lines), actor=actor)
        return "; ".join(lines)

    def cancel_all(self, env: Environment, actor: str) -> str:
        out = ray.get(self._exchange(env).cancel_all.remote())
        self._audit("cancel_all", out, actor=actor, env=env)
        return out

    def close_all(self, env: Environment, actor: str) -> str:
        out = ray.get(self._exchange(env).close_all.remote())
        self._audit("close_all", out, actor=actor, env=env)
        return out

    def wipe_paper(self, actor: str) -> str:
        """Close and cancel on paper first, then wipe paper's ledger history (never other envs)."""
        exchange = self.exchanges.get(Environment.PAPER)
        if exchange is None:
            return "paper is not running"
        closed = ray.get(exchange.close_all.remote())
        deadline = time.monotonic() + 15
        while not ray.get(exchange.is_flat.remote()):
            if time.monotonic() > deadline:
                self._audit(
                    "wipe_paper_refused",
                    f"{closed}; positions not flat after 15 s: nothing wiped",
                    actor=actor,
                    env=Environment.PAPER,
                )
                return f"{closed}; positions are not flat yet, nothing wiped — try again"
            time.sleep(0.5)
        counts = ray.get(self.ledger.wipe_paper.remote())
        ray.get(exchange.forget_history.remote())
        summary = ", ".join(f"{n} {table}" for table, n in counts.items() if n)
        self._audit(
            "wipe_paper", f"{closed}; wiped {summary or 'nothing'}", actor=actor, env=Environment.PAPER
        )
        return f"{closed}; paper history wiped ({summary or 'nothing to wipe'})"

    def pause(self, strategy_id: str, actor: str) -> str:
        return self._pause(strategy_id, actor, True)

    def resume(self, strategy_id: str, actor: str) -> str:
        return self._pause(strategy_id, actor, False)

    def _pause(self, strategy_id: str, actor: str, paused: bool) -> str:
        env = next((e for p, _, e in self.plans if p.strategy_id == strategy_id), None)
        if env is None:
            return f"unknown strategy {strategy_id}"
        ray.get(self.exchanges[env].pause.remote(strategy_id, paused))
        word = "paused" if paused else "resumed"
        self._audit(f"strategy_{word}", f"{strategy_id} {word}", actor=actor, env=env)
        return f"{strategy_id} {word}"

    def approve(self, strategy_id: str, actor: str, capital: float) -> str:
        change = ray.get(self.graduation.approve.remote(strategy_id, actor, capital))
        self.apply_stages(ray.get(self.graduation.current.remote()))
        return f"{strategy_id}: {change.from_stage} -> {change.to_stage} with {capital:g} USDT, approved by {actor}"

    def demote(self, strategy_id: str, actor: str, to: Stage, reason: str) -> str:
        change = ray.get(self.graduation.demote.remote(strategy_id, to, actor, reason))
        self.apply_stages(ray.get(self.graduation.current.remote()))
        return f"{strategy_id}: {change.from_stage} -> {change.to_stage} ({change.reason})"

    def ledger_url(self) -> str:
        from openalpha.store import safe_url
        from openalpha.store.engine import default_url

        return safe_url(self.database_url or default_url())

    def shutdown(self) -> None:
        if self.graduation is not None:
            with contextlib.suppress(Exception):
                ray.get(self.graduation.stop.remote(), timeout=10)
        for actor in self.exchanges.values():
            with contextlib.suppress(Exception):
                ray.get(actor.shutdown.remote(), timeout=10)
        self._audit("runtime_stopped", "runtime stopped", actor="supervisor")

    def ping(self) -> bool:
        return True

    # -- helpers ------------------------------------------------------------------------------
    def _exchange(self, env: Environment) -> Any:
        if env not in self.exchanges:
            raise ValueError(f"{env} is not running")
        return self.exchanges[env]

    @staticmethod
    def _alive(actor: Any) -> bool:
        if actor is None:
            return False
        try:
            return bool(ray.get(actor.ping.remote(), timeout=5))
        except Exception:
            return False

    def _audit(self, kind: str, message: str, *, actor: str, env: Environment | None = None) -> None:
        ray.get(
            self.ledger.audit.remote(
                Event(ts=_now(), kind=kind, source="supervisor", message=message, env=env, actor=actor)
            )
        )
