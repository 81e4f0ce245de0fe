"""Chapter 03's pure logic: answer normalisation, subnet/gateway comparison, veth names and
hints, command parsing, the topology parsed from recorded probe output."""

from __future__ import annotations

import pytest

from grader.checks.base import Context
from grader.checks.network_answer import NetworkAnswer, compare_gateway, compare_subnet
from grader.checks.network_fetch import names_host
from grader.checks.network_http import HttpInNamespace
from grader.checks.network_interfaces import configured
from grader.checks.network_veth import interface_name, veth_hint
from grader.checks.served_page import served_by, serving_hosts
from grader.facts.containers import ContainerFacts
from grader.facts.listeners import owner_command, parse_owner
from grader.facts.networks import HttpAnswer, NetworkFacts
from grader.facts.probe import ProbeResult
from grader.facts.topology import Topology, build_topology
from tests.unit.fakes import FakeFacts, declared

PROBE_OUTPUT = """@@ link host
1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN\\    link/loopback 00:00:00:00:00:00
2: docker0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP\\    link/ether 02:42:4b:5d:50:74
7: br-1bfbb1771171: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP\\    link/ether 02:42:aa:bb:cc:dd
9: vethe8aa254@if8: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 master docker0 state UP\\    link/ether 2a:65
11: veth5bc91fb@if10: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 master br-1bfbb1771171 state UP\\    link/e
45: eth0@if46: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP\\    link/ether 02:42:0a:d5:00:04
@@ addr host
1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever
2: docker0    inet 172.17.0.1/16 brd 172.17.255.255 scope global docker0\\       valid_lft forever
7: br-1bfbb1771171    inet 172.18.0.1/16 brd 172.18.255.255 scope global br-1bfbb1771171\\       valid_lft
45: eth0    inet 10.213.0.4/16 brd 10.213.255.255 scope global eth0\\       valid_lft forever
@@ link 101
1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue qlen 1000\\    link/loopback 00:00:00:00:00:00
8: eth0@if9: <BROADCAST,MULTICAST,UP,LOWER_UP,M-DOWN> mtu 1500 qdisc noqueue\\    link/ether 02:42:ac:11:00:02
@@ addr 101
1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever
8: eth0    inet 172.17.0.2/16 brd 172.17.255.255 scope global eth0\\       valid_lft forever
@@ link 102
1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue qlen 1000\\    link/loopback 00:00:00:00:00:00
10: eth0@if11: <BROADCAST,MULTICAST,UP,LOWER_UP,M-DOWN> mtu 1500 qdisc noqueue\\    link/ether 02:42:ac:12:00:02
@@ addr 102
10: eth0    inet 172.18.0.2/16 brd 172.18.255.255 scope global eth0\\       valid_lft forever
"""


def _container(name: str, cid: str, pid: int, mode: str, nets: dict[str, str], ports: dict | None = None) -> dict:
    return {
        "Id": cid,
        "Name": "/" + name,
        "State": {"Running": True, "Pid": pid, "Status": "running"},
        "HostConfig": {"NetworkMode": mode},
        "NetworkSettings": {
            "Networks": {n: {"IPAddress": ip, "IPPrefixLen": 16 if ip else 0} for n, ip in nets.items()},
            "Ports": ports or {},
        },
    }


CONTAINERS = [
    _container("probe-a", "a" * 64, 101, "default", {"bridge": "172.17.0.2"}),
    _container(
        "api",
        "b" * 64,
        102,
        "course-net",
        {"course-net": "172.18.0.2"},
        {"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": "8000"}], "81/tcp": None},
    ),
    _container("sidecar", "c" * 64, 103, "container:" + "b" * 64, {}),
    _container("host-web", "d" * 64, 104, "host", {"host": ""}),
]
NETWORKS = [
    {
        "Name": "bridge",
        "Id": "1" * 64,
        "Driver": "bridge",
        "Options": {"com.docker.network.bridge.name": "docker0"},
        "IPAM": {"Config": [{"Subnet": "172.17.0.0/16", "Gateway": "172.17.0.1"}]},
    },
    {
        "Name": "course-net",
        "Id": "1bfbb1771171" + "0" * 52,
        "Driver": "bridge",
        "Options": {},
        "IPAM": {"Config": [{"Subnet": "172.18.0.0/16", "Gateway": "172.18.0.1"}]},
    },
    {"Name": "host", "Id": "2" * 64, "Driver": "host", "IPAM": {"Config": []}},
]


