"""``openalpha ml train|list``: put a directional model into the registry for ``ml_trend`` to load live.

``train`` fits a LightGBM/XGBoost classifier of P(up) (triple-barrier labels) on stored history,
scores it by purged, embargoed k-fold and saves it as the next version of ``--name`` under
``$OPENALPHA_HOME/models`` (atomically: a failed run writes nothing). Default features are the
windowed ones computable from what the live runtime feeds a strategy — bars and funding — so
the model can run live; ``--features`` picks others (e.g. ``basis_mark``) for backtests.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from openalpha.cli.errors import CliError


def register(sub: Any) -> None:
    p = sub.add_parser("ml", help="train and list the models ML strategies load from the registry")
    cmds = p.add_subparsers(dest="ml_command", metavar="{train,list}", required=True)
    t = cmds.add_parser(
        "train",
        help="train a directional model on stored history and register it",
        description="Train P(up) on the local Parquet store, score it by purged k-fold, save it to the "
        "model registry. Use it with: ml_trend registry_model=NAME interval=INTERVAL.",
    )
    t.add_argument("--name", required=True, help="registry name (letters, digits, - _ .)")
    t.add_argument("--symbol", required=True, help="instrument, e.g. BTCUSDT")
    t.add_argument("--interval", default="60", help="bar interval (default 60)")
    t.add_argument("--start", help="first bar (UTC date or date-time), default: first stored")
    t.add_argument("--end", help="end (exclusive), default: last stored")
    t.add_argument("--features", default="", help="comma-separated feature names (default: live-safe set)")
    t.add_argument("--horizon", type=int, default=24, help="label horizon in bars (default 24)")
    t.add_argument("--barrier", type=float, default=1.0, help="barriers in volatilities (default 1.0)")
    t.add_argument("--model", choices=("lgbm", "xgb"), default="lgbm", help="library (default lgbm)")
    t.add_argument("--trees", type=int, default=100, help="number of trees (default 100)")
    t.add_argument("--depth", type=int, default=4, help="maximum tree depth (default 4)")
    t.add_argument("--folds", type=int, default=5, help="purged k-fold splits (default 5)")
    t.set_defaults(handler=run_train)
    ls = cmds.add_parser("list", help="every registered model, latest version first")
    ls.set_defaults(handler=run_list)


def _live_features(data: Any, symbol: str) -> tuple[str, ...]:
    """Windowed features the data supports that need nothing beyond bars and funding."""
    from openalpha.ml.features import feature_input
    from openalpha.ml.features.registry import FEATURES
    from openalpha.ml.predictor import default_features

    names = default_features(feature_input(data, symbol))
    return tuple(n for n in names if FEATURES[n].needs <= {"funding"})


def run_train(args: argparse.Namespace) -> int:
    import msgspec

    from openalpha.config import Paths
    from openalpha.data.load import DataNotFound, load_market_data
    from openalpha.data.store import ParquetStore
    from openalpha.ml.errors import MLError
    from openalpha.ml.features import feature_input, resolve
    from openalpha.ml.live import train_directional
    from openalpha.ml.predictor import DirectionalConfig
    from openalpha.ml.registry import ModelRegistry

    paths = Paths.from_env()
    try:
        names = tuple(f.strip() for f in args.features.split(",") if f.strip())
        model = {"kind": args.model, "n_estimators": args.trees, "max_depth": args.depth}
        cfg = msgspec.convert({"features": names, "horizon": args.horizon, "pt": args.barrier, "sl": args.barrier,
                               "model": model}, DirectionalConfig)  # fmt: skip
        if args.folds < 2:
            raise CliError(f"--folds must be at least 2, got {args.folds}")
        data = load_market_data(
            [args.symbol], args.interval, args.start, args.end, store=ParquetStore(paths.data)
        )
        if not names:
            cfg = msgspec.structs.replace(cfg, features=_live_features(data, args.symbol))
        resolve(
            cfg.features, feature_input(data, args.symbol)
        )  # unknown or unavailable: fail before training
        print(f"training {args.model} on {args.symbol} {data.interval}: {len(data.index)} bars, "
              f"{len(cfg.features)} features, {args.folds}-fold purged CV …", flush=True)  # fmt: skip
        trained = train_directional(
            data, args.symbol, cfg, ModelRegistry(paths.models), args.name, folds=args.folds
        )
    except msgspec.ValidationError as err:
        raise CliError(f"bad model setting: {err}") from None
    except (DataNotFound, MLError, ValueError) as err:
        raise CliError(str(err).replace("\n", " ")) from None
    m = trained.manifest
    cv = ", ".join(f"{s:.4f}" for s in trained.cv_log_loss)
    print(
        f"registered {m.name} v{m.version}: {m.n_samples} samples, {_day(m.train_start_ms)} → {_day(m.train_end_ms)}"
    )
    print(
        f"out of sample (purged CV): log loss {m.cv_mean:.4f} [{cv}], accuracy {m.metrics['cv_accuracy']:.1%}"
    )
    print(f"use it: ml_trend registry_model={m.name} interval={data.interval}")
    return 0


def _day(ms: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(ms / 1000))


def run_list(args: argparse.Namespace) -> int:
    from openalpha.config import Paths
    from openalpha.ml.errors import MLError
    from openalpha.ml.registry import ModelRegistry

    registry = ModelRegistry(Paths.from_env().models)
    try:
        manifests = [registry.manifest(name) for name in registry.names()]
    except MLError as err:
        raise CliError(str(err)) from None
    if not manifests:
        print(f"no models in {registry.root}")
        return 0
    print(
        f"{'name':24} {'ver':>4} {'kind':5} {'symbol':10} {'ivl':4} {'created':16} {'cv log loss':>11}  trained on"
    )
    for m in manifests:
        score = f"{m.cv_mean:.4f}" if m.cv_mean is not None else "—"
        print(f"{m.name:24} {m.version:>4} {m.kind:5} {m.symbol:10} {m.interval:4} {_day(m.created_ts):16} "
              f"{score:>11}  {_day(m.train_start_ms)[:10]} → {_day(m.train_end_ms)[:10]}")  # fmt: skip
    return 0
