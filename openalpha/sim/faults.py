"""Fault injection for the simulator, configured from a TOML or JSON file (``--faults FILE``).

Every fault is a rule with a *rate* (probability per request or message, drawn from a generator
seeded with ``--seed``) and/or a *schedule* (``every_ms`` + ``length_ms``: active during the first
``length_ms`` of every ``every_ms`` window of wall time since start). ``paths`` limits REST rules
to paths starting with one of the prefixes; ``count`` caps how often a rule fires. Example::

    [latency]            # extra delay before a REST answer
    rate = 0.2
    ms = 30
    [http_5xx]           # HTTP 503 with a retCode 10016 envelope; the request is NOT processed
    rate = 0.05
    status = 503
    [timeout]            # hold the answer for ms (the client times out)
    rate = 0.02
    ms = 3000
    processed = true     # ... after the request took effect (the dangerous case)
    [rate_limit]         # retCode 10006 bursts with a reset timestamp in the future
    every_ms = 10000
    length_ms = 300
    [ws_drop]            # close a WebSocket (per pushed message)
    rate = 0.01
    [ws_duplicate]       # send a pushed message twice
    rate = 0.05
    [ws_reorder]         # hold a pushed message back and send it after the next one
    rate = 0.05
    [execution_delay]    # delay private execution pushes by ms
    rate = 1.0
    ms = 200
"""

from __future__ import annotations

import asyncio
import json
import random
import time
import tomllib
from collections.abc import Awaitable, Callable
from pathlib import Path

import msgspec
from aiohttp import web

from openalpha.sim.envelope import error


class FaultRule(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    rate: float = 0.0
    every_ms: int = 0
    length_ms: int = 0
    count: int | None = None
    paths: list[str] = msgspec.field(default_factory=list)
    ms: int = 0
    status: int = 503
    processed: bool = True


class FaultConfig(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    latency: FaultRule | None = None
    http_5xx: FaultRule | None = None
    timeout: FaultRule | None = None
    rate_limit: FaultRule | None = None
    ws_drop: FaultRule | None = None
    ws_duplicate: FaultRule | None = None
    ws_reorder: FaultRule | None = None
    execution_delay: FaultRule | None = None


def load_faults(path: Path) -> FaultConfig:
    """Parse a fault file; raises ValueError with a one-line reason."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"cannot read fault file {path}: {exc.strerror}") from None
    try:
        data = json.loads(raw) if path.suffix.lower() == ".json" else tomllib.loads(raw.decode())
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: not valid {'JSON' if path.suffix == '.json' else 'TOML'}: {exc}") from None
    try:
        cfg = msgspec.convert(data, FaultConfig)
    except msgspec.ValidationError as exc:
        raise ValueError(f"{path}: {exc}") from None
    for name in cfg.__struct_fields__:
        rule = getattr(cfg, name)
        if rule is not None and not 0.0 <= rule.rate <= 1.0:
            raise ValueError(f"{path}: {name}.rate must be within [0, 1], got {rule.rate}")
    return cfg


class Faults:
    """Decides, reproducibly for a seed, which requests and messages get which fault."""

    def __init__(
        self, config: FaultConfig, seed: int = 0, wall: Callable[[], float] = time.monotonic
    ) -> None:
        self.config = config
        self.rng = random.Random(seed)
        self._wall = wall
        self._t0 = wall()
        self._fired: dict[str, int] = {}

    def fires(self, name: str, path: str = "") -> FaultRule | None:
        """The rule ``name`` if it fires now for ``path`` (consumes one random draw if rated)."""
        rule: FaultRule | None = getattr(self.config, name)
        if rule is None:
            return None
        if rule.paths and not any(path.startswith(p) for p in rule.paths):
            return None
        if rule.count is not None and self._fired.get(name, 0) >= rule.count:
            return None
        hit = False
        if rule.every_ms > 0:
            elapsed = int((self._wall() - self._t0) * 1000)
            hit = elapsed % rule.every_ms < rule.length_ms
        if not hit and rule.rate > 0:
            hit = self.rng.random() < rule.rate
        if hit:
            self._fired[name] = self._fired.get(name, 0) + 1
            return rule
        return None

    def fired(self, name: str) -> int:
        return self._fired.get(name, 0)


FAULTS_KEY = "faults"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def make_middleware(faults: Faults) -> Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]:
    @web.middleware
    async def fault_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.headers.get("Upgrade", "").lower() == "websocket":
            return await handler(request)
        path = request.path
        now_ms = time.time_ns() // 1_000_000
        if faults.fires("rate_limit", path):
            reset = now_ms + 1000
            headers = {
                "X-Bapi-Limit": "10",
                "X-Bapi-Limit-Status": "0",
                "X-Bapi-Limit-Reset-Timestamp": str(reset),
            }
            return error(10006, "Too many visits!", now_ms, headers=headers)
        rule = faults.fires("http_5xx", path)
        if rule is not None:
            return error(10016, "Server error (injected)", now_ms, http_status=rule.status)
        rule = faults.fires("latency", path)
        if rule is not None:
            await asyncio.sleep(rule.ms / 1000)
        rule = faults.fires("timeout", path)
        if rule is not None:
            if rule.processed:
                response = await handler(request)
                await asyncio.sleep(rule.ms / 1000)
                return response
            await asyncio.sleep(rule.ms / 1000)
            return error(10016, "Server error (injected timeout)", now_ms, http_status=504)
        return await handler(request)

    return fault_middleware


def install_faults(app: web.Application, state: object) -> Faults | None:
    """Add the fault middleware (outermost) when the state names a fault file or config."""
    extensions: dict[str, object] = getattr(state, "extensions", {})
    config = extensions.get("fault_config")
    path = getattr(state, "faults_path", None)
    if config is None and path is not None:
        config = load_faults(Path(path))
    if not isinstance(config, FaultConfig):
        return None
    faults = Faults(config, seed=int(getattr(state, "seed", 0)))
    extensions[FAULTS_KEY] = faults
    app.middlewares.insert(0, make_middleware(faults))  # type: ignore[arg-type]
    return faults
