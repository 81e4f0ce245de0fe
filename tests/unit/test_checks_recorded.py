"""Check types over recorded facts (no engine): each tells a right answer from wrong ones."""

from __future__ import annotations

import pytest

from grader.chapters import Exercise
from grader.chapters.runner import _run_checks
from grader.checks.base import Context
from grader.checks.container_state import ContainerState
from grader.checks.image_base import ImageBasedOn
from grader.checks.image_config import ImageConfig
from grader.checks.image_env import ImageEnv
from grader.checks.image_file import ImageFile
from grader.checks.image_history import ImageHistory
from grader.checks.image_label import ImageLabel
from grader.checks.image_onbuild import CHILD_CONTEXT, ImageOnbuild
from grader.checks.namespace_shared import NamespaceShared
from grader.checks.result import CheckResult
from grader.errors import NotFound, NotRunning
from grader.facts.images import FileInImage
from grader.facts.probe import ProbeResult
from tests.unit.fakes import FakeFacts, declared, image

BUSYBOX = image(
    "busybox:latest",
    {"Cmd": ["sh"]},
    ["sha256:base"],
    ["/bin/sh -c #(nop) ADD file:x in /", '/bin/sh -c #(nop)  CMD ["sh"]'],
)


def ctx(**images) -> Context:
    return Context(FakeFacts(images={"busybox:latest": BUSYBOX, **images}))


def test_label_own_value_passes_and_inherited_fails() -> None:
    own = image("course/hello:1.0", {"Labels": {"maintainer": "me"}}, ["sha256:base"])
    assert (
        ImageLabel(tag="course/hello:1.0", key="maintainer", base="busybox")
        .run(ctx(**{"course/hello:1.0": own}))
        .passed
    )
    base = image("busybox:latest", {"Labels": {"maintainer": "me"}}, ["sha256:base"])
    c = Context(FakeFacts(images={"busybox:latest": base, "course/hello:1.0": own}))
    part = ImageLabel(tag="course/hello:1.0", key="maintainer", base="busybox").run(c)
    assert not part.passed and "inherited" in part.found


def test_label_missing_names_label_instruction() -> None:
    img = image("course/hello:1.0", {"Labels": {"version": "1"}}, ["sha256:base"])
    part = ImageLabel(tag="course/hello:1.0", key="maintainer").run(ctx(**{"course/hello:1.0": img}))
    assert not part.passed and "LABEL maintainer" in part.hint and "version=1" in part.found


def test_based_on_compares_layer_prefix() -> None:
    good = image("x:1", layers=["sha256:base", "sha256:mine"])
    bad = image("y:1", layers=["sha256:other", "sha256:mine"])
    assert ImageBasedOn(tag="x:1", base="busybox").run(ctx(**{"x:1": good})).passed
    part = ImageBasedOn(tag="y:1", base="busybox").run(ctx(**{"y:1": bad}))
    assert not part.passed and "FROM busybox" in part.hint


def test_file_line_must_be_whole_line() -> None:
    img = image("m:1", files={"/etc/motd": "Welcome to the course!\n"})
    assert not ImageFile(tag="m:1", path="/etc/motd", line="Welcome to the course").run(ctx(**{"m:1": img})).passed
    img2 = image("m:2", files={"/etc/motd": "hi\nWelcome to the course\r\n"})
    assert ImageFile(tag="m:2", path="/etc/motd", line="Welcome to the course").run(ctx(**{"m:2": img2})).passed


