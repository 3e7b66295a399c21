"""The path-dependent loop of the backtest, compiled with numba.

Everything here works on contiguous float64 arrays indexed ``[bar, instrument]``; there is
no pandas and no timestamp in the loop. The Python side (:mod:`openalpha.backtest.engine`)
prepares the arrays and turns the records back into frames.

Per bar ``k``, in this order (documented in the README):

1. targets decided at the close of bar ``k−1`` become pending orders when they changed;
2. funding settlements falling on bar ``k``'s open are paid/received on the position
   carried into the bar, at the mark open (positive rate: longs pay);
3. pending orders execute at the open: market (taker fee + slippage) or maker limit
   (fills only if the bar trades through the limit; else re-placed next bar);
4. intrabar exits on the bar's range, pessimistic order: stop-loss, then liquidation (mark
   price crosses the isolated-margin liquidation price: the position's margin is lost),
   then take-profit;
5. equity at the close (cash + perp unrealised P&L + spot value); an account at or below
   zero is closed out and stops trading.
"""

from __future__ import annotations

import numba
import numpy as np

from openalpha.backtest.kernel_steps import (
    A_BANKRUPT,
    A_CASH,
    A_NFILL,
    A_NFUND,
    ACCT_SLOTS,
    F_BAR,
    F_INST,
    F_KIND,
    F_POS,
    K_CLOSEOUT,
    P_ENTRY,
    P_LAST,
    P_MHI,
    P_MLO,
    P_PENDING,
    P_POS,
    P_THI,
    P_TLO,
    P_WANT,
    S_PERP,
    STATE_COLS,
    close_out,
    equity_at,
    execute_pending,
    intrabar_exits,
    refresh_margin,
    settle_funding,
)
from openalpha.backtest.prefetch import prefetch_row


@numba.njit(cache=True)
def target_changes(target, bars):  # type: ignore[no-untyped-def]
    """One pass over the targets: the bars ``k`` whose orders change (some ``target[k-1, j]``
    differs from ``target[k-2, j]``; bar 1 always), written to the front of ``bars`` (length
    n), and how many (bar, instrument) changes there are in all (an upper bound on orders).
    Returns ``(bars[:count], changes)``."""
    n, m = target.shape
    count = 0
    changes = 0
    if n > 1:
        bars[0] = 1
        count = 1
    if m == 1 and n > 1:  # the common case, without the inner loop (3x faster)
        col = target[:, 0]
        before = col[0]
        for k in range(2, n):  # branch-free: always write, advance only on a change
            now = col[k - 1]
            d = 1 if now != before else 0
            before = now
            changes += d
            bars[count] = k
            count += d
        return bars[:count], changes
    for k in range(2, n):
        d = 0
        for j in range(m):
            d += 1 if target[k - 1, j] != target[k - 2, j] else 0
        changes += d
        bars[count] = k
        count += 1 if d > 0 else 0
    return bars[:count], changes


@numba.njit(cache=True)
def positions_from_fills(fills, n, m):  # type: ignore[no-untyped-def]
    """Signed position per instrument at every bar close, from the fill records' ``F_POS``.

    A close-out (bankruptcy) is recorded at the bar it happens but shows from the next bar:
    the close of that bar still reports the positions it started with."""
    out = np.empty((n, m))
    for j in range(m):
        cur = 0.0
        k = 0
        for i in range(fills.shape[0]):
            if int(fills[i, F_INST]) != j:
                continue
            at = int(fills[i, F_BAR]) + (1 if fills[i, F_KIND] == K_CLOSEOUT else 0)
            while k < min(at, n):
                out[k, j] = cur
                k += 1
            cur = fills[i, F_POS]
        while k < n:
            out[k, j] = cur
            k += 1
    return out


@numba.njit(cache=True, inline="always")
def _quiet_one(c, lo, h, ml, mh, equity, k, stop, cash, pos, entry, perp, tlo, thi, mlo, mhi):  # type: ignore[no-untyped-def]
    """:func:`quiet_bars` for one instrument with a position, its state held in registers."""
    use_tlo, use_thi, use_mlo, use_mhi = tlo != -np.inf, thi != np.inf, mlo != -np.inf, mhi != np.inf
    while k < stop:
        px = c[k, 0]
        if (
            np.isnan(px)
            or (use_tlo and lo[k, 0] <= tlo)
            or (use_thi and h[k, 0] >= thi)
            or (use_mlo and ml[k, 0] <= mlo)
            or (use_mhi and mh[k, 0] >= mhi)
        ):
            return k
        eq = cash + (pos * (px - entry) if perp else pos * px)
        if eq <= 0.0:
            return k
        equity[k] = eq
        k += 1
    return k


