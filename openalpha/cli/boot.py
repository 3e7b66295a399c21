"""Bringing the runtime up and down for ``openalpha trade`` and ``openalpha demo``.

Order: (paper) simulator → Ray → supervisor and actors → dashboard. Shutdown runs in reverse on
Ctrl-C, SIGTERM or the end of ``--duration``, and always completes.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from openalpha.cli.errors import CliError
from openalpha.config import AppConfig, Paths
from openalpha.domain import Environment


@dataclass
class Running:
    """Everything that must be stopped, in reverse order."""

    stops: list[Callable[[], None]] = field(default_factory=list)
    control: Any = None
    ui_url: str | None = None

    def stop(self) -> None:
        while self.stops:
            with contextlib.suppress(Exception):
                self.stops.pop()()


def start_paper_sim(
    config: AppConfig, store: Any, start_ms: int | None, speed: float
) -> tuple[str, str, str, Callable[[], None]]:
    """The simulator on loopback with a throw-away key pair; returns (url, key, secret, stop)."""
    from openalpha.sim.clock import ReplayClock
    from openalpha.sim.server import start_sim_in_thread
    from openalpha.sim.state import SimAccount, SimState

    key, secret = f"paper-{secrets.token_hex(6)}", secrets.token_hex(24)
    state = SimState(
        store=store,
        clock=ReplayClock(start_ms, speed=speed),
        seed=config.sim.seed,
        accounts=[SimAccount(key, secret, config.sim.balance)],
    )
    url, stop = start_sim_in_thread(state, host=config.sim.host, port=config.sim.port)
    return url, key, secret, stop


PAPER_KEY_ENV = "OPENALPHA_PAPER_API_KEY"
PAPER_SECRET_ENV = "OPENALPHA_PAPER_API_SECRET"


def external_paper(url: str) -> tuple[str, str, str]:
    """An already running simulator (``openalpha sim``) for ``paper``: (url, key, secret).

    The key pair comes from ``OPENALPHA_PAPER_API_KEY`` / ``OPENALPHA_PAPER_API_SECRET`` (never
    from arguments, which other users can read in the process list). The simulator is asked for
    its time and the wallet before anything starts, so a wrong URL or key is one line.
    """
    from openalpha.exchange.bybit.adapter import BybitExchange
    from openalpha.exchange.errors import AuthError, ExchangeError

    if not url.startswith(("http://", "https://")):
        raise CliError(f"--paper-url: expected http://HOST:PORT, got {url!r}")
    key, secret = os.environ.get(PAPER_KEY_ENV, ""), os.environ.get(PAPER_SECRET_ENV, "")
    if not key or not secret:
        raise CliError(
            f"--paper-url needs the simulator's key pair in {PAPER_KEY_ENV} and {PAPER_SECRET_ENV}"
        )
    exchange = BybitExchange(Environment.PAPER, key, secret, base_url=url, timeout_s=5.0, max_attempts=2)
    try:
        exchange.server_time_ms()
        exchange.wallet()
    except AuthError:
        raise CliError(f"the simulator at {url} refused the key in {PAPER_KEY_ENV}") from None
    except (ExchangeError, OSError) as err:
        raise CliError(f"cannot reach the simulator at {url}: {str(err).splitlines()[0]}") from None
    finally:
        exchange.close()
    return url.rstrip("/"), key, secret


def start_ray(address: str | None) -> Callable[[], None]:
    import ray

    from openalpha.actors.names import NAMESPACE

    os.environ.setdefault("RAY_DEDUP_LOGS", "0")
    kwargs: dict[str, Any] = {"namespace": NAMESPACE, "log_to_driver": False, "logging_level": "ERROR"}
    if address:
        kwargs["address"] = address  # a cluster it joins keeps its own system config
    else:
        from openalpha.actors.ray_trim import LOCAL_SYSTEM_CONFIG

        kwargs.update(
            num_cpus=max(2, os.cpu_count() or 2),
            include_dashboard=False,
            _system_config=dict(LOCAL_SYSTEM_CONFIG),
        )
    try:
        ray.init(**kwargs)
    except Exception as err:
        raise CliError(
            f"cannot start or join Ray{f' at {address}' if address else ''}: {str(err).splitlines()[0]}"
        ) from None
    if not address:
        from openalpha.actors.ray_trim import stop_unused_helpers

        stop_unused_helpers()
    return ray.shutdown


def start_ui(running: Running, config: AppConfig, paths: Paths, port: int | None) -> None:
    """Serve the dashboard in a background thread; a failure to serve is one line, not a crash."""
    import importlib

    serve = importlib.import_module("openalpha.ui.app").serve
    try:
        server = serve(
            running.control,
            host=config.ui.host,
            port=port or config.ui.port,
            config=config.ui,
            paths=paths,
            block=False,
        )
    except Exception as err:  # AuthError (non-loopback bind, no password) or a port in use
        raise CliError(f"dashboard: {err}") from None
    if server is not None:
        running.ui_url = server.url
        running.stops.append(server.stop)


def wait(running: Running, duration: float | None, on_tick: Callable[[], None] | None = None) -> None:
    """Block until Ctrl-C / SIGTERM or ``duration`` seconds; ``on_tick`` every few seconds."""
    done = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: done.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    deadline = time.monotonic() + duration if duration else None
    try:
        while not done.wait(5.0 if deadline is None else max(0.0, min(5.0, deadline - time.monotonic()))):
            if deadline is not None and time.monotonic() >= deadline:
                break
            if on_tick is not None:
                with contextlib.suppress(Exception):
                    on_tick()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def check_environment(config: AppConfig, env: Environment, paths: Paths) -> None:
    """Refuse to start an environment that is not configured, opted in, or keyed."""
    settings = getattr(config.environments, env.value)
    if env is Environment.PAPER:
        return
    if env is Environment.MAINNET and not settings.allow_mainnet:
        raise CliError(
            "mainnet refuses to start: set environments.mainnet.allow_mainnet = true in the config"
        )
    from openalpha.security.vault import Vault, master_key_from_env

    if not Vault(paths.vault, master_key_from_env()).has(env):
        raise CliError(f"{env} refuses to start: no API key stored (run `openalpha keys set --env {env}`)")
