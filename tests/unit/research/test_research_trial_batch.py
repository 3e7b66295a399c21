"""A batch of parameter sets scored in one call (one Ray Tune trial) on real Bybit data: each set
scores exactly as it does alone, and a fold's batch only ever sees that fold's training window."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from openalpha.domain.market_data import MarketData
from openalpha.research.sweep_config import SweepConfig
from openalpha.research.trial import PENALTY, pack_records, score_batch, score_config, unpack_records
from openalpha.research.walkforward import make_context, plan_folds
from openalpha.strategies.sma_cross import SmaCross
from tests.unit.research.small_sweep import small_config


def _config() -> SweepConfig:
    return small_config(inner_folds=3, trials_per_fold=6, batch=3)


BATCH = [{"fast": 8, "slow": 90}, {"fast": 70, "slow": 60}, {"fast": 30, "slow": 250}]  # 2nd is invalid


def test_each_set_of_a_batch_scores_as_it_does_alone(btc_15m: MarketData) -> None:
    config = _config()
    folds = plan_folds(config, btc_15m)
    ctx = make_context(config, btc_15m, folds)
    rows: list[dict[str, Any]] = []
    batch = score_batch(ctx, 1, BATCH, rows.append)
    alone = [score_config(ctx, 1, params, lambda _: None) for params in BATCH]
    assert batch == alone
    assert not batch[1].valid and batch[1].score == PENALTY and "fast" in batch[1].error
    assert batch[0].valid and batch[0].daily_returns and batch[2].n_trades > 0
    # one report per inner segment; each carries every set's running score, the last every record
    assert [r["segment"] for r in rows] == [1, 2, 3]
    assert all(len(r["scores"]) == 3 and r["score"] == max(r["scores"]) for r in rows)
    assert unpack_records(rows[-1]["records"]) == batch  # every record, daily returns exact
    assert all("records" not in r for r in rows[:-1])


def test_a_batch_of_only_rejected_sets_reports_once(btc_15m: MarketData) -> None:
    config = _config()
    ctx = make_context(config, btc_15m, plan_folds(config, btc_15m))
    rows: list[dict[str, Any]] = []
    records = score_batch(ctx, 0, [{"fast": 9, "slow": 5}, {"fast": 9, "slow": 9}], rows.append)
    assert [r.valid for r in records] == [False, False]
    assert (
        len(rows) == 1
        and rows[0]["scores"] == [PENALTY, PENALTY]
        and unpack_records(rows[0]["records"]) == records
    )


def test_a_folds_batch_sees_only_that_folds_training_window(
    btc_15m: MarketData, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _config()
    folds = plan_folds(config, btc_15m)
    assert len(folds) >= 2
    ctx = make_context(config, btc_15m, folds)
    seen: list[tuple[pd.Timestamp, pd.Timestamp]] = []
    original = SmaCross.targets

    def spy(self: SmaCross, data: MarketData) -> pd.DataFrame:
        seen.append((data.index[0], data.index[-1]))
        return original(self, data)

    monkeypatch.setattr(SmaCross, "targets", spy)
    index = btc_15m.index
    for fold in folds:
        seen.clear()
        score_batch(ctx, fold.number, BATCH, lambda _: None)
        assert len(seen) == 2 * 3  # two valid sets x three inner segments
        warmup = max(p["slow"] for p in BATCH)
        first_allowed = index[max(0, fold.train.start - warmup)]
        assert min(a for a, _ in seen) >= first_allowed  # only the warm-up before the window
        assert max(b for _, b in seen) < index[fold.train.stop]  # never a bar of the test window
        assert max(b for _, b in seen) == index[fold.train.stop - 1]  # the whole training window


def test_packed_records_round_trip_exactly_and_bad_input_is_refused() -> None:
    from openalpha.research.trial import TrialRecord

    records = [
        TrialRecord(params={"fast": 9, "slow": 30}, score=1.25, valid=True, complete=True, n_trades=7,
                    daily_returns=[0.1, -1e-300, 5e-324, 1 / 3]),
        TrialRecord(params={"fast": 40, "slow": 20}, score=PENALTY, valid=False, complete=True, error="fast >= slow"),
    ]  # fmt: skip
    packed = pack_records(records)
    assert isinstance(packed, str) and packed.isascii()
    assert unpack_records(packed) == records
    for bad in ("not base64!", pack_records(records)[:-8], "AAAA"):
        with pytest.raises(ValueError, match="not packed trial records"):
            unpack_records(bad)
