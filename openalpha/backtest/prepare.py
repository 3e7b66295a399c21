"""MarketData + targets → the contiguous arrays the kernel runs on.

No timestamps reach the kernel: bars are positions ``0..n−1``; funding settlements are
sparse events mapped to the bar whose open is the first at or after the settlement time
(exact whenever the bar interval divides the funding interval, e.g. every interval up to 8 h).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from openalpha.backtest.config import BacktestConfig
from openalpha.backtest.kernel import target_changes
from openalpha.domain.enums import Category
from openalpha.domain.instrument import Instrument, split_key
from openalpha.domain.market_data import MarketData
from openalpha.venue import default_instrument, fee_rates, risk_tiers_for, tier_arrays


class BacktestError(ValueError):
    """The data, targets or configuration cannot be backtested (one line)."""


@dataclass(frozen=True)
class Arrays:
    symbols: list[str]
    index: pd.DatetimeIndex
    o: np.ndarray
    h: np.ndarray
    lo: np.ndarray
    c: np.ndarray
    v: np.ndarray
    mo: np.ndarray
    mh: np.ndarray
    ml: np.ndarray
    target: np.ndarray
    fund_bar: np.ndarray  # funding settlements: bar, instrument and rate, sorted by bar
    fund_inst: np.ndarray
    fund_rate: np.ndarray
    spec: np.ndarray
    tiers: np.ndarray
    instruments: dict[str, Instrument]
    spot_shorts_clipped: int


def _matrix(frames: list[pd.DataFrame | None], col: str, n: int) -> np.ndarray:
    out = np.empty((n, len(frames)))  # one write per cell: NaN only where a column is missing
    for j, frame in enumerate(frames):
        if frame is not None and col in frame:
            out[:, j] = frame[col].to_numpy(dtype=np.float64)
        else:
            out[:, j] = np.nan
    return out


def instrument_for(data: MarketData, key: str) -> Instrument:
    inst = data.instruments.get(key)
    if inst is not None:
        return inst
    try:
        return default_instrument(key)
    except ValueError as err:
        raise BacktestError(f"no instrument filters for {key}: {err}") from None


def _spec_row(inst: Instrument, config: BacktestConfig) -> list[float]:
    rates = fee_rates(config.fee_tier, inst.category)
    taker = float(rates.taker) if config.fee_rate is None else config.fee_rate
    maker = float(rates.maker) if config.fee_rate is None else config.fee_rate
    perp = 1.0 if inst.category is Category.LINEAR else 0.0
    return [perp, float(inst.qty_step), float(inst.min_qty), float(inst.min_notional), taker, maker]


def _tiers(insts: list[Instrument]) -> np.ndarray:
    rows = []
    for inst in insts:
        tiers = inst.risk_tiers or (risk_tiers_for(inst.symbol) if inst.is_perp else ())
        rows.append(tier_arrays(tiers) if tiers else (np.array([np.inf]), np.zeros(1), np.zeros(1)))
    width = max(len(r[0]) for r in rows)
    out = np.zeros((len(insts), 3, width))
    for j, (lim, mmr, ded) in enumerate(rows):
        pad = width - len(lim)
        out[j, 0] = np.concatenate([lim, np.repeat(lim[-1:], pad)])
        out[j, 1] = np.concatenate([mmr, np.repeat(mmr[-1:], pad)])
        out[j, 2] = np.concatenate([ded, np.repeat(ded[-1:], pad)])
    return out


def _epoch_ms(index: pd.Index) -> np.ndarray:
    """Epoch milliseconds; no copy when the index is already in ms (``as_unit`` always copies)."""
    times = pd.DatetimeIndex(index)
    return times.asi8 if times.unit == "ms" else times.as_unit("ms").asi8


def _funding_events(
    data: MarketData, symbols: list[str], index: pd.DatetimeIndex
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Funding settlements as sparse events ``(bar, instrument, rate)`` sorted by bar, then
    instrument; settlements mapped to the same bar are summed in time order."""
    n = len(index)
    opens = _epoch_ms(index)
    bars: list[np.ndarray] = []
    insts: list[np.ndarray] = []
    rates: list[np.ndarray] = []
    for j, key in enumerate(symbols):
        series = data.funding.get(key)
        if series is None or len(series) == 0 or split_key(key)[1] is Category.SPOT:
            continue
        ts = _epoch_ms(series.index)
        values = series.to_numpy(dtype=np.float64)
        pos = np.searchsorted(opens, ts, side="left")
        ok = (ts >= opens[0]) & (pos < n) & ~np.isnan(values)
        pos, values = pos[ok], values[ok]
        if len(pos) and not (np.all(np.diff(pos) > 0)):
            summed: dict[int, float] = {}
            for p, r in zip(pos.tolist(), values.tolist(), strict=True):
                summed[p] = r if p not in summed else summed[p] + r
            pos = np.fromiter(summed.keys(), dtype=np.int64, count=len(summed))
            values = np.fromiter(summed.values(), dtype=np.float64, count=len(summed))
        bars.append(pos.astype(np.int64))
        insts.append(np.full(len(pos), j, dtype=np.int64))
        rates.append(values.astype(np.float64))
    if not bars:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0)
    bar, inst, rate = np.concatenate(bars), np.concatenate(insts), np.concatenate(rates)
    order = np.lexsort((inst, bar))
    return bar[order], inst[order], rate[order]


