"""Test doubles loaded by the runtime through ``path/to/file.py:ClassName`` (never registered).

* :class:`Flip`: long ``size`` on even bars, short on odd bars (by bar number), so every closed
  bar of every instrument is an order — the busiest honest load for crash and fault tests.
* :class:`Switch`: the target written in a file (``0`` when the file is missing or empty), so a
  test decides exactly when a strategy asks for exposure.
* :class:`ReadsMark`: trades on mark vs last price; records the mark bars each decision saw.
* :class:`Raises`: ``targets()`` raises on every bar.
* :class:`WatchesFunding`: always flat; records the funding each decision was given.
"""

from __future__ import annotations

from pathlib import Path

import msgspec
import numpy as np
import pandas as pd

from openalpha.domain import MarketData, interval_ms
from openalpha.strategies.base import Strategy


class Flip(Strategy):
    class Params(msgspec.Struct, frozen=True):
        size: float = 0.5

    def warmup(self) -> int:
        return 2

    def targets(self, data: MarketData) -> pd.DataFrame:
        index = data.index
        bar = index.as_unit("ms").asi8 // interval_ms(data.interval)
        sign = np.where(bar % 2 == 0, 1.0, -1.0)
        return pd.DataFrame({key: sign * self.params.size for key in data.symbols}, index=index)


class Switch(Strategy):
    class Params(msgspec.Struct, frozen=True):
        target_file: str = ""

    def warmup(self) -> int:
        return 2

    def targets(self, data: MarketData) -> pd.DataFrame:
        path = Path(self.params.target_file)
        text = path.read_text().strip() if path.is_file() else ""
        value = float(text) if text else 0.0
        return pd.DataFrame({key: value for key in data.symbols}, index=data.index)


class ReadsMark(Strategy):
    """Long ``size`` where the mark closed at or above the last price, else short; per decision
    records ``(bar open, {key: [(open, o, h, l, c), ...]})`` of the mark bars in its data (read
    through ``data.tail``, as strategies do), for a test to read from the actor."""

    class Params(msgspec.Struct, frozen=True):
        size: float = 0.2

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.seen: list[tuple[int, dict[str, list[tuple[float, ...]]]]] = []

    def warmup(self) -> int:
        return 2

    def targets(self, data: MarketData) -> pd.DataFrame:
        window = data.tail(self.warmup() + 1)
        opened = int(window.index[-1].value // 1_000_000)
        marks = {key: window.mark[key] for key in window.symbols}
        rows = {
            key: [
                (t.value // 1_000_000, *map(float, row)) for t, row in zip(m.index, m.to_numpy(), strict=True)
            ]
            for key, m in marks.items()
        }
        self.seen.append((opened, rows))
        sides = {
            key: np.where(m["close"] >= window.bars[key]["close"], 1.0, -1.0) for key, m in marks.items()
        }
        return pd.DataFrame({key: side * self.params.size for key, side in sides.items()}, index=window.index)


class Raises(Strategy):
    """``targets()`` raises ``RuntimeError`` on every bar (the failure must show in status)."""

    class Params(msgspec.Struct, frozen=True):
        pass

    def warmup(self) -> int:
        return 2

    def targets(self, data: MarketData) -> pd.DataFrame:
        raise RuntimeError(f"broken on purpose at {data.index[-1]}\nsecond line")


class WatchesFunding(Strategy):
    """Never trades; per decision records ``(bar open, {key: [(ts, rate), ...]})`` of the funding
    in its data (the last ``keep`` settlements per key), for a test to read from the actor."""

    class Params(msgspec.Struct, frozen=True):
        keep: int = 4

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.seen: list[tuple[int, dict[str, list[tuple[int, float]]]]] = []

    def warmup(self) -> int:
        return 2

    def targets(self, data: MarketData) -> pd.DataFrame:
        opened = int(data.index[-1].value // 1_000_000)
        held = {
            key: [(int(t.value // 1_000_000), float(r)) for t, r in series.tail(self.params.keep).items()]
            for key, series in data.funding.items()
        }
        self.seen.append((opened, held))
        return pd.DataFrame({key: 0.0 for key in data.symbols}, index=data.index)
