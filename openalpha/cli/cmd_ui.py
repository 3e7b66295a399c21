"""``openalpha ui``: the dashboard alone, attached to a running runtime (``--address``).

Also manages the dashboard passwords: ``--new-admin-password`` / ``--new-viewer-password``
generate one, print it once and exit; ``--remove-viewer`` turns the read-only role off.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from openalpha.cli.errors import CliError


def _ui(module: str) -> Any:
    """``openalpha.ui.<module>``. cli and ui share floor 8 and the dependency test forbids a static
    import between them, but ``openalpha ui`` must start the dashboard (ARCHITECTURE §6): the
    launcher is the one place the CLI reaches into the UI, loaded by name."""
    import importlib

    return importlib.import_module(f"openalpha.ui.{module}")


def register(sub: Any) -> None:
    p = sub.add_parser(
        "ui",
        help="the NiceGUI dashboard, attached to a running runtime",
        description="Serve the dashboard for the Open Alpha runtime at RAY_ADDRESS. It binds 127.0.0.1 unless "
        "told otherwise and refuses a non-loopback bind before a password exists.",
    )
    p.add_argument("--address", help="Ray address of the running runtime (default: the local cluster)")
    p.add_argument("--host", help="interface to bind (default: [ui] host of the config, 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default: [ui] port of the config, 8080)")
    p.add_argument("--config", type=Path, help="TOML configuration (default: the shipped one)")
    group = p.add_mutually_exclusive_group()
    group.add_argument(
        "--new-admin-password", action="store_true", help="generate a new admin password and exit"
    )
    group.add_argument(
        "--new-viewer-password", action="store_true", help="generate a read-only viewer password and exit"
    )
    group.add_argument("--remove-viewer", action="store_true", help="remove the viewer password and exit")
    p.set_defaults(handler=run)


def _passwords(args: argparse.Namespace, home: Path) -> int:
    import secrets

    auth = _ui("auth")
    AuthError, PasswordStore, Role = auth.AuthError, auth.PasswordStore, auth.Role
    path = home / auth.AUTH_FILE
    try:
        store = PasswordStore.load(path)
        if args.new_admin_password or store is None:
            if store is None:
                store, password = PasswordStore.create(path)
            else:
                password = secrets.token_urlsafe(15)
                store.set_password(Role.ADMIN, password)
            if args.new_admin_password:
                print(f"new dashboard admin password (shown once): {password}")
                return 0
            print(f"dashboard admin password (shown once): {password}")
        if args.new_viewer_password:
            password = secrets.token_urlsafe(15)
            store.set_password(Role.VIEWER, password)
            print(f"new dashboard viewer password (read-only, shown once): {password}")
        elif args.remove_viewer:
            store.remove(Role.VIEWER)
            print("viewer password removed")
    except AuthError as err:
        raise CliError(str(err)) from None
    return 0


def run(args: argparse.Namespace) -> int:
    from openalpha.config import ConfigError, Paths, load_config

    auth = _ui("auth")
    AuthError = auth.AuthError

    paths = Paths.from_env()
    if args.new_admin_password or args.new_viewer_password or args.remove_viewer:
        return _passwords(args, paths.home)
    try:
        config = load_config(args.config).ui
    except ConfigError as err:
        raise CliError(str(err)) from None
    host = args.host or config.host
    port = args.port if args.port is not None else config.port
    if not 0 < port < 65536:
        raise CliError(f"--port: {port} is not a TCP port (1..65535)")
    try:
        if not auth.is_loopback(host) and auth.PasswordStore.load(paths.home / auth.AUTH_FILE) is None:
            raise CliError(
                f"refusing to bind {host} without a dashboard password: run `openalpha ui --new-admin-password` first"
            )
    except AuthError as err:
        raise CliError(str(err)) from None
    try:
        from openalpha.actors.client import connect
    except ImportError as err:
        raise CliError(
            f"the runtime client is not available ({err.name or err}); is the runtime installed?"
        ) from None
    try:
        control = connect(args.address)
    except Exception as err:  # RuntimeNotFound and Ray's connection errors: one line, exit 2
        reason = (str(err).splitlines() or [type(err).__name__])[0]
        raise CliError(f"no Open Alpha runtime at {args.address or 'the local cluster'}: {reason}") from None
    try:
        _ui("app").serve(control, host=host, port=port, config=config, paths=paths)
    except AuthError as err:
        raise CliError(str(err)) from None
    return 0
