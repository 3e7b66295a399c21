"""LightGBM/XGBoost models: training on real features, calibration, refusal, importance."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from openalpha.ml.errors import MissingFeaturesError, MLError
from openalpha.ml.importance import log_loss, permutation_importance
from openalpha.ml.models import ModelSpec, TabularModel, fit_calibrator

TINY = {"n_estimators": 20, "max_depth": 3, "min_child_samples": 10}


@pytest.mark.parametrize("kind", ["lgbm", "xgb"])
def test_classifier_trains_and_predicts_probabilities(kind: str, btc_training) -> None:  # type: ignore[no-untyped-def]
    X, y, _ = btc_training
    spec = ModelSpec(kind=kind, **TINY)  # type: ignore[arg-type]
    train, test = slice(0, 600), slice(600, None)
    model = TabularModel(spec).fit(X.iloc[train], y[train])
    p = model.predict(X.iloc[test])
    assert p.shape == (len(X) - 600,)
    assert np.all((p >= 0) & (p <= 1)) and np.std(p) > 0
    again = TabularModel(spec).fit(X.iloc[train], y[train]).predict(X.iloc[test])
    np.testing.assert_array_equal(p, again)  # deterministic for a seed
    # columns may come in any order and extra columns are ignored
    shuffled = X.iloc[test][list(reversed(X.columns))].assign(extra=1.0)
    np.testing.assert_array_equal(model.predict(shuffled), p)


@pytest.mark.parametrize("kind", ["lgbm", "xgb"])
def test_regressor_predicts_returns(kind: str, btc_training) -> None:  # type: ignore[no-untyped-def]
    X, _, labels = btc_training
    model = TabularModel(ModelSpec(kind=kind, task="regressor", **TINY)).fit(X, labels["ret"])  # type: ignore[arg-type]
    pred = model.predict(X)
    assert np.corrcoef(pred, labels["ret"])[0, 1] > 0.2  # in-sample fit is positive


def test_model_refuses_missing_features(btc_training) -> None:  # type: ignore[no-untyped-def]
    X, y, _ = btc_training
    model = TabularModel(ModelSpec(**TINY)).fit(X, y)
    with pytest.raises(MissingFeaturesError, match=r"trained on 8 features; the data lacks funding_rate$"):
        model.predict(X.drop(columns=["funding_rate"]))
    with pytest.raises(MissingFeaturesError, match="'basis_mark' has no values"):
        model.predict(X.assign(basis_mark=np.nan))
    with pytest.raises(MLError, match="not trained"):
        TabularModel().predict(X)


def test_bad_training_input_is_a_one_line_error(btc_training) -> None:  # type: ignore[no-untyped-def]
    X, y, _ = btc_training
    with pytest.raises(MLError, match="single class"):
        TabularModel(ModelSpec(**TINY)).fit(X, np.ones(len(X)))
    with pytest.raises(MLError, match="labels in"):
        TabularModel(ModelSpec(**TINY)).fit(X, np.where(y > 0, 2.0, 0.0))
    with pytest.raises(MLError, match="NaN"):
        TabularModel(ModelSpec(**TINY)).fit(X, np.full(len(X), np.nan))


@pytest.mark.parametrize("method", ["sigmoid", "isotonic"])
def test_calibration_repairs_a_miscalibrated_score(method: str) -> None:
    # property test on a synthetic score: true P(y=1) = s, but the model reports s**3
    rng = np.random.default_rng(7)
    s = rng.uniform(0.05, 0.95, 20_000)
    y = (rng.uniform(size=s.size) < s).astype(float)
    raw = s**3
    cal = fit_calibrator(method, raw, y)  # type: ignore[arg-type]
    assert log_loss(cal.apply(raw), y) < log_loss(raw, y) - 0.02
    grid = np.linspace(0.01, 0.9, 50)
    assert np.all(np.diff(cal.apply(grid)) >= -1e-12)  # monotone
    assert fit_calibrator(method, raw[:10], np.ones(10)).method == "none"  # one class: identity


@pytest.mark.parametrize("kind", ["lgbm", "xgb"])
def test_gain_and_permutation_importance_find_the_informative_feature(kind: str) -> None:
    # property test: 'signal' determines the label, 'noise' does not
    rng = np.random.default_rng(3)
    n = 800
    X = pd.DataFrame({"signal": rng.normal(size=n), "noise": rng.normal(size=n)})
    y = (X["signal"] + 0.3 * rng.normal(size=n) > 0).astype(float).to_numpy()
    model = TabularModel(ModelSpec(kind=kind, calibration="none", **TINY)).fit(X.iloc[:600], y[:600])  # type: ignore[arg-type]
    gain = model.gain_importance()
    assert gain.index[0] == "signal" and gain.sum() == pytest.approx(1.0)
    perm = permutation_importance(model, X.iloc[600:], y[600:], n_repeats=2)
    assert perm["signal"] > 0.1 > perm["noise"]
