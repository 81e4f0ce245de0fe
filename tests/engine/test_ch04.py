"""ch04-ex1..ex6 against the real engine: the reference answer passes with full points,
wrong answers fail with the hint that names the mistake, partial answers get partial points."""

from __future__ import annotations

import pytest

from tests.checks_support import hints
from tests.checks_support import run as run_in_lab
from tests.support import EngineSession, dump

pytestmark = pytest.mark.engine

SLEEP = "busybox sleep 3600"
NSENTER_CAPS = "--cap-add SYS_ADMIN --cap-add SYS_PTRACE"


def run(engine: EngineSession, *commands: str) -> str:
    """The learner's commands; the ones that may fail by design (a refused nsenter, a namespace
    that cannot be joined) may."""
    return run_in_lab(engine, *commands, may_fail=("--name nsenter-demo", "--name ipc-b"))


def unshared_truth(engine: EngineSession, name: str) -> set[str]:
    """The truth computed as a learner would: /proc/PID/ns of the container vs dockerd's."""
    script = (
        f"c=$(docker inspect -f '{{{{.State.Pid}}}}' {name}); h=$(pidof dockerd); "
        "for ns in pid net ipc mnt uts user cgroup time; do "
        '[ "$(readlink /proc/$c/ns/$ns)" != "$(readlink /proc/$h/ns/$ns)" ] && echo $ns; done; true'
    )
    return set(engine.sh(script).output.split())


# ch04-ex1 -------------------------------------------------------------------------------


def test_ex1_computed_answer_passes_and_is_the_five_on_this_host(engine: EngineSession) -> None:
    """A plain ns-demo (CURRICULUM's contract): the set computed from /proc/PID/ns is pid, net, ipc, mnt, uts (not
    user) here and passes with full marks, as a set and as the CLI's string in any case."""
    run(engine, f"docker run -d --name ns-demo {SLEEP}")
    truth = unshared_truth(engine, "ns-demo")
    assert {"pid", "net", "ipc", "mnt", "uts"} <= truth and "user" not in truth
    result = engine.check("ch04-ex1", unshared_namespaces=truth)
    assert result.passed and result.score == result.max_score == 4, dump(result)
    # the CLI form: a comma-separated string, any case and spacing
    assert engine.check("ch04-ex1", unshared_namespaces=" , ".join(sorted(truth)).upper()).passed


def test_ex1_host_network_ns_demo_passes_without_net_and_no_ns_demo_fails(engine: EngineSession) -> None:
    """The exercise's setup: ns-demo with --network host shares net, so the truth lacks it and passes; the default
    container's set fails naming net; with ns-demo gone both parts fail with the run hint."""
    run(engine, f"docker run -d --name ns-demo --network host {SLEEP}")
    truth = unshared_truth(engine, "ns-demo")
    assert "net" not in truth and {"pid", "ipc", "mnt", "uts"} <= truth
    result = engine.check("ch04-ex1", unshared_namespaces=truth)
    assert result.passed and result.score == 4, dump(result)
    result = engine.check("ch04-ex1", unshared_namespaces=truth | {"net"})
    assert result.score == 1 and "net is shared with the engine host here" in hints(result), dump(result)
    run(engine, "docker rm -f ns-demo")
    result = engine.check("ch04-ex1", unshared_namespaces=truth)
    assert result.score == 0 and not result.passed and "docker run -d --name ns-demo" in hints(result), dump(result)


def test_ex1_user_listed_as_unshared_fails_with_userns_hint(engine: EngineSession) -> None:
    """Listing user as unshared fails with why it is shared by default."""
    run(engine, f"docker run -d --name ns-demo {SLEEP}")
    answer = unshared_truth(engine, "ns-demo") | {"user"}
    result = engine.check("ch04-ex1", unshared_namespaces=answer)
    assert result.score == 1 and "user namespace is shared by default" in hints(result), dump(result)


def test_ex1_all_eight_typed_fails_with_typed_answer_hint(engine: EngineSession) -> None:
    """All eight names typed in fails, naming the time namespace Docker does not create."""
    run(engine, f"docker run -d --name ns-demo {SLEEP}")
    eight = {"pid", "net", "ipc", "mnt", "uts", "user", "cgroup", "time"}
    result = engine.check("ch04-ex1", unshared_namespaces=eight)
    assert result.score == 1, dump(result)
    assert "typed from another engine" in hints(result) and "time namespace" in hints(result)


