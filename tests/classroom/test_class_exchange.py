"""The class exchange end to end with the real nbgrader commands (tests/fixtures/01-mini).

The instructor generates and releases from the source; two learners (one answers
everything, one submits the blank release) fetch and submit with the nbgrader config a
hub lab gets (their own exchange root, fetched work in ``class/``); the instructor
collects, runs the real ``docker-course grade`` and ``docker-course feedback``, releases
the feedback; each learner fetches only their own. The gradebook is on a real PostgreSQL
(``docker-course gradebook``'s server, in a folder of the test's own, stopped by its pid
after); the SQLite gradebook is graded in test_fixture_class.py. A learner's forged submission in
another's name and a link in a submission are refused. In a hub lab the folders here
are mounts: what one learner's lab cannot see at all is tested in tests/engine/test_hub.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from grader.nbgrader_glue import exchange_layout as layout
from grader.nbgrader_glue.course_root import CourseRoot
from grader.services import gradebook_db
from tests.classroom.class_support import FIXTURES, ClassRoom, grading_leftovers, per_exercise

pytestmark = [pytest.mark.slow, pytest.mark.engine]
A = "01-mini"
LEARNERS = ("ann", "ben")


class Learner:
    """One learner: a workspace and the nbgrader config of their lab, nbgrader run as in their lab."""

    def __init__(self, name: str, base: Path, exchange: Path) -> None:
        self.name, self.exchange = name, exchange
        self.workspace = base / f"ws-{name}"
        self.config = base / f"etc-{name}"  # stands for /etc/jupyter in their lab
        (self.workspace / layout.CLASS_FOLDER).mkdir(parents=True)
        self.config.mkdir()
        layout.ensure_learner(name, exchange)
        text = layout.learner_config(name, self.workspace, exchange)
        (self.config / "nbgrader_config.py").write_text(text)

    def nbgrader(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DOCKER_COURSE_", "JUPYTER"))}
        env.update(JUPYTER_CONFIG_DIR=str(self.config), JUPYTER_CONFIG_PATH=str(self.config))
        return subprocess.run(  # noqa: S603
            [sys.executable, "-m", "nbgrader", *args],
            cwd=self.workspace / layout.CLASS_FOLDER,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    @property
    def fetched(self) -> Path:
        return self.workspace / layout.CLASS_FOLDER / A


def _answer_everything(room: ClassRoom, notebook: Path) -> None:
    solutions = room.solutions(A)
    nb = nbformat.read(str(notebook), as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in solutions:
            cell.source = solutions[grade_id]
    nbformat.write(nb, str(notebook))


@pytest.fixture(scope="module")
def classroom(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ClassRoom, dict[str, Learner]]]:
    base = tmp_path_factory.mktemp("exchange")
    exchange = base / "exchange"
    data = Path(tempfile.mkdtemp(prefix="dc-pg-"))  # /tmp: the postgres user may enter it
    os.chmod(data, 0o755)
    database = gradebook_db.up(data, report=print)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(layout.EXCHANGE_ENV, str(exchange))
        layout.ensure_instructor(exchange)
        room = ClassRoom(FIXTURES)
        room.course = CourseRoot(room.course.root, room.course.source, database.url)
        room.release(A)
        room.course.nbgrader("release_assignment", A)
        learners = {name: Learner(name, base, exchange) for name in LEARNERS}
        try:
            yield room, learners
        finally:
            gradebook_db.down(data)
            shutil.rmtree(data, ignore_errors=True)
        assert not grading_leftovers(room), grading_leftovers(room)


def test_release_fetch_submit_collect_grade_feedback(classroom: tuple[ClassRoom, dict[str, Learner]]) -> None:
    room, learners = classroom
    ann, ben = learners["ann"], learners["ben"]
    for learner in (ann, ben):
        listed = learner.nbgrader("list")
        assert f"{layout.COURSE_ID} {A}" in listed.stdout + listed.stderr, listed.stderr
        done = learner.nbgrader("fetch_assignment", A)
        assert done.returncode == 0, done.stderr
        assert (learner.fetched / f"{A}.ipynb").is_file()
    _answer_everything(room, ann.fetched / f"{A}.ipynb")
    for learner in (ann, ben):
        done = learner.nbgrader("submit", A)
        assert done.returncode == 0, done.stderr
    # root in his lab, ben plants a link to a host file in his submission and forges one in ann's name
    (submitted,) = layout.learner_inbound("ben", ben.exchange).iterdir()
    (submitted / "secret-link").symlink_to("/etc/hostname")
    forged = layout.learner_inbound("ben", ben.exchange) / f"ann+{A}+2099-01-01 00:00:00.000000 UTC+forged"
    forged.mkdir()
    (forged / f"{A}.ipynb").write_text((ben.fetched / f"{A}.ipynb").read_text())
    assert [p.name.split("+")[0] for p in layout.learner_inbound("ann", ann.exchange).iterdir()] == ["ann"]

    room.course.nbgrader("collect", A)
    for name in LEARNERS:
        assert (room.course.submitted(name, A) / f"{A}.ipynb").is_file()
    assert not (room.course.submitted("ben", A) / "secret-link").exists(), "a link in a submission was followed"
    # ann's collected notebook is her own answer, not ben's forged blank one
    assert nbformat.read(str(room.course.submitted("ann", A) / f"{A}.ipynb"), as_version=4) == nbformat.read(
        str(ann.fetched / f"{A}.ipynb"), as_version=4
    )

    done = room.grade(A, "--workers", "2")
    assert done.returncode == 0, done.stdout + done.stderr
    scores = {name: sum(per_exercise(room.gradebook(A)[name]).values()) for name in LEARNERS}
    assert scores == {"ann": 9, "ben": 0}, scores

    feedback = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "grader.cli", "feedback", A], env=room.course.env(), capture_output=True, text=True
    )
    assert feedback.returncode == 0, feedback.stdout + feedback.stderr
    room.course.nbgrader("release_feedback", A)
    for learner in (ann, ben):
        assert len(list(layout.learner_feedback(learner.name, learner.exchange).glob("*.html"))) == 1
        done = learner.nbgrader("fetch_feedback", A)
        assert done.returncode == 0, done.stderr
        pages = list((learner.fetched / "feedback").glob(f"*/{A}.html"))
        assert len(pages) == 1, (learner.name, done.stderr)
    for learner, score in ((ann, "9.0"), (ben, "0.0")):
        (page,) = (learner.fetched / "feedback").glob(f"*/{A}.html")
        assert f"{A} (Score: {score} / 9.0)" in page.read_text(), learner.name
