"""The dependency rule of ARCHITECTURE.md §1, enforced on the source tree.

* A module imports only from floors below its own (same package allowed; ``config`` is readable
  from every floor at or above it, since every I/O floor needs paths and settings).
* The pure core imports no network, database, Ray or UI library.
* ``ui`` reaches the exchange and the database only through the actors.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]

FLOORS: dict[str, int] = {
    "domain": 1,
    "venue": 2,
    "config": 2,
    "metrics": 2,
    "ml": 2,
    "store": 2,
    "security": 2,
    "strategies": 3,
    "risk": 3,
    "graduation": 3,
    "exchange": 3,
    "backtest": 4,
    "data": 4,
    "research": 5,
    "live": 5,
    "sim": 6,
    "actors": 7,
    "ui": 8,
    "cli": 8,
}
PURE = {
    "domain",
    "venue",
    "metrics",
    "ml",
    "strategies",
    "risk",
    "graduation",
    "backtest",
    "research",
    "config",
}
IO_LIBS = {
    "ray",
    "aiohttp",
    "sqlalchemy",
    "nicegui",
    "pybit",
    "requests",
    "websocket",
    "websockets",
    "psycopg2",
    "alembic",
    "httpx",
    "fastapi",
    "starlette",
    "uvicorn",
}
UI_FORBIDDEN = {"exchange", "store", "sim", "data"}


def _package_of(path: Path) -> str:
    rel = path.relative_to(REPO).parts
    if rel[0] == "openalpha":
        return rel[1].removesuffix(".py") if len(rel) > 1 else ""
    return rel[0]  # actors/ or ui/


def _imports(source: str) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def _may_use_ray(path: Path) -> bool:
    """Ray is allowed in actors/ and in research's sweep driver only."""
    return "tune" in path.stem or "driver" in path.stem


def violations(package: str, path: Path, source: str) -> list[str]:
    problems: list[str] = []
    floor = FLOORS.get(package)
    for name in _imports(source):
        top = name.split(".")[0]
        if (
            package in PURE
            and top in IO_LIBS
            and not (package == "research" and top == "ray" and _may_use_ray(path))
        ):
            problems.append(f"{path}: pure module imports {name}")
        if top == "openalpha" and floor is not None:
            parts = name.split(".")
            target = parts[1] if len(parts) > 1 else ""
            tfloor = FLOORS.get(target)
            if tfloor is None or target == package or (target == "config" and floor >= 2):
                continue
            if package == "cli" and target == "ui":
                continue  # the CLI serves the dashboard (both floor 8)
            if tfloor >= floor:
                problems.append(f"{path}: {package} (floor {floor}) imports {name} (floor {tfloor})")
            if package == "ui" and target in UI_FORBIDDEN:
                problems.append(f"{path}: ui must go through the actors, not import {name}")
    return problems


def _sources() -> list[Path]:
    roots = [REPO / "openalpha", REPO / "actors", REPO / "ui"]
    return sorted(p for root in roots if root.exists() for p in root.rglob("*.py"))


def test_every_package_has_a_floor() -> None:
    unknown = {_package_of(p) for p in _sources()} - set(FLOORS) - {"", "__init__", "__main__", "py"}
    assert not unknown, f"packages without a floor in ARCHITECTURE §1: {unknown}"


def test_dependency_rule_holds() -> None:
    problems: list[str] = []
    for path in _sources():
        problems += violations(_package_of(path), path.relative_to(REPO), path.read_text())
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("package", "source"),
    [
        ("venue", "import aiohttp"),
        ("backtest", "from ray import tune"),
        ("metrics", "from sqlalchemy.orm import Session"),
        ("domain", "from openalpha.venue import fees"),
        ("exchange", "from openalpha.sim.app import create_app"),
        ("ui", "from openalpha.store import Ledger"),
    ],
)
def test_the_checker_catches_violations(package: str, source: str) -> None:
    assert violations(package, Path(f"openalpha/{package}/x.py"), source)


def test_the_checker_allows_downward_imports() -> None:
    assert not violations("backtest", Path("openalpha/backtest/x.py"), "from openalpha.venue import fees")
    assert not violations("research", Path("openalpha/research/tune_driver.py"), "import ray")
