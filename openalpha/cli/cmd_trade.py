"""``openalpha trade --env ENV [--env ENV ...]``: the live runtime (Ray actors) and the dashboard."""

from __future__ import annotations

import argparse
from typing import Any

ENVS = ("paper", "demo", "testnet", "mainnet")


def register(sub: Any) -> None:
    parser = sub.add_parser("trade", help="run strategies live through the risk governor (+ dashboard)")
    parser.add_argument(
        "--env",
        action="append",
        choices=ENVS,
        required=True,
        help="environment to trade (repeat for several at once)",
    )
    parser.add_argument("--config", help="TOML config (default: the shipped configs/default.toml)")
    parser.add_argument("--no-ui", action="store_true", help="do not serve the dashboard")
    parser.add_argument("--ui-port", type=int, help="dashboard port (default: ui.port of the config)")
    parser.add_argument("--address", help="join this Ray cluster instead of starting a local one")
    parser.add_argument("--duration", type=float, help="stop cleanly after this many seconds")
    parser.add_argument(
        "--paper-url",
        metavar="URL",
        help="paper: trade against this running `openalpha sim` instead of an embedded one "
        "(key pair from OPENALPHA_PAPER_API_KEY / OPENALPHA_PAPER_API_SECRET)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from openalpha.cli.errors import CliError
    from openalpha.cli.runtime_cmd import launch
    from openalpha.config import ConfigError, load_config
    from openalpha.domain import Environment

    try:
        config = load_config(args.config)
    except ConfigError as err:
        raise CliError(str(err)) from None
    envs = [Environment(e) for e in dict.fromkeys(args.env)]
    if args.paper_url and Environment.PAPER not in envs:
        raise CliError("--paper-url only applies to --env paper")
    if args.duration is not None and args.duration <= 0:
        raise CliError("--duration must be > 0")
    return launch(
        config,
        envs,
        store=None,
        start_ms=None,
        address=args.address,
        ui=not args.no_ui,
        ui_port=args.ui_port,
        duration=args.duration,
        paper_url=args.paper_url,
    )
