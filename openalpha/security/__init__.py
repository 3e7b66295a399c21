"""API-key vault (AES-256-GCM, scrypt), password hashing, log redaction (floor 2).

Secrets travel as :class:`Secret` (masked in every repr) and are registered for log
redaction when they are stored or read.
"""

from openalpha.security.crypto import KdfParams
from openalpha.security.errors import SecurityError, VaultError, WrongMasterKey
from openalpha.security.passwords import hash_password, needs_rehash, verify_password
from openalpha.security.redaction import (
    RedactionFilter,
    SecretRegistry,
    install_redaction,
    redact,
    register_secret,
)
from openalpha.security.secret import Secret, mask_key
from openalpha.security.vault import (
    KEYED_ENVS,
    MASTER_KEY_ENV,
    Credentials,
    Vault,
    VaultEntry,
    master_key_from_env,
)

__all__ = [
    "KEYED_ENVS", "MASTER_KEY_ENV", "Credentials", "KdfParams", "RedactionFilter", "Secret", "SecretRegistry",
    "SecurityError", "Vault", "VaultEntry", "VaultError", "WrongMasterKey", "hash_password",
    "install_redaction", "mask_key", "master_key_from_env", "needs_rehash", "redact", "register_secret",
    "verify_password",
]  # fmt: skip
