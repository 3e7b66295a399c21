"""A :class:`RuntimeControl` test double for the dashboard, built from REAL Bybit history.

Paper trades BTCUSDT and demo trades ETHUSDT (hourly perp closes, mark prices and 8 h funding
rates from the shared data); testnet and mainnet are inactive. Equity curves are the real
mark-to-market of the fills, funding payments are ``qty × mark × rate`` at the real settlement
times. Commands are recorded (name, argument, actor), change the state like the runtime would
and append an audit event. :meth:`add_fill` makes the next real bar trade, to test live updates.
The ML strategy ``trend_eth`` shows the P(up) of a tiny real LightGBM model (trained with purged
CV on the ETHUSDT bars before the window, :func:`eth_model`) at the demo book's current bar.
"""

from __future__ import annotations

import functools
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import msgspec
import pandas as pd

from openalpha.domain import Environment, RiskAction, RiskDecision, Stage
from openalpha.domain.events import Event
from openalpha.live.snapshot import (
    ENVIRONMENTS,
    EnvSnapshot,
    FillView,
    Health,
    LimitView,
    ModelView,
    OrderView,
    PositionView,
    RiskSnapshot,
    RuntimeSnapshot,
    StrategySnapshot,
    inactive,
)

HOURLY = Path("mohsenjfar_trade/05394495/bybit/futures")
START = "2025-12-01"
BARS = 240
CAPITAL = 10_000.0


def _ms(index: pd.Index) -> list[int]:
    return [int(t) for t in pd.DatetimeIndex(index).as_unit("ms").asi8]


