"""The ``openalpha`` command (floor 8).

Each sub-command lives in its own module ``openalpha.cli.cmd_<name>`` exposing
``register(subparsers)``; modules import their heavy dependencies inside the handler so that
``openalpha --help`` stays fast. Handlers return an exit code or raise :class:`CliError`.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from openalpha import __version__
from openalpha.cli.errors import CliError

# Order here is the order in `openalpha --help`. Add a module name when a command lands.
COMMAND_MODULES: tuple[str, ...] = (
    "demo",
    "config",
    "data",
    "backtest",
    "sweep",
    "runs",
    "sim",
    "trade",
    "status",
    "kill-switch",
    "keys",
    "ui",
    "graduation",
    "ml",
)


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad input as one line and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="openalpha",
        description="Open Alpha: self-hosted Bybit trading — history, backtests, walk-forward, paper → live.",
    )
    parser.add_argument("--version", action="version", version=f"openalpha {__version__}")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"openalpha.cli.cmd_{name.replace('-', '_')}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 0
    try:
        return int(handler(args) or 0)
    except CliError as err:
        print(f"openalpha: error: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("openalpha: interrupted", file=sys.stderr)
        return 130


__all__ = ["COMMAND_MODULES", "CliError", "build_parser", "main"]
