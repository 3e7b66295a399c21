"""The API-key vault: one AES-256-GCM encrypted file per environment under ``Paths.vault``.

Each file holds a clear header (environment, masked key id, creation time, scrypt
parameters and salt) that is authenticated as associated data, and the encrypted
``{api_key, api_secret}``. Files are 0600 in a 0700 directory and replaced atomically.
Every write first proves the master key against the existing entries, so a mistyped key
never produces a vault encrypted under two different keys.
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import msgspec

from openalpha.domain import Environment
from openalpha.security.crypto import KdfParams, derive_key, new_salt, seal, unseal
from openalpha.security.errors import VaultError
from openalpha.security.redaction import register_secret
from openalpha.security.secret import Secret, mask_key

FORMAT = 1
CIPHER = "AES-256-GCM"
MASTER_KEY_ENV = "OPENALPHA_MASTER_KEY"
KEYED_ENVS = (Environment.DEMO, Environment.TESTNET, Environment.MAINNET)


class Credentials(msgspec.Struct, frozen=True):
    """An exchange API key pair; the secret stays wrapped."""

    env: Environment
    api_key: str
    api_secret: Secret

    def __repr__(self) -> str:
        return f"Credentials(env={self.env.value!r}, api_key={mask_key(self.api_key)!r}, api_secret=Secret)"


class VaultEntry(msgspec.Struct, frozen=True, kw_only=True):
    """What ``keys list`` shows: never the secret, the key id masked."""

    env: Environment
    key_id: str
    created_ts: int


def master_key_from_env(environ: Mapping[str, str] | None = None) -> Secret | None:
    value = (os.environ if environ is None else environ).get(MASTER_KEY_ENV)
    return Secret(value) if value else None


def _b64e(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _b64d(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def _env(env: Environment | str) -> Environment:
    try:
        value = Environment(env)
    except ValueError:
        value = None
    if value not in KEYED_ENVS:
        raise VaultError(f"no keys for environment {env!r}; keys exist for demo, testnet and mainnet")
    return value


class Vault:
    def __init__(self, directory: Path, master: Secret | None, *, kdf: KdfParams | None = None) -> None:
        self.directory = directory
        self._master = master
        self._kdf = kdf or KdfParams()

    # --- reading ----------------------------------------------------------------------------

    def path(self, env: Environment | str) -> Path:
        return self.directory / f"{_env(env).value}.json"

    def has(self, env: Environment | str) -> bool:
        return self.path(env).is_file()

    def entries(self) -> list[VaultEntry]:
        """Every stored key, masked; needs no master key."""
        found = []
        for env in KEYED_ENVS:
            if self.has(env):
                header = self._header(env)
                found.append(
                    VaultEntry(env=env, key_id=str(header["key_id"]), created_ts=int(header["created_ts"]))
                )
        return found

    def get(self, env: Environment | str) -> Credentials:
        """Decrypt ``env``'s credentials and register the secret for log redaction."""
        environment = _env(env)
        header = self._header(environment)
        body = self._decrypt(environment, header)
        try:
            payload = json.loads(body)
            credentials = Credentials(
                environment, str(payload["api_key"]), Secret(str(payload["api_secret"]))
            )
        except (ValueError, KeyError, TypeError):
            raise VaultError(f"vault entry {environment.value} has an unreadable payload") from None
        register_secret(credentials.api_secret)
        return credentials

    # --- writing ----------------------------------------------------------------------------

    def set(self, env: Environment | str, api_key: str, api_secret: Secret) -> VaultEntry:
        """Store (or replace) ``env``'s key pair, encrypted under the master key."""
        environment = _env(env)
        if not api_key.strip() or not api_secret.reveal().strip():
            raise VaultError("the API key and the secret must not be empty")
        self._prove_master_key()
        salt = new_salt()
        header: dict[str, Any] = {
            "format": FORMAT,
            "env": environment.value,
            "key_id": mask_key(api_key),
            "created_ts": time.time_ns() // 1_000_000,
            "cipher": CIPHER,
            "kdf": {
                "name": "scrypt",
                "n": self._kdf.n,
                "r": self._kdf.r,
                "p": self._kdf.p,
                "salt": _b64e(salt),
            },
        }
        key = derive_key(self._require_master(), salt, self._kdf)
        body = json.dumps({"api_key": api_key, "api_secret": api_secret.reveal()}).encode()
        nonce, ciphertext = seal(key, body, _aad(header))
        document = {**header, "nonce": _b64e(nonce), "ciphertext": _b64e(ciphertext)}
        self._write(environment, json.dumps(document, indent=1, sort_keys=True).encode())
        register_secret(api_secret)
        return VaultEntry(env=environment, key_id=str(header["key_id"]), created_ts=int(header["created_ts"]))

    def delete(self, env: Environment | str) -> None:
        """Remove ``env``'s entry, after proving the master key opens it."""
        environment = _env(env)
        self._decrypt(environment, self._header(environment))
        self.path(environment).unlink()

    # --- internals --------------------------------------------------------------------------

    def _require_master(self) -> Secret:
        if self._master is None or not self._master:
            raise VaultError(f"no master key: set {MASTER_KEY_ENV} or enter it when asked")
        return self._master

    def _prove_master_key(self) -> None:
        for entry in self.entries():
            self._decrypt(entry.env, self._header(entry.env))

    def _header(self, env: Environment) -> dict[str, Any]:
        path = self.path(env)
        try:
            document = json.loads(path.read_bytes())
        except FileNotFoundError:
            raise VaultError(f"no key stored for {env.value}") from None
        except (OSError, ValueError):
            raise VaultError(f"vault file {path} is unreadable or not JSON") from None
        required = {"format", "env", "key_id", "created_ts", "cipher", "kdf", "nonce", "ciphertext"}
        if not isinstance(document, dict) or not required <= document.keys():
            raise VaultError(f"vault file {path} is incomplete")
        if document["format"] != FORMAT or document["cipher"] != CIPHER:
            raise VaultError(f"vault file {path} has an unsupported format")
        if document["env"] != env.value:
            raise VaultError(f"vault file {path} belongs to {document['env']!r}, not {env.value}")
        return document

    def _decrypt(self, env: Environment, document: dict[str, Any]) -> bytes:
        header = {k: document[k] for k in ("format", "env", "key_id", "created_ts", "cipher", "kdf")}
        try:
            kdf = document["kdf"]
            params = KdfParams(n=int(kdf["n"]), r=int(kdf["r"]), p=int(kdf["p"]))
            salt, nonce, ciphertext = (
                _b64d(kdf["salt"]),
                _b64d(document["nonce"]),
                _b64d(document["ciphertext"]),
            )
        except (KeyError, TypeError, ValueError):
            raise VaultError(f"vault entry {env.value} is malformed") from None
        key = derive_key(self._require_master(), salt, params)
        return unseal(key, nonce, ciphertext, _aad(header), what=f"the {env.value} key")

    def _write(self, env: Environment, data: bytes) -> None:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.directory, 0o700)
        fd, tmp = tempfile.mkstemp(prefix=f".{env.value}.", suffix=".tmp", dir=self.directory)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path(env))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        dir_fd = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _aad(header: Mapping[str, Any]) -> bytes:
    """The header as associated data: any change to it fails authentication."""
    return json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
