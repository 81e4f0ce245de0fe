"""The chapter 01 notebook executed inside the test lab: the source version scores full marks and
its demonstrations clean up after themselves; the released version (real nbgrader) runs without
errors outside the check cells, keeps no solution, and scores 0."""

from __future__ import annotations

import re
import shutil
import uuid
from pathlib import Path

import nbformat
import pytest

from grader.chapters import registry
from tests.support import ARTIFACTS, REPO, EngineSession, errors_in, release, scores, stream_text

pytestmark = pytest.mark.engine

CHAPTER = REPO / "course" / "01-dockerfile"
EXERCISES = {e.id: e.max_score for e in registry().values() if e.chapter == "01"}
ANSWER_IMAGES = {
    "course/hello:1.0",
    "course/motd:1.0",
    "course/config:2.0",
    "course/app-user:1.0",
    "course/files:1.0",
    "course/volume-port:1.0",
    "course/echo:1.0",
    "course/onbuild-base:1.0",
    "course/onbuild-child:1.0",
}
CHAPTER_IMAGES = {"busybox:latest"}


def check_cell_errors(nb: nbformat.NotebookNode) -> list[str]:
    graded = {i for i, c in enumerate(nb.cells) if c.get("metadata", {}).get("nbgrader", {}).get("grade")}
    return [e for e in errors_in(nb) if int(e.split(":")[0].split()[1]) not in graded]


def chapter_copy() -> Path:
    """The chapter's shipped files in a fresh folder: the notebook's answers never land in course/."""
    folder = ARTIFACTS / f"ch01-source-{uuid.uuid4().hex[:6]}" / "01-dockerfile"
    shutil.copytree(CHAPTER, folder, ignore=shutil.ignore_patterns("ex*", "demo", ".ipynb_checkpoints"))
    return folder


def test_source_notebook_scores_full_marks_and_cleans_up(engine: EngineSession) -> None:
    """The source notebook (solutions in) runs top to bottom without errors, every check cell scores full marks, and
    its demonstrations leave only the exercises' objects behind."""
    assert engine.keep_only_chapter_images("01") == CHAPTER_IMAGES  # what prepare("01") provides, nothing else
    folder = chapter_copy()
    try:
        nb = engine.execute_notebook(folder / "01-dockerfile.ipynb")
    finally:
        shutil.rmtree(folder.parent, ignore_errors=True)
    assert not errors_in(nb), errors_in(nb)
    assert scores(nb) == {f"{ex}-check": (points, points) for ex, points in EXERCISES.items()}
    assert not engine.client.containers.list(all=True), "a demonstration left a container"
    assert not engine.client.volumes.list(), "a demonstration or a check left a volume"
    tags = {t for image in engine.client.images.list() for t in image.tags}
    assert tags == CHAPTER_IMAGES | ANSWER_IMAGES, tags ^ (CHAPTER_IMAGES | ANSWER_IMAGES)
    assert not engine.client.images.list(filters={"dangling": True}), "demonstrations left dangling images"
    assert_demonstrations_show_what_the_text_says(nb)


def printed(nb: nbformat.NotebookNode, cell_id: str) -> str:
    """A cell's printed text with the terminal's line ends (``!`` runs in a pty) made plain."""
    return stream_text(nb, cell_id).replace("\r\n", "\n")


def step(build_output: str, title: str) -> str:
    """BuildKit's plain progress lines of the step whose title starts with ``title`` (e.g. ``[2/4] RUN``)."""
    found = re.search(rf"^#(\d+) {re.escape(title)}", build_output, re.M)
    assert found, f"no step {title!r} in: {build_output}"
    return "\n".join(line for line in build_output.splitlines() if line.startswith(f"#{found.group(1)} "))


def assert_demonstrations_show_what_the_text_says(nb: nbformat.NotebookNode) -> None:
    """Each demonstration printed what its "What just happened" cell says (BuildKit first, the classic builder
    where it is compared)."""
    assert_everyday_commands(nb)
    assert_layers_context_and_cache(nb)
    assert_instructions(nb)


def assert_everyday_commands(nb: nbformat.NotebookNode) -> None:
    stop_start = printed(nb, "ch01-stop-start")
    assert "demo-ticker: Exited (137)" in stop_start and stop_start.count("tick 1") == 2, stop_start
    it = printed(nb, "ch01-it-demo")
    assert it.split() == ["HELLO", "not", "a", "tty", "/dev/pts/0"], it


