"""ch03-ex1..ex6 against the real engine: each reference answer passes with full points,
wrong answers fail with the hint that names the mistake, partial answers get partial points.

Containers are made with the docker CLI inside the lab, as a learner would."""

from __future__ import annotations

import pytest

from grader.engine.provided import prepare
from tests.checks_support import failed, hints, run
from tests.support import EngineSession, dump

pytestmark = pytest.mark.engine

VETH_OF = (
    "i=$(docker exec {name} cat /sys/class/net/eth0/iflink) && "
    'ip -o link | grep "^$i:" | cut -d: -f2 | cut -d@ -f1 | tr -d " "'
)


@pytest.fixture
def web(engine: EngineSession) -> EngineSession:
    """The lab with course/web:1.0 built."""
    prepare(engine.client, "03")
    return engine


# ch03-ex1 the default bridge


def test_ex1_reference_answers_from_inspect_pass(engine: EngineSession) -> None:
    """Subnet from IPAM data and gateway from docker0 (as a one-line list): both points."""
    subnet = run(engine, "docker network inspect -f '{{(index .IPAM.Config 0).Subnet}}' bridge")
    gateway = run(engine, "ip -4 -o addr show docker0 | awk '{print $4}' | cut -d/ -f1")
    result = engine.check("ch03-ex1", bridge_subnet=subnet, bridge_gateway=[gateway])
    assert result.passed and result.score == 2, dump(result)


def test_ex1_unset_answers_score_zero(engine: EngineSession) -> None:
    """Unset answers: zero points, the hint says how to compute them."""
    result = engine.check("ch03-ex1")
    assert result.score == 0 and "docker network inspect bridge" in hints(result), dump(result)


def test_ex1_swapped_answers_fail_both(engine: EngineSession) -> None:
    """Subnet and gateway swapped: each answer is named for what it really is."""
    result = engine.check("ch03-ex1", bridge_subnet="172.17.0.1", bridge_gateway="172.17.0.0/16")
    assert result.score == 0, dump(result)
    assert "That is the gateway" in hints(result) and "That is the subnet" in hints(result)


def test_ex1_host_bits_in_subnet_get_partial_points(engine: EngineSession) -> None:
    """A subnet with host bits set (the gateway's interface address) loses only that point."""
    result = engine.check("ch03-ex1", bridge_subnet="172.17.0.1/16", bridge_gateway="172.17.0.1")
    assert result.score == 1 and "host bits" in hints(result), dump(result)


def test_ex1_gateway_with_prefix_gets_partial_points(engine: EngineSession) -> None:
    """A gateway with a /prefix loses its point; a padded subnet string still counts."""
    result = engine.check("ch03-ex1", bridge_subnet=" 172.17.0.0/16\n", bridge_gateway="172.17.0.1/16")
    assert result.score == 1 and "drop the /prefix" in hints(result), dump(result)


def test_ex1_values_from_another_engine_fail_as_stale(engine: EngineSession) -> None:
    """Values of another engine's bridge fail as typed from elsewhere."""
    result = engine.check("ch03-ex1", bridge_subnet="172.18.0.0/16", bridge_gateway="172.18.0.1")
    assert result.score == 0 and "earlier run or another machine" in hints(result), dump(result)


# ch03-ex2 veth pair


def test_ex2_reference_veth_passes(engine: EngineSession) -> None:
    """The host veth found through iflink passes, with or without ip link's @ifN suffix."""
    run(engine, "docker run -d --name probe-a busybox sleep 3600")
    veth = run(engine, VETH_OF.format(name="probe-a"))
    assert veth.startswith("veth")
    result = engine.check("ch03-ex2", veth_name=veth)
    assert result.passed and result.score == 3, dump(result)
    # as `ip link` prints it, with its @ifN suffix
    assert engine.check("ch03-ex2", veth_name=[f"{veth}@if5"]).passed


def test_ex2_container_end_is_not_the_answer(engine: EngineSession) -> None:
    """eth0 is the container's end: the hint asks for the other end."""
    run(engine, "docker run -d --name probe-a busybox sleep 3600")
    result = engine.check("ch03-ex2", veth_name="eth0")
    assert result.score == 1 and "container's end of the pair" in hints(result), dump(result)


def test_ex2_bridge_is_not_the_answer(engine: EngineSession) -> None:
    """docker0 is the bridge, not the veth."""
    run(engine, "docker run -d --name probe-a busybox sleep 3600")
    result = engine.check("ch03-ex2", veth_name="docker0")
    assert result.score == 1 and "the bridge the veth is plugged into" in hints(result), dump(result)


def test_ex2_another_containers_veth_is_named(engine: EngineSession) -> None:
    """Another container's veth: the hint names whose it is."""
    run(engine, "docker run -d --name probe-a busybox sleep 3600", "docker run -d --name probe-b busybox sleep 3600")
    other = run(engine, VETH_OF.format(name="probe-b"))
    result = engine.check("ch03-ex2", veth_name=other)
    assert result.score == 1 and "paired with probe-b's eth0" in hints(result), dump(result)


