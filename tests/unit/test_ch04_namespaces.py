"""Chapter 04's pure logic: answer parsing, privilege, `ip addr` parsing, the sharing matrix,
and the namespace check types over recorded facts (no engine)."""

from __future__ import annotations

from typing import Any

import pytest

from grader.chapters import get
from grader.chapters.runner import _run_checks
from grader.checks.base import Context
from grader.checks.container_privilege import ContainerPrivilege, missing_capabilities
from grader.checks.namespace_answer import NamespaceAnswer, explain_difference, parse_namespace_names
from grader.checks.namespace_interfaces import interfaces_hint, listed_interfaces, stable_interfaces
from grader.checks.namespace_mode import NamespaceMode
from grader.checks.namespace_shared import NamespaceShared
from grader.checks.result import CheckResult, Part
from grader.facts.containers import ContainerFacts
from grader.facts.namespaces import NamespaceInodes
from grader.pictures.namespaces import matrix_html, matrix_text, sharing_matrix
from tests.unit.fakes import FakeFacts, declared

HOST = {"pid": 1, "net": 2, "ipc": 3, "mnt": 4, "uts": 5, "user": 6, "cgroup": 7, "time": 8}


def inodes(**changes: int) -> NamespaceInodes:
    return NamespaceInodes({**HOST, **changes})


def NamespaceFacts(ns: dict[str, NamespaceInodes], containers: dict[str, dict[str, Any]] | None = None) -> FakeFacts:
    """FakeFacts with recorded namespace inodes (every labelled container running)."""
    running = {name: container(name) for name in ns if name != "host"}
    return FakeFacts(containers={**running, **(containers or {})}, ns=ns)


def container(name: str, **host_config: Any) -> dict[str, Any]:
    return {"Id": f"{name}-id" * 4, "Name": f"/{name}", "HostConfig": host_config, "State": {"Running": True}}


def test_names_parse_from_sets_strings_and_inode_links() -> None:
    assert parse_namespace_names({"PID", "net"}) == {"pid", "net"}
    assert parse_namespace_names("pid, net ,ipc") == {"pid", "net", "ipc"}
    assert parse_namespace_names("{'mnt', 'uts'}") == {"mnt", "uts"}
    assert parse_namespace_names(["net:[4026532718]", "/proc/1/ns/ipc", "network"]) == {"net", "ipc"}
    assert parse_namespace_names("") == set()
    with pytest.raises(ValueError, match="'docker' is not a namespace name"):
        parse_namespace_names(["pid", "docker"])
    with pytest.raises(ValueError, match="expected a set"):
        parse_namespace_names(42)


def test_difference_names_each_wrong_namespace_and_why() -> None:
    text = explain_difference({"pid", "user", "time"}, {"pid", "net"})
    assert "user is shared" in text and "userns-remap" in text
    assert "Docker does not create a time namespace" in text and "net is not shared" in text


def test_answer_check_against_recorded_inodes() -> None:
    facts = NamespaceFacts({"host": inodes(), "ns-demo": inodes(pid=11, net=12, ipc=13, mnt=14, uts=15)})
    check = NamespaceAnswer(answer="a", name="ns-demo")
    truth = {"pid", "net", "ipc", "mnt", "uts"}
    assert check.run(Context(facts, {"a": truth})).passed
    part = check.run(Context(facts, {"a": truth | {"cgroup"}}))
    assert not part.passed and "cgroup v1" in part.hint
    flag = NamespaceAnswer(answer="b", name="ns-demo", namespace="user")
    assert flag.run(Context(facts, {"b": "true"})).passed
    remapped = NamespaceFacts({"host": inodes(), "ns-demo": inodes(user=99)})
    assert flag.run(Context(remapped, {"b": False})).passed
    assert not flag.run(Context(remapped, {"b": True})).passed


def test_shared_check_compares_with_host_or_another_container() -> None:
    facts = NamespaceFacts({"host": inodes(), "a": inodes(ipc=30), "b": inodes(ipc=30), "c": inodes(ipc=31)})
    assert NamespaceShared(name="b", namespace="ipc", other="a").run(Context(facts)).passed
    part = NamespaceShared(name="c", namespace="ipc", other="a").run(Context(facts))
    assert not part.passed and "own ipc namespace" in part.hint
    assert NamespaceShared(name="a", namespace="ipc", shared=False).run(Context(facts)).passed
    assert NamespaceShared(name="a", namespace="pid").run(Context(facts)).passed


