"""The search space of a sweep: the config's ``[search]`` table resolved against ``Params`` bounds.

Pure: the Ray Tune driver and the in-process Optuna search both translate :class:`Dim`
into their own distributions, so the two searches explore exactly the same space.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec
import numpy as np

from openalpha.research.sweep_config import ParamRange
from openalpha.strategies import ParamSpec, param_specs


class Dim(msgspec.Struct, frozen=True, kw_only=True):
    """One searched parameter."""

    name: str
    kind: str  # "int" | "float" | "choice"
    low: float | None = None
    high: float | None = None
    step: float | None = None
    log: bool = False
    values: list[Any] | None = None

    def grid(self, points: int) -> list[Any]:
        """Evenly spaced values (unique, in order) for a grid search; all values of a choice."""
        if self.kind == "choice":
            return list(self.values or [])
        assert self.low is not None and self.high is not None
        if self.log:
            raw = np.geomspace(self.low, self.high, points)
        else:
            raw = np.linspace(self.low, self.high, points)
        if self.kind == "int":
            return sorted({int(np.rint(v)) for v in raw})
        if self.step:
            raw = np.round(raw / self.step) * self.step
        return sorted({float(v) for v in raw})


def _numeric_dim(spec: ParamSpec, rng: ParamRange, owner: str) -> Dim:
    low = rng.low if rng.low is not None else spec.low
    high = rng.high if rng.high is not None else spec.high
    if low is None or high is None:
        raise ValueError(f"search.{spec.name}: {owner} gives no bounds for it; set low and high")
    # an open bound taken from Params (e.g. size > 0) is nudged inside the range
    if rng.low is None and spec.low_open:
        low = low + 1 if spec.kind == "int" else low + (high - low) * 1e-6
    if rng.high is None and spec.high_open:
        high = high - 1 if spec.kind == "int" else high - (high - low) * 1e-6
    if spec.low is not None and (low < spec.low or (spec.low_open and low == spec.low)):
        raise ValueError(f"search.{spec.name}: low {low:g} is below the parameter's bound {spec.low:g}")
    if spec.high is not None and (high > spec.high or (spec.high_open and high == spec.high)):
        raise ValueError(f"search.{spec.name}: high {high:g} is above the parameter's bound {spec.high:g}")
    if not low < high:
        raise ValueError(f"search.{spec.name}: needs low < high, got {low:g} and {high:g}")
    if rng.log and low <= 0:
        raise ValueError(f"search.{spec.name}: a log scale needs low > 0")
    if spec.kind == "int":
        return Dim(name=spec.name, kind="int", low=int(low), high=int(high), step=rng.step or 1, log=rng.log)
    return Dim(name=spec.name, kind="float", low=float(low), high=float(high), step=rng.step, log=rng.log)


def resolve_space(
    search: Mapping[str, ParamRange], fixed: Mapping[str, Any], params_cls: type, owner: str
) -> list[Dim]:
    """The searched dimensions; ValueError (one line) for unknown names or impossible ranges."""
    specs = {s.name: s for s in param_specs(params_cls)}
    for name in list(search) + list(fixed):
        if name not in specs:
            raise ValueError(f"{owner} has no parameter {name!r} (it has: {', '.join(specs)})")
    both = set(search) & set(fixed)
    if both:
        raise ValueError(f"parameters both fixed and searched: {', '.join(sorted(both))}")
    chosen = dict(search)
    if not chosen:
        chosen = {
            s.name: ParamRange()
            for s in specs.values()
            if s.name not in fixed
            and (
                s.kind == "bool" or (s.kind in ("int", "float") and s.low is not None and s.high is not None)
            )
        }
    dims: list[Dim] = []
    for name, rng in chosen.items():
        spec = specs[name]
        if rng.values is not None:
            if not rng.values:
                raise ValueError(f"search.{name}: values must not be empty")
            dims.append(Dim(name=name, kind="choice", values=list(rng.values)))
        elif spec.kind == "bool":
            dims.append(Dim(name=name, kind="choice", values=[False, True]))
        elif spec.kind in ("int", "float"):
            dims.append(_numeric_dim(spec, rng, owner))
        else:
            raise ValueError(f"search.{name}: a {spec.kind} parameter needs values = [...]")
    if not dims:
        raise ValueError(f"nothing to search: {owner} has no bounded parameter left to optimise")
    return dims


def grid_size(dims: list[Dim], points: int) -> int:
    return int(np.prod([len(d.grid(points)) for d in dims]))


__all__ = ["Dim", "grid_size", "resolve_space"]