def test_ex1_missing_namespace_and_bad_names_fail(engine: EngineSession) -> None:
    """A missing name, a word that is no namespace and no answer each fail with their own hint."""
    run(engine, f"docker run -d --name ns-demo {SLEEP}")
    truth = unshared_truth(engine, "ns-demo")
    result = engine.check("ch04-ex1", unshared_namespaces=truth - {"mnt"})
    assert result.score == 1 and "mnt is not shared" in hints(result), dump(result)
    result = engine.check("ch04-ex1", unshared_namespaces={"pid", "docker"})
    assert result.score == 1 and "'docker' is not a namespace name" in hints(result), dump(result)
    result = engine.check("ch04-ex1")
    assert result.score == 1 and "Set unshared_namespaces" in hints(result), dump(result)


def test_ex1_stopped_container_scores_zero_with_run_hint(engine: EngineSession) -> None:
    """A stopped ns-demo has no namespaces to compare: zero points, the run hint."""
    run(engine, "docker run --name ns-demo busybox true")
    result = engine.check("ch04-ex1", unshared_namespaces={"pid", "net", "ipc", "mnt", "uts"})
    assert result.score == 0 and "docker run -d --name ns-demo" in hints(result), dump(result)


# ch04-ex2 -------------------------------------------------------------------------------


def test_ex2_reference_passes(engine: EngineSession) -> None:
    """--hostname course-box with its own UTS namespace: all four points."""
    run(engine, f"docker run -d --name named --hostname course-box {SLEEP}")
    result = engine.check("ch04-ex2")
    assert result.passed and result.score == 4, dump(result)


def test_ex2_default_hostname_fails_on_hostname_only(engine: EngineSession) -> None:
    """The default hostname loses only the hostname part."""
    run(engine, f"docker run -d --name named {SLEEP}")
    result = engine.check("ch04-ex2")
    assert result.score == 2 and "--hostname course-box" in hints(result), dump(result)


def test_ex2_host_uts_fails_on_both_uts_parts(engine: EngineSession) -> None:
    """--uts host shares the host's UTS namespace: both UTS parts fail."""
    run(engine, f"docker run -d --name named --uts host {SLEEP}")
    result = engine.check("ch04-ex2")
    assert result.score == 1 and "--uts host" in hints(result), dump(result)


def test_ex2_hostname_set_afterwards_in_the_wrong_container_fails(engine: EngineSession) -> None:
    """course-box given to another container does not count for named."""
    run(engine, f"docker run -d --name other --hostname course-box {SLEEP}", f"docker run -d --name named {SLEEP}")
    result = engine.check("ch04-ex2")
    assert result.score == 2 and "hostname" in hints(result), dump(result)


def test_ex2_missing_container_scores_zero(engine: EngineSession) -> None:
    """No container: zero points, the run hint names --hostname course-box."""
    result = engine.check("ch04-ex2")
    assert result.score == 0 and "--hostname course-box" in hints(result), dump(result)


# ch04-ex3 -------------------------------------------------------------------------------


def test_ex3_reference_passes(engine: EngineSession) -> None:
    """--pid host: the mode and the shared PID namespace, all three points."""
    run(engine, f"docker run -d --name pid-host --pid host {SLEEP}")
    result = engine.check("ch04-ex3")
    assert result.passed and result.score == 3, dump(result)


def test_ex3_pid_host_forgotten(engine: EngineSession) -> None:
    """Without --pid host: only the running point, the hint names the flag."""
    run(engine, f"docker run -d --name pid-host {SLEEP}")
    result = engine.check("ch04-ex3")
    assert result.score == 1 and "--pid host forgotten" in hints(result), dump(result)


def test_ex3_pid_of_another_container_is_not_the_host(engine: EngineSession) -> None:
    """--pid container:ns-demo is shown by name and is not the host's namespace."""
    run(
        engine,
        f"docker run -d --name ns-demo {SLEEP}",
        f"docker run -d --name pid-host --pid container:ns-demo {SLEEP}",
    )
    result = engine.check("ch04-ex3")
    assert result.score == 1 and "container:ns-demo" in hints(result), dump(result)


