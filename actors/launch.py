"""Start the runtime from a configuration (used by ``openalpha trade`` and ``openalpha demo``)."""

from __future__ import annotations

import contextlib
from typing import Any

import ray
from openalpha.actors import names
from openalpha.actors.client import ActorRuntimeControl
from openalpha.actors.graduation_options import GraduationOptions
from openalpha.actors.supervisor import SupervisorActor

from openalpha.config.schema import AppConfig
from openalpha.domain import Environment
from openalpha.live.env_runtime import StrategyPlan
from openalpha.live.settings import EnvSettings


def strategy_id(name: str, symbols: tuple[str, ...] | list[str]) -> str:
    """Stable id of a configured strategy instance (its orderLinkIds derive from it)."""
    return f"{name}.{'+'.join(symbols)}"


def plans_from_config(
    config: AppConfig, envs: set[Environment]
) -> list[tuple[StrategyPlan, dict[str, Any], Environment]]:
    plans = []
    for cfg in config.strategies:
        env = Environment(cfg.env)
        if env not in envs:
            continue
        plan = StrategyPlan(
            strategy_id=strategy_id(cfg.name, cfg.symbols),
            name=cfg.name,
            symbols=list(cfg.symbols),
            interval=cfg.interval,
            capital_fraction=cfg.capital_fraction,
            leverage=cfg.leverage,
        )
        plans.append((plan, dict(cfg.params), env))
    return plans


def default_graduation() -> GraduationOptions:
    """Criteria from ``$OPENALPHA_HOME/graduation.toml`` when present (else the documented
    defaults of ``configs/graduation.toml``), evaluated every minute."""
    from openalpha.config import Paths
    from openalpha.graduation.criteria import criteria_file

    custom = criteria_file(Paths.from_env().home)
    return GraduationOptions(criteria_path=str(custom) if custom else None)


def start_runtime(
    config: AppConfig,
    settings: list[EnvSettings],
    database_url: str | None = None,
    graduation: GraduationOptions | None = None,
) -> ActorRuntimeControl:
    """Create the supervisor (named, in namespace ``openalpha``) and start every actor."""
    envs = {s.env for s in settings}
    supervisor = SupervisorActor.options(name=names.SUPERVISOR, namespace=names.NAMESPACE).remote(
        settings,
        plans_from_config(config, envs),
        config.risk,
        database_url,
        graduation or default_graduation(),
    )
    ray.get(supervisor.start.remote())
    return ActorRuntimeControl(supervisor)


def stop_runtime(control: ActorRuntimeControl) -> None:
    with contextlib.suppress(Exception):  # already gone: nothing left to stop
        ray.get(control.supervisor.shutdown.remote(), timeout=30)
