"""ch02-ex1..ex6 against the real engine: the reference run passes, wrong runs fail with the hint
that names the mistake (EXPOSE only, ports swapped, all interfaces, -P vs -p, stale answer, Created
leftover), partial runs get exactly the points of the parts they got right."""

from __future__ import annotations

import pytest

from grader.engine.provided import prepare
from tests.checks_support import run, scored
from tests.support import EngineSession

pytestmark = pytest.mark.engine

WEB = "course/web:1.0"
# httpd bound to the container's loopback: published, yet unreachable from outside
LOOPBACK_ONLY = (
    "sh -c 'echo course web > /www/index.html; httpd -p 127.0.0.1:81 -h /www; exec httpd -f -p 127.0.0.1:80 -h /www'"
)


@pytest.fixture(scope="module", autouse=True)
def web_image(engine_session: EngineSession) -> None:
    """course/web:1.0 built once (a reset keeps course-provided images)."""
    prepare(engine_session.client, "02")


def run_web(engine: EngineSession, name: str, flags: str, command: str = "") -> None:
    """Run course/web:1.0 detached as ``name`` with the learner's ``flags``."""
    run(engine, f"docker run -d --pull never --name {name} {flags} {WEB} {command}")


# One run per case: (exercise, container, docker run flags, command, expected score, hint texts).
# Each exercise's reference run gets full marks; each wrong run gets exactly the points of the
# parts it got right and the hint that names its mistake.
RUNS = {
    "ex1-reference": ("ch02-ex1", "web-all", "-P", "", 5, ()),
    "ex1-expose-without-publishing": ("ch02-ex1", "web-all", "", "", 1, ("only EXPOSEd", "publishes nothing")),
    "ex1-lowercase-p-per-port": ("ch02-ex1", "web-all", "-p 80 -p 81", "", 3, ("-P (capital P)",)),
    "ex1-server-on-container-loopback": ("ch02-ex1", "web-all", "-P", LOOPBACK_ONLY, 3, ("listen on 0.0.0.0",)),
    "ex2-reference": ("ch02-ex2", "web-random", "-p 80", "", 4, ()),
    "ex2-dash-capital-p": ("ch02-ex2", "web-random", "-P", "", 2, ("-P publishes every EXPOSEd port",)),
    "ex2-fixed-host-port": ("ch02-ex2", "web-random", "-p 8080:80", "", 2, ("You chose host port 8080",)),
    "ex2-wrong-container-port": (
        "ch02-ex2",
        "web-random",
        "-p 8080",
        "",
        1,
        ("Container port 80 is not published (container port 8080 is)",),
    ),
    "ex2-expose-without-publishing": ("ch02-ex2", "web-random", "", "", 1, ("only EXPOSEd",)),
    "ex3-reference": ("ch02-ex3", "web-fixed", "-p 8000:80", "", 4, ()),
    "ex3-accepts-loopback-binding": ("ch02-ex3", "web-fixed", "-p 127.0.0.1:8000:80", "", 4, ()),
    "ex3-swapped-ports": ("ch02-ex3", "web-fixed", "-p 80:8000", "", 1, ("swapped", "-p 8000:80")),
    "ex3-random-host-port": ("ch02-ex3", "web-fixed", "-p 80", "", 2, ("Docker chose a random host port",)),
    "ex3-other-host-port": ("ch02-ex3", "web-fixed", "-p 8005:80", "", 2, ("published on host port 8005, not 8000",)),
    "ex4-reference": ("ch02-ex4", "web-ip-random", "-p 127.0.0.1::80", "", 4, ()),
    "ex4-all-interfaces": (
        "ch02-ex4",
        "web-ip-random",
        "-p 80",
        "",
        3,
        ("bound on all interfaces", "-p 127.0.0.1::80"),
    ),
    "ex4-chosen-host-port": ("ch02-ex4", "web-ip-random", "-p 127.0.0.1:8005:80", "", 3, ("You chose host port 8005",)),
    "ex4-all-interfaces-and-chosen-port": (
        "ch02-ex4",
        "web-ip-random",
        "-p 8005:80",
        "",
        2,
        ("bound on all interfaces", "You chose host port 8005"),
    ),
    "ex4-dash-capital-p": ("ch02-ex4", "web-ip-random", "-P", "", 3, ("bound on all interfaces",)),
    "ex5-reference": ("ch02-ex5", "web-ip-fixed", "-p 127.0.0.1:8001:80", "", 4, ()),
    "ex5-all-interfaces": (
        "ch02-ex5",
        "web-ip-fixed",
        "-p 8001:80",
        "",
        3,
        ("bound on all interfaces", "-p 127.0.0.1:8001:80"),
    ),
    "ex5-random-port": (
        "ch02-ex5",
        "web-ip-fixed",
        "-p 127.0.0.1::80",
        "",
        3,
        ("Docker chose a random host port", "-p 8001:80"),
    ),
    "ex5-swapped-ports": (
        "ch02-ex5",
        "web-ip-fixed",
        "-p 127.0.0.1:80:8001",
        "",
        1,
        ("swapped", "Container port 80 is not published"),
    ),
}


