"""Stop the Ray helper processes a local runtime cluster does not use (memory: issue 6).

``ray.init`` on a fresh machine starts, besides GCS, the raylet and its two agents, three
Python helpers of ~80-120 MB RSS each that the trading runtime never talks to:

* the **log monitor** — streams worker logs to the driver; the runtime starts Ray with
  ``log_to_driver=False`` (worker logs stay in Ray's session files);
* the **autoscaler monitor** — scales a cluster with node types; a local one-node cluster has none;
* the **dashboard head** — with ``include_dashboard=False`` it only serves usage statistics.

``ray.init`` has no switch for them (``ray start`` has ``--no-monitor`` and
``--include-log-monitor``), so they are stopped right after the cluster is up, through the
node object that owns them (``ray.shutdown`` then skips them). Only for a cluster this process
started; never for one it joined. Best effort: a Ray without these hooks keeps them running.

:data:`LOCAL_SYSTEM_CONFIG` is the Ray system config such a cluster starts with. GCS keeps a
record of every task (each actor call is one) for the state API, up to 100,000 by default:
at the runtime's call rate that is ~14 MB more GCS memory per wall minute for over an hour.
Capped at the last 1,000 tasks (``ray list tasks`` still shows the recent ones), GCS stays flat.
"""

from __future__ import annotations

import contextlib

UNUSED = ("kill_log_monitor", "kill_monitor", "kill_dashboard")

LOCAL_SYSTEM_CONFIG: dict[str, int] = {"task_events_max_num_task_in_gcs": 1000}


def stop_unused_helpers() -> list[str]:
    """Stop the helpers listed in :data:`UNUSED` of the local cluster this process started;
    returns the ones stopped."""
    import ray._private.worker as ray_worker

    node = getattr(ray_worker, "_global_node", None)
    if node is None or not getattr(node, "head", False):
        return []
    stopped = []
    for name in UNUSED:
        kill = getattr(node, name, None)
        if kill is None:
            continue
        with contextlib.suppress(Exception):  # already gone or not started: nothing to stop
            kill(check_alive=False)
            stopped.append(name)
    return stopped
