"""``openalpha kill-switch [--flatten] [--release]``: cancel everything now (optionally flatten)."""

from __future__ import annotations

import argparse
import getpass
from typing import Any


def register(sub: Any) -> None:
    parser = sub.add_parser("kill-switch", help="cancel all orders in every environment now; block new ones")
    parser.add_argument(
        "--flatten", action="store_true", help="also close every position (reduce-only market)"
    )
    parser.add_argument("--release", action="store_true", help="allow orders again")
    parser.add_argument("--address", help="Ray address of the runtime (default: the local cluster)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from openalpha.actors.client import RuntimeNotFound, connect
    from openalpha.cli.errors import CliError

    if args.release and args.flatten:
        raise CliError("--release and --flatten exclude each other")
    try:
        control = connect(args.address)
    except RuntimeNotFound as err:
        raise CliError(str(err), exit_code=1) from None
    actor = f"cli:{getpass.getuser()}"
    if args.release:
        print(control.release_kill_switch(actor=actor))
    else:
        print(control.kill_switch(actor=actor, flatten=args.flatten))
    return 0
