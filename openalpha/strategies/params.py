"""Strategy parameters: building them from loose values and listing their sweep bounds.

``Params`` is a frozen msgspec Struct. Bounds are ordinary msgspec constraints on the field
type, e.g. ``fast: Annotated[int, msgspec.Meta(ge=2, le=500)] = 20``; the sweep engine reads
them back through :func:`param_specs`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import msgspec
import msgspec.inspect as mi

from openalpha.strategies.errors import ParamError


class ParamSpec(msgspec.Struct, frozen=True, kw_only=True):
    """One parameter: its name, kind (``int``/``float``/``bool``/``str``), default and bounds.

    ``low``/``high`` are inclusive bounds for sweeps (``gt``/``lt`` constraints are reported in
    ``low_open``/``high_open``); ``None`` means unbounded.
    """

    name: str
    kind: str
    default: Any
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    description: str = ""


_KINDS: dict[type, str] = {
    mi.IntType: "int",
    mi.FloatType: "float",
    mi.BoolType: "bool",
    mi.StrType: "str",
}


def _spec(field: mi.Field) -> ParamSpec:
    ftype = field.type
    description = ""
    if isinstance(ftype, mi.Metadata):
        extra = ftype.extra_json_schema or {}
        description = str(extra.get("description", ""))
        ftype = ftype.type
    kind = _KINDS.get(type(ftype), type(ftype).__name__.removesuffix("Type").lower())
    low = high = None
    low_open = high_open = False
    if isinstance(ftype, mi.IntType | mi.FloatType):
        if ftype.ge is not None:
            low = ftype.ge
        elif ftype.gt is not None:
            low, low_open = ftype.gt, True
        if ftype.le is not None:
            high = ftype.le
        elif ftype.lt is not None:
            high, high_open = ftype.lt, True
    default = None if field.default is msgspec.NODEFAULT else field.default
    return ParamSpec(
        name=field.name,
        kind=kind,
        default=default,
        low=low,
        high=high,
        low_open=low_open,
        high_open=high_open,
        description=description,
    )


def param_specs(params_cls: type) -> list[ParamSpec]:
    """Each field of a ``Params`` Struct with its default and bounds, in declaration order."""
    info = mi.type_info(params_cls)
    if not isinstance(info, mi.StructType):
        raise ParamError(f"{params_cls!r} is not a msgspec Struct")
    return [_spec(f) for f in info.fields]


def build_params(params_cls: type, values: Mapping[str, Any], *, owner: str = "strategy") -> Any:
    """``params_cls`` from ``values`` (strings are converted: ``"20"`` → 20, ``"false"`` → False).

    Raises :class:`ParamError` with one line for an unknown name, a bad type or a value out of bounds.
    """
    known = {f.name for f in mi.type_info(params_cls).fields}  # type: ignore[attr-defined]
    unknown = sorted(set(values) - known)
    if unknown:
        choices = ", ".join(sorted(known)) or "none"
        raise ParamError(f"{owner}: unknown parameter {unknown[0]!r} (parameters: {choices})")
    try:
        return msgspec.convert(dict(values), params_cls, strict=False)
    except msgspec.ValidationError as err:
        text = str(err).replace("\n", " ")
        raise ParamError(f"{owner}: invalid parameter: {text}") from None
    except (TypeError, ValueError) as err:  # a Params.__post_init__ check
        raise ParamError(f"{owner}: invalid parameters: {err}") from None


def parse_assignments(items: Iterable[str]) -> dict[str, str]:
    """``["fast=10", "slow=50"]`` → ``{"fast": "10", "slow": "50"}`` (as given on a command line)."""
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ParamError(f"bad parameter {item!r}: expected key=value")
        out[key] = value.strip()
    return out


__all__ = ["ParamSpec", "build_params", "param_specs", "parse_assignments"]