def test_history_run_step_counts_only_own_layers() -> None:
    img = image(
        "m:1",
        layers=["sha256:base", "sha256:l2"],
        history=[
            *["/bin/sh -c #(nop) ADD file:x in /", '/bin/sh -c #(nop)  CMD ["sh"]'],
            "/bin/sh -c echo hi > /etc/motd",
        ],
    )
    assert ImageHistory(tag="m:1", instruction="RUN", makes_layer=True, base="busybox").run(ctx(**{"m:1": img})).passed
    copied = image(
        "m:2",
        layers=["sha256:base", "sha256:l2"],
        history=[
            "/bin/sh -c #(nop) ADD file:x in /",
            '/bin/sh -c #(nop)  CMD ["sh"]',
            "/bin/sh -c #(nop) COPY file:abc in /etc/motd ",
        ],
    )
    assert not ImageHistory(tag="m:2", instruction="RUN", base="busybox").run(ctx(**{"m:2": copied})).passed


def test_history_recognises_buildkit_steps() -> None:
    img = image("c:2", history=["ARG APP_VERSION=1.0", "LABEL version=2.0", "RUN /bin/sh -c true # buildkit"])
    assert ImageHistory(tag="c:2", instruction="ARG", pattern=r"\bAPP_VERSION\b").run(ctx(**{"c:2": img})).passed
    assert ImageHistory(tag="c:2", instruction="RUN").run(ctx(**{"c:2": img})).passed


def test_entrypoint_exec_form_detects_shell_form() -> None:
    shell = image("e:1", {"Entrypoint": ["/bin/sh", "-c", "echo"]})
    part = ImageConfig(tag="e:1", field_name="entrypoint", exec_form=True).run(ctx(**{"e:1": shell}))
    assert not part.passed and "JSON array" in part.hint
    exec_form = image("e:2", {"Entrypoint": ["echo"]})
    assert ImageConfig(tag="e:2", field_name="entrypoint", exec_form=True).run(ctx(**{"e:2": exec_form})).passed


def test_env_from_running_env_and_fallback_to_config() -> None:
    img = image("c:2", {"Env": ["APP_ENV=production"]})
    facts = FakeFacts(images={"c:2": img}, runs={("c:2", "env"): ProbeResult(0, "APP_ENV=production\nPATH=/bin\n", "")})
    assert ImageEnv(tag="c:2", has={"APP_ENV": "production"}, lacks=["APP_VERSION"]).run(Context(facts)).passed
    leaked = FakeFacts(
        images={"c:2": img}, runs={("c:2", "env"): ProbeResult(0, "APP_ENV=production\nAPP_VERSION=2.0\n", "")}
    )
    part = ImageEnv(tag="c:2", has={"APP_ENV": "production"}, lacks=["APP_VERSION"]).run(Context(leaked))
    assert not part.passed and "APP_VERSION=2.0" in part.found
    scratch = image("s:1", {"Env": ["APP_ENV=production"]})  # no `env` binary: the config is the truth
    assert ImageEnv(tag="s:1", has={"APP_ENV": "production"}).run(Context(FakeFacts(images={"s:1": scratch}))).passed


def test_container_state_running_exited_absent() -> None:
    running = {"Name": "/a", "State": {"Status": "running", "Running": True}}
    exited = {"Name": "/b", "State": {"Status": "exited", "Running": False, "ExitCode": 1}}
    facts = FakeFacts(containers={"a": running, "b": exited})
    c = Context(facts)
    assert ContainerState(name="a").run(c).passed
    assert not ContainerState(name="b").run(c).passed
    assert ContainerState(name="b", running=False, exit_code=1).run(c).passed
    assert not ContainerState(name="b", running=False, exit_code=0).run(c).passed
    assert ContainerState(name="zzz", absent=True).run(c).passed
    part = ContainerState(name="a", absent=True).run(c)
    assert not part.passed and "docker rm -f a" in part.hint


