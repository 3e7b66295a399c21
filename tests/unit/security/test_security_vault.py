"""The API-key vault: encryption round trip, masking, permissions, wrong keys and tampering."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import pytest

from openalpha.domain import Environment
from openalpha.security import (
    KdfParams,
    Secret,
    Vault,
    VaultError,
    WrongMasterKey,
    master_key_from_env,
    redact,
)

FAST = KdfParams(n=2**12)  # tests only; the default is 2**15
API_KEY = "XBkq7PLw2hN9aRtY0c"
API_SECRET = "q8Zr1VnT5yWcK3mLpE7sXb2HfJ9uGdA4oQ6i"
MASTER = Secret("correct horse battery staple")


def vault(path: Path, master: Secret | None = MASTER) -> Vault:
    return Vault(path / "vault", master, kdf=FAST)


def snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())} if directory.exists() else {}


def test_security_vault_round_trip_and_masked_listing(tmp_path: Path) -> None:
    v = vault(tmp_path)
    entry = v.set("demo", API_KEY, Secret(API_SECRET))
    assert entry.key_id == "XBkq…tY0c"
    creds = vault(tmp_path).get(Environment.DEMO)
    assert (creds.api_key, creds.api_secret.reveal()) == (API_KEY, API_SECRET)
    assert API_SECRET not in repr(creds) and API_KEY not in repr(creds)
    listed = vault(tmp_path, master=None).entries()  # listing needs no master key
    assert [(e.env, e.key_id) for e in listed] == [(Environment.DEMO, "XBkq…tY0c")]
    raw = (tmp_path / "vault" / "demo.json").read_bytes()
    assert API_SECRET.encode() not in raw and API_KEY.encode() not in raw


def test_security_vault_files_are_private(tmp_path: Path) -> None:
    v = vault(tmp_path)
    v.set("testnet", API_KEY, Secret(API_SECRET))
    assert stat.S_IMODE(os.stat(tmp_path / "vault").st_mode) == 0o700
    assert stat.S_IMODE(os.stat(tmp_path / "vault" / "testnet.json").st_mode) == 0o600
    assert [p.name for p in (tmp_path / "vault").iterdir()] == ["testnet.json"]  # no temp files left


def test_security_vault_fresh_salt_and_nonce_per_entry(tmp_path: Path) -> None:
    v = vault(tmp_path)
    v.set("demo", API_KEY, Secret(API_SECRET))
    v.set("testnet", API_KEY, Secret(API_SECRET))
    a, b = (json.loads((tmp_path / "vault" / f"{e}.json").read_text()) for e in ("demo", "testnet"))
    assert a["kdf"]["salt"] != b["kdf"]["salt"] and a["nonce"] != b["nonce"]
    assert a["ciphertext"] != b["ciphertext"]


def test_security_vault_wrong_master_key_changes_nothing(tmp_path: Path) -> None:
    vault(tmp_path).set("demo", API_KEY, Secret(API_SECRET))
    before = snapshot(tmp_path / "vault")
    wrong = vault(tmp_path, Secret("wrong horse"))
    for action in (
        lambda: wrong.get("demo"),
        lambda: wrong.set("testnet", "OTHERKEY12345678", Secret("other-secret-value")),
        lambda: wrong.set("demo", "OTHERKEY12345678", Secret("other-secret-value")),
        lambda: wrong.delete("demo"),
    ):
        with pytest.raises(WrongMasterKey, match="wrong master key") as info:
            action()
        assert API_SECRET not in str(info.value) and "\n" not in str(info.value)
    assert snapshot(tmp_path / "vault") == before


@pytest.mark.parametrize("field", ["ciphertext", "nonce", "key_id", "created_ts"])
def test_security_vault_detects_tampering(tmp_path: Path, field: str) -> None:
    vault(tmp_path).set("mainnet", API_KEY, Secret(API_SECRET))
    path = tmp_path / "vault" / "mainnet.json"
    document = json.loads(path.read_text())
    if field == "key_id":
        document[field] = "evil…evil"
    elif field == "created_ts":
        document[field] += 1
    else:
        raw = bytearray(base64.b64decode(document[field]))
        raw[0] ^= 1
        document[field] = base64.b64encode(bytes(raw)).decode()
    path.write_text(json.dumps(document))
    with pytest.raises(WrongMasterKey):
        vault(tmp_path).get("mainnet")


def test_security_vault_entry_cannot_be_moved_to_another_env(tmp_path: Path) -> None:
    vault(tmp_path).set("testnet", API_KEY, Secret(API_SECRET))
    (tmp_path / "vault" / "testnet.json").rename(tmp_path / "vault" / "mainnet.json")
    with pytest.raises(VaultError, match="belongs to 'testnet', not mainnet"):
        vault(tmp_path).get("mainnet")


def test_security_vault_replace_delete_and_errors(tmp_path: Path) -> None:
    v = vault(tmp_path)
    v.set("demo", API_KEY, Secret(API_SECRET))
    v.set("demo", "NEWKEY0123456789AB", Secret("new-secret-value-123"))
    assert v.get("demo").api_key == "NEWKEY0123456789AB"
    v.delete("demo")
    assert not v.has("demo") and v.entries() == []
    with pytest.raises(VaultError, match="no key stored for demo"):
        v.get("demo")
    with pytest.raises(VaultError, match="no keys for environment 'paper'"):
        v.set("paper", API_KEY, Secret(API_SECRET))
    with pytest.raises(VaultError, match="no keys for environment 'prod'"):
        v.get("prod")
    with pytest.raises(VaultError, match="must not be empty"):
        v.set("demo", API_KEY, Secret(" "))
    with pytest.raises(VaultError, match="no master key"):
        vault(tmp_path, master=None).set("demo", API_KEY, Secret(API_SECRET))
    (tmp_path / "vault" / "demo.json").write_text("{not json")
    with pytest.raises(VaultError, match="not JSON"):
        v.entries()


def test_security_vault_failed_write_keeps_the_old_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    v = vault(tmp_path)
    v.set("demo", API_KEY, Secret(API_SECRET))
    before = snapshot(tmp_path / "vault")

    def crash(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        v.set("demo", "NEWKEY0123456789AB", Secret("new-secret-value-123"))
    assert snapshot(tmp_path / "vault") == before


def test_security_vault_default_kdf_and_redaction_registration(tmp_path: Path) -> None:
    v = Vault(tmp_path / "vault", MASTER)  # default scrypt parameters
    v.set("demo", API_KEY, Secret("s3cr3t-registered-on-read-0001"))
    assert json.loads((tmp_path / "vault" / "demo.json").read_text())["kdf"]["n"] == 2**15
    assert v.get("demo").api_secret.reveal() == "s3cr3t-registered-on-read-0001"
    assert redact("signed with s3cr3t-registered-on-read-0001") == "signed with ********"


def test_security_master_key_from_env() -> None:
    assert master_key_from_env({}) is None
    assert master_key_from_env({"OPENALPHA_MASTER_KEY": ""}) is None
    key = master_key_from_env({"OPENALPHA_MASTER_KEY": "m4ster"})
    assert key is not None and key.reveal() == "m4ster" and "m4ster" not in repr(key)