def topology() -> Topology:
    return build_topology([ContainerFacts(c) for c in CONTAINERS], [NetworkFacts(n) for n in NETWORKS], PROBE_OUTPUT)


def test_subnet_comparison_normalises_and_names_the_mistake() -> None:
    assert compare_subnet("172.17.0.0/16", "172.17.0.0/16", "172.17.0.1") == (True, "")
    assert compare_subnet("fd00:0:0::/64", "fd00::/64", "fd00::1")[0]
    ok, hint = compare_subnet("172.17.0.1/16", "172.17.0.0/16", "172.17.0.1")
    assert not ok and "host bits" in hint
    ok, hint = compare_subnet("172.17.0.1", "172.17.0.0/16", "172.17.0.1")
    assert not ok and "gateway" in hint
    ok, hint = compare_subnet("172.17.0.0", "172.17.0.0/16", "172.17.0.1")
    assert not ok and "prefix length" in hint
    ok, hint = compare_subnet("172.18.0.0/16", "172.17.0.0/16", "172.17.0.1")
    assert not ok and "earlier run" in hint
    ok, hint = compare_subnet("bridge", "172.17.0.0/16", "172.17.0.1")
    assert not ok and "prefix length" in hint
    ok, hint = compare_subnet("nonsense/16", "172.17.0.0/16", "172.17.0.1")
    assert not ok and "CIDR" in hint


def test_gateway_comparison_normalises_and_names_the_mistake() -> None:
    assert compare_gateway("172.17.0.1", "172.17.0.1", "172.17.0.0/16") == (True, "")
    assert compare_gateway("fd00:0::1", "fd00::1", "fd00::/64")[0]
    ok, hint = compare_gateway("172.17.0.0/16", "172.17.0.1", "172.17.0.0/16")
    assert not ok and "That is the subnet" in hint
    ok, hint = compare_gateway("172.17.0.1/16", "172.17.0.1", "172.17.0.0/16")
    assert not ok and "drop the /prefix" in hint
    ok, hint = compare_gateway("172.17.0.0", "172.17.0.1", "172.17.0.0/16")
    assert not ok and "network address" in hint
    ok, hint = compare_gateway("172.18.0.1", "172.17.0.1", "172.17.0.0/16")
    assert not ok and "earlier run" in hint
    assert not compare_gateway("docker0", "172.17.0.1", "172.17.0.0/16")[0]


def test_topology_pairs_veths_with_containers_and_reads_bridges() -> None:
    topo = topology()
    assert [b.interface for b in topo.bridges] == ["docker0", "br-1bfbb1771171"]
    assert topo.veth_of("probe-a").name == "vethe8aa254"
    assert topo.veth_of("probe-a").master == "docker0"
    assert topo.veth_of("api").master == "br-1bfbb1771171"
    assert topo.owner_of("veth5bc91fb") == "api" and topo.owner_of("docker0") is None
    views = {c.name: c for c in topo.containers}
    assert views["sidecar"].mode == "container" and views["sidecar"].joins == "api"
    assert views["host-web"].mode == "host" and views["probe-a"].mode == "bridge"
    assert views["api"].networks == (("course-net", "172.18.0.2/16"),)
    assert views["api"].ports == ("127.0.0.1:8000->80/tcp",)
    host = {link.name: link for link in topo.host_links}
    assert host["docker0"].addresses == ("172.17.0.1/16",)


def test_veth_names_and_hints() -> None:
    topo = topology()
    assert interface_name("vethe8aa254@if8:") == "vethe8aa254"
    assert interface_name(" vethe8aa254 ") == "vethe8aa254"
    assert "container's end" in veth_hint("eth0", "probe-a", "eth0", topo)
    assert "bridge" in veth_hint("docker0", "probe-a", "eth0", topo)
    assert "api's eth0" in veth_hint("veth5bc91fb", "probe-a", "eth0", topo)
    assert "earlier run" in veth_hint("veth0000000", "probe-a", "eth0", topo)
    assert "not the peer" in veth_hint("lo", "probe-a", "eth0", topo)


