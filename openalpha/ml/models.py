"""LightGBM and XGBoost classifiers/regressors behind one small interface.

:class:`TabularModel` remembers the feature names it was trained on and refuses to predict on
data that lacks any of them (:class:`MissingFeaturesError`, one line). Classifiers predict the
probability of the positive class (``y = 1``, e.g. "price goes up"), calibrated on the most
recent ``calibration_fraction`` of the training rows (time order), which the trees never see:
Platt scaling (``sigmoid``) or isotonic regression. Training is deterministic for a given seed
(single-threaded by default), so walk-forward retraining reproduces itself in a live window.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
import numpy as np
import pandas as pd

from openalpha.ml.errors import MissingFeaturesError, MLError

Kind = Literal["lgbm", "xgb"]
Task = Literal["classifier", "regressor"]
Calibration = Literal["none", "sigmoid", "isotonic"]


class ModelSpec(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Hyper-parameters shared by both libraries (mapped to each one's names)."""

    kind: Kind = "lgbm"
    task: Task = "classifier"
    n_estimators: Annotated[int, msgspec.Meta(ge=1, le=5000)] = 200
    learning_rate: Annotated[float, msgspec.Meta(gt=0, le=1)] = 0.05
    max_depth: Annotated[int, msgspec.Meta(ge=1, le=16)] = 4
    min_child_samples: Annotated[int, msgspec.Meta(ge=1, le=10_000)] = 20
    subsample: Annotated[float, msgspec.Meta(gt=0, le=1)] = 0.8
    colsample: Annotated[float, msgspec.Meta(gt=0, le=1)] = 0.8
    reg_lambda: Annotated[float, msgspec.Meta(ge=0)] = 1.0
    calibration: Calibration = "sigmoid"
    calibration_fraction: Annotated[float, msgspec.Meta(ge=0, lt=1)] = 0.2
    seed: int = 0
    threads: Annotated[int, msgspec.Meta(ge=1, le=256)] = 1


def _make_estimator(spec: ModelSpec) -> Any:
    if spec.kind == "lgbm":
        import lightgbm as lgb

        cls = lgb.LGBMClassifier if spec.task == "classifier" else lgb.LGBMRegressor
        return cls(
            n_estimators=spec.n_estimators, learning_rate=spec.learning_rate, max_depth=spec.max_depth,
            num_leaves=max(2, min(2**spec.max_depth - 1, 255)), min_child_samples=spec.min_child_samples,
            subsample=spec.subsample, subsample_freq=1 if spec.subsample < 1 else 0,
            colsample_bytree=spec.colsample, reg_lambda=spec.reg_lambda, random_state=spec.seed,
            n_jobs=spec.threads, deterministic=True, force_row_wise=True, verbose=-1,
        )  # fmt: skip
    import xgboost as xgb

    cls = xgb.XGBClassifier if spec.task == "classifier" else xgb.XGBRegressor
    return cls(
        n_estimators=spec.n_estimators, learning_rate=spec.learning_rate, max_depth=spec.max_depth,
        min_child_weight=float(spec.min_child_samples) / 10.0, subsample=spec.subsample,
        colsample_bytree=spec.colsample, reg_lambda=spec.reg_lambda, random_state=spec.seed,
        n_jobs=spec.threads, tree_method="hist", verbosity=0,
    )  # fmt: skip


def _logit(p: np.ndarray) -> np.ndarray:
    q = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(q / (1 - q))


class Calibrator(msgspec.Struct, frozen=True, kw_only=True):
    """A fitted probability map: Platt (``a * logit(p) + b``) or isotonic (piecewise linear)."""

    method: Calibration = "none"
    a: float = 1.0
    b: float = 0.0
    xs: list[float] = []
    ys: list[float] = []

    def apply(self, p: np.ndarray) -> np.ndarray:
        if self.method == "sigmoid":
            return 1.0 / (1.0 + np.exp(-(self.a * _logit(p) + self.b)))
        if self.method == "isotonic":
            return np.interp(p, self.xs, self.ys)
        return p


def fit_calibrator(method: Calibration, raw: np.ndarray, y: np.ndarray) -> Calibrator:
    """Fit ``method`` on held-out raw probabilities; identity when the hold-out has one class only."""
    if method == "none" or len(np.unique(y)) < 2:
        return Calibrator()
    if method == "sigmoid":
        from sklearn.linear_model import LogisticRegression

        lr = LogisticRegression(C=1e6, max_iter=1000).fit(_logit(raw).reshape(-1, 1), y)
        return Calibrator(method="sigmoid", a=float(lr.coef_[0, 0]), b=float(lr.intercept_[0]))
    from sklearn.isotonic import IsotonicRegression

    iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(raw, y)
    return Calibrator(method="isotonic", xs=iso.X_thresholds_.tolist(), ys=iso.y_thresholds_.tolist())