def load_prices(shared: Path, coin: str) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(close, mark close, funding rate) for ``BARS`` real hourly bars from ``START``."""
    base = shared / HOURLY
    bars = pd.read_feather(base / f"{coin}_USDT_USDT-1h-futures.feather").set_index("date")
    mark = pd.read_feather(base / f"{coin}_USDT_USDT-1h-mark.feather").set_index("date")
    funding = pd.read_feather(base / f"{coin}_USDT_USDT-1h-funding_rate.feather").set_index("date")
    close = bars["close"][bars.index >= pd.Timestamp(START, tz="UTC")].iloc[:BARS]
    marks = mark["close"].reindex(close.index).ffill().fillna(close)
    rates = funding["open"][(funding.index >= close.index[0]) & (funding.index <= close.index[-1])]
    return close, marks, rates


ML_FEATURES = (
    "log_ret_1",
    "log_ret_24",
    "rv_48",
    "zscore_20",
    "bb_pctb_20",
    "mfi_14",
    "funding_rate",
    "hour_sin",
)


@functools.cache
def eth_model(shared: Path) -> tuple[pd.Series, ModelView]:
    """(P(up) per hourly ETHUSDT bar of the window, the model's card): a 20-tree LightGBM trained
    with 3-fold purged CV on the six months before ``START`` (once per process)."""
    from openalpha.ml.live import model_card, train_directional
    from openalpha.ml.models import ModelSpec
    from openalpha.ml.predictor import DirectionalConfig, model_probability
    from openalpha.ml.registry import ModelRegistry
    from tests.unit.backtest.realdata import perp_1h

    cfg = DirectionalConfig(features=ML_FEATURES, horizon=12, model=ModelSpec(n_estimators=20, max_depth=3))
    start = pd.Timestamp(START, tz="UTC")
    data = perp_1h(shared, "ETHUSDT", start=str((start - pd.Timedelta(days=183)).date()),
                   end=str((start + pd.Timedelta(hours=BARS)).date() + pd.Timedelta(days=1)))  # fmt: skip
    with tempfile.TemporaryDirectory() as root:
        registry = ModelRegistry(Path(root))
        train_directional(data.slice(end=start), "ETHUSDT", cfg, registry, "eth_trend", folds=3)
        model, manifest = registry.load("eth_trend")
    probability = model_probability(data, "ETHUSDT", model)
    card = msgspec.convert(model_card(model, manifest), ModelView)
    # this runtime's clock is the data's: the model was made an hour after its training window
    card = msgspec.structs.replace(card, created_ts=manifest.train_end_ms + 3_600_000)
    return probability[probability.index >= start], card


@dataclass
class Book:
    """One environment's trading on real prices: fills at bar closes, funding at settlements."""

    env: Environment
    symbol: str
    close: pd.Series
    mark: pd.Series
    rates: pd.Series
    cursor: int = 0
    qty: float = 0.0
    cash: float = CAPITAL
    fills: list[FillView] = field(default_factory=list)
    funding: list[FillView] = field(default_factory=list)
    orders: list[OrderView] = field(default_factory=list)

    def trade(self, qty: float) -> FillView:
        t = _ms(self.close.index[[self.cursor]])[0]
        price = float(self.close.iloc[self.cursor])
        fee = abs(qty) * price * 0.00055  # Bybit VIP0 taker
        self.qty += qty
        self.cash -= qty * price + fee
        fill = FillView(
            exec_id=f"{self.env.value}-{len(self.fills) + 1}", symbol=self.symbol, side="Buy" if qty > 0 else "Sell",
            qty=abs(qty), price=price, fee=fee, ts=t, order_link_id=f"oa-{self.env.value}-{len(self.fills) + 1}",
        )  # fmt: skip
        self.fills.append(fill)
        return fill

    def advance(self, bars: int) -> None:
        """Move ``bars`` bars forward, paying the real funding settlements on the way."""
        for _ in range(bars):
            self.cursor = min(self.cursor + 1, len(self.close) - 1)
            now = self.close.index[self.cursor]
            prev = self.close.index[self.cursor - 1]
            for when, rate in self.rates[(self.rates.index > prev) & (self.rates.index <= now)].items():
                mark = float(self.mark.loc[now])
                paid = self.qty * mark * float(rate)  # long pays a positive rate
                self.cash -= paid
                self.funding.append(
                    FillView(
                        exec_id=f"fund-{self.env.value}-{len(self.funding) + 1}",
                        symbol=self.symbol,
                        side="Buy" if self.qty > 0 else "Sell",
                        qty=abs(self.qty),
                        price=mark,
                        fee=paid,
                        ts=_ms(pd.DatetimeIndex([when]))[0],
                        exec_type="Funding",
                    )
                )

    def curve(self) -> list[tuple[int, float]]:
        """Real mark-to-market equity per bar up to the cursor."""
        points: list[tuple[int, float]] = []
        qty, cash, i = 0.0, CAPITAL, 0
        fills = sorted(self.fills, key=lambda f: f.ts)
        flows = sorted(self.funding, key=lambda f: f.ts)
        j = 0
        for t, price in zip(
            _ms(self.close.index[: self.cursor + 1]), self.close.iloc[: self.cursor + 1], strict=True
        ):
            while i < len(fills) and fills[i].ts <= t:
                signed = fills[i].qty if fills[i].side == "Buy" else -fills[i].qty
                qty += signed
                cash -= signed * fills[i].price + fills[i].fee
                i += 1
            while j < len(flows) and flows[j].ts <= t:
                cash -= flows[j].fee
                j += 1
            points.append((t, cash + qty * float(price)))
        return points

    def snapshot(self, kill_switch: bool) -> EnvSnapshot:
        curve = self.curve()
        equity = curve[-1][1]
        peak = max(v for _, v in curve)
        price = float(self.close.iloc[self.cursor])
        entry = (sum(f.qty * f.price for f in self.fills if f.side == "Buy") /
                 max(1e-12, sum(f.qty for f in self.fills if f.side == "Buy")))  # fmt: skip
        day_start = next((v for t, v in curve if t >= curve[-1][0] - 86_400_000), equity)
        positions = []
        if self.qty:
            positions.append(PositionView(symbol=self.symbol, size=self.qty, entry_price=entry, mark_price=price,
                                          unrealised_pnl=self.qty * (price - entry), leverage=1.0))  # fmt: skip
        return EnvSnapshot(
            env=self.env, active=True, ts=curve[-1][0], equity=equity, wallet_balance=self.cash + self.qty * entry,
            available=self.cash, pnl_today=equity - day_start, pnl_total=equity - CAPITAL,
            drawdown=(peak - equity) / peak if peak else 0.0, open_risk=abs(self.qty) * price / equity,
            equity_curve=curve, positions=positions, open_orders=list(self.orders), recent_fills=list(self.fills),
            recent_funding=list(self.funding),
            health=Health(connected=True, latency_ms=42.0, rate_limit_headroom=0.9,
                          last_bar_ts={self.symbol: curve[-1][0]}),
            kill_switch=kill_switch,
        )  # fmt: skip


class FakeRuntime:
    """Implements :class:`openalpha.live.control.RuntimeControl` over real prices."""

    def __init__(self, shared_data: Path) -> None:
        self._lock = threading.Lock()
        self.commands: list[tuple[str, str, str]] = []  # (command, argument, actor)
        self.snapshot_calls = 0
        self.fail_snapshots = False
        self.kill = False
        self.paused: set[str] = set()
        self.audit: list[Event] = []
        self.books: dict[Environment, Book] = {}
        self.eth_probability, self.eth_model = eth_model(shared_data)
        for env, symbol, coin, qty in (
            (Environment.PAPER, "BTCUSDT", "BTC", 0.05),
            (Environment.DEMO, "ETHUSDT", "ETH", 1.0),
        ):
            close, mark, rates = load_prices(shared_data, coin)
            book = Book(env, symbol, close, mark, rates)
            book.trade(qty)
            book.advance(BARS // 2)
            book.orders.append(OrderView(
                order_link_id=f"oa-{env.value}-limit", symbol=symbol, side="Sell", order_type="Limit",
                qty=qty, filled_qty=0.0, status="New", created_ts=_ms(close.index[[book.cursor]])[0],
                price=round(float(close.iloc[book.cursor]) * 1.05, 1), strategy="sma_btc",
            ))  # fmt: skip
            self.books[env] = book

    # -- simulation ---------------------------------------------------------------------------
    def add_fill(self, env: Environment = Environment.PAPER, qty: float = 0.01) -> FillView:
        """The next real bar closes and an order fills at its close (what a runtime tick does)."""
        with self._lock:
            book = self.books[env]
            book.advance(1)
            return book.trade(qty)

    def ml_fields(self) -> dict[str, object]:
        """``trend_eth``'s real prediction at the demo book's current bar."""
        stamp = self.books[Environment.DEMO].close.index[self.books[Environment.DEMO].cursor]
        p = float(self.eth_probability.loc[stamp])
        return {"predictions": {"ETHUSDT": p}, "confidence": {"ETHUSDT": abs(2 * p - 1)},
                "predictions_ts": _ms(pd.DatetimeIndex([stamp]))[0], "model": self.eth_model}  # fmt: skip

    # -- RuntimeControl -----------------------------------------------------------------------
    def snapshot(self) -> RuntimeSnapshot:
        with self._lock:
            self.snapshot_calls += 1
            if self.fail_snapshots:
                raise ConnectionError("supervisor actor unreachable")
            envs = [
                self.books[e].snapshot(self.kill) if e in self.books else inactive(e) for e in ENVIRONMENTS
            ]
            paper = envs[0]
            decisions = [
                RiskDecision(action=RiskAction.ALLOW, rule="risk_per_trade", reason="within 1 % risk per trade",
                             strategy="sma_btc", symbol="BTCUSDT", ts=paper.ts - 3_600_000, requested=0.5, approved=0.5),
                RiskDecision(action=RiskAction.RESIZE, rule="capital_cap", reason="capped at 30 % of equity",
                             strategy="sma_btc", symbol="BTCUSDT", ts=paper.ts, requested=0.8, approved=0.3),
            ]  # fmt: skip
            denial = RiskDecision(action=RiskAction.DENY, rule="daily_loss", reason="daily loss limit of 3 % reached",
                                  strategy="trend_eth", symbol="ETHUSDT", ts=paper.ts, requested=0.4, approved=0.0)  # fmt: skip
            strategies = [
                StrategySnapshot(strategy_id="sma_btc", name="sma_cross", env=Environment.PAPER, symbols=["BTCUSDT"],
                                 stage=Stage.PAPER, paused="sma_btc" in self.paused, capital_fraction=0.3,
                                 last_targets={"BTCUSDT": 0.3}, recent_decisions=decisions,
                                 live_return=paper.pnl_total / CAPITAL, backtest_return=0.021),
                StrategySnapshot(strategy_id="trend_eth", name="ml_trend", env=Environment.DEMO, symbols=["ETHUSDT"],
                                 stage=Stage.TESTNET, paused="trend_eth" in self.paused, capital_fraction=0.2,
                                 recent_decisions=[denial], **self.ml_fields()),
            ]  # fmt: skip
            worst_dd = max(e.drawdown for e in envs if e.active)
            limits = [
                LimitView(name="max drawdown", limit=0.15, current=worst_dd),
                LimitView(name="daily loss", limit=300.0, current=max(0.0, -paper.pnl_today), unit="USDT"),
                LimitView(name="gross leverage", limit=1.0, current=paper.open_risk, unit="x"),
                LimitView(name="orders per minute", limit=20, current=3),
            ]
            return RuntimeSnapshot(
                ts=max(e.ts for e in envs), environments=envs, strategies=strategies,
                risk=RiskSnapshot(limits=limits, recent_denials=[denial], kill_switch=self.kill),
                audit=list(self.audit), actors_alive={"supervisor": True, "governor": True, "ledger": True,
                                                      "exchange-paper": True, "exchange-demo": True},
            )  # fmt: skip

    def _record(self, command: str, argument: str, actor: str, message: str, env: Environment | None) -> str:
        self.commands.append((command, argument, actor))
        ts = max(b.snapshot(self.kill).ts for b in self.books.values())
        self.audit.append(
            Event(ts=ts, kind=command, source="supervisor", message=message, env=env, actor=actor)
        )
        return message

    def kill_switch(self, *, actor: str, flatten: bool = False) -> str:
        with self._lock:
            self.kill = True
            for book in self.books.values():
                book.orders.clear()
                if flatten and book.qty:
                    book.trade(-book.qty)
            what = "orders cancelled and positions flattened" if flatten else "orders cancelled"
            return self._record(
                "kill_switch", "flatten" if flatten else "", actor, f"kill switch engaged: {what}", None
            )

    def release_kill_switch(self, *, actor: str) -> str:
        with self._lock:
            self.kill = False
            return self._record("release_kill_switch", "", actor, "kill switch released", None)

    def cancel_all(self, env: Environment, *, actor: str) -> str:
        with self._lock:
            n = len(self.books[env].orders)
            self.books[env].orders.clear()
            return self._record("cancel_all", env.value, actor, f"{n} orders cancelled on {env.value}", env)

    def close_all(self, env: Environment, *, actor: str) -> str:
        with self._lock:
            book = self.books[env]
            book.orders.clear()
            if book.qty:
                book.trade(-book.qty)
            return self._record("close_all", env.value, actor, f"positions closed on {env.value}", env)

    def wipe_paper(self, *, actor: str) -> str:
        with self._lock:
            book = self.books[Environment.PAPER]
            book.orders.clear()
            if book.qty:
                book.trade(-book.qty)
            book.fills.clear()
            book.funding.clear()
            return self._record("wipe_paper", "", actor, "paper data wiped", Environment.PAPER)

    def pause(self, strategy_id: str, *, actor: str) -> str:
        with self._lock:
            self.paused.add(strategy_id)
            return self._record("pause", strategy_id, actor, f"{strategy_id} paused", None)

    def resume(self, strategy_id: str, *, actor: str) -> str:
        with self._lock:
            self.paused.discard(strategy_id)
            return self._record("resume", strategy_id, actor, f"{strategy_id} resumed", None)
