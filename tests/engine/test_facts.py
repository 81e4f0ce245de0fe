"""Each fact read against containers made in the test: ports, mounts, networks, namespaces,
veth peers, reachability, and files read from images without running them."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from grader.checks.base import Context
from grader.checks.image_path_search import ImagePathSearch
from grader.checks.image_run import ImageRun
from grader.checks.result import Part
from grader.errors import NotFound, NotRunning, ProbeRefused
from grader.facts.images import read_files
from grader.facts.probe import inspect_only
from grader.facts.snapshot import EngineFacts
from tests.support import EngineSession

pytestmark = pytest.mark.engine


def test_port_bindings_ipv4_ipv6_and_requested(engine: EngineSession) -> None:
    """Bindings in force (random ports, IPv4/IPv6) and as requested (host port 0), and an HTTP GET from the engine host
    to a loopback binding."""
    c = engine.client
    c.containers.run(
        "busybox", ["httpd", "-f", "-p", "80", "-h", "/etc"], name="web-all", detach=True, ports={"80/tcp": None}
    )
    c.containers.run(
        "busybox",
        ["httpd", "-f", "-p", "80", "-h", "/etc"],
        name="web-ip-fixed",
        detach=True,
        ports={"80/tcp": ("127.0.0.1", 8001)},
    )
    facts = EngineFacts(c)
    anywhere = facts.container("web-all")
    assert {b.container_port for b in anywhere.port_bindings} == {80}
    assert all(b.host_port > 0 for b in anywhere.port_bindings)
    assert {b.family for b in anywhere.port_bindings} <= {"ipv4", "ipv6"}
    assert [b.host_port for b in anywhere.requested_bindings] == [0]
    local = facts.container("web-ip-fixed")
    assert [(b.host_ip, b.host_port, b.container_port) for b in local.port_bindings] == [("127.0.0.1", 8001, 80)]
    answer = facts.http("127.0.0.1", 8001, "/hostname")
    assert answer.ok and answer.body.strip() == local.hostname
    assert not facts.http("127.0.0.1", 8999).ok


def test_mounts_volume_and_read_only_bind(engine: EngineSession, tmp_path_factory: pytest.TempPathFactory) -> None:
    """A named volume and a read-only bind mount read back typed, found by destination with or without a trailing
    slash."""
    c = engine.client
    c.volumes.create("shared-data")
    c.containers.run(
        "busybox",
        ["sleep", "300"],
        name="reader",
        detach=True,
        volumes={"shared-data": {"bind": "/shared", "mode": "rw"}, "/etc": {"bind": "/config", "mode": "ro"}},
    )
    reader = EngineFacts(c).container("reader")
    vol = reader.mount_at("/shared")
    bind = reader.mount_at("/config/")
    assert vol is not None and vol.type == "volume" and vol.name == "shared-data" and vol.rw
    assert bind is not None and bind.type == "bind" and bind.source == "/etc" and not bind.rw


def test_network_attachments_on_user_defined_bridge(engine: EngineSession) -> None:
    """Attachment address, gateway and aliases on a user-defined bridge; the default bridge's subnet, docker0, and its
    gateway read from docker0 when IPAM has none."""
    c = engine.client
    c.networks.create("course-net")
    api = c.containers.run("busybox", ["sleep", "300"], name="api", detach=True, network="course-net")
    c.networks.get("course-net").disconnect(api)
    c.networks.get("course-net").connect(api, aliases=["backend"])
    facts = EngineFacts(c)
    att = facts.container("api").networks["course-net"]
    net = facts.network("course-net")
    assert att.ip and att.gateway == net.gateways[0] and "backend" in att.aliases
    assert net.name == "course-net" and net.driver == "bridge" and net.subnets
    bridge = facts.network("bridge")
    assert bridge.subnets == ["172.17.0.0/16"] and bridge.bridge_name == "docker0"
    assert facts.gateway("bridge") == "172.17.0.1" and facts.gateway("course-net") == att.gateway


def test_namespaces_of_container_and_engine_host(engine: EngineSession) -> None:
    """Inodes of a container vs the engine host (dockerd): own pid/net/ipc/mnt/uts, shared user; --network host --pid
    host shares net and pid."""
    c = engine.client
    c.containers.run("busybox", ["sleep", "300"], name="ns-demo", detach=True)
    c.containers.run("busybox", ["sleep", "300"], name="host-web", detach=True, network_mode="host", pid_mode="host")
    ns = EngineFacts(c).namespaces(("ns-demo", "host-web"))
    host, demo, hostnet = ns["host"], ns["ns-demo"], ns["host-web"]
    assert {"pid", "net", "ipc", "mnt", "uts"} <= demo.unshared_with(host)
    assert "user" in demo.shared_with(host)  # no userns-remap: the user namespace is the host's
    assert {"net", "pid"} <= hostnet.shared_with(host)
    assert "mnt" in hostnet.unshared_with(host)


def test_veth_peer_matches_iflink(engine: EngineSession) -> None:
    """The veth found for a container's eth0 has the index its iflink names."""
    c = engine.client
    c.containers.run("busybox", ["sleep", "300"], name="probe-a", detach=True)
    facts = EngineFacts(c)
    peer = facts.veth_peer("probe-a")
    assert peer and peer.startswith("veth")
    inside = engine.sh("docker exec probe-a cat /sys/class/net/eth0/iflink").output.strip()
    index = engine.sh(f"cat /sys/class/net/{peer}/ifindex").output.strip()
    assert inside == index


