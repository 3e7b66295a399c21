"""Read Binance public kline CSVs (data.binance.vision, plain or zipped) into store frames.

Columns (no header, or a header row in newer futures files): open_time, open, high, low,
close, volume, close_time, quote_volume, count, taker_buy_volume, taker_buy_quote_volume,
ignore. ``open_time`` is in milliseconds, or microseconds in spot files from 2025 on.
"""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pandas as pd

from openalpha.data.importers.freqtrade import CorruptFile
from openalpha.data.importers.naming import FileSpec

_NAMES = ("open_time", "open", "high", "low", "close", "volume", "close_time", "quote_volume")
_MICROS = 10**14  # an open time above this is in microseconds


def _text(spec: FileSpec) -> str:
    try:
        if spec.fmt == "zip":
            with zipfile.ZipFile(spec.path) as archive:
                members = [n for n in archive.namelist() if n.endswith(".csv")]
                if len(members) != 1:
                    raise CorruptFile(f"{spec.path}: expected one CSV inside the zip, found {len(members)}")
                return archive.read(members[0]).decode()
        return spec.path.read_text()
    except (OSError, zipfile.BadZipFile, UnicodeDecodeError) as err:
        raise CorruptFile(f"{spec.path}: cannot read ({' '.join(str(err).split())[:120]})") from None


def read_binance_csv(spec: FileSpec) -> pd.DataFrame:
    text = _text(spec)
    first = text.split("\n", 1)[0]
    header = 0 if first[:1].isalpha() else None
    try:
        raw = pd.read_csv(
            io.StringIO(text), header=header, usecols=range(8), dtype=np.float64 if header is None else None
        )
    except (ValueError, pd.errors.ParserError) as err:
        raise CorruptFile(
            f"{spec.path}: not a Binance kline CSV ({' '.join(str(err).split())[:120]})"
        ) from None
    raw.columns = list(_NAMES)
    try:
        values = raw.astype(np.float64)
    except (ValueError, TypeError):
        raise CorruptFile(f"{spec.path}: non-numeric values in a Binance kline CSV") from None
    ts = values["open_time"].to_numpy(dtype=np.int64)
    ts = np.where(ts > _MICROS, ts // 1000, ts)
    out = pd.DataFrame({"ts": ts})
    for col in ("open", "high", "low", "close", "volume"):
        out[col] = values[col].to_numpy()
    out["turnover"] = values["quote_volume"].to_numpy()
    return out


__all__ = ["read_binance_csv"]
