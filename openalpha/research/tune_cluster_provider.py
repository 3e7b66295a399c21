"""A Ray autoscaler node provider for DigitalOcean droplets, on DigitalOcean's official client ``pydo``.

It imports Ray's autoscaler and ``pydo``, so it lives in a research module whose name contains
``tune`` — one of the few places the dependency rule lets import Ray. Nothing else in Open Alpha
imports it; Ray loads it by name from ``cluster-autoscale.yaml``::

    provider:
      type: external
      module: openalpha.research.tune_cluster_provider.DigitalOceanNodeProvider
      region: fra1
      vpc_uuid: ...            # optional: keep the cluster on a private network

Ray has no DigitalOcean provider of its own. This one creates, lists and destroys droplets by
tag. Every droplet of the cluster carries the tag ``ray-cluster-<name>``, and the query lists
by that tag. DigitalOcean tags allow only ``[A-Za-z0-9:_-]`` (at most 255 characters), while Ray's
tag values contain dots and spaces. Each Ray tag ``key=value`` is therefore stored as
``rt-<base32(key=value)>`` and decoded when listed.

The API token is read from the environment variable named by ``provider.token_env`` (default
``DIGITALOCEAN_TOKEN``) on the machine running ``ray up`` **and** on the head node (the
autoscaler runs there). It is never written into the YAML. The methods are thread-safe (one lock), as
Ray requires.
"""

from __future__ import annotations

import base64
import os
import re
import threading
from typing import Any

from ray.autoscaler.node_provider import NodeProvider

TAG_PREFIX = "rt-"
_ALIVE = ("new", "active", "off")
_NAME_RE = re.compile(r"[^a-z0-9-]+")
MAX_NAMES_PER_CREATE = 10  # DigitalOcean's limit for one multi-create request


def encode_tag(key: str, value: str) -> str:
    raw = base64.b32encode(f"{key}={value}".encode()).decode().rstrip("=").lower()
    tag = TAG_PREFIX + raw
    if len(tag) > 255:
        raise ValueError(f"Ray tag {key}={value!r} is too long for a DigitalOcean tag")
    return tag


