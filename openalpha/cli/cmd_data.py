"""``openalpha data ...``: the historical data commands.

Each action lives in ``openalpha/cli/data_<action>.py`` with ``register(actions)``; add its
module name to ``ACTION_MODULES`` when it lands.
"""

from __future__ import annotations

import importlib
from typing import Any

ACTION_MODULES: tuple[str, ...] = ("data_download", "data_verify", "data_list", "data_import")


def register(sub: Any) -> None:
    if not ACTION_MODULES:
        return  # no data command exists yet: do not advertise an empty one
    parser = sub.add_parser("data", help="download, verify, list and import market history")
    actions = parser.add_subparsers(title="actions", metavar="ACTION", required=True)
    for name in ACTION_MODULES:
        importlib.import_module(f"openalpha.cli.{name}").register(actions)
