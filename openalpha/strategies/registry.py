"""Built-in strategies by name, and user strategies from ``path/to/file.py:ClassName``.

A built-in's module is imported the first time its name is asked for, so a process that runs
one strategy loads only that strategy's dependencies (``sma_cross`` pulls numba, the ML ones
the model libraries).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path

from openalpha.strategies.base import Strategy
from openalpha.strategies.errors import UnknownStrategy

_REGISTRY: dict[str, type[Strategy]] = {}

# name -> the module that registers it on import.
_BUILTIN_MODULES: dict[str, str] = {
    "funding_carry": "openalpha.strategies.funding_carry",
    "mean_reversion": "openalpha.strategies.mean_reversion",
    "ml_trend": "openalpha.strategies.ml_trend",
    "momentum_breakout": "openalpha.strategies.momentum_breakout",
    "momentum_breakout_ml": "openalpha.strategies.ml_trend",
    "sma_cross": "openalpha.strategies.sma_cross",
}


def register(cls: type[Strategy]) -> type[Strategy]:
    """Class decorator: make ``cls`` available under ``cls.name``."""
    if not cls.name:
        raise ValueError(f"{cls.__name__} needs a non-empty `name` to be registered")
    builtin = _BUILTIN_MODULES.get(cls.name)
    if builtin is not None and cls.__module__ != builtin:  # taken even before it is imported
        raise ValueError(f"strategy name {cls.name!r} is taken by the built-in in {builtin}")
    existing = _REGISTRY.get(cls.name)
    if existing is not None and existing is not cls:
        raise ValueError(f"strategy name {cls.name!r} is already taken by {existing.__qualname__}")
    _REGISTRY[cls.name] = cls
    return cls


def strategy_names() -> list[str]:
    return sorted(_REGISTRY.keys() | _BUILTIN_MODULES.keys())


def _load_file(spec_text: str) -> type[Strategy]:
    path_text, _, class_name = spec_text.rpartition(":")
    path = Path(path_text).expanduser()
    if not path.is_file():
        raise UnknownStrategy(f"strategy file not found: {path}")
    if not class_name.isidentifier():
        raise UnknownStrategy(f"bad strategy reference {spec_text!r}: expected path/to/file.py:ClassName")
    module_name = f"openalpha_user_strategy_{abs(hash(str(path.resolve())))}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise UnknownStrategy(f"cannot import strategy file {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as err:  # the user's module failed to import: report it in one line
        sys.modules.pop(module_name, None)
        raise UnknownStrategy(f"cannot import {path}: {type(err).__name__}: {err}") from None
    cls = getattr(module, class_name, None)
    if cls is None:
        raise UnknownStrategy(f"{path} has no class {class_name!r}")
    if not (isinstance(cls, type) and issubclass(cls, Strategy)):
        raise UnknownStrategy(f"{path}:{class_name} is not a subclass of openalpha.strategies.Strategy")
    return cls


def get_strategy_class(ref: str) -> type[Strategy]:
    """The class registered as ``ref``, or loaded from ``ref = "path/to/file.py:ClassName"``."""
    ref = ref.strip()
    if ".py:" in ref:
        return _load_file(ref)
    if ref not in _REGISTRY and ref in _BUILTIN_MODULES:
        importlib.import_module(_BUILTIN_MODULES[ref])
    try:
        return _REGISTRY[ref]
    except KeyError:
        raise UnknownStrategy(
            f"unknown strategy {ref!r} (built-ins: {', '.join(strategy_names())}; or path/to/file.py:ClassName)"
        ) from None


__all__ = ["get_strategy_class", "register", "strategy_names"]