def test_mode_check_shows_the_joined_container_by_name() -> None:
    facts = FakeFacts(
        containers={
            "ipc-a": container("ipc-a", IpcMode="shareable"),
            "ipc-c": container("ipc-c", IpcMode="shareable"),
            "ipc-c-id" * 4: container("ipc-c", IpcMode="shareable"),
            "ipc-b": container("ipc-b", IpcMode="container:" + "ipc-c-id" * 4),
            "pid-host": container("pid-host"),
        }
    )
    part = NamespaceMode(name="ipc-b", namespace="ipc", mode="container:ipc-a").run(Context(facts))
    assert not part.passed and part.found == "--ipc container:ipc-c" and "wrong container" in part.hint
    part = NamespaceMode(name="pid-host", namespace="pid", mode="host").run(Context(facts))
    assert not part.passed and "--pid host was forgotten" in part.hint


def test_privilege_accepts_privileged_caps_or_all_but_one() -> None:
    needed = ("SYS_ADMIN", "SYS_PTRACE")

    def facts(**hc: Any) -> ContainerFacts:
        return ContainerFacts({"HostConfig": hc})

    assert missing_capabilities(facts(Privileged=True), needed) == []
    assert missing_capabilities(facts(CapAdd=["CAP_SYS_ADMIN", "sys_ptrace"]), needed) == []
    assert missing_capabilities(facts(CapAdd=["ALL"], CapDrop=["SYS_RESOURCE"]), needed) == []
    assert missing_capabilities(facts(CapAdd=["ALL"], CapDrop=["SYS_PTRACE"]), needed) == ["SYS_PTRACE"]
    assert missing_capabilities(facts(CapAdd=["SYS_ADMIN"]), needed) == ["SYS_PTRACE"]


IP_ADDR = """1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue qlen 1000
    inet 127.0.0.1/8 scope host lo
2: docker0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue
4: veth73fade1@if3: <BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue master docker0
43: eth0@if44: <BROADCAST,MULTICAST,UP,LOWER_UP,M-DOWN> mtu 1500 qdisc noqueue
"""


def test_ip_addr_output_parses_and_veths_are_not_stable() -> None:
    names = listed_interfaces(IP_ADDR)
    assert names == ["lo", "docker0", "veth73fade1", "eth0"]
    assert stable_interfaces(names) == ["lo", "docker0", "eth0"]


def test_interfaces_hint_names_the_mistake() -> None:
    truth = ["lo", "docker0", "eth0"]
    assert "--pid host forgotten" in interfaces_hint(["lo", "eth0"], truth, "", "default")
    refused = "nsenter: can't open '/proc/1/ns/net': Permission denied"
    assert "needs" not in interfaces_hint([], truth, refused, "default")
    assert "lab" in interfaces_hint([], truth, refused, "default")
    assert "--network host" in interfaces_hint(truth, truth, IP_ADDR, "host")


# busybox nsenter's errors, recorded on the course's lab (Docker 26, AppArmor off) for
# `docker run --rm --pid host [caps] busybox nsenter -n -t 1 ip addr`
REFUSED_NO_CAPS = "nsenter: can't open '/proc/1/ns/net': Permission denied"  # also with SYS_ADMIN alone
REFUSED_PTRACE_ONLY = "nsenter: setns(): can't reassociate to namespace 'net': Operation not permitted"
# util-linux's wording of the open refusal (the text an AppArmor host gives with both capabilities)
REFUSED_UTIL_LINUX = "nsenter: cannot open /proc/1/ns/net: Permission denied"


def test_refusal_hint_follows_the_recorded_errors_and_the_missing_capabilities() -> None:
    truth = ["lo", "docker0", "eth0"]

    def hint(output: str, missing: list[str]) -> str:
        return interfaces_hint([], truth, output, "default", missing)

    assert "SYS_PTRACE" in hint(REFUSED_NO_CAPS, ["SYS_ADMIN", "SYS_PTRACE"])
    assert "SYS_PTRACE" in hint(REFUSED_NO_CAPS, ["SYS_PTRACE"])
    assert "setns() needs --cap-add SYS_ADMIN" in hint(REFUSED_PTRACE_ONLY, ["SYS_ADMIN"])
    # both capabilities and still refused: AppArmor's docker-default profile, or a protected PID 1
    for output in (REFUSED_NO_CAPS, REFUSED_UTIL_LINUX):
        both = hint(output, [])
        assert "--security-opt apparmor=unconfined" in both and "lab" in both, both
        assert "apparmor" not in hint(output, ["SYS_PTRACE"]).lower()
    assert "must be nsenter -n -t 1 ip addr" in hint("ip: applet not found", [])


