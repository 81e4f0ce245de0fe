"""The grading executor on a real local kernel (no engine): a dead kernel, a runaway cell, a flood and
the notebook's time limit each cost only their own cell; verdicts and incident records follow."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_notebook
from nbgrader.utils import determine_grade

from grader.nbgrader_glue import demo_cells, verdict
from grader.nbgrader_glue.engine_cleanup import descendants
from grader.nbgrader_glue.execute import GradingExecute
from grader.nbgrader_glue.trusted_check import parse_check_call, value_of
from grader.notebook import RESULT_MIME
from tests.support import REPO


def _cell(source: str, grade_id: str = "", grade: bool = False, locked: bool = False) -> NotebookNode:
    cell = new_code_cell(source)
    if grade_id:
        meta = {"grade": grade, "grade_id": grade_id, "locked": locked or grade, "solution": not (grade or locked)}
        cell.metadata["nbgrader"] = {"schema_version": 3, **meta, **({"points": 1} if grade else {})}
    return cell


def _check(n: int) -> NotebookNode:
    return _cell("assert ready", f"ex{n}-check", grade=True)


def _run(cells: list[NotebookNode], tmp_path: Path, **traits: object) -> tuple[NotebookNode, list[dict[str, object]]]:
    nb = new_notebook(cells=[_cell("ready = True", "setup", locked=True), *cells])
    executor = GradingExecute(stop_started_containers=False, incidents_dir=str(tmp_path), **traits)
    nb, _ = executor.preprocess(nb, {"metadata": {"path": str(tmp_path)}, "unique_key": "nb"})
    return nb, json.loads((tmp_path / "nb.json").read_text())["incidents"]


def _scores(nb: NotebookNode) -> dict[str, float | None]:
    return {
        c.metadata["nbgrader"]["grade_id"]: determine_grade(c)[0]
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("grade")
    }


def test_a_dead_kernel_and_a_runaway_cell_cost_only_their_cells(tmp_path: Path) -> None:
    """Checks before and after os._exit, a cell ignoring interrupts, floods (many lines, one huge message),
    sys.exit and input() pass; the dead cell is named; the grader keeps at most the output limits."""
    cells = [
        _check(1),
        _cell("import os\nos._exit(3)", "die"),
        _check(2),
        _cell("import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\ntime.sleep(60)", "stubborn"),
        _check(3),
        _cell("for _ in range(300):\n    print('x' * 10_000)", "flood"),
        _cell("print('x' * 20_000_000)", "huge"),
        _cell("import sys\nsys.exit(1)"),
        _cell("input('name? ')"),
        _check(4),
    ]
    nb, incidents = _run(cells, tmp_path, timeout=6, max_output_bytes=50_000)
    assert _scores(nb) == {"ex1-check": 1, "ex2-check": 1, "ex3-check": 1, "ex4-check": 1}
    kinds = [(i["kind"], i["cell"]) for i in incidents]
    assert kinds == [("kernel died", 3), ("timeout", 5), ("output cut", 7), ("output cut", 8)], incidents
    assert "exited with code 3" in nbformat.writes(nb)
    flood = nb.cells[6]
    assert sum(len(o.get("text", "")) for o in flood.outputs) < 60_000 and "output cut" in flood.outputs[-1].text
    found = verdict.from_incidents(incidents)
    assert found.reason == "kernel died at cell 3" and "checks before it kept their scores" in found.message


def test_past_the_notebook_limit_no_cell_runs_and_checks_score_zero(tmp_path: Path) -> None:
    """What finished counts; a check cell not reached scores 0 (never the full marks of an empty output)."""
    nb, incidents = _run(
        [_check(1), _cell("import time\ntime.sleep(60)", "slow"), _check(2)], tmp_path, notebook_timeout=6
    )
    assert _scores(nb) == {"ex1-check": 1, "ex2-check": 0}
    assert [i["kind"] for i in incidents] == ["timeout", "not run"], incidents
    assert verdict.from_incidents(incidents).reason == verdict.TIMEOUT


def test_a_killed_kernel_is_a_resource_limit() -> None:
    """SIGKILL (the out-of-memory killer) reads as a resource limit, another exit as a kernel death."""
    killed = [{"kind": "kernel died", "cell": 4, "grade_id": "x", "message": "was killed", "exit_code": -9}]
    assert verdict.from_incidents(killed).reason == verdict.RESOURCE_LIMIT
    assert verdict.from_incidents([]).reason == verdict.GRADED


def test_malformed_notebooks_are_found_before_grading(tmp_path: Path) -> None:
    (tmp_path / "good.ipynb").write_text(nbformat.writes(new_notebook()))
    assert verdict.malformed_notebooks(tmp_path) == ""
    (tmp_path / "bad.ipynb").write_text('{"cells": [')
    assert "bad.ipynb" in verdict.malformed_notebooks(tmp_path)


def test_incidents_are_read_per_notebook(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps({"notebook": "a", "incidents": [{"kind": "timeout", "cell": 2}]}))
    (tmp_path / "junk.json").write_text("not json")
    assert verdict.read_incidents(tmp_path) == [{"notebook": "a", "kind": "timeout", "cell": 2}]


def test_descendants_follow_the_process_tree(tmp_path: Path) -> None:
    """Children and grandchildren of a pid, from /proc stat files (names with spaces and parentheses)."""
    for pid, ppid, name in ((10, 1, "kernel"), (11, 10, "sh (x) y"), (12, 11, "docker"), (13, 1, "other")):
        (tmp_path / str(pid)).mkdir()
        (tmp_path / str(pid) / "stat").write_text(f"{pid} ({name}) S {ppid} 0 0")
    assert sorted(descendants(10, tmp_path)) == [11, 12]


def test_only_a_plain_check_call_is_scored_by_the_grader() -> None:
    """check("ID") and literal answers are the grader's; anything else runs in the kernel as nbgrader would."""
    assert parse_check_call('### BEGIN HIDDEN TESTS\ncheck("ch01-ex3")\n### END HIDDEN TESTS') == ("ch01-ex3", {})
    assert parse_check_call('check("ch03-ex2", subnet="172.17.0.0/16")') == ("ch03-ex2", {"subnet": "172.17.0.0/16"})
    for other in ('check("a"); x = 1', "check(ID)", 'check("a", subnet=s)', 'print("a")', "check(", 'c.check("a")'):
        assert parse_check_call(other) is None, other
    assert value_of({"status": "ok", "data": {"text/plain": "'172.17.0.1'"}}) == (True, "172.17.0.1")
    assert value_of({"status": "error", "ename": "NameError"}) == (False, None)


