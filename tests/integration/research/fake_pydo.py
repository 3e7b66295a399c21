"""A recorded fake of ``pydo.Client`` (droplets + tags): responses shaped like DigitalOcean's API
reference examples (https://docs.digitalocean.com/reference/api/), state kept in memory, every
call recorded. No network."""

from __future__ import annotations

import copy
import itertools
from typing import Any

# One droplet as the API returns it (trimmed from the "Retrieve an Existing Droplet" example).
DROPLET_TEMPLATE: dict[str, Any] = {
    "id": 0,
    "name": "",
    "memory": 4096,
    "vcpus": 2,
    "disk": 80,
    "locked": False,
    "status": "new",
    "created_at": "2026-07-21T10:00:00Z",
    "image": {"id": 6918990, "slug": "ubuntu-24-04-x64", "distribution": "Ubuntu"},
    "size_slug": "s-2vcpu-4gb",
    "networks": {"v4": [], "v6": []},
    "region": {"slug": "fra1", "name": "Frankfurt 1"},
    "tags": [],
    "vpc_uuid": "5a4981aa-9653-4bd1-bef5-d6bff52042e4",
}


class _Droplets:
    def __init__(self, owner: FakeClient) -> None:
        self.owner = owner

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        self.owner.calls.append(("droplets.create", copy.deepcopy(body)))
        names = body.get("names") or [body["name"]]
        assert len(names) <= 10, "DigitalOcean creates at most 10 droplets per request"
        out = []
        for name in names:
            droplet = copy.deepcopy(DROPLET_TEMPLATE)
            droplet.update(
                id=next(self.owner.ids), name=name, size_slug=body["size"], tags=list(body.get("tags", []))
            )
            droplet["region"]["slug"] = body["region"]
            self.owner.store[droplet["id"]] = droplet
            out.append(copy.deepcopy(droplet))
        return {"droplets": out} if "names" in body else {"droplet": out[0]}

    def list(
        self, per_page: int = 20, page: int = 1, tag_name: str | None = None, **_: Any
    ) -> dict[str, Any]:
        self.owner.calls.append(("droplets.list", {"tag_name": tag_name, "page": page}))
        chosen = [d for d in self.owner.store.values() if tag_name is None or tag_name in d["tags"]]
        size = min(per_page, self.owner.page_size)
        part = chosen[(page - 1) * size : page * size]
        pages = (
            {"next": f"https://api.digitalocean.com/v2/droplets?page={page + 1}"}
            if page * size < len(chosen)
            else {}
        )
        return {"droplets": copy.deepcopy(part), "links": {"pages": pages}, "meta": {"total": len(chosen)}}

    def destroy(self, droplet_id: int) -> None:
        self.owner.calls.append(("droplets.destroy", droplet_id))
        self.owner.store.pop(int(droplet_id))


class _Tags:
    def __init__(self, owner: FakeClient) -> None:
        self.owner = owner

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        self.owner.calls.append(("tags.create", body["name"]))
        return {"tag": {"name": body["name"], "resources": {"count": 0}}}

    def assign_resources(self, tag_id: str, body: dict[str, Any]) -> None:
        self.owner.calls.append(("tags.assign_resources", tag_id))
        for res in body["resources"]:
            tags = self.owner.store[int(res["resource_id"])]["tags"]
            if tag_id not in tags:
                tags.append(tag_id)

    def unassign_resources(self, tag_id: str, body: dict[str, Any]) -> None:
        self.owner.calls.append(("tags.unassign_resources", tag_id))
        for res in body["resources"]:
            tags = self.owner.store[int(res["resource_id"])]["tags"]
            if tag_id in tags:
                tags.remove(tag_id)


class FakeClient:
    def __init__(self, page_size: int = 200) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.store: dict[int, dict[str, Any]] = {}  # droplet id -> droplet, as DigitalOcean holds them
        self.ids = itertools.count(3164444)
        self.page_size = page_size
        self.droplets = _Droplets(self)
        self.tags = _Tags(self)

    def boot(self, droplet_id: int, private_ip: str, public_ip: str) -> None:
        """What DigitalOcean does a minute after create: the droplet is active with addresses."""
        droplet = self.store[droplet_id]
        droplet["status"] = "active"
        droplet["networks"]["v4"] = [
            {
                "ip_address": private_ip,
                "netmask": "255.255.240.0",
                "gateway": "10.114.0.1",
                "type": "private",
            },
            {"ip_address": public_ip, "netmask": "255.255.240.0", "gateway": "104.236.0.1", "type": "public"},
        ]
