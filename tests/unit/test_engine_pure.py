"""Engine-side logic that needs no engine: settings, chapter names, interface parsing, stubs."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import nbformat
import pytest

from grader.engine import lab_image, lab_network
from grader.engine.catalogue import ALL_IMAGES, resolve
from grader.engine.install import host_packages
from grader.engine.lab_spec import LabSpec, Limits
from grader.engine.provided import chapter_key
from grader.engine.settings import Settings, ensure_writable
from grader.errors import ConfigError, ImageProvisionError, UnknownExercise
from grader.facts.networks import parse_links
from grader.nbgrader_glue.clear_solutions import cell_kind

REPO = Path(__file__).resolve().parents[2]


def test_chapter_key_accepts_common_spellings() -> None:
    for spelling in ("2", "02", "ch02", "02-ports", " 02 "):
        assert chapter_key(spelling) == "02"
    with pytest.raises(UnknownExercise):
        chapter_key("07")


def test_unwritable_folder_is_a_clear_config_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ConfigError) as exc:
        ensure_writable(blocker / "sub", "state")
    assert "not writable" in str(exc.value) and "DOCKER_COURSE_STATE" in str(exc.value)


def test_parallel_processes_prove_one_folder_writable_at_once(tmp_path: Path) -> None:
    """Seen in a test run beside parallel builds: two provers sharing one probe file name made
    one of them report the shared cache "not writable (No such file or directory)"."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(8) as pool:
        done = list(pool.map(lambda _: ensure_writable(tmp_path, "cache"), range(400)))
    assert done == [tmp_path] * 400
    assert not list(tmp_path.iterdir()), "no probe file is left behind"


def test_settings_env_overrides_and_bad_mode(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DOCKER_COURSE_STATE", str(tmp_path))
    monkeypatch.setenv("DOCKER_COURSE_MODE", "host")
    monkeypatch.setenv("DOCKER_HOST", "unix:///x.sock")
    assert Settings.load().docker_host() == "unix:///x.sock"
    monkeypatch.setenv("DOCKER_COURSE_MODE", "lab")
    monkeypatch.setenv("DOCKER_COURSE_LAB", "mylab")
    assert Settings.load().docker_host() == f"unix://{tmp_path}/labs/mylab/run/docker.sock"
    monkeypatch.setenv("DOCKER_COURSE_MODE", "cloud")
    with pytest.raises(ConfigError):
        Settings.load()
    monkeypatch.delenv("DOCKER_COURSE_MODE")
    (tmp_path / "config.json").write_text("{broken")
    with pytest.raises(ConfigError):
        Settings.load()


def test_parse_links_reads_veth_peers() -> None:
    text = (
        "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536\n"
        "2: docker0: <BROADCAST,MULTICAST,UP> mtu 1500\n"
        "7: veth1a2b3c4@if6: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500\n"
        "6: eth0@if7: <BROADCAST> mtu 1500\n"
    )
    links = {link.name: link for link in parse_links(text)}
    assert links["veth1a2b3c4"].index == 7 and links["veth1a2b3c4"].peer_index == 6
    assert links["eth0"].peer_index == 7 and links["docker0"].peer_index is None


def test_base_image_names_resolve_and_unknown_is_clear() -> None:
    assert [i.tag for i in resolve(["busybox", "python:3.11"])] == ["busybox:latest", "python:3.11"]
    assert len({i.recipe() for i in ALL_IMAGES}) == len(ALL_IMAGES)
    with pytest.raises(ImageProvisionError):
        resolve(["alpine"])


def test_cell_kinds_for_stubs() -> None:
    assert cell_kind("%%writefile ex1/Dockerfile\nFROM busybox") == "dockerfile"
    assert cell_kind("%%writefile app.txt\nhi") == "file"
    assert cell_kind("!docker build -t x .") == "shell"
    assert cell_kind("x = 1") == "python"


def test_stub_preprocessor_uses_cell_stub_and_kind_default() -> None:
    from grader.nbgrader_glue.clear_solutions import ClearSolutionsWithStubs

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python"}
    meta = {"solution": True, "grade": False, "locked": False, "schema_version": 3}
    docker = nbformat.v4.new_code_cell("%%writefile ex1/Dockerfile\n### BEGIN SOLUTION\nFROM busybox\n### END SOLUTION")
    docker.metadata = {"nbgrader": {**meta, "grade_id": "a"}, "docker_course": {"stub": "FROM busybox\n# TODO"}}
    shell = nbformat.v4.new_code_cell("### BEGIN SOLUTION\n!docker build -t x ex1\n### END SOLUTION")
    shell.metadata = {"nbgrader": {**meta, "grade_id": "b"}}
    python = nbformat.v4.new_code_cell("### BEGIN SOLUTION\nx = 1\n### END SOLUTION")
    python.metadata = {"nbgrader": {**meta, "grade_id": "c"}}
    nb.cells = [docker, shell, python]
    out, _ = ClearSolutionsWithStubs().preprocess(nb, {})
    assert out.cells[0].source == "%%writefile ex1/Dockerfile\nFROM busybox\n# TODO"
    assert out.cells[1].source.startswith("# TODO") and "raise" not in out.cells[1].source
    assert "raise NotImplementedError()" in out.cells[2].source


def _spec(**changes: object) -> LabSpec:
    settings = Settings()
    base = LabSpec.learner(settings, name="lab-a", root=Path("/srv/course"), port=9000)
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_lab_spec_fingerprint_covers_what_a_reused_lab_must_match() -> None:
    """Mounts, root mode, JupyterLab's port, limits and privilege force a new lab; labels and images do not."""
    same = _spec()
    assert same.fingerprint() == _spec().fingerprint()
    for change in (
        {"root": Path("/srv/other")},
        {"root_read_only": False},
        {"extra_mounts": (Path("/srv/ws"),)},
        {"port": 9001},
        {"jupyter": False},
        {"privileged": True},
        {"limits": Limits("1g", 100, 1.0)},
    ):
        assert _spec(**change).fingerprint() != same.fingerprint(), change
    for change in ({"labels": (("run", "x"),)}, {"base_images": ("busybox",)}, {"timeout": 5.0}):
        assert _spec(**change).fingerprint() == same.fingerprint(), change


def test_grading_and_learner_labs_differ_in_data_only(tmp_path: Path) -> None:
    settings = Settings(lab_memory="2g", lab_pids=512, lab_cpus=1.5)
    grading = LabSpec.grading(settings, "dcgrade-1", tmp_path / "kit", tmp_path / "ws", ["busybox"], {"run": "r1"})
    learner = LabSpec.learner(settings, name="docker-course-lab", root=tmp_path / "kit")
    assert grading.root_read_only and not grading.jupyter and grading.extra_mounts == ((tmp_path / "ws").resolve(),)
    assert grading.label_map == {"run": "r1"} and grading.base_images == ("busybox",)
    assert learner.jupyter and learner.root_read_only and learner.base_images is None
    assert grading.limits == learner.limits == Limits("2g", 512, 1.5)


def test_host_without_iptables_says_the_labs_own_rule_must_hold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lab_network.shutil, "which", lambda name: None)
    assert "no iptables" in lab_network.host_rule_missing()


