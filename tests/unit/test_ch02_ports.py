"""Chapter 02 check logic over recorded inspect data (no engine): IPv4 + IPv6 bindings, random vs
fixed host ports, swapped ports, Docker's conflict texts, and the port-map picture's escaping."""

from __future__ import annotations

from typing import Any

from grader.checks.base import Context
from grader.checks.port_answers import PublishedPortAnswers, probe_address, probe_targets
from grader.checks.port_conflict import PortConflictAnswer, parse_conflict
from grader.checks.port_published import PortPublished
from grader.facts.containers import ContainerFacts, PortBinding
from grader.facts.inventory import PublishedPorts
from grader.facts.networks import HttpAnswer
from grader.pictures.ports import port_map_html, port_rows
from tests.unit.fakes import FakeFacts

DOCKER_20 = (
    "docker: Error response from daemon: driver failed programming external connectivity on endpoint "
    "web-second (b115abcd5827f9261f6912d70a779709eade982fe95e6142f504568ab2571219): Bind for 0.0.0.0:8000 "
    "failed: port is already allocated."
)
DOCKER_28 = (
    "docker: Error response from daemon: failed to set up container networking: driver failed programming "
    "external connectivity on endpoint web-second (0d1e): Bind for [::]:8000 failed: port is already allocated"
)
KERNEL = "Error starting userland proxy: listen tcp4 0.0.0.0:8000: bind: address already in use"


def container(
    ports: dict[str, Any], requested: dict[str, Any] | None = None, publish_all: bool = False, **state: Any
) -> dict[str, Any]:
    """Recorded inspect data of a running course/web container."""
    return {
        "Id": "c0ffee" * 10,
        "Name": "/web",
        "Image": "sha256:" + "ab" * 32,
        "State": {"Status": "running", "Running": True, **state},
        "Config": {"Hostname": "c0ffeec0ffee", "ExposedPorts": {"80/tcp": {}, "81/tcp": {}}, "Image": "course/web:1.0"},
        "HostConfig": {"PortBindings": requested or {}, "PublishAllPorts": publish_all},
        "NetworkSettings": {"Ports": ports},
    }


def bind(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"HostIp": ip, "HostPort": port} for ip, port in pairs]


def PortFacts(web: dict[str, Any], answers: dict[tuple[str, int], HttpAnswer] | None = None, **kw: Any) -> FakeFacts:
    """Recorded facts with the container ``web`` plus recorded HTTP answers keyed by (address, port)."""
    return FakeFacts(containers={"web": web, **kw.pop("containers", {})}, answers=dict(answers or {}), **kw)


def outcome(check: Any, web: dict[str, Any], **kw: Any) -> Any:
    return check.evaluate(Context(PortFacts(web, **kw)))


DUAL_STACK = container(
    {"80/tcp": bind(("0.0.0.0", "49153"), ("::", "49154")), "81/tcp": None},
    {"80/tcp": bind(("", ""))},
)


def test_ipv4_and_ipv6_bindings_with_different_random_ports_count_once() -> None:
    check = PortPublished(name="web", container_ports=[80], host_port=0, publish_all=False, only=True)
    assert outcome(check, DUAL_STACK).passed


def test_all_interfaces_where_loopback_asked_names_the_flag() -> None:
    check = PortPublished(name="web", host_ip="127.0.0.1", flag="-p 127.0.0.1::80")
    result = outcome(check, DUAL_STACK)
    assert not result.passed and "all interfaces" in result.hint and "-p 127.0.0.1::80" in result.hint


def test_lan_address_is_a_host_address_to_bind_on() -> None:
    web = container({"80/tcp": bind(("192.168.0.100", "8001"))}, {"80/tcp": bind(("192.168.0.100", "8001"))})
    result = outcome(PortPublished(name="web", host_ip="127.0.0.1"), web)
    assert not result.passed and "host address" in result.hint and "192.168.0.100" in result.hint


def test_swapped_ports_and_expose_only() -> None:
    swapped = container({"8000/tcp": bind(("0.0.0.0", "80")), "80/tcp": None}, {"8000/tcp": bind(("", "80"))})
    result = outcome(PortPublished(name="web", host_port=8000), swapped)
    assert "swapped" in result.hint and "-p 8000:80" in result.hint
    exposed_only = container({"80/tcp": None, "81/tcp": None})
    assert "only EXPOSEd" in outcome(PortPublished(name="web", host_port=8000), exposed_only).hint


def test_publish_all_is_random_and_fixed_request_is_not() -> None:
    dash_p = container({"80/tcp": bind(("0.0.0.0", "32768")), "81/tcp": bind(("0.0.0.0", "32769"))}, publish_all=True)
    assert outcome(PortPublished(name="web", container_ports=[80, 81], host_port=0, publish_all=True), dash_p).passed
    chosen = container({"80/tcp": bind(("0.0.0.0", "32768"))}, {"80/tcp": bind(("", "32768"))})
    result = outcome(PortPublished(name="web", host_port=0), chosen)
    assert not result.passed and "You chose host port 32768" in result.hint