def _check_leverage(insts: list[Instrument], config: BacktestConfig) -> None:
    for inst in insts:
        if inst.is_perp and config.leverage > float(inst.max_leverage):
            raise BacktestError(
                f"leverage {config.leverage:g} exceeds {inst.symbol}'s maximum {inst.max_leverage}"
            )


def prepare(data: MarketData, targets: pd.DataFrame, config: BacktestConfig) -> Arrays:
    """Validate ``targets`` against ``data`` and lay both out as ``[bar, instrument]`` arrays."""
    symbols = data.symbols
    index = data.index
    n = len(index)
    if n < 2:
        raise BacktestError("a backtest needs at least 2 bars")
    extra = [c for c in targets.columns if c not in data.bars]
    if extra:
        raise BacktestError(f"targets name instruments that are not in the data: {extra}")
    if not targets.index.equals(index):
        raise BacktestError("targets must be indexed like the bars (one row per bar close)")
    ordered = targets if list(targets.columns) == symbols else targets.reindex(columns=symbols)
    tgt = np.array(ordered.to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64, order="C")
    bad = ~np.isfinite(tgt)
    if bad.any():
        tgt[bad] = 0.0
    insts = [instrument_for(data, key) for key in symbols]
    _check_leverage(insts, config)
    spot = np.array([not inst.is_perp for inst in insts])
    clipped = int(np.count_nonzero(tgt[:, spot] < 0)) if spot.any() else 0
    if spot.any():
        tgt[:, spot] = np.maximum(tgt[:, spot], 0.0)
    bars = [data.bars[k] for k in symbols]
    marks = [data.mark.get(k) for k in symbols]
    o, h, lo, c, v = (_matrix(bars, col, n) for col in ("open", "high", "low", "close", "volume"))
    if any(mk is not None for mk in marks):
        mo, mh, ml = (_matrix(marks, col, n) for col in ("open", "high", "low"))
        # no mark bar: fall back to the trade bar (documented); spot has no mark price at all
        mo, mh, ml = (
            np.where(np.isnan(mo), o, mo),
            np.where(np.isnan(mh), h, mh),
            np.where(np.isnan(ml), lo, ml),
        )
    else:
        mo, mh, ml = o, h, lo  # no mark data at all: the trade bars (shared, no copy)
    fund_bar, fund_inst, fund_rate = _funding_events(data, symbols, index)
    return Arrays(
        symbols=symbols,
        index=index,
        o=o,
        h=h,
        lo=lo,
        c=c,
        v=v,
        mo=mo,
        mh=mh,
        ml=ml,
        target=np.ascontiguousarray(tgt),
        fund_bar=fund_bar,
        fund_inst=fund_inst,
        fund_rate=fund_rate,
        spec=np.array([_spec_row(i, config) for i in insts], dtype=np.float64),
        tiers=_tiers(insts),
        instruments=dict(zip(symbols, insts, strict=True)),
        spot_shorts_clipped=clipped,
    )


def kernel_config(config: BacktestConfig, offset_bps: float) -> np.ndarray:
    return np.array(
        [
            config.leverage,
            config.slippage_bps / 1e4,
            config.impact,
            offset_bps / 1e4,
            config.stop_loss,
            config.take_profit,
            1.0 if config.liquidation else 0.0,
            1.0 if config.funding else 0.0,
            config.rebalance_band,
        ]
    )


def order_events(arr: Arrays, config: BacktestConfig) -> tuple[np.ndarray, int]:
    """The bars whose targets change (one pass, :func:`~openalpha.backtest.kernel.target_changes`)
    and an upper bound on fill records (no growth inside the kernel): at most three per target
    change (a flip is two, an exit one), or per bar when a rebalance band can trade any bar."""
    bars, changes = target_changes(arr.target, np.empty(len(arr.target), dtype=np.int64))
    n, m = arr.target.shape
    fills = 3 * n * m if config.rebalance_band > 0 else 3 * (changes + m)
    return bars, fills + 2 * m + 8


__all__ = ["Arrays", "BacktestError", "instrument_for", "kernel_config", "order_events", "prepare"]
