"""A local runtime cluster without Ray's unused helpers still runs actors and shuts down cleanly
(its own process: the session's shared Ray is not touched)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

SCRIPT = r"""
import json, time
import psutil, ray
from openalpha.actors.ray_trim import stop_unused_helpers

def helpers():
    lines = [" ".join(p.cmdline()) for p in psutil.Process().children(recursive=True)]
    return {name: any(script in line for line in lines)
            for name, script in (("log_monitor", "log_monitor.py"), ("monitor", "autoscaler/_private/monitor.py"),
                                 ("dashboard", "dashboard/dashboard.py"), ("raylet", "raylet"))}

ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False)
before = helpers()
stopped = stop_unused_helpers()
time.sleep(1.0)
after = helpers()

@ray.remote
class Echo:
    def echo(self, x):
        return x

answer = ray.get(Echo.remote().echo.remote(41)) + 1
ray.shutdown()
print(json.dumps({"before": before, "after": after, "stopped": stopped, "answer": answer}))
"""


def test_unused_helpers_stop_and_the_cluster_still_serves_actors() -> None:
    env = {**os.environ, "RAY_AUTH_MODE": "disabled", "RAY_ENABLE_UV_RUN_RUNTIME_ENV": "0"}
    env.pop("RAY_ADDRESS", None)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["before"] == {"log_monitor": True, "monitor": True, "dashboard": True, "raylet": True}
    assert out["stopped"] == ["kill_log_monitor", "kill_monitor", "kill_dashboard"]
    assert out["after"] == {"log_monitor": False, "monitor": False, "dashboard": False, "raylet": True}
    assert out["answer"] == 42