def test_created_leftover_hint() -> None:
    web = container({}, {"80/tcp": bind(("", "8000"))}, Status="created", Running=False)
    result = outcome(PortPublished(name="web", host_port=8002), web)
    assert not result.passed and "docker rm web" in result.hint and "Created" in result.hint


def test_probe_targets_use_loopback_only() -> None:
    bindings = [
        PortBinding(80, "tcp", "::", 49154),
        PortBinding(80, "tcp", "0.0.0.0", 49153),
        PortBinding(80, "tcp", "10.0.0.5", 8080),
    ]
    targets, skipped = probe_targets(bindings)
    assert targets == [("127.0.0.1", 49153), ("::1", 49154)]
    assert skipped == ["10.0.0.5:8080->80/tcp"]
    assert probe_address("127.0.0.1") == "127.0.0.1" and probe_address("192.168.0.100") is None


def test_answer_from_ipv6_binding_is_enough_and_page_must_be_this_containers() -> None:
    check = PublishedPortAnswers(name="web", contains="course web")
    page = "<h1>course web</h1><p>served by c0ffeec0ffee</p>"
    ipv6_only = {("::1", 49154): HttpAnswer("http://[::1]:49154/", 200, page, "")}
    assert outcome(check, DUAL_STACK, answers=ipv6_only).passed
    other = {("127.0.0.1", 49153): HttpAnswer("http://127.0.0.1:49153/", 200, "course web by 123", "")}
    result = outcome(check, DUAL_STACK, answers=other)
    assert not result.passed and "not this container's" in result.hint
    assert "listen on 0.0.0.0" in outcome(check, DUAL_STACK).hint


def test_conflict_texts_of_docker_versions() -> None:
    assert parse_conflict(DOCKER_20) == (8000, "web-second")
    assert parse_conflict(DOCKER_28) == (8000, "web-second")
    assert parse_conflict(KERNEL) == (8000, "")
    assert parse_conflict('Conflict. The container name "/web-second" is already in use') is None


def test_conflict_answer_must_match_the_port_the_holder_holds() -> None:
    holder = container({"80/tcp": bind(("0.0.0.0", "8000"))}, {"80/tcp": bind(("", "8000"))})
    check = PortConflictAnswer(
        answer="conflict_error",
        container="web-second",
        holder="web",
        host_port=8000,
        failing_run="docker run -d --name web-second -p 8000:80 course/web:1.0",
    )
    facts = PortFacts(holder)
    assert check.evaluate(Context(facts, {"conflict_error": [DOCKER_20, "See docker run --help"]})).passed
    moved = container({"80/tcp": bind(("0.0.0.0", "8005"))}, {"80/tcp": bind(("", "8005"))})
    stale = check.evaluate(Context(PortFacts(moved), {"conflict_error": DOCKER_20}))
    assert not stale.passed and "no longer matches" in stale.hint
    other = check.evaluate(Context(facts, {"conflict_error": DOCKER_20.replace("web-second", "web-third")}))
    assert not other.passed and "web-third" in other.hint
    unset = check.evaluate(Context(facts, {}))
    assert "`out = !docker run -d --name web-second -p 8000:80 course/web:1.0 2>&1`" in unset.hint


def test_dash_capital_p_hint_names_the_ports_the_image_exposes() -> None:
    """The "-P publishes every EXPOSEd port (here ...)" hint reads the container's exposed ports."""
    all_ports = container({"80/tcp": bind(("0.0.0.0", "49153")), "81/tcp": bind(("0.0.0.0", "49154"))})
    all_ports["HostConfig"]["PublishAllPorts"] = True
    all_ports["Config"] = {"ExposedPorts": {"80/tcp": {}, "81/tcp": {}}}
    check = PortPublished(name="web", host_port=0, publish_all=False, only=True)
    assert "every EXPOSEd port (here 80 and 81) to random" in outcome(check, all_ports).hint
    all_ports["Config"] = {"ExposedPorts": {"80/tcp": {}}}
    assert "every EXPOSEd port (here 80) to random" in outcome(check, all_ports).hint
    all_ports["Config"] = {}
    assert "every EXPOSEd port to random" in outcome(check, all_ports).hint


def test_port_picture_escapes_and_lists_every_binding() -> None:
    evil = container({"80/tcp": bind(("0.0.0.0", "8000"), ("::", "8000")), "81/tcp": None})
    evil["Name"] = "/<script>x</script>"
    rows = port_rows([PublishedPorts.of(ContainerFacts(evil))])
    assert [(r.host, r.target) for r in rows[0].bindings] == [("0.0.0.0:8000", "80/tcp"), ("[::]:8000", "80/tcp")]
    assert rows[0].unpublished == ["81/tcp"]
    html = port_map_html(rows)
    assert "<script>" not in html and "&lt;script&gt;" in html and "<svg" in html