class _FakeLab:
    def __init__(self, code: int) -> None:
        self.code = code
        self.ran: list[list[str]] = []

    def exec_run(self, cmd: list[str]) -> tuple[int, bytes]:
        self.ran.append(cmd)
        return self.code, b"iptables: Bad rule (does a matching rule exist in that chain?)."


def test_lab_rule_is_verified_inside_the_lab(tmp_path: Path) -> None:
    """The rule lab-init reports is checked with iptables -C in the lab; a missing report or rule is a problem."""
    holds, gone = _FakeLab(0), _FakeLab(1)
    assert "missing" in lab_network.lab_rule_problem(holds, tmp_path)  # type: ignore[arg-type]
    (tmp_path / lab_network.EGRESS_FILE).write_text("DOCKER-USER\n-o\neth0\n-j\nDROP\n")
    assert lab_network.lab_rule_problem(holds, tmp_path) == ""  # type: ignore[arg-type]
    assert holds.ran == [["iptables", "-C", "DOCKER-USER", "-o", "eth0", "-j", "DROP"]]
    assert "does not hold" in lab_network.lab_rule_problem(gone, tmp_path)  # type: ignore[arg-type]
    (tmp_path / lab_network.EGRESS_FILE).write_text("")
    assert "could not insert" in lab_network.lab_rule_problem(holds, tmp_path)  # type: ignore[arg-type]