def test_files_read_without_running_images_with_entrypoint_or_no_shell(engine: EngineSession) -> None:
    """Files, folders and absent paths read from images that cannot run (ENTRYPOINT false, FROM scratch), with their
    owner."""
    engine.build(
        "FROM busybox\nRUN echo hi > /greeting && adduser -D -u 1000 app && chown app /greeting\n"
        'ENTRYPOINT ["false"]\n',
        "course/echo:1.0",
    )
    engine.build("FROM busybox AS b\nRUN echo x > /x\nFROM scratch\nCOPY --from=b /x /x\n", "course/hello-static:1.0")
    files = read_files(engine.client, "course/echo:1.0", ["/greeting", "/etc", "/missing"])
    greeting = files["/greeting"]
    assert greeting is not None and greeting.text == "hi\n" and greeting.uid == 1000
    assert files["/etc"] is not None and files["/etc"].kind == "dir"
    assert files["/missing"] is None
    scratch = read_files(engine.client, "course/hello-static:1.0", ["/x", "/bin/sh"])
    assert scratch["/x"] is not None and scratch["/x"].text == "x\n" and scratch["/bin/sh"] is None


def test_probes_leave_nothing_behind(engine: EngineSession) -> None:
    """Probes and file readers leave no container and no volume."""
    facts = EngineFacts(engine.client)
    facts.http("127.0.0.1", 9)
    read_files(engine.client, "busybox", ["/etc/passwd"])
    left = engine.client.containers.list(all=True, filters={"label": "org.docker-course.probe"})
    assert left == [] and engine.client.volumes.list() == []


def test_typed_lookups_not_running_and_joined_container_names(engine: EngineSession) -> None:
    """Volumes and a new container's mounts are typed; absent objects answer has_* False;
    a stopped container raises NotRunning (not NotFound) for namespace facts; a
    ``container:<id>`` mode resolves to the joined container's name."""
    c = engine.client
    c.volumes.create("course-db-data")
    api = c.containers.run("busybox", ["sleep", "300"], name="api", detach=True)
    c.containers.run("busybox", ["sleep", "300"], name="sidecar", detach=True, network_mode=f"container:{api.id}")
    c.containers.run("busybox", ["true"], name="note-2")  # left behind, exited
    engine.build("FROM busybox\nVOLUME /data\n", "course/volume-port:1.0")
    facts = EngineFacts(c)
    volume = facts.volume("course-db-data")
    assert volume.name == "course-db-data" and volume.driver == "local"
    assert facts.has_volume("course-db-data") and not facts.has_volume("no-such-volume")
    assert facts.has_container("note-2") and not facts.has_container("no-such") and not facts.has_image("no/such:1")
    with pytest.raises(NotRunning, match="not running") as stopped:
        facts.namespaces(("note-2",))
    assert not isinstance(stopped.value, NotFound) and stopped.value.status == "exited"
    with pytest.raises(NotFound):
        facts.volume("no-such-volume")
    sidecar = facts.container("sidecar")
    assert sidecar.network_mode == f"container:{api.id}" and facts.container_name(api.id) == "api"
    [mount] = facts.image("course/volume-port:1.0").new_container_mounts
    assert mount.type == "volume" and mount.destination == "/data" and len(mount.name) == 64


def _containers_created(engine: EngineSession, action: Callable[[], object]) -> int:
    """How many containers the engine created while ``action`` ran (its event stream, whole seconds)."""
    time.sleep(1.05)  # events before this second stay out of the window
    since = int(time.time())
    action()
    until = int(time.time()) + 1
    events = engine.client.events(since=since, until=until, decode=True, filters={"type": "container"})
    return sum(1 for e in events if e.get("Action") == "create")


def test_image_answers_are_remembered_by_id_so_a_rebuilt_tag_is_read_afresh(engine: EngineSession) -> None:
    """A probe, a file and the path list of an image are read once per image id; rebuilding the tag with other
    content changes the verdict at once (the tag is inspected every run, its id is the key); live runs still refuse."""
    tag = "course/memo:1.0"
    run = ImageRun(points=1, tag=tag, output="one", title="prints one")
    search = ImagePathSearch(points=1, tag=tag, patterns=["two.txt"], present=False, title="no two.txt")

    def check() -> list[Part]:
        ctx = Context(EngineFacts(engine.client))
        return [run.run(ctx), search.run(ctx)]

    engine.build('FROM busybox\nRUN echo one > /v\nCMD ["cat", "/v"]\n', tag)
    first = check()
    assert [p.passed for p in first] == [True, True], first
    again: list[Part] = []
    assert _containers_created(engine, lambda: again.extend(check())) == 0
    assert again == first
    with inspect_only():  # a live check still runs no probe part, remembered or not
        for part in (run, search):
            with pytest.raises(ProbeRefused):
                part.run(Context(EngineFacts(engine.client)))
    read = EngineFacts(engine.client).image(tag).file("/v")
    assert _containers_created(engine, lambda: EngineFacts(engine.client).image(tag).file("/v")) == 0
    engine.build('FROM busybox\nRUN echo two > /v && touch /two.txt\nCMD ["cat", "/v"]\n', tag)
    rebuilt = check()
    assert [p.passed for p in rebuilt] == [False, False], rebuilt
    assert "'two'" in rebuilt[0].found and "/two.txt" in rebuilt[1].found
    found = EngineFacts(engine.client).image(tag).file("/v")
    assert read is not None and read.text == "one\n" and found is not None and found.text == "two\n"
