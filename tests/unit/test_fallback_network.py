"""Container labs (the fallback) get a network of their own: a free /24 of the course's pool, a dcl-* bridge."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from docker.errors import APIError, NotFound

from grader.engine import boundary_runner
from grader.engine.boundary import Boundary
from grader.errors import LabError


class FakeNetwork:
    def __init__(self, name: str, subnet: str | None) -> None:
        self.name = name
        self.attrs = {"IPAM": {"Config": [{"Subnet": subnet}] if subnet else []}}


class FakeNetworks:
    def __init__(self, taken: list[str], refuse_first: int = 0) -> None:
        self.items = [FakeNetwork(f"n{i}", s) for i, s in enumerate(taken)] + [FakeNetwork("host", None)]
        self.created: list[dict[str, Any]] = []
        self.refuse_first = refuse_first

    def get(self, name: str) -> FakeNetwork:
        for n in self.items:
            if n.name == name:
                return n
        raise NotFound(name)

    def list(self) -> list[FakeNetwork]:
        return list(self.items)

    def create(self, name: str, **kwargs: Any) -> None:
        subnet = kwargs["ipam"]["Config"][0]["Subnet"]
        if self.refuse_first:
            self.refuse_first -= 1  # another lab took it meanwhile
            raise APIError("Pool overlaps with other one on this address space")
        self.created.append({"name": name, "subnet": subnet, **kwargs})
        self.items.append(FakeNetwork(name, subnet))


class FakeEngine:
    def __init__(self, networks: FakeNetworks) -> None:
        self.networks = networks


def test_free_subnets_skip_what_any_network_uses() -> None:
    engine = FakeEngine(FakeNetworks(["10.215.0.0/24", "10.215.2.0/23", "172.17.0.0/16", "fd00::/64"]))
    free = boundary_runner.free_subnets(engine, "10.215.0.0/16")  # type: ignore[arg-type]
    assert free[:3] == ["10.215.1.0/24", "10.215.4.0/24", "10.215.5.0/24"] and len(free) == 253


def test_a_container_lab_gets_its_own_network_and_a_dcl_bridge(tmp_path: Path) -> None:
    networks = FakeNetworks(["10.215.0.0/24"], refuse_first=1)
    extras = boundary_runner.prepare(
        FakeEngine(networks),  # type: ignore[arg-type]
        Boundary("container", "unix:///var/run/docker.sock"),
        "docker-course-lab",
        tmp_path / "run",
        [],
    )
    assert extras.network == "docker-course-lab-net"
    made = networks.created[0]
    assert made["subnet"] == "10.215.2.0/24"  # 10.215.1.0/24 was taken by a parallel start
    bridge = made["options"]["com.docker.network.bridge.name"]
    assert bridge.startswith(boundary_runner.BRIDGE_PREFIX) and len(bridge) <= 15
    assert boundary_runner.ensure_network(FakeEngine(networks), "docker-course-lab", pool="10.215.0.0/16") == (  # type: ignore[arg-type]
        "docker-course-lab-net"
    )
    assert len(networks.created) == 1  # an existing one is reused


def test_a_full_pool_is_one_sentence() -> None:
    networks = FakeNetworks(["10.215.0.0/16"])
    with pytest.raises(LabError, match="no free /24 left in 10.215.0.0/16"):
        boundary_runner.ensure_network(FakeEngine(networks), "lab", pool="10.215.0.0/16")  # type: ignore[arg-type]