def test_a_redefined_check_in_the_kernel_scores_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A learner cell `check = lambda ...` passes every check cell in the kernel; the grader's own check ignores it."""
    monkeypatch.setenv("DOCKER_COURSE_MODE", "host")
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")  # no engine: the real check scores 0
    cheat = [_cell("check = lambda *a, **k: None", "cheat"), _cell('check("ch01-ex1")', "ch01-ex1-check", grade=True)]
    for trusted, score in ((True, 0), (False, 1)):
        nb, _ = _run([*cheat], tmp_path, trusted_checks=trusted)
        assert _scores(nb) == {"ch01-ex1-check": score}, (trusted, nb.cells[-1].outputs)
        if trusted:
            assert RESULT_MIME in str(nb.cells[-1].outputs) and "CheckFailed" in str(nb.cells[-1].outputs)


def test_the_sweep_ends_only_the_kernels_processes(tmp_path: Path) -> None:
    """The end-of-notebook sweep kills what is listed in the kernel's cgroups, nothing else."""
    import subprocess

    from grader.nbgrader_glue.engine_cleanup import sweep_lab

    learner = subprocess.Popen(["sleep", "60"])  # noqa: S607 - stands for a process the kernel left behind
    bystander = subprocess.Popen(["sleep", "60"])  # noqa: S607
    group = tmp_path / "course-kernel"
    group.mkdir()
    (group / "cgroup.procs").write_text(f"{learner.pid}\n")
    try:
        assert sweep_lab(None, [group]) == (0, 1)
        assert learner.wait(timeout=5) == -9 and bystander.poll() is None
    finally:
        bystander.kill()
        learner.kill()