def test_lab_recipe_hashes_the_runtime_pins_only(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A test-tool bump in constraints.txt leaves the lab image alone; a runtime bump rebuilds it."""
    lock = tmp_path / "constraints.txt"
    monkeypatch.setattr(lab_image, "CONSTRAINTS", lock)
    header = "# generated\n# [runtime] for the lab\n"
    lock.write_text(header + "docker==7.1.0\njupyterlab==4.4.0\n# [test] host only\npytest==8.0.0\n")
    assert lab_image.runtime_pins() == "docker==7.1.0\njupyterlab==4.4.0\n"
    before = lab_image.LAB.recipe()
    lock.write_text(header + "docker==7.1.0\njupyterlab==4.4.0\n# [test] host only\npytest==9.9.9\n")
    assert lab_image.LAB.recipe() == before
    lock.write_text(header + "docker==7.1.1\njupyterlab==4.4.0\n# [test] host only\npytest==9.9.9\n")
    assert lab_image.LAB.recipe() != before
    lock.write_text("# [test] only\npytest==1\n")
    with pytest.raises(ImageProvisionError, match="course.sh lock"):
        lab_image.runtime_pins()


def test_the_repository_lock_pins_every_runtime_dependency() -> None:
    """constraints.txt pins each dependency of pyproject.toml in its runtime section, each test tool in its test one."""
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    runtime = {line.split("==")[0] for line in lab_image.runtime_pins().splitlines()}
    every = {line.split("==")[0] for line in (REPO / "constraints.txt").read_text().splitlines() if "==" in line}

    def name(requirement: str) -> str:
        return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")

    assert {name(r) for r in project["dependencies"]} <= runtime
    assert {name(r) for r in project["optional-dependencies"]["test"]} <= every - runtime


def test_host_packages_are_declared_once_for_course_sh_and_the_engine() -> None:
    """install.py and course.sh read the same system-packages.txt (course.sh through its awk filter)."""
    import subprocess

    start = host_packages("start")
    assert ("docker.io", "dockerd") in start and ("iptables", "iptables") in start
    script = f'ROOT={REPO}; eval "$(grep "^system_packages()" {REPO}/course.sh)"; system_packages start'
    listed = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True).stdout.split()
    assert listed == [pkg for pkg, _ in start]
    assert "chromium" in [pkg for pkg, _ in host_packages("test")] and "chromium" not in listed


def test_host_jupyter_that_never_answers_is_an_error_not_a_url(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A host-mode JupyterLab that does not answer in time is stopped and reported with its log and a hint."""
    import subprocess
    import sys

    from grader.engine import host_jupyter
    from grader.errors import EngineUnavailable

    monkeypatch.setenv("DOCKER_COURSE_STATE", str(tmp_path))
    silent_server = [sys.executable, "-c", "import time; time.sleep(30)"]
    real_popen, started = subprocess.Popen, []

    def popen(cmd: list[str], **kwargs: object) -> subprocess.Popen[bytes]:
        started.append(real_popen(silent_server, **kwargs))  # type: ignore[call-overload]
        return started[-1]

    monkeypatch.setattr(host_jupyter.subprocess, "Popen", popen)
    with pytest.raises(EngineUnavailable) as exc:
        host_jupyter.start(Settings(jupyter_port=1), timeout=1.0)
    assert "did not answer on 127.0.0.1:1 within 1 s" in str(exc.value) and "jupyter-host.log" in str(exc.value)
    assert host_jupyter.running() is None
    assert started[0].wait(timeout=10) is not None  # stopped, not left running


class _FakeObject:
    def __init__(self, name: str, error: Exception | None = None, labels: dict[str, str] | None = None) -> None:
        self.name, self.short_id, self.error = name, name[:12], error
        self.labels = labels or {}
        self.attrs = {"Labels": self.labels}

    def remove(self, **kwargs: object) -> None:
        if self.error:
            raise self.error


class _FakeCollection:
    def __init__(self, items: list[_FakeObject]) -> None:
        self.items = items

    def list(self, **kwargs: object) -> list[_FakeObject]:
        return self.items


def test_reset_reports_only_what_it_removed() -> None:
    """A container gone meanwhile (404) or refused (409) is not in the report; a refusal is said."""
    from docker.errors import APIError, NotFound

    from grader.engine.reset import reset

    client = type("Client", (), {})()
    client.containers = _FakeCollection(
        [_FakeObject("web-fixed"), _FakeObject("api", NotFound("gone")), _FakeObject("db-2", APIError("in use"))]
    )
    client.networks = _FakeCollection([_FakeObject("bridge"), _FakeObject("course-net")])
    client.volumes = _FakeCollection([_FakeObject("users-own"), _FakeObject("shared-data", APIError("in use"))])
    client.images = _FakeCollection([])
    lines: list[str] = []
    done = reset(client, whole_engine=False, report=lines.append)  # type: ignore[arg-type]
    assert done.containers == ["web-fixed"] and done.networks == ["course-net"] and done.volumes == []
    assert any("could not remove db-2" in line for line in lines)
    assert any("could not remove shared-data" in line for line in lines)
    assert lines[-1].startswith("removed 1 container(s), 1 network(s), 0 volume(s)")