def test_ex3_exited_container_keeps_only_the_mode_point(engine: EngineSession) -> None:
    """An exited container keeps the configured mode point only."""
    run(engine, "docker run --name pid-host --pid host busybox true")
    result = engine.check("ch04-ex3")
    assert result.score == 1 and "not running" in hints(result), dump(result)


# ch04-ex4 -------------------------------------------------------------------------------


def test_ex4_reference_passes(engine: EngineSession) -> None:
    """ipc-a shareable and ipc-b joining it: all four points."""
    run(
        engine,
        f"docker run -d --name ipc-a --ipc shareable {SLEEP}",
        f"docker run -d --name ipc-b --ipc container:ipc-a {SLEEP}",
    )
    result = engine.check("ch04-ex4")
    assert result.passed and result.score == 4, dump(result)


def test_ex4_shared_with_the_wrong_container(engine: EngineSession) -> None:
    """ipc-b joining another shareable container is named as the wrong one."""
    run(
        engine,
        f"docker run -d --name ipc-a --ipc shareable {SLEEP}",
        f"docker run -d --name ipc-c --ipc shareable {SLEEP}",
        f"docker run -d --name ipc-b --ipc container:ipc-c {SLEEP}",
    )
    result = engine.check("ch04-ex4")
    assert result.score == 2, dump(result)
    assert "namespace of ipc-c, the wrong container" in hints(result), dump(result)


def test_ex4_donor_not_shareable_leaves_ipc_b_created(engine: EngineSession) -> None:
    """A private ipc-a cannot be joined (ipc-b stays Created): the hint asks for --ipc shareable."""
    run(engine, f"docker run -d --name ipc-a {SLEEP}", f"docker run -d --name ipc-b --ipc container:ipc-a {SLEEP}")
    result = engine.check("ch04-ex4")
    assert result.score == 2 and "--ipc shareable" in hints(result), dump(result)


def test_ex4_no_sharing_at_all(engine: EngineSession) -> None:
    """ipc-b with its own IPC namespace: the sharing parts fail."""
    run(engine, f"docker run -d --name ipc-a --ipc shareable {SLEEP}", f"docker run -d --name ipc-b {SLEEP}")
    result = engine.check("ch04-ex4")
    assert result.score == 2 and "wrong container (or none)" in hints(result), dump(result)


def test_ex4_host_ipc_shared_fails_on_mode_and_host(engine: EngineSession) -> None:
    """ipc-a in the host's IPC namespace fails on its mode and on not having its own."""
    run(
        engine,
        f"docker run -d --name ipc-a --ipc host {SLEEP}",
        f"docker run -d --name ipc-b --ipc container:ipc-a {SLEEP}",
    )
    result = engine.check("ch04-ex4")
    assert result.score == 2 and "engine host's IPC namespace" in hints(result), dump(result)


# ch04-ex5 -------------------------------------------------------------------------------

NSENTER = "nsenter -n -t 1 ip addr"


def test_ex5_capability_form_passes(engine: EngineSession) -> None:
    """--pid host with the two capabilities lists the host's interfaces: all five points."""
    run(engine, f"docker run --name nsenter-demo --pid host {NSENTER_CAPS} busybox {NSENTER}")
    result = engine.check("ch04-ex5")
    assert result.passed and result.score == 5, dump(result)


def test_ex5_all_but_one_capability_passes(engine: EngineSession) -> None:
    """All capabilities but the one our VMs withhold grant what nsenter needs, in either spelling:
    Docker 20.10 takes `--cap-add ALL --cap-drop SYS_RESOURCE`; Docker 23+ refuses to drop a
    capability it cannot grant ("invalid CapDrop") and gives all it can with `--cap-add ALL`."""
    command = f"docker run --name nsenter-demo --pid host --cap-add ALL --cap-drop SYS_RESOURCE busybox {NSENTER}"
    ran = engine.sh(command)
    if not ran.ok:
        assert "invalid CapDrop" in ran.output, ran.output
        run(engine, f"docker run --name nsenter-demo --pid host --cap-add ALL busybox {NSENTER}")
    result = engine.check("ch04-ex5")
    assert result.passed, dump(result)


