"""The matching engine on real BTCUSDT bars: fills, fees, partial fills, rejections, TP/SL,
liquidation and funding, each checked against openalpha.venue and the documented fill model."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from openalpha.domain import Side
from openalpha.sim.trading.engine import Engine, EngineParams
from openalpha.sim.trading.errors import SimError
from openalpha.sim.trading.placing import NewOrder, amend, cancel, create, set_leverage
from openalpha.venue import bankruptcy_price, fee_rates, funding_payment, trade_fee

from .conftest import Clock, make_engine

HOUR = 3_600_000


def order(side: str = "Buy", qty: str = "0.01", kind: str = "Market", **kw: object) -> NewOrder:
    return NewOrder(
        category=kw.pop("category", "linear"),
        symbol="BTCUSDT",
        side=side,
        order_type=kind,  # type: ignore[arg-type]
        qty=D(qty),
        **kw,
    )  # type: ignore[arg-type]


def test_sim_trading_market_order_walks_book_and_pays_taker_fee(engine_clock: tuple[Engine, Clock]) -> None:
    engine, _ = engine_clock
    acct = engine.accounts["A"]
    book = engine.book(engine.inst_lookup("linear", "BTCUSDT"))
    o = create(engine, acct, order(qty="0.01"))
    assert o.status == "Filled" and o.cum_qty == D("0.01")
    ex = acct.executions[-1]
    assert ex.exec_price == book.best_ask and not ex.is_maker
    assert ex.exec_fee == trade_fee(book.best_ask, D("0.01"), fee_rates("VIP0").taker)
    assert acct.coins["USDT"] == D(100000) - ex.exec_fee
    # a big order walks several levels: the average price is worse than the best ask
    big = create(engine, acct, order(qty=str(book.level_size * 3)))
    assert big.avg_price is not None and big.avg_price > book.level_price(Side.SELL, 1)


def test_sim_trading_resting_limit_fills_on_trade_through_with_volume_cap(btc_frames: dict) -> None:
    engine, clock = make_engine(btc_frames, balance="100000000")
    engine.params = EngineParams(participation=0.01)
    acct = engine.accounts["A"]
    series = engine.feed.get("linear", "BTCUSDT")
    assert series is not None
    i = series.last_closed(clock.ms)
    px = D(repr(float(series.close[i]))) - D(200)
    # the first later bar whose low trades through the price (a touch is not enough)
    j = next(k for k in range(i + 1, len(series.ts)) if series.low[k] < float(px))
    big = str(round(float(series.volume[j]) * 0.03, 3))  # 3x the 1 % cap of that bar: several fills
    o = create(engine, acct, order(kind="Limit", qty=big, price=px))
    assert o.status == "New" and o.cum_qty == 0
    clock.ms = int(series.close_ts[j])
    engine.sync()
    assert 0 < o.cum_qty <= D(repr(float(series.volume[j]) * 0.01))
    fills = [e for e in acct.executions if e.order is o]
    assert all(e.is_maker and e.exec_price == px for e in fills)
    assert fills[0].exec_fee == trade_fee(px, fills[0].exec_qty, fee_rates("VIP0").maker)
    clock.ms += 24 * HOUR
    engine.sync()
    assert o.status == "Filled" and o.cum_qty == D(big)
    assert len([e for e in acct.executions if e.order is o]) > 1  # partial fills happened


def test_sim_trading_post_only_crossing_is_accepted_then_cancelled(
    engine_clock: tuple[Engine, Clock],
) -> None:
    engine, _ = engine_clock
    book = engine.book(engine.inst_lookup("linear", "BTCUSDT"))
    o = create(
        engine, engine.accounts["A"], order(kind="Limit", price=book.best_ask, time_in_force="PostOnly")
    )
    assert o.status == "Cancelled" and o.reject_reason == "EC_PostOnlyWillTakeLiquidity"
    resting = create(
        engine, engine.accounts["A"], order(kind="Limit", price=book.best_bid, time_in_force="PostOnly")
    )
    assert resting.status == "New"


def test_sim_trading_ioc_and_fok(engine_clock: tuple[Engine, Clock]) -> None:
    engine, _ = engine_clock
    acct = engine.accounts["A"]
    book = engine.book(engine.inst_lookup("linear", "BTCUSDT"))
    qty = str(book.level_size * 2)
    ioc = create(engine, acct, order(kind="Limit", qty=qty, price=book.best_ask, time_in_force="IOC"))
    assert ioc.status == "Cancelled" and ioc.cum_qty == book.level_size  # only the best level was in limit
    fok = create(
        engine, acct, order(kind="Limit", qty=qty, price=book.level_price(Side.SELL, 1), time_in_force="FOK")
    )
    assert fok.status == "Cancelled" and fok.cum_qty == 0  # the first level was taken by the IOC


def test_sim_trading_rejections_use_bybit_codes(engine_clock: tuple[Engine, Clock]) -> None:
    engine, _ = engine_clock
    acct = engine.accounts["A"]
    cases = [
        (order(side="Sell", reduce_only=True), 110017),
        (order(qty="0.0001"), 10001),  # below min qty
        (order(qty="0.0015"), 10001),  # off the qty step
        (order(kind="Limit", price=D("90000.05")), 10001),  # off the tick
        (order(qty="2000"), 10001),  # above max market qty
    ]
    for req, code in cases:
        with pytest.raises(SimError) as err:
            create(engine, acct, req)
        assert err.value.code == code, req
    with pytest.raises(SimError) as err:
        create(engine, acct, order(qty="20"))  # ~1.9M notional at 10x: ~190k margin > 100k
    assert err.value.code == 110007
    create(engine, acct, order(qty="0.001", order_link_id="dup"))
    with pytest.raises(SimError) as err:
        create(engine, acct, order(qty="0.001", order_link_id="dup"))
    assert err.value.code == 110072
    with pytest.raises(SimError) as err:
        cancel(engine, acct, "linear", "BTCUSDT", "", "missing")
    assert err.value.code == 110001
    with pytest.raises(SimError) as err:
        create(engine, acct, order(category="spot", side="Sell", qty="1"))
    assert err.value.code == 170131  # spot: no BTC to sell


def test_sim_trading_reduce_only_is_clamped_to_position(engine_clock: tuple[Engine, Clock]) -> None:
    engine, _ = engine_clock
    acct = engine.accounts["A"]
    create(engine, acct, order(qty="0.01"))
    o = create(engine, acct, order(side="Sell", qty="0.05", reduce_only=True))
    assert o.qty == D("0.01") and o.status == "Filled"
    assert acct.positions["BTCUSDT"].size == 0


def test_sim_trading_amend_and_cancel(engine_clock: tuple[Engine, Clock]) -> None:
    engine, _ = engine_clock
    acct = engine.accounts["A"]
    o = create(engine, acct, order(kind="Limit", price=D("50000"), order_link_id="L1"))
    amend(engine, acct, "linear", "BTCUSDT", "", "L1", D("0.02"), D("50000.5"))
    assert (o.qty, o.price, o.status) == (D("0.02"), D("50000.5"), "New")
    cancel(engine, acct, "linear", "BTCUSDT", o.order_id, "")
    assert o.status == "Cancelled"
    with pytest.raises(SimError) as err:
        amend(engine, acct, "linear", "BTCUSDT", "", "L1", D("0.03"), None)
    assert err.value.code == 110001


def test_sim_trading_take_profit_and_stop_loss(engine_clock: tuple[Engine, Clock]) -> None:
    engine, clock = engine_clock
    acct = engine.accounts["A"]
    last = engine.last_price("linear", "BTCUSDT")
    assert last is not None
    with pytest.raises(SimError):
        create(engine, acct, order(take_profit=last - 100))  # a long's TP must be above the price
    create(engine, acct, order(qty="0.01", take_profit=last + 1500, stop_loss=last - 1500))
    pos = acct.positions["BTCUSDT"]
    assert pos.take_profit == last + 1500
    clock.ms += 14 * 24 * HOUR
    engine.sync()
    closing = [o for o in acct.orders.values() if o.stop_order_type in ("TakeProfit", "StopLoss")]
    assert len(closing) == 1 and closing[0].status == "Filled" and closing[0].reduce_only
    assert pos.size == 0 and pos.take_profit is None
    ex = next(e for e in acct.executions if e.order is closing[0])
    # filled at the trigger, or at the bar's open when the bar gapped past it
    series = engine.feed.get("linear", "BTCUSDT")
    j = int((series.close_ts == ex.exec_time).nonzero()[0][0])
    hit_tp = series.high[j] >= float(last + 1500)
    trigger = last + 1500 if (hit_tp and series.low[j] > float(last - 1500)) else last - 1500
    assert closing[0].stop_order_type == ("TakeProfit" if trigger > last else "StopLoss")
    assert ex.exec_price in (trigger, D(repr(float(series.open[j]))))


def test_sim_trading_liquidation_at_bankruptcy_price(btc_frames: dict) -> None:
    engine, clock = make_engine(btc_frames)
    acct = engine.accounts["A"]
    set_leverage(engine, acct, "linear", "BTCUSDT", "100", "100")
    create(engine, acct, order(qty="0.1"))
    pos = acct.positions["BTCUSDT"]
    entry, wallet_before = pos.entry, acct.coins["USDT"]
    liq = acct.liq_price(pos, engine.inst_lookup("linear", "BTCUSDT"))
    assert liq is not None and entry * D("0.99") < liq < entry
    clock.ms += 30 * 24 * HOUR
    engine.sync()
    bust = [e for e in acct.executions if e.exec_type == "BustTrade"]
    assert len(bust) == 1 and pos.size == 0
    assert bust[0].exec_price == bankruptcy_price(Side.BUY, entry, D(100))
    assert bust[0].exec_fee == 0
    funding = sum((e.exec_fee for e in acct.executions if e.exec_type == "Funding"), D(0))
    # the isolated margin (value / leverage) is what the liquidation cost, plus funding paid meanwhile
    assert wallet_before - acct.coins["USDT"] == entry * D("0.1") / 100 + funding


def test_sim_trading_funding_settles_every_eight_hours(engine_clock: tuple[Engine, Clock]) -> None:
    engine, clock = engine_clock
    acct = engine.accounts["A"]
    create(engine, acct, order(side="Sell", qty="0.01"))
    wallet = acct.coins["USDT"]
    clock.ms += 24 * HOUR
    engine.sync()
    funding = [e for e in acct.executions if e.exec_type == "Funding"]
    assert [e.exec_time % (8 * HOUR) for e in funding] == [0, 0, 0]
    series = engine.feed.get("linear", "BTCUSDT")
    for e in funding:
        rate = D(repr(series.funding_rate_at(e.exec_time)))
        assert e.fee_rate == rate
        assert e.exec_fee == funding_payment(D("-0.01"), e.exec_price, rate)
    assert acct.coins["USDT"] == wallet - sum((e.exec_fee for e in funding), D(0))


def test_sim_trading_same_seed_same_run(btc_frames: dict) -> None:
    def run(seed: int) -> list[tuple[str, str, str]]:
        engine, clock = make_engine(btc_frames, seed=seed)
        acct = engine.accounts["A"]
        create(engine, acct, order(qty="0.02"))
        create(engine, acct, order(kind="Limit", side="Sell", qty="0.01", price=D("96000")))
        clock.ms += 3 * 24 * HOUR
        engine.sync()
        return [(e.exec_id, str(e.exec_price), str(e.exec_fee)) for e in acct.executions]

    assert run(5) == run(5)
    assert run(5) != run(6)


def test_sim_trading_spot_fees_come_from_the_coin_received(engine_clock: tuple[Engine, Clock]) -> None:
    engine, _ = engine_clock
    acct = engine.accounts["A"]
    rate = fee_rates("VIP0", "spot").taker
    create(engine, acct, order(category="spot", qty="0.01", market_unit="baseCoin"))
    assert acct.coins["BTC"] == D("0.01") - D("0.01") * rate
    create(engine, acct, order(category="spot", side="Sell", qty="0.005"))
    sell = acct.executions[-1]
    assert sell.fee_coin == "USDT" and sell.exec_fee == sell.exec_price * D("0.005") * rate
