"""``openalpha keys set|list|delete``: exchange API keys, encrypted per environment.

The secret is never a command-line argument (it would land in shell history and ``ps``): it
is read from stdin with ``--secret-stdin`` or asked for without echo. The master key comes
from ``OPENALPHA_MASTER_KEY`` or is asked for without echo.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from openalpha.cli.errors import CliError

ENVS = ("demo", "testnet", "mainnet")


def register(sub: Any) -> None:
    parser = sub.add_parser("keys", help="store, list and delete encrypted exchange API keys")
    actions = parser.add_subparsers(title="actions", metavar="ACTION", required=True)

    put = actions.add_parser("set", help="store (or replace) the API key of an environment")
    put.add_argument("--env", required=True, choices=ENVS, help="environment the key belongs to")
    put.add_argument("--api-key", help="the API key id (asked for when omitted)")
    put.add_argument("--secret-stdin", action="store_true", help="read the API secret from stdin")
    put.set_defaults(handler=run_set)

    show = actions.add_parser("list", help="list stored keys (masked; never the secret)")
    show.set_defaults(handler=run_list)

    drop = actions.add_parser("delete", help="delete the API key of an environment")
    drop.add_argument("--env", required=True, choices=ENVS)
    drop.set_defaults(handler=run_delete)


def _terminal() -> bool:
    try:
        fd = os.open("/dev/tty", os.O_RDWR)
    except OSError:
        return False
    os.close(fd)
    return True


def _ask(prompt: str) -> str:
    import getpass

    if not _terminal():
        raise CliError(f"no terminal to ask for the {prompt.rstrip(': ').lower()}")
    return getpass.getpass(prompt)


def _vault(*, confirm_new_master: bool = False) -> Any:
    from openalpha.config import Paths
    from openalpha.security import MASTER_KEY_ENV, Secret, Vault, master_key_from_env

    directory = Paths.from_env().vault
    master = master_key_from_env()
    if master is None:
        if not _terminal():
            raise CliError(f"set {MASTER_KEY_ENV} (there is no terminal to ask for the master key)")
        master = Secret(_ask("Master key: "))
        if not master:
            raise CliError("the master key is empty")
        if (
            confirm_new_master
            and not Vault(directory, None).entries()
            and Secret(_ask("Repeat master key: ")) != master
        ):
            raise CliError("the master keys differ; nothing stored")
    return Vault(directory, master)


def _read_secret(from_stdin: bool) -> Any:
    from openalpha.security import Secret

    if from_stdin:
        text = sys.stdin.read().strip()
        if not text:
            raise CliError("--secret-stdin given but stdin was empty")
        return Secret(text)
    return Secret(_ask("API secret: ").strip())


def run_set(args: argparse.Namespace) -> int:
    from openalpha.security import SecurityError

    api_key = (args.api_key or "").strip()
    if not api_key:
        if args.secret_stdin or not sys.stdin.isatty():
            raise CliError("pass --api-key (stdin is not a terminal to ask for it)")
        api_key = input("API key: ").strip()
    secret = _read_secret(args.secret_stdin)
    try:
        vault = _vault(confirm_new_master=True)
        entry = vault.set(args.env, api_key, secret)
    except SecurityError as err:
        raise CliError(str(err)) from None
    print(f"stored the {entry.env.value} key {entry.key_id} in {vault.path(entry.env)}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from openalpha.config import Paths
    from openalpha.security import SecurityError, Vault

    try:
        entries = Vault(Paths.from_env().vault, None).entries()
    except SecurityError as err:
        raise CliError(str(err)) from None
    if not entries:
        print("no API keys stored (add one with: openalpha keys set --env demo --api-key KEY)")
        return 0
    print(f"{'ENV':<9} {'KEY':<12} CREATED (UTC)")
    for e in entries:
        created = datetime.fromtimestamp(e.created_ts / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S")
        print(f"{e.env.value:<9} {e.key_id:<12} {created}")
    return 0


def run_delete(args: argparse.Namespace) -> int:
    from openalpha.security import SecurityError

    try:
        vault = _vault()
        vault.delete(args.env)
    except SecurityError as err:
        raise CliError(str(err)) from None
    print(f"deleted the {args.env} key")
    return 0