@numba.njit(cache=True, inline="always")
def quiet_bars(state, spec, c, lo, h, ml, mh, equity, k, stop, cash, flat):  # type: ignore[no-untyped-def]
    """Bars ``k, k+1, … < stop`` on which nothing can happen (no order pending and no target
    change or funding before ``stop``, checked by the caller), as long as every open position
    has a close, touches none of its exit levels and equity stays above zero: equity at the
    close is all the full step would produce. Reads the close and only the exit prices an open
    position can touch (nothing while flat). Returns the first bar that needs the full step;
    nothing is written for it."""
    m = state.shape[0]
    if flat and cash > 0.0:
        equity[k:stop] = cash
        return stop
    if m == 1:
        start = k
        k = _quiet_one(
            c, lo, h, ml, mh, equity, k, stop, cash, state[0, P_POS], state[0, P_ENTRY],
            spec[0, S_PERP] != 0.0, state[0, P_TLO], state[0, P_THI], state[0, P_MLO], state[0, P_MHI],
        )  # fmt: skip
        if k > start:
            state[0, P_LAST] = c[k - 1, 0]
        return k
    while k < stop:
        eq = cash
        for j in range(m):
            pos = state[j, P_POS]
            if pos != 0.0:
                px = c[k, j]
                tlo, thi = state[j, P_TLO], state[j, P_THI]
                mlo, mhi = state[j, P_MLO], state[j, P_MHI]
                if (
                    np.isnan(px)
                    or (tlo != -np.inf and lo[k, j] <= tlo)
                    or (thi != np.inf and h[k, j] >= thi)
                    or (mlo != -np.inf and ml[k, j] <= mlo)
                    or (mhi != np.inf and mh[k, j] >= mhi)
                ):
                    return k
                eq += pos * (px - state[j, P_ENTRY]) if spec[j, S_PERP] != 0.0 else pos * px
        if eq <= 0.0:
            return k
        for j in range(m):
            if state[j, P_POS] != 0.0:
                state[j, P_LAST] = c[k, j]
        equity[k] = eq
        k += 1
    return k


