"""Read freqtrade candle files (feather, json, json.gz) into store frames (``ts`` + value columns)."""

from __future__ import annotations

import gzip
from pathlib import Path

import msgspec
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.feather as feather

from openalpha.data.importers.naming import FileSpec

CANDLE_COLUMNS = ("date", "open", "high", "low", "close", "volume")


class CorruptFile(ValueError):
    """A file that cannot be read or does not hold what its name promises (one line)."""


def _short(err: Exception) -> str:
    return " ".join(str(err).split())[:160]


def _read_feather(path: Path) -> pd.DataFrame:
    try:
        table = feather.read_table(path)
    except (pa.ArrowInvalid, pa.ArrowIOError, OSError, ValueError) as err:
        raise CorruptFile(f"{path}: not a readable feather file ({_short(err)})") from None
    missing = [c for c in CANDLE_COLUMNS if c not in table.column_names]
    if missing:
        raise CorruptFile(f"{path}: missing columns {missing} (has {table.column_names})")
    frame: pd.DataFrame = table.select(list(CANDLE_COLUMNS)).to_pandas()
    date = frame["date"]
    if not isinstance(date.dtype, pd.DatetimeTZDtype) and not pd.api.types.is_datetime64_dtype(date.dtype):
        raise CorruptFile(f"{path}: column 'date' is {date.dtype}, expected UTC datetimes")
    if getattr(date.dt, "tz", None) is None:
        date = date.dt.tz_localize("UTC")
    frame["date"] = date.dt.tz_convert("UTC").dt.as_unit("ms").astype("int64")
    return frame


def _read_json(path: Path, compressed: bool) -> pd.DataFrame:
    try:
        raw = gzip.decompress(path.read_bytes()) if compressed else path.read_bytes()
        rows = msgspec.json.decode(
            raw, type=list[tuple[int, float | None, float | None, float | None, float | None, float | None]]
        )
    except (OSError, EOFError, gzip.BadGzipFile) as err:
        raise CorruptFile(f"{path}: not a readable gzip file ({_short(err)})") from None
    except msgspec.DecodeError as err:
        raise CorruptFile(
            f"{path}: bad JSON, expected [[ms, open, high, low, close, volume], ...] ({_short(err)})"
        ) from None
    if not rows:
        return pd.DataFrame({c: np.empty(0) for c in CANDLE_COLUMNS})
    arr = np.array(rows, dtype=object)
    frame = pd.DataFrame({"date": arr[:, 0].astype(np.int64)})
    for i, col in enumerate(CANDLE_COLUMNS[1:], start=1):
        frame[col] = arr[:, i].astype(np.float64)  # None → NaN
    return frame


def read_freqtrade(spec: FileSpec) -> pd.DataFrame:
    """The rows of ``spec.path`` as a store frame for ``spec.kind``."""
    if spec.fmt == "feather":
        frame = _read_feather(spec.path)
    elif spec.fmt in ("json", "json.gz"):
        frame = _read_json(spec.path, compressed=spec.fmt == "json.gz")
    else:  # pragma: no cover - naming only yields the formats above
        raise CorruptFile(f"{spec.path}: unsupported format {spec.fmt}")
    out = pd.DataFrame({"ts": frame["date"].to_numpy(dtype=np.int64)})
    if spec.kind == "funding":
        out["rate"] = frame["open"].to_numpy(dtype=np.float64)  # freqtrade keeps the rate in `open`
        return out
    for col in ("open", "high", "low", "close"):
        out[col] = frame[col].to_numpy(dtype=np.float64)
    if spec.kind == "kline":
        out["volume"] = frame["volume"].to_numpy(dtype=np.float64)
    return out


__all__ = ["CorruptFile", "read_freqtrade"]
