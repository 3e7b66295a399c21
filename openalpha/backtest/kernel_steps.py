"""The steps of the backtest loop (:mod:`openalpha.backtest.kernel`) and the layout of its
state and records, compiled with numba: executing an order, refreshing margin and exit levels,
intrabar exits, funding settlements, close-out. Each runs only when something happens.
"""

from __future__ import annotations

import numba
import numpy as np

from openalpha.venue.margin import liquidation_price_f, maintenance_margin_f

_liq_price = numba.njit(cache=True)(liquidation_price_f)
_mm = numba.njit(cache=True)(maintenance_margin_f)

# fill record columns (F_POS: the instrument's position right after the fill)
F_BAR, F_INST, F_QTY, F_PRICE, F_FEE, F_KIND, F_REALIZED, F_TRADE, F_MARGIN_LOST, F_TRIGGER, F_POS = range(11)
FILL_COLS = 11
# fill kinds
K_MARKET, K_LIMIT, K_STOP, K_TAKE, K_LIQ, K_CLOSEOUT = 0, 1, 2, 3, 4, 5
# funding record columns
G_BAR, G_INST, G_QTY, G_MARK, G_RATE, G_PAYMENT, G_TRADE = range(7)
FUND_COLS = 7
# account slots
A_CASH, A_NFILL, A_NFUND, A_SKIPPED, A_CAPPED, A_REPOSTS, A_BANKRUPT = range(7)
ACCT_SLOTS = 7
# per-instrument parameters (columns of `spec`)
S_PERP, S_STEP, S_MIN_QTY, S_MIN_NOTIONAL, S_TAKER, S_MAKER = range(6)
SPEC_COLS = 6
# per-instrument state (columns of `state`)
P_POS, P_ENTRY, P_MARGIN, P_LIQ, P_LAST, P_TRADE, P_PENDING, P_WANT = range(8)
# exit trigger levels: trade low/high and mark low/high that touch a stop, take-profit or liquidation
P_TLO, P_THI, P_MLO, P_MHI = range(8, 12)
STATE_COLS = 12
EPS = 1e-12


@numba.njit(cache=True)
def record_fill(fills, acct, k, j, qty, px, fee, kind, realized, trade, lost, trigger, pos):  # type: ignore[no-untyped-def]
    i = int(acct[A_NFILL])
    fills[i, F_BAR] = k
    fills[i, F_INST] = j
    fills[i, F_QTY] = qty
    fills[i, F_PRICE] = px
    fills[i, F_FEE] = fee
    fills[i, F_KIND] = kind
    fills[i, F_REALIZED] = realized
    fills[i, F_TRADE] = trade
    fills[i, F_MARGIN_LOST] = lost
    fills[i, F_TRIGGER] = trigger
    fills[i, F_POS] = pos
    acct[A_NFILL] = i + 1


@numba.njit(cache=True)
def refresh_margin(state, spec, tiers, j, cfg):  # type: ignore[no-untyped-def]
    """Initial margin, liquidation price and exit trigger levels of ``j`` after its position changed."""
    leverage, stop, take, use_liq = cfg[0], cfg[4], cfg[5], cfg[6]
    pos = state[j, P_POS]
    state[j, P_MARGIN] = 0.0
    state[j, P_LIQ] = 0.0
    state[j, P_TLO] = -np.inf
    state[j, P_MLO] = -np.inf
    state[j, P_THI] = np.inf
    state[j, P_MHI] = np.inf
    if pos == 0.0:
        return
    entry = state[j, P_ENTRY]
    qty = abs(pos)
    sign = 1.0 if pos > 0 else -1.0
    if spec[j, S_PERP] != 0.0:
        value = qty * entry
        mm = _mm(value, tiers[j, 0], tiers[j, 1], tiers[j, 2])
        state[j, P_MARGIN] = value / leverage
        state[j, P_LIQ] = _liq_price(sign, entry, leverage, mm / value, 0.0, qty, 0.0)
    liq = state[j, P_LIQ] if use_liq > 0.0 else 0.0
    if sign > 0:
        if stop > 0.0:
            state[j, P_TLO] = entry * (1.0 - stop)
        if take > 0.0:
            state[j, P_THI] = entry * (1.0 + take)
        if liq > 0.0:
            state[j, P_MLO] = liq
    else:
        if stop > 0.0:
            state[j, P_THI] = entry * (1.0 + stop)
        if take > 0.0:
            state[j, P_TLO] = entry * (1.0 - take)
        if liq > 0.0:
            state[j, P_MHI] = liq