def test_a_duplicated_check_cell_is_graded_once_and_the_notebook_stays_valid() -> None:
    """nbgrader's DeduplicateIds leaves metadata its validator rejects; ours makes the duplicate an ordinary cell."""
    from nbgrader.nbgraderformat import MetadataValidator

    from grader.nbgrader_glue.dedupe import DeduplicateGradeIds

    nb = new_notebook(cells=[_check(1), _check(1), _check(2)])
    nb, _ = DeduplicateGradeIds().preprocess(nb, {})
    assert ["nbgrader" in c.metadata for c in nb.cells] == [False, True, True]
    MetadataValidator().validate_nb(nb)


def test_the_kernel_gets_its_own_cgroup_with_caps(tmp_path: Path) -> None:
    """cgroup v1 (a hierarchy per controller) and v2 (one hierarchy): the pid moves in, the caps are written."""
    from grader.nbgrader_glue.kernel_limits import CGROUP, confine, parse_size

    v1, v2 = tmp_path / "v1", tmp_path / "v2"
    for folder in (v1 / "pids", v1 / "memory", v2):
        folder.mkdir(parents=True)
    (v2 / "cgroup.controllers").write_text("pids memory")
    assert confine(123, 1024, parse_size("4g"), v1) == ["pids", "memory"]
    assert (v1 / "pids" / CGROUP / "pids.max").read_text() == "1024"
    assert (v1 / "memory" / CGROUP / "memory.limit_in_bytes").read_text() == str(4 * 2**30)
    assert (v1 / "memory" / CGROUP / "cgroup.procs").read_text() == "123"
    assert confine(7, 0, parse_size("512m"), v2) == ["pids.max+memory.max"]
    assert not (v2 / CGROUP / "pids.max").exists() and (v2 / CGROUP / "memory.max").read_text() == str(2**29)


def test_the_lab_engine_bounds_container_logs_and_nests_its_containers(tmp_path: Path) -> None:
    """The lab's daemon.json: json-file logs capped (max-size, max-file) and the capped cgroup parent."""
    from grader.engine.lab_container import ENGINE_CGROUP_PARENT, daemon_config
    from grader.engine.lab_spec import LabSpec, Limits

    spec = LabSpec(name="dcgrade-x", root=tmp_path, limits=Limits("6g", 4096, 2.0))
    (tmp_path / "run").mkdir()
    config = json.loads(daemon_config(spec, tmp_path / "run").read_text())
    assert config["log-opts"] == {"max-size": "10m", "max-file": "2"}
    assert config["cgroup-parent"] == ENGINE_CGROUP_PARENT == "/" + "course-containers"


def test_links_in_a_learners_folder_are_never_followed(tmp_path: Path) -> None:
    """A link to / in a graded folder is not copied; a gradebook replaced by a link is tampering."""
    import os

    from grader.nbgrader_glue.pipeline import _links
    from grader.nbgrader_glue.workspace import Workspace, tampered

    (tmp_path / "escape").symlink_to("/")
    (tmp_path / "kept.txt").write_text("x")
    assert _links(str(tmp_path), os.listdir(tmp_path)) == {"escape"}
    ws = Workspace(tmp_path / "ws", "ann", "01-mini")
    ws.path.mkdir()
    (ws.path / "gradebook.db").write_text("")
    assert tampered(ws) == ""
    (ws.path / "gradebook.db").unlink()
    (ws.path / "gradebook.db").symlink_to("/etc/passwd")
    assert "gradebook.db" in tampered(ws)