def test_ex5_pid_host_forgotten_shows_own_interfaces(engine: EngineSession) -> None:
    """Without --pid host nsenter enters the container's own namespace: the hint says so."""
    run(engine, f"docker run --name nsenter-demo {NSENTER_CAPS} busybox {NSENTER}")
    result = engine.check("ch04-ex5")
    assert result.score == 2, dump(result)
    assert "--pid host forgotten" in hints(result) and "container's own interfaces" in hints(result)


def test_ex5_no_capabilities_is_refused(engine: EngineSession) -> None:
    """Without capabilities nsenter cannot open the namespace: the hint names both capabilities, SYS_PTRACE first."""
    run(engine, f"docker run --name nsenter-demo --pid host busybox {NSENTER}")
    result = engine.check("ch04-ex5")
    assert result.score == 1, dump(result)
    said = hints(result)
    assert "could not open /proc/1/ns/net" in said, said
    assert "--cap-add SYS_PTRACE (and entering them --cap-add SYS_ADMIN)" in said, said


def test_ex5_only_sys_admin_misses_sys_ptrace(engine: EngineSession) -> None:
    """SYS_ADMIN alone: the privilege part names the missing SYS_PTRACE."""
    run(engine, f"docker run --name nsenter-demo --pid host --cap-add SYS_ADMIN busybox {NSENTER}")
    result = engine.check("ch04-ex5")
    assert result.score == 1 and "missing SYS_PTRACE" in hints(result), dump(result)


def test_ex5_host_network_without_nsenter_gets_no_output_credit(engine: EngineSession) -> None:
    """--network host and a plain ip addr print the host's interfaces without nsenter: no output credit."""
    run(engine, f"docker run --name nsenter-demo --pid host --network host {NSENTER_CAPS} busybox ip addr")
    result = engine.check("ch04-ex5")
    assert result.score == 3 and "--network host" in hints(result), dump(result)


def test_ex5_removed_with_rm_scores_zero(engine: EngineSession) -> None:
    """Run with --rm nothing is left to check: zero points, the hint says without --rm."""
    run(engine, f"docker run --rm --name nsenter-demo --pid host {NSENTER_CAPS} busybox {NSENTER}")
    result = engine.check("ch04-ex5")
    assert result.score == 0 and "without --rm" in hints(result), dump(result)


# ch04-ex6 -------------------------------------------------------------------------------


def shares_user_truth(engine: EngineSession) -> bool:
    ran = engine.sh(
        "c=$(docker inspect -f '{{.State.Pid}}' userns-demo); "
        '[ "$(readlink /proc/$c/ns/user)" = "$(readlink /proc/$(pidof dockerd)/ns/user)" ] && echo yes || echo no'
    )
    return ran.output.strip() == "yes"


def test_ex6_computed_answer_passes(engine: EngineSession) -> None:
    """The answer computed from the inodes (True here, no userns-remap) passes, as a bool and as the CLI's string."""
    run(engine, f"docker run -d --name userns-demo {SLEEP}")
    truth = shares_user_truth(engine)
    assert truth is True  # no userns-remap in the lab: the article's claim is wrong here
    result = engine.check("ch04-ex6", shares_host_user_namespace=truth)
    assert result.passed and result.score == 3, dump(result)
    assert engine.check("ch04-ex6", shares_host_user_namespace="TRUE").passed


def test_ex6_article_answer_fails_with_userns_hint(engine: EngineSession) -> None:
    """The article's False fails with why the user namespace is shared."""
    run(engine, f"docker run -d --name userns-demo {SLEEP}")
    result = engine.check("ch04-ex6", shares_host_user_namespace=False)
    assert result.score == 1 and "shared by default" in hints(result), dump(result)


def test_ex6_not_a_boolean_and_no_answer_fail(engine: EngineSession) -> None:
    """A non-boolean and no answer each fail with their own hint."""
    run(engine, f"docker run -d --name userns-demo {SLEEP}")
    result = engine.check("ch04-ex6", shares_host_user_namespace="maybe")
    assert result.score == 1 and "Expected True or False" in hints(result), dump(result)
    result = engine.check("ch04-ex6")
    assert result.score == 1 and "Set shares_host_user_namespace" in hints(result), dump(result)


def test_ex6_missing_container_scores_zero(engine: EngineSession) -> None:
    """No container: zero points, the run hint."""
    result = engine.check("ch04-ex6", shares_host_user_namespace=True)
    assert result.score == 0 and "docker run -d --name userns-demo" in hints(result), dump(result)