def test_a_stopped_container_is_its_own_error_and_a_zero_point_part_with_the_missing_hint() -> None:
    """Facts needing a running container raise NotRunning (not NotFound); the runner turns it into
    a failed part that says so and shows the check's missing_hint."""
    exited = {"Name": "/b", "State": {"Status": "exited", "Running": False, "ExitCode": 0}}
    facts = FakeFacts(containers={"b": exited})
    with pytest.raises(NotRunning) as raised:
        facts.namespaces(("b",))
    assert not isinstance(raised.value, NotFound) and raised.value.status == "exited"
    check = NamespaceShared(name="b", namespace="pid", missing_hint="Run it with -d: docker run -d --name b ...")
    result = CheckResult("ch09-ex1")
    _run_checks(Exercise("ch09-ex1", "stopped", [check]), Context(facts), result)
    [part] = result.parts
    assert not part.passed and part.found == "The container b is not running (status exited)."
    assert part.hint == check.missing_hint and not result.error


EX3_STEPS = {"classic": "/bin/sh -c #(nop)  ARG APP_VERSION{}", "buildkit": "ARG APP_VERSION{}"}


@pytest.mark.parametrize("builder", ["classic", "buildkit"])
def test_ex3_history_asks_for_the_default_of_the_arg(builder: str) -> None:
    """ch01-ex3's ARG step must carry the default 1.0 (as both builders record it); one without gets its hint."""
    check = declared("ch01-ex3", ImageHistory)
    with_default = image("course/config:2.0", history=[EX3_STEPS[builder].format("=1.0"), "LABEL version=2.0"])
    assert check.run(ctx(**{"course/config:2.0": with_default})).passed
    for other in ("", "=2.0"):
        bare = image("course/config:2.0", history=[EX3_STEPS[builder].format(other), "LABEL version=2.0"])
        part = check.run(ctx(**{"course/config:2.0": bare}))
        assert not part.passed and "has no default 1.0" in part.hint and "ARG APP_VERSION=1.0" in part.hint
    none = check.run(ctx(**{"course/config:2.0": image("course/config:2.0", history=["LABEL version=2.0"])}))
    assert not none.passed and "has no default" not in none.hint and "typed as 2.0" in none.hint


def test_ex3_empty_label_without_an_arg_after_from_says_declare_it_after_from() -> None:
    """An empty label and no ARG step after FROM: the ARG was declared before FROM only (or not at all)."""
    check = declared("ch01-ex3", ImageLabel)
    before_from = image("course/config:2.0", {"Labels": {"version": ""}}, history=["LABEL version="])
    part = check.run(ctx(**{"course/config:2.0": before_from}))
    assert not part.passed and "declare it after FROM" in part.hint and part.found == "version=''"
    empty_arg = image(
        "course/config:2.0", {"Labels": {"version": ""}}, history=["ARG APP_VERSION=1.0", "LABEL version="]
    )
    part = check.run(ctx(**{"course/config:2.0": empty_arg}))
    assert not part.passed and "declare it after FROM" not in part.hint and "empty value" in part.hint
    stale = image(
        "course/config:2.0", {"Labels": {"version": "1.0"}}, history=["ARG APP_VERSION=1.0", "LABEL version=1.0"]
    )
    assert "--build-arg APP_VERSION=2.0" in check.run(ctx(**{"course/config:2.0": stale})).hint


BUSYBOX_STEPS = ["/bin/sh -c #(nop) ADD file:x in /", '/bin/sh -c #(nop)  CMD ["sh"]']
MINE = image(
    "mine/base:1",
    {"Labels": {"maintainer": "me"}},
    ["sha256:base"],
    [*BUSYBOX_STEPS, "/bin/sh -c #(nop)  LABEL maintainer=me"],
)


def hello(*own: str, labels: dict[str, str] | None = None) -> object:
    history = [*BUSYBOX_STEPS, "/bin/sh -c #(nop)  LABEL maintainer=me", *own]
    return image("course/hello:1.0", {"Labels": labels or {"maintainer": "me"}}, ["sha256:base"], history)


def test_ex1_label_inherited_from_an_intermediate_image_of_the_engine_fails() -> None:
    """Another image (not busybox) whose history is a strict prefix of course/hello:1.0's and that already
    carries the label: the label was inherited from it, and the part names that image."""
    check = declared("ch01-ex1", ImageLabel)
    part = check.run(ctx(**{"mine/base:1": MINE, "course/hello:1.0": hello('/bin/sh -c #(nop)  CMD ["hi"]')}))
    assert not part.passed and "inherited from mine/base:1" in part.found