@pytest.mark.parametrize("case", list(RUNS))
def test_run_scores_its_parts_with_the_intended_hint(engine: EngineSession, case: str) -> None:
    """Each case of RUNS: the run gets exactly its score and every hint text it names."""
    exercise, name, flags, command, score, hint_texts = RUNS[case]
    run_web(engine, name, flags, command)
    scored(engine.check(exercise), score, *hint_texts)


def test_ex1_missing_container_says_how_to_run(engine: EngineSession) -> None:
    """No container: zero points and the run command as hint, not an error."""
    result = engine.check("ch02-ex1")
    scored(result, 0, "docker run -d --name web-all -P course/web:1.0")
    assert not result.error


def test_ex1_exited_container_publishes_nothing(engine: EngineSession) -> None:
    """An exited container publishes nothing: zero points, the hint points at its logs."""
    run_web(engine, "web-all", "-P", "true")
    engine.sh("docker wait web-all")
    scored(engine.check("ch02-ex1"), 0, "docker logs web-all")


# ch02-ex6: conflicts


def conflict(engine: EngineSession) -> str:
    """Reproduce the conflict as the notebook does; return Docker's error text."""
    ran = engine.sh(f"docker run -d --pull never --name web-second -p 8000:80 {WEB}")
    assert not ran.ok and "already allocated" in ran.output, ran.output
    return ran.output


def test_ex6_reference_passes(engine: EngineSession) -> None:
    """The conflict captured, the Created leftover removed, web-second on 8002: full points, from the CLI's string and
    from IPython's list of lines alike."""
    run_web(engine, "web-fixed", "-p 8000:80")
    error = conflict(engine)
    assert engine.sh("docker rm web-second").ok
    run_web(engine, "web-second", "-p 8002:80")
    scored(engine.check("ch02-ex6", conflict_error=error), 4)
    # the CLI passes the same answer as a string; IPython's `!` output is a list of lines
    scored(engine.check("ch02-ex6", conflict_error=error.splitlines()), 4)


def test_ex6_created_leftover_must_be_removed(engine: EngineSession) -> None:
    """A second run while the Created leftover exists fails on its name: the hint says to remove it."""
    run_web(engine, "web-fixed", "-p 8000:80")
    error = conflict(engine)
    assert not engine.sh(f"docker run -d --pull never --name web-second -p 8002:80 {WEB}").ok
    scored(engine.check("ch02-ex6", conflict_error=error), 2, "only Created", "docker rm web-second")


def test_ex6_stale_typed_answer_no_longer_matches(engine: EngineSession) -> None:
    """A typed conflict text about port 8000 while web-fixed holds 8005 does not match the engine."""
    run_web(engine, "web-fixed", "-p 8005:80")
    run_web(engine, "web-second", "-p 8002:80")
    typed = "Bind for 0.0.0.0:8000 failed: port is already allocated"
    result = engine.check("ch02-ex6", conflict_error=typed)
    scored(result, 2, "no longer matches the engine", "published on host port 8005, not 8000")


def test_ex6_name_conflict_is_not_a_port_conflict(engine: EngineSession) -> None:
    """A name-conflict error stored as the answer is told apart from the port conflict."""
    run_web(engine, "web-fixed", "-p 8000:80")
    run_web(engine, "web-second", "-p 8002:80")
    ran = engine.sh(f"docker run -d --pull never --name web-second -p 8000:80 {WEB}")
    assert not ran.ok
    scored(engine.check("ch02-ex6", conflict_error=ran.output), 3, "name conflict")


def test_ex6_no_answer_and_wrong_port(engine: EngineSession) -> None:
    """No answer and web-second on another port: both parts fail with their own hints."""
    run_web(engine, "web-fixed", "-p 8000:80")
    run_web(engine, "web-second", "-p 8003:80")
    scored(engine.check("ch02-ex6"), 2, "no answer variable conflict_error", "not 8002")


def test_ex6_without_web_fixed(engine: EngineSession) -> None:
    """Without web-fixed a hand-written text is not Docker's port-conflict error."""
    run_web(engine, "web-second", "-p 8002:80")
    scored(engine.check("ch02-ex6", conflict_error="port is already allocated"), 2, "not Docker's port-conflict")