@numba.njit(cache=True)
def apply_one(state, spec, tiers, fills, acct, k, j, dq, px, rate, kind, cfg, trigger):  # type: ignore[no-untyped-def]
    """Execute ``dq`` (signed, not crossing zero) of instrument ``j`` at ``px``: fee, realised
    P&L, new average entry, margin."""
    pos = state[j, P_POS]
    fee = abs(dq) * px * rate
    acct[A_CASH] -= fee
    realized = 0.0
    if pos == 0.0:
        state[j, P_TRADE] += 1.0
    if pos == 0.0 or (pos > 0) == (dq > 0):
        state[j, P_ENTRY] = (state[j, P_ENTRY] * abs(pos) + px * abs(dq)) / (abs(pos) + abs(dq))
        new = pos + dq
    else:
        realized = abs(dq) * (px - state[j, P_ENTRY]) * (1.0 if pos > 0 else -1.0)
        new = pos + dq
        if abs(new) <= abs(pos) * 1e-9 + EPS:
            new = 0.0
    if spec[j, S_PERP] != 0.0:
        acct[A_CASH] += realized
    else:
        acct[A_CASH] -= dq * px
    state[j, P_POS] = new
    if new == 0.0:
        state[j, P_ENTRY] = 0.0
    record_fill(fills, acct, k, j, dq, px, fee, kind, realized, state[j, P_TRADE], 0.0, trigger, new)
    refresh_margin(state, spec, tiers, j, cfg)


@numba.njit(cache=True)
def apply(state, spec, tiers, fills, acct, k, j, dq, px, rate, kind, cfg, trigger):  # type: ignore[no-untyped-def]
    """Execute ``dq`` (signed) of instrument ``j`` at ``px``; a flip is recorded as a close
    (which leaves the position exactly flat) and an open."""
    pos = state[j, P_POS]
    if pos != 0.0 and (pos > 0) != (dq > 0) and abs(dq) > abs(pos) + EPS:
        close = -pos
        apply_one(state, spec, tiers, fills, acct, k, j, close, px, rate, kind, cfg, trigger)
        apply_one(state, spec, tiers, fills, acct, k, j, dq - close, px, rate, kind, cfg, trigger)
    else:
        apply_one(state, spec, tiers, fills, acct, k, j, dq, px, rate, kind, cfg, trigger)


@numba.njit(cache=True)
def equity_at(state, spec, acct, prices, k):  # type: ignore[no-untyped-def]
    """Cash + perp unrealised P&L + spot value, marking at ``prices[k]`` (last price if NaN)."""
    eq = acct[A_CASH]
    for j in range(state.shape[0]):
        px = prices[k, j]
        if np.isnan(px):
            px = state[j, P_LAST]
        pos = state[j, P_POS]
        if pos != 0.0:
            if spec[j, S_PERP] != 0.0:
                eq += pos * (px - state[j, P_ENTRY])
            else:
                eq += pos * px
    return eq


@numba.njit(cache=True)
def committed(state, spec, skip):  # type: ignore[no-untyped-def]
    """Margin of perps plus value of spot holdings at the last price (excluding ``skip``)."""
    used = 0.0
    for j in range(state.shape[0]):
        if j == skip:
            continue
        if spec[j, S_PERP] != 0.0:
            used += state[j, P_MARGIN]
        else:
            used += state[j, P_POS] * state[j, P_LAST]
    return used


@numba.njit(cache=True)
def round_step(q, step):  # type: ignore[no-untyped-def]
    n = np.floor(abs(q) / step + 1e-9)
    return np.sign(q) * n * step