@numba.njit(cache=True)
def run_kernel(  # noqa: C901
    o,
    h,
    lo,
    c,
    v,
    mo,
    mh,
    ml,
    target,
    change_bar,
    fund_bar,
    fund_inst,
    fund_rate,
    spec,
    tiers,
    cfg,
    capital,
    equity,
    fills,
    funds,
    skip_quiet,
):  # type: ignore[no-untyped-def]
    """The backtest loop. ``cfg`` = [leverage, slippage fraction, impact, limit offset fraction,
    stop-loss, take-profit, liquidation on (1/0), funding on (1/0), rebalance band].

    Everything that can happen arrives as sparse events: ``change_bar`` (bars whose targets
    changed, :func:`target_changes`) and funding settlements sorted by (bar, instrument),
    ``fund_bar``/``fund_inst``/``fund_rate`` (one per pair). Between events, with no order
    pending, a bar is *quiet*: the full step would only mark open positions to the close. The
    quiet loop does exactly that, reading the close and only the exit prices an open position
    can touch (or nothing at all while flat); a bar where a position has no close, touches an
    exit level or equity reaches zero is handed to the full step unchanged.
    ``skip_quiet=False`` runs the full step on every bar (same results; a test runs both).

    Kept flat on purpose: helpers are inlined and run only when something happens (an order,
    a settlement, a touched exit level). The outputs are allocated by the caller (numpy asks
    the OS for huge pages; first writes to memory allocated here page-fault every 4 KiB):
    ``equity`` (n), ``fills`` (rows: :func:`openalpha.backtest.prepare.capacities`) and
    ``funds`` (one row per funding event + 1). Positions are not written per bar: each fill
    records the position after it (:func:`positions_from_fills`).
    Returns equity, the fills and funding records cut to what was recorded, and the account.
    """
    n, m = o.shape
    state = np.zeros((m, STATE_COLS))
    acct = np.zeros(ACCT_SLOTS)
    acct[A_CASH] = capital
    use_funding, band = cfg[7], cfg[8]
    n_events = len(fund_bar) if use_funding > 0.0 else 0
    n_changes = len(change_bar)
    for j in range(m):
        refresh_margin(state, spec, tiers, j, cfg)  # flat: no trigger levels
    ev = 0  # next funding event
    ch = 0  # next target change
    k = 0
    while k < n:
        if skip_quiet and acct[A_BANKRUPT] != 0.0:
            equity[k:] = acct[A_CASH]  # closed out: flat, no more trading or funding
            break
        while ev < n_events and fund_bar[ev] < k:
            ev += 1  # settlements on bars of a bankrupt account
        while ch < n_changes and change_bar[ch] < k:
            ch += 1
        if skip_quiet and k >= 2 and band == 0.0 and acct[A_BANKRUPT] == 0.0:
            quiet = True
            flat = True
            for j in range(m):
                quiet = quiet and state[j, P_PENDING] == 0.0
                flat = flat and state[j, P_POS] == 0.0
            if quiet:
                stop = fund_bar[ev] if ev < n_events else n
                if ch < n_changes and change_bar[ch] < stop:
                    stop = change_bar[ch]
                k = quiet_bars(state, spec, c, lo, h, ml, mh, equity, k, stop, acct[A_CASH], flat)
                if k >= n:
                    break
        if skip_quiet and ch + 1 < n_changes:
            b = change_bar[ch + 1]  # the event after the next one: start loading its rows
            prefetch_row(o, b)
            prefetch_row(h, b)
            prefetch_row(lo, b)
            prefetch_row(c, b)
            prefetch_row(v, b)
            prefetch_row(target, b - 1)
            prefetch_row(target, b - 2)
            prefetch_row(equity, b)
            prefetch_row(ml, b)
            prefetch_row(mh, b)
        if skip_quiet and ev + 1 < n_events:
            b = fund_bar[ev + 1]
            prefetch_row(mo, b)
            prefetch_row(o, b)
            prefetch_row(c, b)
        nf = int(acct[A_NFILL]) + 2
        if skip_quiet and nf < fills.shape[0]:
            prefetch_row(fills, nf)
        if acct[A_BANKRUPT] == 0.0:
            # 1. targets decided at the previous close; 2. funding on the position carried in
            active = band > 0.0
            ev_end = ev
            while ev_end < n_events and fund_bar[ev_end] == k:
                ev_end += 1
            for j in range(m):
                if k >= 1:
                    t = target[k - 1, j]
                    if k == 1 or t != target[k - 2, j]:
                        state[j, P_WANT] = t
                        state[j, P_PENDING] = 1.0 if (t != 0.0 or state[j, P_POS] != 0.0) else 0.0
                if state[j, P_POS] != 0.0:
                    for e in range(ev, ev_end):
                        if fund_inst[e] == j:
                            settle_funding(state, spec, acct, funds, fund_rate[e], mo, k, j)
                active = active or state[j, P_PENDING] != 0.0
            ev = ev_end
            eq_open = equity_at(state, spec, acct, o, k) if active else 0.0
            # 3. orders at the open; 4. intrabar exits
            for j in range(m):
                if np.isnan(o[k, j]) or np.isnan(h[k, j]) or np.isnan(lo[k, j]):
                    continue  # no bar for this instrument: nothing trades, it is valued at its last price
                state[j, P_LAST] = o[k, j]
                drifting = band > 0.0 and state[j, P_PENDING] == 0.0 and eq_open > 0.0 and k >= 1
                if drifting and abs(state[j, P_POS] * o[k, j] / eq_open - state[j, P_WANT]) > band:
                    state[j, P_PENDING] = 1.0
                if state[j, P_PENDING] != 0.0:
                    execute_pending(state, spec, tiers, fills, acct, o, h, lo, v, k, j, eq_open, cfg)
                touched = (
                    lo[k, j] <= state[j, P_TLO]
                    or h[k, j] >= state[j, P_THI]
                    or ml[k, j] <= state[j, P_MLO]
                    or mh[k, j] >= state[j, P_MHI]
                )
                if touched and state[j, P_POS] != 0.0:
                    intrabar_exits(state, spec, tiers, fills, acct, o, h, lo, mh, ml, k, j, cfg)
        # 5. equity at the close
        eq = acct[A_CASH]
        for j in range(m):
            px = c[k, j]
            if np.isnan(px):
                px = state[j, P_LAST]
            else:
                state[j, P_LAST] = px
            pos = state[j, P_POS]
            if pos != 0.0:
                eq += pos * (px - state[j, P_ENTRY]) if spec[j, S_PERP] != 0.0 else pos * px
        if eq <= 0.0 and acct[A_BANKRUPT] == 0.0:
            close_out(state, spec, tiers, fills, acct, c, k, cfg)
            eq = equity_at(state, spec, acct, c, k)
        equity[k] = eq
        k += 1
    return equity, fills[: int(acct[A_NFILL])], funds[: int(acct[A_NFUND])], acct


__all__ = ["positions_from_fills", "quiet_bars", "run_kernel", "target_changes"]