def test_ex2_name_from_an_earlier_run_fails_as_changed(engine: EngineSession) -> None:
    """A veth name from before probe-a was re-created no longer exists: the hint says names change."""
    run(engine, "docker run -d --name probe-a busybox sleep 3600")
    old = run(engine, VETH_OF.format(name="probe-a"))
    run(engine, "docker rm -f probe-a", "docker run -d --name probe-a busybox sleep 3600")
    result = engine.check("ch03-ex2", veth_name=old)
    assert result.score == 1 and "veth names change" in hints(result), dump(result)


def test_ex2_probe_without_network_or_missing_scores_zero(engine: EngineSession) -> None:
    """No probe-a, or one without a network: zero points, each with its own hint."""
    result = engine.check("ch03-ex2", veth_name="veth1234567")
    assert result.score == 0 and "docker run -d --name probe-a" in hints(result), dump(result)
    run(engine, "docker run -d --name probe-a --network none busybox sleep 3600")
    result = engine.check("ch03-ex2", veth_name="veth1234567")
    assert result.score == 0 and "--network bridge" in hints(result), dump(result)
    assert "no eth0 with a peer" in hints(result), dump(result)


# ch03-ex3 user-defined bridge

API = "docker run -d --name api --network course-net course/web:1.0"


def test_ex3_reference_passes(web: EngineSession) -> None:
    """course-net, api on it, client fetching http://api/ by name: all five points."""
    run(
        web,
        "docker network create course-net",
        API,
        "docker run --name client --network course-net busybox wget -qO- http://api/",
    )
    result = web.check("ch03-ex3")
    assert result.passed and result.score == 5, dump(result)


def test_ex3_client_on_default_bridge_cannot_resolve(web: EngineSession) -> None:
    # --dns 127.0.0.1 keeps the failing lookup on the machine (network rule)
    """A client on the default bridge cannot resolve api: it loses the attachment and the page, with the reason."""
    run(
        web,
        "docker network create course-net",
        API,
        "docker run --name client --dns 127.0.0.1 busybox wget -qO- http://api/ || true",
    )
    result = web.check("ch03-ex3")
    assert result.score == 3, dump(result)
    assert failed(result) == {"client is attached to course-net", "client's output holds the page served by api"}
    assert "--network course-net" in hints(result) and "did not resolve" in hints(result)


def test_ex3_fetch_by_ip_loses_the_name_part(web: EngineSession) -> None:
    """Fetching api by IP address loses only the by-name point."""
    run(web, "docker network create course-net", API)
    ip = run(web, """docker inspect -f '{{(index .NetworkSettings.Networks "course-net").IPAddress}}' api""")
    assert ip.count(".") == 3, ip
    run(web, f"docker run --name client --network course-net busybox wget -qO- http://{ip}/")
    result = web.check("ch03-ex3")
    assert result.score == 4 and "by IP address" in hints(result), dump(result)


def test_ex3_page_from_another_server_does_not_count(web: EngineSession) -> None:
    """A page served by another container does not count as api's."""
    run(
        web,
        "docker network create course-net",
        API,
        "docker run -d --name other --network course-net course/web:1.0",
        "docker run --name client --network course-net busybox wget -qO- http://other/",
    )
    result = web.check("ch03-ex3")
    assert result.score == 3, dump(result)
    assert "The page came from" in hints(result) and "by name" in hints(result)


def test_ex3_api_on_default_bridge_and_removed_client(web: EngineSession) -> None:
    """api off course-net and a client run with --rm: only the network point is left."""
    run(
        web,
        "docker network create course-net",
        "docker run -d --name api course/web:1.0",
        "docker run --rm --network course-net busybox true",
    )
    result = web.check("ch03-ex3")
    assert result.score == 1, dump(result)
    assert "--network course-net" in hints(result) and "without --rm" in hints(result)


def test_ex3_nothing_scores_zero(web: EngineSession) -> None:
    """A blank engine scores zero; the first hint creates the network."""
    result = web.check("ch03-ex3")
    assert result.score == 0 and "docker network create course-net" in hints(result), dump(result)


# ch03-ex4 host mode

REFERENCE_EX4 = "docker run -d --name host-web --network host busybox httpd -f -p 8081 -h /etc"


def test_ex4_reference_passes(engine: EngineSession) -> None:
    """httpd in the foreground with --network host: all three points."""
    run(engine, REFERENCE_EX4)
    result = engine.check("ch03-ex4")
    assert result.passed and result.score == 3, dump(result)


def test_ex4_published_port_is_not_host_mode(engine: EngineSession) -> None:
    """Publishing -p is not host mode: only the port point is left, with that hint."""
    run(engine, "docker run -d --name host-web -p 127.0.0.1:8081:8081 busybox httpd -f -p 8081 -h /etc")
    result = engine.check("ch03-ex4")
    assert result.score == 1, dump(result)
    assert "Publishing a port (-p) is not host mode" in hints(result) and "--network host" in hints(result)


