"""Attach to a running runtime: the :class:`RuntimeControl` the CLI and the dashboard use."""

from __future__ import annotations

import socket
from typing import Any

import ray
from openalpha.actors import names

from openalpha.domain import Environment, Stage
from openalpha.live.snapshot import RuntimeSnapshot


class RuntimeNotFound(RuntimeError):
    """No Open Alpha runtime answers at that address."""


class ActorRuntimeControl:
    """:class:`openalpha.live.control.RuntimeControl` over the supervisor actor."""

    def __init__(self, supervisor: Any) -> None:
        self.supervisor = supervisor

    def snapshot(self) -> RuntimeSnapshot:
        return ray.get(self.supervisor.snapshot.remote(), timeout=30)  # type: ignore[no-any-return]

    def kill_switch(self, *, actor: str, flatten: bool = False) -> str:
        return str(ray.get(self.supervisor.kill_switch.remote(actor, flatten)))

    def release_kill_switch(self, *, actor: str) -> str:
        return str(ray.get(self.supervisor.release_kill_switch.remote(actor)))

    def cancel_all(self, env: Environment, *, actor: str) -> str:
        return str(ray.get(self.supervisor.cancel_all.remote(env, actor)))

    def close_all(self, env: Environment, *, actor: str) -> str:
        return str(ray.get(self.supervisor.close_all.remote(env, actor)))

    def wipe_paper(self, *, actor: str) -> str:
        return str(ray.get(self.supervisor.wipe_paper.remote(actor)))

    def pause(self, strategy_id: str, *, actor: str) -> str:
        return str(ray.get(self.supervisor.pause.remote(strategy_id, actor)))

    def resume(self, strategy_id: str, *, actor: str) -> str:
        return str(ray.get(self.supervisor.resume.remote(strategy_id, actor)))

    def approve(self, strategy_id: str, *, actor: str, capital: float) -> str:
        return str(ray.get(self.supervisor.approve.remote(strategy_id, actor, capital)))

    def demote(self, strategy_id: str, *, actor: str, to: Stage, reason: str) -> str:
        return str(ray.get(self.supervisor.demote.remote(strategy_id, actor, to, reason)))

    def ledger_url(self) -> str:
        """The (password-free) URL of the ledger the runtime writes to."""
        return str(ray.get(self.supervisor.ledger_url.remote(), timeout=30))


def _listening(address: str, timeout_s: float = 2.0) -> bool:
    """Whether something accepts TCP connections at ``host:port`` (``ray.init`` on a dead
    address retries for minutes, printing as it goes)."""
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not port.isdigit():
        return True  # not host:port: let Ray explain what it expects
    try:
        with socket.create_connection((host or "127.0.0.1", int(port)), timeout=timeout_s):
            return True
    except OSError:
        return False


def connect(address: str | None = None) -> ActorRuntimeControl:
    """Join the Ray cluster at ``address`` (default: the local one) and find the supervisor."""
    if not ray.is_initialized():
        if address and address != "auto" and not _listening(address):
            raise RuntimeNotFound(f"no Ray cluster at {address}: nothing listens there")
        try:
            ray.init(
                address=address or "auto",
                namespace=names.NAMESPACE,
                log_to_driver=False,
                logging_level="ERROR",
            )
        except (ConnectionError, RuntimeError, ValueError) as err:
            raise RuntimeNotFound(
                f"no Ray cluster at {address or 'auto'}: {str(err).splitlines()[0]}"
            ) from None
    try:
        supervisor = ray.get_actor(names.SUPERVISOR, namespace=names.NAMESPACE)
    except ValueError:
        raise RuntimeNotFound(
            f"no Open Alpha runtime is running at {address or 'the local Ray cluster'}"
        ) from None
    return ActorRuntimeControl(supervisor)