def test_command_names_host_only_as_a_host() -> None:
    assert names_host(["wget", "-qO-", "http://api/"], "api")
    assert names_host(["sh", "-c", "wget -qO- http://api:80/index.html"], "api")
    assert names_host(["ping", "-c1", "api"], "api")
    assert not names_host(["wget", "-qO-", "http://172.18.0.2/"], "api")
    assert not names_host(["wget", "-qO-", "http://apiserver/"], "api")
    assert not names_host(["wget", "-qO-", "http://my-api/"], "api")
    assert serving_hosts("<p>served by 2de3840509d9</p>") == ["2de3840509d9"]
    assert served_by("<p>served by 2de3840509d9</p>", "2de3840509d9")
    assert not served_by("<p>served by 2de3840509d9ff</p>", "2de3840509d9") and not served_by("served by x", "")


def test_kernel_fallback_tunnels_are_not_configured_interfaces() -> None:
    assert configured(["lo", "tunl0", "sit0", "ip6tnl0"]) == ["lo"]
    assert configured(["lo", "eth0"]) == ["lo", "eth0"]


def test_topology_picture_draws_pairs_bridges_and_other_modes_escaped() -> None:
    from grader.pictures.topology import rows_of, topology_html

    topo = topology()
    rows = rows_of(topo)
    assert [(r.container.name, r.veth, r.bridge.interface) for r in rows if r.container] == [
        ("probe-a", "vethe8aa254", "docker0"),
        ("api", "veth5bc91fb", "br-1bfbb1771171"),
    ]
    picture = topology_html(topo)
    for text in (
        "docker0",
        "172.17.0.1/16",
        "vethe8aa254",
        "eth0 172.18.0.2/16",
        "published 127.0.0.1:8000-&gt;80/tcp",
        "sidecar  --network container:api",
        "host-web  --network host",
        "10.213.0.4/16 (host)",
    ):
        assert text in picture, text
    evil_container = ContainerFacts(_container("<b>x</b>", "e" * 64, 105, "none", {"none": ""}))
    evil = build_topology([evil_container], [NetworkFacts(n) for n in NETWORKS], "")
    assert "<b>x</b>" not in topology_html(evil) and "&lt;b&gt;x&lt;/b&gt;" in topology_html(evil)


def _bridge(gateway: str | None) -> dict:
    config = {"Subnet": "172.17.0.0/16", **({"Gateway": gateway} if gateway else {})}
    return {"Name": "bridge", "Id": "n" * 64, "IPAM": {"Config": [config]}}


@pytest.mark.parametrize("empty", ["", [], ["<no value>"], "<no value>", b""])
def test_ex1_empty_gateway_on_an_engine_without_ipam_gateway_names_the_docker0_fallback(empty: object) -> None:
    """An engine that leaves Gateway out of the bridge's IPAM data (Docker 20.10): a gateway that came out
    empty fails with the fallback the notebook teaches (docker0's own address), not "set it"."""
    facts = FakeFacts(networks={"bridge": _bridge(None)}, gateways={"bridge": "172.17.0.1"})
    check = declared("ch03-ex1", NetworkAnswer, "gateway")
    part = check.run(Context(facts, {"bridge_gateway": empty}))
    assert not part.passed and "came out empty" in part.found
    assert "leaves Gateway out" in part.hint and "ip -4 addr show docker0" in part.hint
    assert check.run(Context(facts, {"bridge_gateway": "172.17.0.1"})).passed


def test_ex1_empty_gateway_on_an_engine_with_ipam_gateway_says_the_key_is_there() -> None:
    """Where the engine's IPAM data holds the Gateway, an empty answer is a misread key: the hint says the
    data has it (the docker0 fallback is for engines that leave it out)."""
    facts = FakeFacts(networks={"bridge": _bridge("172.17.0.1")})
    part = declared("ch03-ex1", NetworkAnswer, "gateway").run(Context(facts, {"bridge_gateway": ""}))
    assert not part.passed and "holds a Gateway" in part.hint and "172.17.0.1" not in part.hint