def test_ex4_httpd_in_background_exits(engine: EngineSession) -> None:
    """httpd without -f exits: zero points, hints say it must run in the foreground."""
    run(engine, "docker run -d --name host-web --network host busybox httpd -p 8081 -h /etc", "sleep 1")
    result = engine.check("ch03-ex4")
    assert result.score == 0 and "must be running" in hints(result), dump(result)
    assert "foreground" in hints(result)


def test_ex4_no_server_on_8081_gets_partial_points(engine: EngineSession) -> None:
    """Host mode without a server: the mode and namespace points, not the HTTP one."""
    run(engine, "docker run -d --name host-web --network host busybox sleep 3600")
    result = engine.check("ch03-ex4")
    assert result.score == 2 and "Nothing serves port 8081" in hints(result), dump(result)


def test_ex4_port_served_by_another_host_network_container_is_not_host_webs(engine: EngineSession) -> None:
    """host-web in host mode without a server while another host-network container serves 8081: the port
    point is lost (the listening socket is not host-web's); the reference's socket is found as its own."""
    run(
        engine,
        "docker run -d --name other-web --network host busybox httpd -f -p 8081 -h /etc",
        "docker run -d --name host-web --network host busybox sleep 3600",
    )
    result = engine.check("ch03-ex4")
    assert result.score == 2 and "no process of host-web listens on 8081" in hints(result), dump(result)
    run(engine, "docker rm -f other-web host-web", REFERENCE_EX4)
    result = engine.check("ch03-ex4")
    assert result.passed and "the listening socket is host-web's" in result.parts[-1].found, dump(result)


# ch03-ex5 none mode


def test_ex5_reference_passes(engine: EngineSession) -> None:
    """--network none: only lo inside, both points."""
    run(engine, "docker run -d --name isolated --network none busybox sleep 3600")
    result = engine.check("ch03-ex5")
    assert result.passed and result.score == 2, dump(result)


def test_ex5_default_bridge_has_eth0(engine: EngineSession) -> None:
    """On the default bridge it has eth0: zero points with the reason."""
    run(engine, "docker run -d --name isolated busybox sleep 3600")
    result = engine.check("ch03-ex5")
    assert result.score == 0, dump(result)
    assert "bridge network" in hints(result) and "has eth0" in hints(result)


def test_ex5_exited_container_fails_as_not_running(engine: EngineSession) -> None:
    """An exited container fails as not running."""
    run(engine, "docker run --name isolated --network none busybox true")
    result = engine.check("ch03-ex5")
    assert result.score == 0 and "must be running" in hints(result), dump(result)


def test_ex5_missing_container_scores_zero(engine: EngineSession) -> None:
    """No container: zero points, the hint runs it with --network none."""
    result = engine.check("ch03-ex5")
    assert result.score == 0 and "--network none" in hints(result), dump(result)


# ch03-ex6 container mode


def test_ex6_reference_passes(web: EngineSession) -> None:
    """sidecar in api's network namespace sees api's page on 127.0.0.1: all three points."""
    run(
        web,
        "docker network create course-net",
        API,
        "docker run -d --name sidecar --network container:api busybox sleep 3600",
    )
    result = web.check("ch03-ex6")
    assert result.passed and result.score == 3, dump(result)


def test_ex6_own_namespace_scores_zero(web: EngineSession) -> None:
    """A sidecar with its own namespace: zero points, nothing serves port 80 inside it."""
    run(web, "docker network create course-net", API, "docker run -d --name sidecar busybox sleep 3600")
    result = web.check("ch03-ex6")
    assert result.score == 0, dump(result)
    assert "network namespace of its own" in hints(result) and "Nothing serves port 80" in hints(result)


def test_ex6_joined_another_container(web: EngineSession) -> None:
    """Joined another container: the hint names it, and another server answered."""
    run(
        web,
        "docker network create course-net",
        API,
        "docker run -d --name other course/web:1.0",
        "docker run -d --name sidecar --network container:other busybox sleep 3600",
    )
    result = web.check("ch03-ex6")
    assert result.score == 0, dump(result)
    assert "It joined other, not api" in hints(result) and "Another server answered" in hints(result)


def test_ex6_joined_an_earlier_api(web: EngineSession) -> None:
    """Joined an api that was then re-created: the joined one shows as removed."""
    run(
        web,
        "docker network create course-net",
        API,
        "docker run -d --name sidecar --network container:api busybox sleep 3600",
        "docker rm -f api",
        API,
    )
    result = web.check("ch03-ex6")
    assert result.score == 0, dump(result)
    assert "(removed)" in hints(result) and "joined an earlier api" in hints(result)


def test_ex6_api_that_serves_nothing_gets_partial_points(web: EngineSession) -> None:
    """The right namespace but an api that serves nothing: the mode and sharing points only."""
    run(
        web,
        "docker network create course-net",
        "docker run -d --name api --network course-net busybox sleep 3600",
        "docker run -d --name sidecar --network container:api busybox sleep 3600",
    )
    result = web.check("ch03-ex6")
    assert result.score == 2 and "Nothing serves port 80" in hints(result), dump(result)
