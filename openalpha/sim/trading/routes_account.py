"""``/v5/position/*``, ``/v5/account/*``, ``/v5/user/query-api``, ``/v5/asset/coin/query-info``."""

from __future__ import annotations

from typing import Any

from openalpha.domain import Category
from openalpha.sim.state import SimState
from openalpha.sim.trading import placing
from openalpha.sim.trading.account import Account
from openalpha.sim.trading.engine import Engine
from openalpha.sim.trading.errors import SimError
from openalpha.sim.trading.http import Params, category, decimal, page, perr, text
from openalpha.sim.trading.records import fmt
from openalpha.sim.trading.views import position_rows, wallet_view
from openalpha.venue import fee_rates


def positions(state: SimState, engine: Engine, acct: Account, params: Params) -> dict[str, Any]:
    cat = category(params, ("linear", "inverse", "option"))
    if cat != "linear":
        return {"list": [], "nextPageCursor": "", "category": cat}
    symbol = text(params, "symbol") or None
    if symbol is None and not text(params, "settleCoin"):
        raise perr("params error: symbol or settleCoin is required")
    engine.sync()
    rows = position_rows(engine, acct, symbol)
    chunk, nxt = page(rows, params, 20, 200)
    return {"list": chunk, "nextPageCursor": nxt, "category": cat}


def set_leverage(state: SimState, engine: Engine, acct: Account, params: Params) -> dict[str, Any]:
    cat = category(params, ("linear", "inverse"))
    placing.set_leverage(
        engine,
        acct,
        cat,
        text(params, "symbol", required=True),
        text(params, "buyLeverage", required=True),
        text(params, "sellLeverage", required=True),
    )
    return {}


def trading_stop(state: SimState, engine: Engine, acct: Account, params: Params) -> dict[str, Any]:
    """Set (or clear with "0") the position's TP/SL in Full mode."""
    category(params, ("linear",))
    inst = engine.instrument("linear", text(params, "symbol", required=True))
    engine.sync()
    pos = acct.position(inst.symbol, inst)
    if pos.size == 0:
        raise SimError(10001, "can not set tp/sl/ts for zero position")
    tp, sl = decimal(params, "takeProfit"), decimal(params, "stopLoss")
    mark = engine.last_price("linear", inst.symbol)
    long = pos.size > 0
    if tp and mark is not None and (tp <= mark if long else tp >= mark):
        raise SimError(
            10001,
            f"TakeProfit:{tp} set for {pos.side} position should be {'greater' if long else 'less'} than base_price:{mark}",
        )
    if sl and mark is not None and (sl >= mark if long else sl <= mark):
        raise SimError(
            10001,
            f"StopLoss:{sl} set for {pos.side} position should be {'less' if long else 'greater'} than base_price:{mark}",
        )
    if tp is not None:
        pos.take_profit = tp or None
        pos.tp_trigger_by = text(params, "tpTriggerBy", default="LastPrice")
    if sl is not None:
        pos.stop_loss = sl or None
        pos.sl_trigger_by = text(params, "slTriggerBy", default="LastPrice")
    engine.emit_position(acct, inst)
    return {}


def wallet_balance(state: SimState, engine: Engine, acct: Account, params: Params) -> dict[str, Any]:
    account_type = text(params, "accountType", required=True)
    if account_type != "UNIFIED":
        raise perr(f"accountType only support UNIFIED, got {account_type!r}")
    coins = {c for c in text(params, "coin").split(",") if c} or None
    engine.sync()
    return {"list": wallet_view(engine, acct, coins)}


def fee_rate(state: SimState, engine: Engine, acct: Account, params: Params) -> dict[str, Any]:
    cat = category(params)
    if cat not in ("linear", "spot"):
        return {"list": []}
    symbol = text(params, "symbol")
    rates = fee_rates(engine.params.fee_tier, Category(cat))
    rows = []
    for (c, sym), inst in sorted(engine.instruments.items()):
        if c.value != cat or (symbol and sym != symbol):
            continue
        row = {"symbol": sym, "takerFeeRate": fmt(rates.taker), "makerFeeRate": fmt(rates.maker)}
        if cat == "spot":
            row["baseCoin"] = inst.base_coin
        rows.append(row)
    if symbol and not rows:
        raise perr(f"params error: symbol invalid: {symbol!r}")
    return {"list": rows}


def account_info(state: SimState, engine: Engine, acct: Account, params: Params) -> dict[str, Any]:
    return {
        "unifiedMarginStatus": 6,
        "marginMode": "ISOLATED_MARGIN",
        "isMasterTrader": False,
        "spotHedgingStatus": "OFF",
        "updatedTime": str(engine.now()),
        "dcpStatus": "OFF",
        "timeWindow": 10,
        "smpGroup": 0,
    }


def query_api(state: SimState, engine: Engine, acct: Account, params: Params) -> dict[str, Any]:
    return {
        "id": str(acct.uid),
        "note": "openalpha simulator",
        "apiKey": acct.api_key,
        "readOnly": 0,
        "secret": "",
        "permissions": {
            "ContractTrade": ["Order", "Position"],
            "Spot": ["SpotTrade"],
            "Wallet": ["AccountTransfer", "SubMemberTransfer"],
            "Options": [],
            "Derivatives": [],
            "CopyTrading": [],
            "BlockTrade": [],
            "Exchange": [],
            "NFT": [],
            "Affiliate": [],
        },
        "ips": ["*"],
        "type": 1,
        "deadlineDay": -1,
        "expiredAt": "",
        "createdAt": "2024-01-01T00:00:00Z",
        "unified": 0,
        "uta": 1,
        "userID": acct.uid,
        "inviterID": 0,
        "vipLevel": "No VIP",
        "mktMakerLevel": "0",
        "affiliateID": 0,
        "rsaPublicKey": "",
        "isMaster": True,
        "parentUid": "0",
        "kycLevel": "LEVEL_DEFAULT",
        "kycRegion": "",
    }


def coin_info(state: SimState, engine: Engine, acct: Account, params: Params) -> dict[str, Any]:
    wanted = text(params, "coin")
    coins = sorted(
        {i.base_coin for i in engine.instruments.values()}
        | {i.quote_coin for i in engine.instruments.values()}
    )
    rows = []
    for coin in coins:
        if wanted and coin != wanted:
            continue
        rows.append(
            {
                "name": coin,
                "coin": coin,
                "remainAmount": "1000000",
                "chains": [
                    {
                        "chain": coin,
                        "chainType": coin,
                        "confirmation": "1",
                        "withdrawFee": "0",
                        "depositMin": "0",
                        "withdrawMin": "0",
                        "minAccuracy": "8",
                        "chainDeposit": "0",
                        "chainWithdraw": "0",
                        "withdrawPercentageFee": "0",
                        "contractAddress": "",
                        "safeConfirmNumber": "1",
                    }
                ],
            }
        )
    return {"rows": rows}
