"""Build the exchange adapter an environment trades through.

Paper uses the simulator's URL and its throw-away key pair; every other environment reads its
key pair from the encrypted vault here, inside the actor process, so a real secret never
travels as a task argument or appears in Ray's dashboard.
"""

from __future__ import annotations

from openalpha.domain import Environment
from openalpha.exchange.protocol import Exchange
from openalpha.live.settings import EnvSettings


def _vault_credentials(env: Environment) -> tuple[str, str]:
    from openalpha.config import Paths
    from openalpha.security.vault import Vault, master_key_from_env

    credentials = Vault(Paths.from_env().vault, master_key_from_env()).get(env)
    return credentials.api_key, credentials.api_secret.reveal()


def make_exchange(settings: EnvSettings) -> Exchange:
    from openalpha.exchange.bybit.adapter import BybitExchange

    if settings.env is Environment.PAPER:
        key, secret = settings.sim_api_key, settings.sim_api_secret
    else:
        key, secret = _vault_credentials(settings.env)
    return BybitExchange(
        settings.env,
        key,
        secret,
        base_url=settings.base_url,
        allow_mainnet=settings.env is Environment.MAINNET,
    )