class TabularModel:
    """One fitted LightGBM/XGBoost model with its feature list and calibrator."""

    def __init__(self, spec: ModelSpec | None = None) -> None:
        self.spec = spec or ModelSpec()
        self.feature_names: list[str] = []
        self.estimator: Any = None
        self.calibrator = Calibrator()

    @property
    def fitted(self) -> bool:
        return self.estimator is not None

    def fit(
        self, X: pd.DataFrame, y: np.ndarray | pd.Series, sample_weight: np.ndarray | None = None
    ) -> TabularModel:
        """Train on rows in time order; the last ``calibration_fraction`` fits the calibrator only."""
        y_arr = np.asarray(y, dtype=np.float64)
        if len(X) != len(y_arr) or len(X) == 0:
            raise MLError(f"cannot train on {len(X)} rows of features and {len(y_arr)} labels")
        if np.isnan(y_arr).any():
            raise MLError("labels contain NaN: drop unknown labels before training")
        if self.spec.task == "classifier" and not set(np.unique(y_arr)) <= {0.0, 1.0}:
            raise MLError("a classifier needs labels in {0, 1}")
        self.feature_names = [str(c) for c in X.columns]
        w = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        n_cal = int(len(X) * self.spec.calibration_fraction) if self.spec.task == "classifier" else 0
        if self.spec.calibration == "none":
            n_cal = 0
        cut = len(X) - n_cal
        if len(np.unique(y_arr[:cut])) < 2 and self.spec.task == "classifier":
            raise MLError("training labels hold a single class; need both outcomes to train a classifier")
        self.estimator = _make_estimator(self.spec)
        self.estimator.fit(X.iloc[:cut], y_arr[:cut], sample_weight=None if w is None else w[:cut])
        if n_cal > 0:
            raw = self._raw(X.iloc[cut:].to_numpy(dtype=np.float64))
            self.calibrator = fit_calibrator(self.spec.calibration, raw, y_arr[cut:])
        return self

    def matrix(self, X: pd.DataFrame) -> np.ndarray:
        """``X`` as a float matrix in training column order; refuses missing features."""
        if not self.fitted:
            raise MLError("model is not trained")
        missing = [f for f in self.feature_names if f not in X.columns]
        if missing:
            more = f" (+{len(missing) - 3} more)" if len(missing) > 3 else ""
            raise MissingFeaturesError(
                f"model trained on {len(self.feature_names)} features; the data lacks "
                f"{', '.join(missing[:3])}{more}"
            )
        mat = X[self.feature_names].to_numpy(dtype=np.float64)
        empty = [f for f, ok in zip(self.feature_names, np.isfinite(mat).any(axis=0), strict=True) if not ok]
        if empty and len(mat) > 0:
            raise MissingFeaturesError(f"feature {empty[0]!r} has no values in the data given to the model")
        return mat

    def _raw(self, mat: np.ndarray) -> np.ndarray:
        if self.spec.kind == "lgbm":
            return np.asarray(
                self.estimator.booster_.predict(mat, num_threads=self.spec.threads), dtype=np.float64
            )
        booster = self.estimator.get_booster()
        return np.asarray(booster.inplace_predict(mat), dtype=np.float64)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Calibrated P(y = 1) for a classifier, the predicted value for a regressor."""
        return self.predict_matrix(self.matrix(X))

    def predict_matrix(self, mat: np.ndarray) -> np.ndarray:
        """:meth:`predict` for a float matrix already in :attr:`feature_names` order (the live path)."""
        if not self.fitted:
            raise MLError("model is not trained")
        if mat.ndim != 2 or mat.shape[1] != len(self.feature_names):
            raise MLError(
                f"expected a matrix of {len(self.feature_names)} feature columns, got shape {mat.shape}"
            )
        out = self._raw(mat)
        return self.calibrator.apply(out) if self.spec.task == "classifier" else out

    def gain_importance(self) -> pd.Series:
        """Total split gain per feature, normalised to sum 1."""
        if not self.fitted:
            raise MLError("model is not trained")
        if self.spec.kind == "lgbm":
            gains = self.estimator.booster_.feature_importance(importance_type="gain")
            series = pd.Series(gains, index=self.feature_names, dtype=np.float64)
        else:
            score = self.estimator.get_booster().get_score(importance_type="total_gain")
            series = pd.Series({f: score.get(f, 0.0) for f in self.feature_names}, dtype=np.float64)
        total = series.sum()
        return (series / total if total > 0 else series).sort_values(ascending=False)
