"""Running the simulator: blocking (the CLI) or in a background thread (tests, the demo)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

from aiohttp import web

from openalpha.sim.app import create_app
from openalpha.sim.state import SimState


async def _start(state: SimState, host: str, port: int) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(create_app(state), access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, host, port, reuse_address=True)
    await site.start()
    bound_host, bound_port = runner.addresses[0][:2]
    return runner, f"http://{bound_host}:{bound_port}"


def run_sim(
    state: SimState, host: str = "127.0.0.1", port: int = 0, on_ready: Callable[[str], None] | None = None
) -> None:
    """Serve until interrupted; ``on_ready(base_url)`` is called once the socket listens."""

    async def main() -> None:
        runner, url = await _start(state, host, port)
        if on_ready is not None:
            on_ready(url)
        try:
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()

    asyncio.run(main())


def start_sim_in_thread(
    state: SimState, host: str = "127.0.0.1", port: int = 0
) -> tuple[str, Callable[[], None]]:
    """Start the simulator on a daemon thread; returns ``(base_url, stop)``."""
    loop = asyncio.new_event_loop()
    ready: dict[str, object] = {}
    started = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        try:
            runner, url = loop.run_until_complete(_start(state, host, port))
        except BaseException as exc:  # reported to the caller below
            ready["error"] = exc
            started.set()
            return
        ready["runner"], ready["url"] = runner, url
        started.set()
        loop.run_forever()
        loop.run_until_complete(runner.cleanup())
        loop.close()

    thread = threading.Thread(target=serve, name="openalpha-sim", daemon=True)
    thread.start()
    started.wait()
    if "error" in ready:
        raise RuntimeError(f"simulator failed to start: {ready['error']}")

    def stop() -> None:
        if loop.is_running():
            loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)

    return str(ready["url"]), stop
