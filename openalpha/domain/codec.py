"""Exact JSON and msgpack encoding of domain Structs (Decimals travel as strings)."""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

T = TypeVar("T")

_json_encoder = msgspec.json.Encoder(decimal_format="string")
_msgpack_encoder = msgspec.msgpack.Encoder(decimal_format="string")


def to_json(obj: Any) -> bytes:
    return _json_encoder.encode(obj)


def from_json(data: bytes | str, type_: type[T]) -> T:
    return msgspec.json.decode(data, type=type_)


def to_msgpack(obj: Any) -> bytes:
    return _msgpack_encoder.encode(obj)


def from_msgpack(data: bytes, type_: type[T]) -> T:
    return msgspec.msgpack.decode(data, type=type_)
