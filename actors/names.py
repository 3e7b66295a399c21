"""Actor names and the namespace: how the CLI and the dashboard find a running runtime."""

from __future__ import annotations

NAMESPACE = "openalpha"
LEDGER = "ledger"
GOVERNOR = "risk_governor"
SUPERVISOR = "supervisor"
GRADUATION = "graduation"


def exchange(env: str) -> str:
    return f"exchange:{env}"


def strategy(strategy_id: str) -> str:
    return f"strategy:{strategy_id}"