def test_matrix_marks_host_container_and_own_cells_and_escapes_names() -> None:
    ns = {
        "host": inodes(),
        "ipc-a": inodes(pid=10, ipc=30),
        "<b>": inodes(pid=11, ipc=30),
        "pid-host": inodes(ipc=40),
    }
    matrix = sharing_matrix(ns)
    assert matrix["ipc-a"]["ipc"].state == "shared" and matrix["ipc-a"]["ipc"].partners == ("<b>",)
    assert matrix["pid-host"]["pid"].state == "host" and matrix["pid-host"]["ipc"].state == "own"
    page = matrix_html(matrix)
    assert "<b>" not in page and "&lt;b&gt;" in page and page.count("ns-shared") == 2
    assert "= ipc-a" in matrix_text(matrix)


def test_privilege_hint_is_the_chapters_and_the_type_names_only_the_capabilities() -> None:
    """Why nsenter needs SYS_ADMIN and SYS_PTRACE is chapter 04's text; the type names the flags."""
    facts = FakeFacts(containers={"nsenter-demo": container("nsenter-demo", CapAdd=["SYS_ADMIN"])})
    part = declared("ch04-ex5", ContainerPrivilege).run(Context(facts))
    assert not part.passed and "missing SYS_PTRACE" in part.found and "nsenter needs CAP_SYS_ADMIN" in part.hint
    generic = ContainerPrivilege(name="nsenter-demo", capabilities=("SYS_ADMIN", "SYS_PTRACE")).run(Context(facts))
    assert "nsenter" not in generic.hint and "--cap-add SYS_ADMIN --cap-add SYS_PTRACE" in generic.hint


# ch04-ex1: the answer compared with the real inodes of whatever ns-demo runs (CURRICULUM's contract) -----------

DEFAULT = inodes(pid=11, net=12, ipc=13, mnt=14, uts=15)  # docker run -d --name ns-demo busybox sleep 3600
HOST_NET = inodes(pid=11, ipc=13, mnt=14, uts=15)  # the same with --network host: the engine host's net
UNSHARED = {"pid", "net", "ipc", "mnt", "uts"}


def ex1(demo: NamespaceInodes | None, answer: Any, **host_config: Any) -> CheckResult:
    """ch04-ex1 over recorded facts: ns-demo (if given) running with ``demo``'s inodes and ``host_config``."""
    ns = {"host": inodes()}
    containers = {}
    if demo is not None:
        ns["ns-demo"] = demo
        containers = {name: container("ns-demo", **host_config) for name in ("ns-demo", "ns-demo-id" * 4)}
    result = CheckResult("ch04-ex1", "")
    _run_checks(
        get("ch04-ex1"), Context(FakeFacts(containers=containers, ns=ns), {"unshared_namespaces": answer}), result
    )
    return result


def failed(result: CheckResult) -> dict[str, Part]:
    return {p.name: p for p in result.parts if not p.passed}


def test_ex1_is_v1s_criteria_worth_4_points() -> None:
    """ns-demo running (1) and the answer (3): nothing else, so an outside suite's plain ns-demo gets full marks."""
    exercise = get("ch04-ex1")
    assert [(c.kind, c.points) for c in exercise.checks] == [("container state", 1), ("namespace answer", 3)]
    assert exercise.max_score == 4 and exercise.version == 3


def test_ex1_default_ns_demo_answered_truthfully_passes() -> None:
    result = ex1(DEFAULT, UNSHARED)
    assert result.passed and result.score == result.max_score == 4, failed(result)


def test_ex1_host_network_ns_demo_answered_without_net_passes_and_with_net_fails() -> None:
    """The exercise's setup: --network host leaves net out of the truth; the default container's set fails."""
    result = ex1(HOST_NET, UNSHARED - {"net"}, NetworkMode="host")
    assert result.passed and result.score == 4, failed(result)
    copied = ex1(HOST_NET, UNSHARED, NetworkMode="host")
    part = failed(copied)["unshared_namespaces is the set of namespaces ns-demo does not share with the engine host"]
    assert copied.score == 1 and not copied.passed
    assert part.expected == "unshared_namespaces = {'ipc', 'mnt', 'pid', 'uts'}"
    assert "net is shared with the engine host here" in part.hint and "from the inodes" in part.hint


def test_ex1_wrong_set_for_a_default_ns_demo_fails_with_its_hint() -> None:
    result = ex1(DEFAULT, UNSHARED - {"net"} | {"user"})
    (part,) = failed(result).values()
    assert result.score == 1 and "net is not shared" in part.hint and "userns-remap" in part.hint, part


def test_ex1_without_ns_demo_fails_and_says_how_to_run_it() -> None:
    result = ex1(None, UNSHARED)
    parts = failed(result)
    assert result.score == 0 and len(parts) == 2, parts
    assert all("docker run -d --name ns-demo" in p.hint for p in parts.values()), parts
