"""How the runtime reaches one environment (built by the CLI; consumed by the exchange actor).

For ``paper`` the simulator's URL and its ephemeral key pair are given directly; for ``demo``,
``testnet`` and ``mainnet`` the key pair is read from the encrypted vault inside the actor, so
real secrets never travel as task arguments.
"""

from __future__ import annotations

import msgspec

from openalpha.domain import Environment

BYBIT_URLS: dict[Environment, str] = {
    Environment.MAINNET: "https://api.bybit.com",
    Environment.TESTNET: "https://api-testnet.bybit.com",
    Environment.DEMO: "https://api-demo.bybit.com",
}


class EnvSettings(msgspec.Struct, frozen=True, kw_only=True):
    env: Environment
    base_url: str
    fee_tier: str = "VIP0"
    sim_api_key: str | None = None  # paper only: the simulator's throw-away credentials
    sim_api_secret: str | None = msgspec.field(default=None)
    reconcile_every_s: float = 30.0
    account_every_s: float = 2.0

    def __repr__(self) -> str:  # never print the (even throw-away) secret
        return f"EnvSettings(env={self.env}, base_url={self.base_url!r})"
