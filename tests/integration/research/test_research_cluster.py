"""cluster.yaml / cluster-autoscale.yaml validated offline with Ray's own config checks, and the
DigitalOcean node provider against a recorded fake of the pydo client (no network)."""

from __future__ import annotations

import copy
import importlib.util
import re
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from ray.autoscaler._private.providers import _get_node_provider_cls
from ray.autoscaler._private.util import prepare_config, validate_config
from ray.autoscaler.tags import TAG_RAY_CLUSTER_NAME, TAG_RAY_NODE_KIND, TAG_RAY_USER_NODE_TYPE

from openalpha.research.tune_cluster_provider import DigitalOceanNodeProvider, decode_tag, encode_tag

REPO = Path(__file__).resolve().parents[3]


def _fake_module() -> Any:
    spec = importlib.util.spec_from_file_location(
        "research_fake_pydo", Path(__file__).with_name("fake_pydo.py")
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


FakeClient = _fake_module().FakeClient


def _prepared(name: str) -> dict[str, Any]:
    config = yaml.safe_load((REPO / name).read_text())
    prepared = prepare_config(copy.deepcopy(config))
    validate_config(prepared)
    return prepared


def test_fixed_droplets_yaml_is_valid() -> None:
    prepared = _prepared("cluster.yaml")
    assert prepared["provider"]["type"] == "local"
    assert prepared["provider"]["worker_ips"]
    assert _get_node_provider_cls(prepared["provider"]).__name__ == "LocalNodeProvider"
    assert any("RAY_AUTH_MODE=token" in c for c in prepared["head_start_ray_commands"])


def test_autoscaling_yaml_is_valid_and_loads_our_provider() -> None:
    prepared = _prepared("cluster-autoscale.yaml")
    assert _get_node_provider_cls(prepared["provider"]) is DigitalOceanNodeProvider
    assert prepared["available_node_types"]["worker"]["resources"]["CPU"] > 0


def test_ray_rejects_an_unknown_key() -> None:
    config = yaml.safe_load((REPO / "cluster-autoscale.yaml").read_text())
    config["not_a_ray_key"] = 1
    with pytest.raises(Exception, match="not_a_ray_key"):
        validate_config(prepare_config(config))


def test_no_secret_in_the_yaml() -> None:
    for name in ("cluster.yaml", "cluster-autoscale.yaml"):
        text = (REPO / name).read_text().lower()
        assert "dop_v1_" not in text  # DigitalOcean token prefix
        assert not re.search(r"^\s*(token|api_token|auth_token)\s*:", text, re.MULTILINE)


@pytest.mark.parametrize("value", ["ray.head.default", "worker", "up-to-date", "a b=c"])
def test_tags_round_trip_within_digitalocean_rules(value: str) -> None:
    tag = encode_tag("ray-user-node-type", value)
    assert all(c.isalnum() or c in ":_-" for c in tag) and len(tag) <= 255
    assert decode_tag(tag) == ("ray-user-node-type", value)
    assert decode_tag("web") is None


def _provider(client: Any) -> DigitalOceanNodeProvider:
    return DigitalOceanNodeProvider({"type": "external", "region": "fra1"}, "openalpha", client=client)


def test_create_list_tag_and_destroy() -> None:
    client = FakeClient(page_size=3)
    provider = _provider(client)
    config = {"size": "c-4", "image": "ubuntu-24-04-x64", "ssh_keys": ["aa:bb"]}
    tags = {TAG_RAY_NODE_KIND: "worker", TAG_RAY_USER_NODE_TYPE: "worker", TAG_RAY_CLUSTER_NAME: "openalpha"}
    created = provider.create_node(config, tags, 12)
    assert len(created) == 12
    creates = [body for name, body in client.calls if name == "droplets.create"]
    assert [len(b["names"]) for b in creates] == [10, 2]
    assert all("ray-cluster-openalpha" in b["tags"] and b["region"] == "fra1" for b in creates)
    # another cluster's droplet with the same size is never ours
    client.droplets.create(
        body={"name": "other", "region": "fra1", "size": "c-4", "image": "x", "tags": ["web"]}
    )

    nodes = provider.non_terminated_nodes({TAG_RAY_NODE_KIND: "worker"})
    assert sorted(nodes) == sorted(created)  # 4 pages of 3: pagination followed
    assert provider.non_terminated_nodes({TAG_RAY_NODE_KIND: "head"}) == []

    first = nodes[0]
    assert not provider.is_running(first) and not provider.is_terminated(first)
    client.boot(int(first), "10.114.0.7", "164.90.1.7")
    provider.non_terminated_nodes({})  # refresh, as the autoscaler does every update
    assert provider.is_running(first)
    assert provider.internal_ip(first) == "10.114.0.7" and provider.external_ip(first) == "164.90.1.7"

    provider.set_node_tags(first, {"ray-node-status": "up-to-date"})
    assert provider.node_tags(first)["ray-node-status"] == "up-to-date"
    provider.set_node_tags(first, {"ray-node-status": "setting-up"})
    assert ("tags.unassign_resources", encode_tag("ray-node-status", "up-to-date")) in client.calls
    provider.non_terminated_nodes({})
    assert provider.node_tags(first)["ray-node-status"] == "setting-up"
    assert provider.non_terminated_nodes({"ray-node-status": "setting-up"}) == [first]

    provider.terminate_node(first)
    assert provider.is_terminated(first)
    assert first not in provider.non_terminated_nodes({})
    assert ("droplets.destroy", int(first)) in client.calls


def test_missing_token_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DIGITALOCEAN_TOKEN", raising=False)
    with pytest.raises(RuntimeError, match="DIGITALOCEAN_TOKEN"):
        DigitalOceanNodeProvider({"type": "external"}, "openalpha")
