"""The Ray system config the runtime starts its own cluster with (GCS keeps the last 1,000 task
records, not 100,000: issue 6), and a cluster it joins keeps its own. Each Ray in its own
process: the session's shared Ray is not touched."""

from __future__ import annotations

import json
import os
import subprocess
import sys

READ_CONFIG = r"""
import ray

@ray.remote
class Probe:
    def task_cap(self):
        import ray._raylet
        return ray._raylet.Config.task_events_max_num_task_in_gcs()

cap = ray.get(Probe.remote().task_cap.remote())
"""

OWN = (
    "import json, ray\nfrom openalpha.cli.boot import start_ray\nstop = start_ray(None)\n"
    + READ_CONFIG
    + "stop()\nprint(json.dumps({'cap': cap}))\n"
)

# A cluster somebody else started (its own system config), kept up until stdin closes.
OTHER = r"""
import sys, ray
ray.init(num_cpus=1, include_dashboard=False,
         _system_config={"task_events_max_num_task_in_gcs": 777})
print(ray.get_runtime_context().gcs_address, flush=True)
sys.stdin.read()
ray.shutdown()
"""

JOIN = (
    "import json, sys, ray\nfrom openalpha.cli.boot import start_ray\nstop = start_ray(sys.argv[1])\n"
    + READ_CONFIG
    + "stop()\nprint(json.dumps({'cap': cap}))\n"
)


def _env() -> dict[str, str]:
    env = {**os.environ, "RAY_AUTH_MODE": "disabled", "RAY_ENABLE_UV_RUN_RUNTIME_ENV": "0"}
    env.pop("RAY_ADDRESS", None)
    return env


def _run(script: str, *args: str) -> dict[str, int]:
    done = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, env=_env(), timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_cluster_the_runtime_starts_caps_the_task_records_in_gcs() -> None:
    from openalpha.actors.ray_trim import LOCAL_SYSTEM_CONFIG

    assert _run(OWN) == {"cap": LOCAL_SYSTEM_CONFIG["task_events_max_num_task_in_gcs"]}


def test_a_cluster_the_runtime_joins_keeps_its_own_config() -> None:
    other = subprocess.Popen(
        [sys.executable, "-c", OTHER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=_env(),
    )
    try:
        assert other.stdout is not None
        address = other.stdout.readline().strip()
        assert address, "the other cluster did not come up"
        assert _run(JOIN, address) == {"cap": 777}
    finally:
        assert other.stdin is not None
        other.stdin.close()
        other.wait(timeout=120)
