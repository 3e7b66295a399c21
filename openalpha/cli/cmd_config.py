"""``openalpha config check [FILE]``: validate a configuration file."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    parser = sub.add_parser("config", help="validate configuration files")
    actions = parser.add_subparsers(title="actions", metavar="ACTION", required=True)
    check = actions.add_parser("check", help="validate a config (default: the shipped configs/default.toml)")
    check.add_argument("file", nargs="?", help="TOML file to check")
    check.set_defaults(handler=run_check)


def run_check(args: argparse.Namespace) -> int:
    from openalpha.cli.errors import CliError
    from openalpha.config import ConfigError, default_config_path, load_config

    path = args.file or default_config_path()
    try:
        config = load_config(path)
    except ConfigError as err:
        raise CliError(str(err)) from None
    enabled = [
        name for name in ("paper", "demo", "testnet", "mainnet") if getattr(config.environments, name).enabled
    ]
    print(
        f"{path}: ok ({len(config.strategies)} strategies; environments enabled: {', '.join(enabled) or 'none'})"
    )
    return 0