def assert_layers_context_and_cache(nb: nbformat.NotebookNode) -> None:
    build = printed(nb, "d12f2b6d")
    assert step(build, "[2/4] RUN") and step(build, "[4/4] WORKDIR /app"), build
    assert "LABEL" not in build and "ENV" not in build, build  # metadata instructions are no BuildKit steps
    history = printed(nb, "701dd584")
    assert "buildkit.dockerfile.v0" in history and "1 filesystem layer(s)\n4 filesystem layer(s)" in history, history
    classic = printed(nb, "ch01-classic-build")
    assert "Sending build context" in classic and "Step 7/7" in classic and " ---> " in classic, classic
    assert "classic builder: 4 filesystem layer(s)" in classic, classic
    used = printed(nb, "712e104e")
    sent = re.search(r"transferring context: (\d+)B", used)
    assert sent and int(sent.group(1)) < 1000, used  # BuildKit: app.txt only
    assert re.search(r"Sending build context to Docker daemon\s+5\.\d+MB", used), used  # classic: all of it
    everything = printed(nb, "ch01-context-all-build")
    assert "transferring context: 5.00MB" in everything and "secret.txt" in everything, everything
    anchored = printed(nb, "30cc53f5")
    assert "/ctx/logs/today.log" in anchored, anchored
    assert not any(name in anchored for name in ("build.log", "secret.txt", "big.bin")), anchored
    any_depth = printed(nb, "ch01-dockerignore-any-depth")
    assert "/ctx/app.txt" in any_depth and ".log\n/ctx" not in any_depth and "today.log" not in any_depth, any_depth
    again = printed(nb, "8bf9a6b3")
    assert all("CACHED" in step(again, t) for t in ("[2/4] RUN", "[3/4] COPY", "[4/4] RUN")), again
    changed = printed(nb, "8587c75f")
    assert "CACHED" in step(changed, "[2/4] RUN") and "CACHED" not in step(changed, "[3/4] COPY"), changed
    assert "version 2" in step(changed, "[4/4] RUN"), changed


def assert_instructions(nb: nbformat.NotebookNode) -> None:
    base = printed(nb, "fea4a875")
    assert "after FROM, BASE is ''" in base and "after re-declaring it, BASE is 'busybox'" in base, base
    maintainer = printed(nb, "ea6d0bad")
    assert "Author: Jane Doe <jane@example.com>" in maintainer, maintainer
    assert "maintainer" not in maintainer.split("Labels:")[1].split("\n")[0], maintainer
    arg = printed(nb, "ch01-arg-history")
    assert "RUN |1 TOKEN=hunter2 " in arg and "TOKEN=[]" in arg, arg
    secret = printed(nb, "ch01-secret-build")
    assert "7 /run/secrets/token" in secret and "hunter2" not in secret and "No such file" in secret, secret
    workdir = printed(nb, "3182b95b")
    for line in (
        "BuildKit: . is owned by app (uid 1000)",
        "touch test.txt worked",
        "classic builder: . is owned by root (uid 0)",
        "Permission denied",
        "BuildKit: 4 layers",
        "classic builder: 3 layers",
    ):
        assert line in workdir, workdir
    copied = printed(nb, "ch01-copy-add")
    for line in ("/copied/notes.tar.gz: uid 0", "/added/notes/readme.txt: uid 0", "/root-owned.txt: uid 0"):
        assert line in copied, copied
    assert "/app-owned.txt: uid 1000" in copied and "running as app" in copied, copied
    url = printed(nb, "ch01-copy-url")
    assert "source can't be a URL for COPY" in url and "demo/url" not in url, url
    remote = printed(nb, "ch01-add-url")
    assert re.search(r"^-rw------- .* notes\.tar\.gz$", remote, re.M) and "readme" not in remote, remote
    single, listed = printed(nb, "ch01-shell-pid1").split("PID   COMMAND")[1:]
    assert single.split()[:2] == ["1", "ps"] and listed.split()[:2] == ["1", "sh"], (single, listed)
    exec_form = printed(nb, "ch01-exec-run").split("--- ")
    assert exec_form[1].splitlines()[1].startswith("root:x:0:0:") and len(exec_form[1].splitlines()) == 3, exec_form
    assert exec_form[2].splitlines()[1:] == ["root:x:0:", "daemon:x:1:"], exec_form  # CMD replaced
    assert exec_form[4].splitlines()[1:] == ["", "---"], exec_form  # --entrypoint dropped CMD: an empty line
    onbuild = printed(nb, "ch01-onbuild-demo")
    assert step(onbuild, "[2/2] RUN echo") and "made by a trigger" in step(onbuild, "[3/2] RUN cat"), onbuild
    assert "child: OnBuild=null" in onbuild and "No such file" in onbuild, onbuild
    assert step(printed(nb, "5b39fb75"), "[2/1] COPY . /src")


def test_released_notebook_runs_and_scores_zero(engine: EngineSession) -> None:
    """The student version nbgrader releases holds no solution, runs without errors outside the check cells, and
    every check cell scores zero."""
    folder = release("01-dockerfile")
    released = nbformat.read(str(folder / "01-dockerfile.ipynb"), as_version=4)
    sources = "\n".join(c.source for c in released.cells)
    assert "BEGIN SOLUTION" not in sources and "NotImplementedError" not in sources
    assert 'ENTRYPOINT ["echo"]' not in sources and "ONBUILD COPY . /src" not in sources
    assert not list(folder.glob("ex*/Dockerfile")), "learners' answers were copied into the release"
    assert (folder / "assets" / "site.tar").is_file()
    nb = engine.execute_notebook(folder / "01-dockerfile.ipynb")
    assert not check_cell_errors(nb), check_cell_errors(nb)
    got = scores(nb)
    assert set(got) == {f"{ex}-check" for ex in EXERCISES}
    assert all(score == 0 for score, _ in got.values()), got
    assert not engine.client.containers.list(all=True) and not engine.client.volumes.list()
