"""One local Ray for every runtime test (``num_cpus=2``), shared by the session; each test
starts and stops its own runtime on it. A Ray another suite already started in this session is
reused (and left to its owner to shut down): the runtime names its actors in namespace
``openalpha`` explicitly, whatever the driver's namespace.

``RAY_AUTH_MODE=disabled`` keeps ``ray.init`` from turning token authentication on, so the
``openalpha`` subprocesses of these tests can join it with ``--address``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .harness import local_ray


@pytest.fixture(scope="session")
def ray_address() -> Iterator[str]:
    with local_ray() as address:
        yield address