def decode_tag(tag: str) -> tuple[str, str] | None:
    if not tag.startswith(TAG_PREFIX):
        return None
    raw = tag[len(TAG_PREFIX) :].upper()
    try:
        text = base64.b32decode(raw + "=" * (-len(raw) % 8)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    key, sep, value = text.partition("=")
    return (key, value) if sep else None


def _make_client(provider_config: dict[str, Any]) -> Any:
    from pydo import Client

    env = provider_config.get("token_env", "DIGITALOCEAN_TOKEN")
    token = os.environ.get(env)
    if not token:
        raise RuntimeError(f"set {env} to a DigitalOcean API token (on the laptop and on the head node)")
    return Client(token=token)


class DigitalOceanNodeProvider(NodeProvider):
    """Droplets as Ray nodes. ``client`` is injectable (tests pass a recorded fake of ``pydo.Client``)."""

    def __init__(self, provider_config: dict[str, Any], cluster_name: str, client: Any = None) -> None:
        super().__init__(provider_config, cluster_name)
        self.client = client if client is not None else _make_client(provider_config)
        self.cluster_tag = "ray-cluster-" + _NAME_RE.sub("-", cluster_name.lower()).strip("-")
        self.lock = threading.RLock()
        self._droplets: dict[str, dict[str, Any]] = {}

    # --- reading --------------------------------------------------------------------------
    def _refresh(self) -> list[dict[str, Any]]:
        droplets: list[dict[str, Any]] = []
        page = 1
        while True:
            reply = self.client.droplets.list(tag_name=self.cluster_tag, per_page=200, page=page)
            droplets += reply.get("droplets", [])
            if not ((reply.get("links") or {}).get("pages") or {}).get("next"):
                break
            page += 1
        self._droplets = {str(d["id"]): d for d in droplets}
        return droplets

    def _get(self, node_id: str) -> dict[str, Any] | None:
        with self.lock:
            if node_id not in self._droplets:
                self._refresh()
            return self._droplets.get(node_id)

    @staticmethod
    def _tags_of(droplet: dict[str, Any]) -> dict[str, str]:
        pairs = (decode_tag(t) for t in droplet.get("tags", []))
        return dict(p for p in pairs if p is not None)

    def non_terminated_nodes(self, tag_filters: dict[str, str]) -> list[str]:
        with self.lock:
            out = []
            for droplet in self._refresh():
                if droplet.get("status") not in _ALIVE:
                    continue
                tags = self._tags_of(droplet)
                if all(tags.get(k) == v for k, v in tag_filters.items()):
                    out.append(str(droplet["id"]))
            return out

    def is_running(self, node_id: str) -> bool:
        droplet = self._get(node_id)
        return droplet is not None and droplet.get("status") == "active"

    def is_terminated(self, node_id: str) -> bool:
        droplet = self._get(node_id)
        return droplet is None or droplet.get("status") not in _ALIVE

    def node_tags(self, node_id: str) -> dict[str, str]:
        droplet = self._get(node_id)
        return self._tags_of(droplet) if droplet else {}

    def _ip(self, node_id: str, kind: str) -> str | None:
        droplet = self._get(node_id)
        if droplet is None:
            return None
        for net in (droplet.get("networks") or {}).get("v4", []):
            if net.get("type") == kind:
                return str(net["ip_address"])
        return None

    def external_ip(self, node_id: str) -> str | None:
        return self._ip(node_id, "public")

    def internal_ip(self, node_id: str) -> str | None:
        return self._ip(node_id, "private") or self._ip(node_id, "public")

    # --- writing --------------------------------------------------------------------------
    def create_node(self, node_config: dict[str, Any], tags: dict[str, str], count: int) -> dict[str, Any]:
        """Create ``count`` droplets (in requests of at most 10) tagged for this cluster."""
        body_base = {
            "region": node_config.get("region", self.provider_config.get("region")),
            "size": node_config["size"],
            "image": node_config["image"],
            "ssh_keys": node_config.get("ssh_keys", []),
            "tags": [self.cluster_tag] + [encode_tag(k, v) for k, v in sorted(tags.items())],
            "monitoring": node_config.get("monitoring", True),
        }
        for key in ("vpc_uuid", "user_data", "ipv6", "backups"):
            value = node_config.get(key, self.provider_config.get(key) if key == "vpc_uuid" else None)
            if value is not None:
                body_base[key] = value
        kind = tags.get("ray-node-type", "node")
        created: dict[str, Any] = {}
        with self.lock:
            remaining = count
            while remaining > 0:
                batch = min(remaining, MAX_NAMES_PER_CREATE)
                names = [f"{self.cluster_tag}-{kind}-{os.urandom(3).hex()}" for _ in range(batch)]
                reply = self.client.droplets.create(body={**body_base, "names": names})
                for droplet in reply.get("droplets") or [reply["droplet"]]:
                    self._droplets[str(droplet["id"])] = droplet
                    created[str(droplet["id"])] = droplet
                remaining -= batch
        return created

    def set_node_tags(self, node_id: str, tags: dict[str, str]) -> None:
        with self.lock:
            droplet = self._get(node_id)
            if droplet is None:
                raise ValueError(f"no droplet {node_id} in cluster {self.cluster_name}")
            current = self._tags_of(droplet)
            resource = {"resources": [{"resource_id": str(node_id), "resource_type": "droplet"}]}
            for key, value in tags.items():
                if current.get(key) == value:
                    continue
                if key in current:
                    self.client.tags.unassign_resources(encode_tag(key, current[key]), body=resource)
                new_tag = encode_tag(key, value)
                self.client.tags.create(body={"name": new_tag})
                self.client.tags.assign_resources(new_tag, body=resource)
                current[key] = value
            droplet["tags"] = [self.cluster_tag] + [encode_tag(k, v) for k, v in sorted(current.items())]

    def terminate_node(self, node_id: str) -> None:
        with self.lock:
            self.client.droplets.destroy(int(node_id))
            self._droplets.pop(node_id, None)


__all__ = ["DigitalOceanNodeProvider", "decode_tag", "encode_tag"]