@numba.njit(cache=True)
def order_qty(state, spec, acct, j, want_qty, px, rate, equity, leverage):  # type: ignore[no-untyped-def]
    """The step-rounded order that moves ``j`` toward ``want_qty``, capped by available margin;
    0 when it is below the instrument's minimum (counted as skipped)."""
    pos = state[j, P_POS]
    dq = round_step(want_qty - pos, spec[j, S_STEP])
    if want_qty == 0.0:
        dq = -pos
    increases = abs(pos + dq) > abs(pos) + EPS
    if increases:
        perp = spec[j, S_PERP] != 0.0
        # affordable size once this instrument's own commitment is released
        avail = equity - committed(state, spec, j)
        per_unit = px / leverage + px * rate if perp else px * (1.0 + rate)
        max_abs = avail / per_unit if per_unit > 0 else 0.0
        if abs(pos + dq) > max_abs:
            target = round_step(np.sign(pos + dq) * max(max_abs, 0.0), spec[j, S_STEP])
            dq = target - pos
            acct[A_CAPPED] += 1.0
    if dq == 0.0:
        if abs(want_qty - pos) > EPS:
            acct[A_SKIPPED] += 1.0  # the wanted change rounds to less than one step
        return 0.0
    closing_all = pos != 0.0 and abs(pos + dq) <= EPS
    if not closing_all and (
        abs(dq) < spec[j, S_MIN_QTY] - EPS or abs(dq) * px < spec[j, S_MIN_NOTIONAL] - EPS
    ):
        acct[A_SKIPPED] += 1.0
        return 0.0
    return dq


@numba.njit(cache=True)
def execute_pending(state, spec, tiers, fills, acct, o, h, lo, v, k, j, equity, cfg):  # type: ignore[no-untyped-def]
    """Move instrument ``j`` toward its wanted exposure at bar ``k``'s open."""
    leverage, slip, impact, offset = cfg[0], cfg[1], cfg[2], cfg[3]
    px0 = o[k, j]
    limit = offset > 0.0
    rate = spec[j, S_MAKER] if limit else spec[j, S_TAKER]
    want_qty = state[j, P_WANT] * equity / px0 if equity > 0 else 0.0
    dq = order_qty(state, spec, acct, j, want_qty, px0, rate, equity, leverage)
    if dq == 0.0:
        state[j, P_PENDING] = 0.0
        return
    side = 1.0 if dq > 0 else -1.0
    if limit:
        px = px0 * (1.0 - side * offset)
        through = lo[k, j] < px if side > 0 else h[k, j] > px
        if not through:
            acct[A_REPOSTS] += 1.0  # stays pending: re-placed at the next open
            return
        apply(state, spec, tiers, fills, acct, k, j, dq, px, rate, K_LIMIT, cfg, px)
    else:
        vol = v[k, j]
        share = min(1.0, abs(dq) / vol) if vol > 0 else 1.0
        px = px0 * (1.0 + side * slip) + side * impact * (h[k, j] - lo[k, j]) * share
        px = min(px, h[k, j]) if side > 0 else max(px, lo[k, j])
        if side > 0 and px < px0:
            px = px0
        if side < 0 and px > px0:
            px = px0
        apply(state, spec, tiers, fills, acct, k, j, dq, px, rate, K_MARKET, cfg, px0)
    state[j, P_PENDING] = 0.0


@numba.njit(cache=True)
def intrabar_exits(state, spec, tiers, fills, acct, o, h, lo, mh, ml, k, j, cfg):  # type: ignore[no-untyped-def]
    """Stop-loss, then liquidation, then take-profit on bar ``k``'s range (pessimistic order)."""
    slip, stop, take, use_liq = cfg[1], cfg[4], cfg[5], cfg[6]
    pos = state[j, P_POS]
    if pos == 0.0:
        return
    side = 1.0 if pos > 0 else -1.0
    entry = state[j, P_ENTRY]
    if stop > 0.0:
        level = entry * (1.0 - side * stop)
        if (side > 0 and lo[k, j] <= level) or (side < 0 and h[k, j] >= level):
            px = min(level, o[k, j]) if side > 0 else max(level, o[k, j])  # a gap fills at the open
            px = px * (1.0 - side * slip)
            apply(state, spec, tiers, fills, acct, k, j, -pos, px, spec[j, S_TAKER], K_STOP, cfg, level)
            state[j, P_PENDING] = 0.0
            return
    if use_liq > 0.0 and spec[j, S_PERP] != 0.0:
        liq = state[j, P_LIQ]
        if (side > 0 and liq > 0.0 and ml[k, j] <= liq) or (side < 0 and mh[k, j] >= liq):
            lost = state[j, P_MARGIN]
            acct[A_CASH] -= lost
            state[j, P_POS] = 0.0
            state[j, P_ENTRY] = 0.0
            record_fill(fills, acct, k, j, -pos, liq, 0.0, K_LIQ, -lost, state[j, P_TRADE], lost, liq, 0.0)
            refresh_margin(state, spec, tiers, j, cfg)
            state[j, P_PENDING] = 0.0
            return
    if take > 0.0:
        level = entry * (1.0 + side * take)
        if (side > 0 and h[k, j] >= level) or (side < 0 and lo[k, j] <= level):
            px = max(level, o[k, j]) if side > 0 else min(level, o[k, j])
            px = px * (1.0 - side * slip)
            apply(state, spec, tiers, fills, acct, k, j, -pos, px, spec[j, S_TAKER], K_TAKE, cfg, level)
            state[j, P_PENDING] = 0.0


