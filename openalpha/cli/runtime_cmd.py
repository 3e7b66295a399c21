"""The shared body of ``openalpha trade`` and ``openalpha demo``."""

from __future__ import annotations

import sys
import time
from typing import Any

from openalpha.cli.boot import (
    Running,
    check_environment,
    external_paper,
    start_paper_sim,
    start_ray,
    start_ui,
    wait,
)
from openalpha.cli.errors import CliError
from openalpha.config import AppConfig, Paths
from openalpha.domain import Environment


def _settings(config: AppConfig, env: Environment, paper: tuple[str, str, str] | None) -> Any:
    from openalpha.live.settings import BYBIT_URLS, EnvSettings

    tier = getattr(config.environments, env.value).fee_tier
    if env is Environment.PAPER:
        assert paper is not None
        url, key, secret = paper
        return EnvSettings(env=env, base_url=url, fee_tier=tier, sim_api_key=key, sim_api_secret=secret)
    base = getattr(config.environments, env.value).base_url or BYBIT_URLS[env]
    return EnvSettings(env=env, base_url=base, fee_tier=tier)


def launch(
    config: AppConfig,
    envs: list[Environment],
    *,
    store: Any,
    start_ms: int | None,
    address: str | None,
    ui: bool,
    ui_port: int | None,
    duration: float | None,
    speed: float | None = None,
    paper_url: str | None = None,
) -> int:
    """Start everything, print where to look, wait, stop everything. Returns the exit code."""
    paths = Paths.from_env()
    paths.home.mkdir(parents=True, exist_ok=True)
    for env in envs:
        check_environment(config, env, paths)
    if not any(s.env in {e.value for e in envs} for s in config.strategies):
        raise CliError(f"no strategy in the config trades on {', '.join(e.value for e in envs)}")
    external = external_paper(paper_url) if paper_url and Environment.PAPER in envs else None
    running = Running()
    try:
        paper = None
        if external is not None:
            paper = external
            print(f"simulator (paper) at {paper[0]}", flush=True)
        elif Environment.PAPER in envs:
            from openalpha.data.store import ParquetStore

            url, key, secret, stop_sim = start_paper_sim(
                config, store or ParquetStore.default(), start_ms, speed or config.sim.speed
            )
            running.stops.append(stop_sim)
            paper = (url, key, secret)
            print(f"simulator (paper) listening on {url}", flush=True)
        running.stops.append(start_ray(address))
        from openalpha.actors.launch import start_runtime, stop_runtime

        t0 = time.monotonic()
        running.control = start_runtime(
            config, [_settings(config, e, paper) for e in envs], database_url=paths.database_url()
        )
        running.stops.append(lambda: stop_runtime(running.control))
        print(f"runtime up in {time.monotonic() - t0:.1f}s: {', '.join(e.value for e in envs)}", flush=True)
        if ui:
            start_ui(running, config, paths, ui_port)
        _where_to_look(running)
        wait(running, duration, on_tick=lambda: _print_tick(running))
    finally:
        print("stopping…", flush=True)
        running.stop()
    print("stopped cleanly", flush=True)
    return 0


def _where_to_look(running: Running) -> None:
    import ray

    if running.ui_url:
        print(f"dashboard: {running.ui_url}", flush=True)
    address = ray.get_runtime_context().gcs_address
    print(f"ray:       {address}", flush=True)
    print(f"status:    openalpha status --address {address}", flush=True)
    print(f"kill:      openalpha kill-switch --address {address} [--flatten]", flush=True)
    print("Ctrl-C stops everything.", flush=True)


def _print_tick(running: Running) -> None:
    snap = running.control.snapshot()
    parts = []
    for env in snap.environments:
        if env.active:
            parts.append(
                f"{env.env}: equity {env.equity:,.2f} pnl {env.pnl_total:+,.2f} "
                f"fills {len(env.recent_fills)} positions {len(env.positions)}"
            )
    print(" | ".join(parts), file=sys.stdout, flush=True)