def _demo_source(tmp_path: Path) -> tuple[Path, list[NotebookNode]]:
    """A source assignment ``a/nb.ipynb``: a setup cell, a tagged demonstration, an answer and its check."""
    demo = new_code_cell("open('demo-ran', 'w').close()")
    demo.metadata["tags"] = ["demo"]
    cells = [new_code_cell("open('setup-ran', 'w').close()\nready = True"), demo, _cell("x = 1", "ex1"), _check(1)]
    (tmp_path / "source" / "a").mkdir(parents=True)
    nbformat.write(new_notebook(cells=cells), str(tmp_path / "source" / "a" / "nb.ipynb"))
    return tmp_path / "source", cells


def _grade_demo(cells: list[NotebookNode], where: Path, demo_list: str, **traits: object) -> set[str]:
    """Run ``cells`` as a submission of ``a/nb`` in ``where``; the marker files its cells left."""
    where.mkdir()
    nb = new_notebook(cells=[NotebookNode(c.copy()) for c in cells])
    resources = {
        "metadata": {"path": str(where)},
        "unique_key": "nb",
        "nbgrader": {"assignment": "a", "notebook": "nb"},
    }
    GradingExecute(stop_started_containers=False, demo_list=demo_list, **traits).preprocess(nb, resources)
    assert _scores(nb) == {"ex1-check": 1}
    return {p.name for p in where.iterdir()}


def test_demonstrations_as_released_are_not_run_again(tmp_path: Path) -> None:
    """Skipped from the source folder or the kit's manifest; run when the learner changed or added a cell
    outside the answers (an empty one does not count), or with skip_demos off."""
    source, cells = _demo_source(tmp_path)
    manifest = str(demo_cells.write_manifest(tmp_path, source))
    assert _grade_demo(cells, tmp_path / "as-released", str(source)) == {"setup-ran"}
    assert _grade_demo([*cells, new_code_cell("  \n")], tmp_path / "kit", manifest) == {"setup-ran"}
    changed = [cells[0], new_code_cell("open('demo-ran', 'w').close()  # mine"), *cells[2:]]
    assert _grade_demo(changed, tmp_path / "changed", manifest) == {"setup-ran", "demo-ran"}
    added = [*cells[:3], new_code_cell("y = 2"), cells[3]]
    assert _grade_demo(added, tmp_path / "added", manifest) == {"setup-ran", "demo-ran"}
    assert _grade_demo(cells, tmp_path / "off", manifest, skip_demos=False) == {"setup-ran", "demo-ran"}
    assert _grade_demo(cells, tmp_path / "no-list", str(tmp_path / "missing.json")) == {"setup-ran", "demo-ran"}


# a line that leaves a Python name behind (an answer cell may use it, e.g. chapter 03's json)
NAMES_LEFT = re.compile(r"^(import |from \w+ import |def |class |[A-Za-z_]\w*(\s*,\s*[A-Za-z_]\w*)*\s*=[^=])", re.M)


def test_the_course_tags_no_cell_an_exercise_needs() -> None:
    """prepare(), the exercise folders and any cell leaving a Python name stay untagged; every chapter
    has demonstrations to skip."""
    for path in sorted((REPO / "course").glob("0[1-6]-*/*.ipynb")):
        nb = nbformat.read(str(path), as_version=4)
        tagged = [c for c in nb.cells if "demo" in c.metadata.get("tags", [])]
        assert tagged, path
        for cell in tagged:
            assert cell.cell_type == "code" and not cell.metadata.get("nbgrader"), (path, cell.source[:60])
            assert "prepare(" not in cell.source and not re.search(r"\bex\d", cell.source), (path, cell.source[:60])
            assert cell.source.startswith("%%") or not NAMES_LEFT.search(cell.source), (path, cell.source[:60])