@numba.njit(cache=True)
def settle_funding(state, spec, acct, funds, rate, mo, k, j):  # type: ignore[no-untyped-def]
    pos = state[j, P_POS]
    if np.isnan(rate) or pos == 0.0 or spec[j, S_PERP] == 0.0:
        return
    mark = mo[k, j]
    if np.isnan(mark):
        mark = state[j, P_LAST]
    pay = pos * mark * rate  # venue.funding_payment_f: positive = paid
    acct[A_CASH] -= pay
    i = int(acct[A_NFUND])
    funds[i, G_BAR] = k
    funds[i, G_INST] = j
    funds[i, G_QTY] = pos
    funds[i, G_MARK] = mark
    funds[i, G_RATE] = rate
    funds[i, G_PAYMENT] = pay
    funds[i, G_TRADE] = state[j, P_TRADE]
    acct[A_NFUND] = i + 1


@numba.njit(cache=True)
def close_out(state, spec, tiers, fills, acct, c, k, cfg):  # type: ignore[no-untyped-def]
    """Bankrupt account: close every position at the close and stop trading."""
    for j in range(state.shape[0]):
        pos = state[j, P_POS]
        if pos != 0.0:
            px = c[k, j] if not np.isnan(c[k, j]) else state[j, P_LAST]
            apply(state, spec, tiers, fills, acct, k, j, -pos, px, 0.0, K_CLOSEOUT, cfg, px)
        state[j, P_PENDING] = 0.0
    acct[A_BANKRUPT] = 1.0


__all__ = [
    "ACCT_SLOTS",
    "A_BANKRUPT",
    "A_CAPPED",
    "A_CASH",
    "A_NFILL",
    "A_NFUND",
    "A_REPOSTS",
    "A_SKIPPED",
    "EPS",
    "FILL_COLS",
    "FUND_COLS",
    "F_BAR",
    "F_FEE",
    "F_INST",
    "F_KIND",
    "F_MARGIN_LOST",
    "F_POS",
    "F_PRICE",
    "F_QTY",
    "F_REALIZED",
    "F_TRADE",
    "F_TRIGGER",
    "G_BAR",
    "G_INST",
    "G_MARK",
    "G_PAYMENT",
    "G_QTY",
    "G_RATE",
    "G_TRADE",
    "K_CLOSEOUT",
    "K_LIMIT",
    "K_LIQ",
    "K_MARKET",
    "K_STOP",
    "K_TAKE",
    "P_ENTRY",
    "P_LAST",
    "P_LIQ",
    "P_MARGIN",
    "P_MHI",
    "P_MLO",
    "P_PENDING",
    "P_POS",
    "P_THI",
    "P_TLO",
    "P_TRADE",
    "P_WANT",
    "SPEC_COLS",
    "STATE_COLS",
    "S_MAKER",
    "S_MIN_NOTIONAL",
    "S_MIN_QTY",
    "S_PERP",
    "S_STEP",
    "S_TAKER",
    "apply",
    "apply_one",
    "close_out",
    "committed",
    "equity_at",
    "execute_pending",
    "intrabar_exits",
    "order_qty",
    "record_fill",
    "refresh_margin",
    "round_step",
    "settle_funding",
]