@pytest.mark.parametrize("answers", [{}, {"bridge_gateway": None}])
def test_ex1_unset_gateway_says_set_it_and_names_the_fallback_where_needed(answers: dict) -> None:
    """Unset (or None: the stub's value, and `.get("Gateway")` on such an engine) is 'not set'; where the engine
    leaves the Gateway out, the hint also names the docker0 fallback, and only there."""
    check = declared("ch03-ex1", NetworkAnswer, "gateway")
    facts = FakeFacts(networks={"bridge": _bridge(None)}, gateways={"bridge": "172.17.0.1"})
    part = check.run(Context(facts, dict(answers)))
    assert not part.passed and part.found == "not set" and "Set bridge_gateway" in part.hint
    assert "ip -4 addr show docker0" in part.hint
    with_ipam = check.run(Context(FakeFacts(networks={"bridge": _bridge("172.17.0.1")}), dict(answers)))
    assert with_ipam.found == "not set" and "docker0" not in with_ipam.hint


def _host_web(mode: str = "host", ports: dict | None = None) -> dict:
    return _container("host-web", "h" * 64, 301, mode, {} if mode == "host" else {"bridge": "172.17.0.5"}, ports)


@pytest.mark.parametrize(
    ("output", "passed", "says"),
    [
        ("OWNER 7/fd/3\n", True, "the listening socket is host-web's"),
        ("OTHER\n", False, "no process of host-web listens on 8081"),
        ("NOLISTEN\n", False, "no process of host-web listens on 8081"),
        ("sh: not found", False, "could not read host-web's sockets"),
    ],
)
def test_ex4_port_is_credited_only_from_host_webs_own_socket(output: str, passed: bool, says: str) -> None:
    """Port 8081 answering on the engine host counts only when host-web's own process owns the listener
    (another host-network container serving it does not)."""
    answer = HttpAnswer("http://127.0.0.1:8081/", 200, "ok", "")
    execs = {("host-web", *owner_command(8081)): ProbeResult(0, output, "")}
    facts = FakeFacts(containers={"host-web": _host_web()}, answers={("127.0.0.1", 8081): answer}, execs=execs)
    part = declared("ch03-ex4", HttpInNamespace).run(Context(facts))
    assert part.passed is passed and says in part.found


def test_ex4_owner_script_output_is_parsed() -> None:
    """The socket-owner script's three answers, and anything else as unknown."""
    assert [parse_owner(o) for o in ("OWNER 1/fd/4", "OTHER", "NOLISTEN", "")] == ["own", "other", "none", "unknown"]


def test_ex4_published_port_counts_as_host_webs_own() -> None:
    """host-web in a network of its own that publishes 8081: the answer is its (the engine gave it the port);
    one that does not publish it gets no credit for another server's answer."""
    answer = HttpAnswer("http://127.0.0.1:8081/", 200, "ok", "")
    ports = {"8081/tcp": [{"HostIp": "127.0.0.1", "HostPort": "8081"}]}
    published = FakeFacts(containers={"host-web": _host_web("default", ports)}, answers={("127.0.0.1", 8081): answer})
    assert declared("ch03-ex4", HttpInNamespace).run(Context(published)).passed
    other = FakeFacts(containers={"host-web": _host_web("default")}, answers={("127.0.0.1", 8081): answer})
    part = declared("ch03-ex4", HttpInNamespace).run(Context(other))
    assert not part.passed and "neither shares the host's network nor publishes 8081" in part.found


def test_the_veth_peer_is_read_by_one_probe(monkeypatch: pytest.MonkeyPatch) -> None:
    """The container's links, a marker, the host's links: one probe; eth0@if9 pairs with index 9.
    A probe that could not enter the namespace (no marker) is a ProbeError, not "no peer"."""
    from grader.errors import ProbeError
    from grader.facts import networks

    calls: list[list[str]] = []
    out = "1: lo: <LOOPBACK>\n8: eth0@if9: <UP>\n@@ host\n1: lo: <LOOPBACK>\n9: veth1a2b@if8: <UP>\n"

    def probe(client: object, command: list[str], **_: object) -> ProbeResult:
        calls.append(command)
        return ProbeResult(0, out, "")

    monkeypatch.setattr(networks, "host_probe", probe)
    assert networks.veth_peer(None, 4242) == "veth1a2b"  # type: ignore[arg-type]
    assert len(calls) == 1 and calls[0][-1] == "4242"
    assert networks.veth_peer(None, 4242, inside="eth1") is None  # type: ignore[arg-type]
    out = ""
    monkeypatch.setattr(networks, "host_probe", lambda *a, **k: ProbeResult(3, "", "nsenter: no such process"))
    with pytest.raises(ProbeError, match="enter the container's network namespace"):
        networks.veth_peer(None, 4242)  # type: ignore[arg-type]