def test_ex1_label_set_again_or_no_intermediate_or_another_value_passes() -> None:
    """The label set again by course/hello:1.0 itself, another value than the intermediate's, or no such image
    in the engine (the residual case the check cannot tell): the part passes."""
    check = declared("ch01-ex1", ImageLabel)
    again = hello("/bin/sh -c #(nop)  LABEL maintainer=me")
    assert check.run(ctx(**{"mine/base:1": MINE, "course/hello:1.0": again})).passed
    other = hello("/bin/sh -c #(nop)  LABEL maintainer=you", labels={"maintainer": "you"})
    assert check.run(ctx(**{"mine/base:1": MINE, "course/hello:1.0": other})).passed
    assert check.run(ctx(**{"course/hello:1.0": hello('/bin/sh -c #(nop)  CMD ["hi"]')})).passed
    same_history = hello()  # an image with the same history is not a strict prefix (another tag of it)
    assert check.run(ctx(**{"mine/base:1": MINE, "course/hello:1.0": same_history})).passed


def test_history_on_base_demands_the_named_base() -> None:
    """ch01-ex2 names busybox: a RUN layer on another base fails with the FROM hint (check version 2)."""
    history = ["/bin/sh -c #(nop) ADD file:x in /", '/bin/sh -c #(nop)  CMD ["sh"]', "/bin/sh -c echo hi > /etc/motd"]
    good = image("course/motd:1.0", layers=["sha256:base", "sha256:l2"], history=history)
    other = image("course/motd:1.0", layers=["sha256:debian", "sha256:l2"], history=history)
    check = declared("ch01-ex2", ImageHistory)
    assert check.on_base and check.run(ctx(**{"course/motd:1.0": good})).passed
    part = check.run(ctx(**{"course/motd:1.0": other}))
    assert not part.passed and "FROM busybox" in part.hint and "not built FROM busybox" in part.found
    anywhere = ImageHistory(tag="course/motd:1.0", instruction="RUN", makes_layer=True, base="busybox")
    assert anywhere.run(ctx(**{"course/motd:1.0": other})).passed


def test_ex8_trigger_is_judged_by_what_a_child_holds() -> None:
    """The exec form `COPY [".", "/src"]` passes like the shell form when a child built FROM the base holds the
    context at /src; a trigger whose child lacks it, or whose child's build fails, does not (the found text says
    what the child lacks, or the build's error)."""
    check = declared("ch01-ex8", ImageOnbuild)
    held = {
        f"/src/{name}": FileInImage(f"/src/{name}", "file", data, 0, 0, 0o644) for name, data in CHILD_CONTEXT.items()
    }
    for trigger in ('COPY [".", "/src"]', "COPY . /src", "ADD . /src/"):
        base = image("course/onbuild-base:1.0", {"OnBuild": [trigger]})
        facts = FakeFacts(images={"course/onbuild-base:1.0": base}, children={"course/onbuild-base:1.0": held})
        assert check.run(Context(facts)).passed, trigger
    top_only = {"/src/app.txt": held["/src/app.txt"]}
    base = image("course/onbuild-base:1.0", {"OnBuild": ["COPY app.txt /src/"]})
    facts = FakeFacts(images={"course/onbuild-base:1.0": base}, children={"course/onbuild-base:1.0": top_only})
    part = check.run(Context(facts))
    assert not part.passed and "has no /src/nested/more.txt" in part.found and "ONBUILD COPY . /src" in part.hint
    failing = FakeFacts(
        images={"course/onbuild-base:1.0": base},
        children={"course/onbuild-base:1.0": "a child built FROM it failed: boom"},
    )
    part = check.run(Context(failing))
    assert not part.passed and "boom" in part.found
