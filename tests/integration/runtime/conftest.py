"""One local Ray for every runtime test (``num_cpus=2``, namespace ``openalpha``), shared by the
session; each test starts and stops its own runtime on it.

``RAY_AUTH_MODE=disabled`` keeps ``ray.init`` from turning token authentication on, so the
``openalpha`` subprocesses of these tests can join it with ``--address``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session")
def ray_address() -> Iterator[str]:
    os.environ["RAY_AUTH_MODE"] = "disabled"
    os.environ.setdefault("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")
    import ray
    from openalpha.actors.names import NAMESPACE

    ray.init(num_cpus=2, include_dashboard=False, namespace=NAMESPACE, log_to_driver=False)
    try:
        yield ray.get_runtime_context().gcs_address
    finally:
        ray.shutdown()
