"""BatchTPESampler: one TPE fit serves a batch of asks, and each ask is a TPE draw like a plain
TPESampler's (same model, same finished trials)."""

from __future__ import annotations

import optuna
import pytest

from openalpha.research.batch_tpe import BatchTPESampler

optuna.logging.set_verbosity(optuna.logging.WARNING)


def _objective(trial: optuna.Trial) -> float:
    x = trial.suggest_float("x", -10.0, 10.0)
    n = trial.suggest_int("n", 1, 50)
    return -((x - 3.0) ** 2) - (n - 20) ** 2 / 10.0


def test_batch_of_one_draws_exactly_what_plain_tpe_draws() -> None:
    plain = optuna.create_study(
        direction="maximize",
        sampler=optuna.samplers.TPESampler(seed=7, multivariate=True, constant_liar=False),
    )
    batched = optuna.create_study(direction="maximize", sampler=BatchTPESampler(batch=1, seed=7))
    plain.optimize(_objective, n_trials=30)
    batched.optimize(_objective, n_trials=30)
    assert [t.params for t in batched.trials] == [t.params for t in plain.trials]


def test_one_fit_serves_a_batch_until_a_result_arrives() -> None:
    sampler = BatchTPESampler(batch=4, seed=1)
    study = optuna.create_study(direction="maximize", sampler=sampler)
    study.optimize(_objective, n_trials=10)  # TPE's random start-up: no fit
    assert sampler.fits == 0
    asked = [study.ask() for _ in range(4)]
    params = [(t.suggest_float("x", -10.0, 10.0), t.suggest_int("n", 1, 50)) for t in asked]
    assert sampler.fits == 1
    assert len(set(params)) == 4  # four separate draws, not one repeated
    study.tell(asked[0], 0.0)
    nxt = study.ask()
    nxt.suggest_float("x", -10.0, 10.0)
    assert sampler.fits == 2  # a new finished trial: the spare draws are discarded


def test_batched_tpe_still_learns_from_scores() -> None:
    def run(sampler: optuna.samplers.BaseSampler) -> float:
        study = optuna.create_study(direction="maximize", sampler=sampler)
        for _ in range(10):  # 10 batches of 6: ask six, then tell six
            trials = [study.ask() for _ in range(6)]
            for t in trials:
                study.tell(t, _objective(t))
        return sorted(t.value for t in study.trials)[-5]  # 5th best

    assert run(BatchTPESampler(batch=6, seed=3)) > run(optuna.samplers.RandomSampler(seed=3))


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="batch"):
        BatchTPESampler(batch=0)
    with pytest.raises(ValueError, match="constant_liar"):
        BatchTPESampler(batch=2, constant_liar=True)


def test_scipy_log_ndtr_matches_optunas_own_to_rounding() -> None:
    import numpy as np
    import optuna.samplers._tpe._truncnorm as truncnorm

    from openalpha.research.batch_tpe import OPTUNA_LOG_NDTR

    assert truncnorm._log_ndtr is not OPTUNA_LOG_NDTR  # the swap is in place
    a = np.concatenate([np.linspace(-40.0, 40.0, 8001), [-1e3, -20.0001, -20.0, 0.0, 6.0, 6.0001, 1e3]])
    ours, theirs = truncnorm._log_ndtr(a), OPTUNA_LOG_NDTR(a)
    assert np.allclose(ours, theirs, rtol=1e-7, atol=1e-12)
    left = a <= 1.0  # away from Optuna's log(Φ) of a Φ near 1, where it loses digits
    assert np.allclose(ours[left], theirs[left], rtol=1e-12, atol=0.0)


@pytest.mark.parametrize("batch", [1, 5])
def test_scipy_log_ndtr_draws_the_same_sets_as_optunas_own(
    batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    import optuna.samplers._tpe._truncnorm as truncnorm

    from openalpha.research.batch_tpe import OPTUNA_LOG_NDTR

    def run() -> list[dict[str, float]]:
        study = optuna.create_study(direction="maximize", sampler=BatchTPESampler(batch=batch, seed=11))
        for _ in range(12):  # ask a batch, then tell it
            trials = [study.ask() for _ in range(batch)]
            for t in trials:
                study.tell(t, _objective(t))
        return [t.params for t in study.trials]

    fast = run()
    monkeypatch.setattr(truncnorm, "_log_ndtr", OPTUNA_LOG_NDTR)
    own = run()
    assert [p["n"] for p in fast] == [p["n"] for p in own]
    assert [p["x"] for p in fast] == pytest.approx(
        [p["x"] for p in own], rel=1e-12
    )  # floats: to the last bits
