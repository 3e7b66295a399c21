"""Load a TOML config, apply ``OPENALPHA_*`` overrides, validate, and explain failures in one line."""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import msgspec

from openalpha.config.schema import AppConfig

T = TypeVar("T")

# Keys that hold secrets never belong in a file (they come from the environment or the vault).
_SECRET_KEY = re.compile(r"(secret|password|passwd|api_key|apikey|token|private_key)", re.IGNORECASE)
# Overrides: OPENALPHA_RISK__MAX_DRAWDOWN=0.2 sets risk.max_drawdown. Only names with "__" count,
# so OPENALPHA_HOME and friends are never mistaken for config keys.
_OVERRIDE_PREFIX = "OPENALPHA_"


class ConfigError(ValueError):
    """A configuration problem, already phrased as one line: ``source: key.path: what was expected``."""


def _walk_secrets(node: Any, path: str, source: str) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}.{key}" if path else str(key)
            if _SECRET_KEY.search(str(key)):
                raise ConfigError(
                    f"{source}: {here}: secrets are not allowed in config files; "
                    "set them in the environment or with `openalpha keys set`"
                )
            _walk_secrets(value, here, source)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _walk_secrets(value, f"{path}[{i}]", source)


def _parse_scalar(text: str) -> Any:
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def env_overrides(environ: Mapping[str, str]) -> dict[str, tuple[list[str], Any]]:
    """``{ENV_NAME: (key path, value)}`` for every ``OPENALPHA_A__B=...`` variable."""
    found: dict[str, tuple[list[str], Any]] = {}
    for name, text in environ.items():
        if name.startswith(_OVERRIDE_PREFIX) and "__" in name:
            path = [p.lower() for p in name[len(_OVERRIDE_PREFIX) :].split("__") if p]
            if path:
                found[name] = (path, _parse_scalar(text))
    return found


def _apply(raw: dict[str, Any], path: list[str], value: Any, source: str) -> None:
    node = raw
    for key in path[:-1]:
        child = node.setdefault(key, {})
        if not isinstance(child, dict):
            raise ConfigError(f"{source}: {'.'.join(path)}: cannot override inside a non-table value")
        node = child
    node[path[-1]] = value


def _lookup(raw: Any, parts: list[str | int]) -> tuple[bool, Any]:
    node = raw
    for part in parts:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return False, None
    return True, node


def _parse_path(path: str) -> list[str | int]:
    parts: list[str | int] = []
    for match in re.finditer(r"\.([^.\[]+)|\[(\d+)\]", path.removeprefix("$")):
        parts.append(match.group(1) if match.group(1) is not None else int(match.group(2)))
    return parts


def _unwrap(info: Any) -> tuple[Any, str | None]:
    """Strip Metadata/Optional wrappers, keeping the first ``description`` found."""
    description: str | None = None
    while True:
        if isinstance(info, msgspec.inspect.Metadata):
            schema = info.extra_json_schema or {}
            description = description or schema.get("description")
            info = info.type
        elif isinstance(info, msgspec.inspect.UnionType):
            inner = [t for t in info.types if not isinstance(t, msgspec.inspect.NoneType)]
            if len(inner) != 1:
                return info, description
            info = inner[0]
        else:
            return info, description


def _expected(type_: Any, parts: list[str | int]) -> str | None:
    """What the field at ``parts`` accepts, from its ``description`` or its Literal values."""
    info, description = _unwrap(msgspec.inspect.type_info(type_))
    for part in parts:
        if isinstance(part, int) and hasattr(info, "item_type"):
            info = info.item_type
        elif isinstance(info, msgspec.inspect.StructType):
            fields = {f.encode_name: f for f in info.fields}
            if part not in fields:
                return None
            info = fields[str(part)].type
        else:
            return None
        info, description = _unwrap(info)
    if description:
        return description
    if isinstance(info, msgspec.inspect.LiteralType):
        return "one of " + ", ".join(str(v) for v in info.values)
    return None


def describe_validation_error(err: msgspec.ValidationError, raw: Any, type_: Any, source: str) -> str:
    """Turn msgspec's message into ``source: key.path: expected ..., got <value>``."""
    text = str(err)
    message, _, where = text.partition(" - at `")
    where = where.rstrip("`")
    parts = _parse_path(where) if where else []
    missing = re.search(r"missing required field `([^`]+)`", message)
    unknown = re.search(r"unknown field `([^`]+)`", message)
    if missing:
        parts.append(missing.group(1))
    key_path = (
        "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts).lstrip(".") or "(top level)"
    )
    if unknown:
        key = f"{key_path}.{unknown.group(1)}" if parts else unknown.group(1)
        return f"{source}: {key}: unknown key (check the spelling; see configs/default.toml)"
    if missing:
        return f"{source}: {key_path}: required key is missing"
    found, value = _lookup(raw, parts)
    expected = _expected(type_, parts)
    if expected is None:
        expected = re.sub(r"^Expected ", "", message).replace("`", "")
        expected = re.sub(r", got .*$", "", expected)
    got = f", got {json.dumps(value, default=str)}" if found else ""
    return f"{source}: {key_path}: expected {expected}{got}"


def decode_config(raw: dict[str, Any], type_: type[T], source: str) -> T:
    """Validate an already-parsed mapping against ``type_`` with a one-line error."""
    try:
        return msgspec.convert(raw, type=type_, strict=True)
    except msgspec.ValidationError as err:
        raise ConfigError(describe_validation_error(err, raw, type_, source)) from None


def read_toml(path: Path) -> dict[str, Any]:
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{source}: file not found") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{source}: cannot read: {err}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{source}: not valid TOML: {err}") from None


def load_config(
    path: str | Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    type_: type[T] = AppConfig,  # type: ignore[assignment]
) -> T:
    """Load ``path`` (or the shipped default) with environment overrides applied."""
    file = Path(path) if path is not None else default_config_path()
    raw = read_toml(file)
    _walk_secrets(raw, "", str(file))
    overrides = env_overrides(os.environ if environ is None else environ)
    for name, (key_path, value) in overrides.items():
        _apply(raw, key_path, value, name)
    try:
        return msgspec.convert(raw, type=type_, strict=True)
    except msgspec.ValidationError as err:
        source = str(file)
        parts = _parse_path(str(err).partition(" - at `")[2].rstrip("`"))
        for name, (key_path, _value) in overrides.items():
            if [str(p) for p in parts[: len(key_path)]] == key_path:
                source = f"{file} (overridden by {name})"
        raise ConfigError(describe_validation_error(err, raw, type_, source)) from None


def default_config_path() -> Path:
    """``configs/default.toml`` shipped inside the package."""
    return Path(str(resources.files("openalpha.configs").joinpath("default.toml")))
