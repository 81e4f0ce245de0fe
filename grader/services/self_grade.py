"""Grade my chapter: the learner's chapter notebook graded as the instructor's autograder would.

``docker-course grade-chapter 01`` (and the landing page's button, through the
lab's channel) copies the learner's chapter folder out of the workspace (links
never followed), releases the chapter with nbgrader into a throw-away course root
of its own (never an instructor's gradebook), and runs the class grader on that
one submission: a *fresh* lab, nbgrader's autograde, the course's trusted checks.
The learner's own lab is untouched. The result is the score per exercise with
expected / found / hint, and a printable page ``WORKSPACE/grades/FOLDER.html``.
"""

from __future__ import annotations

import html
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from grader import curriculum
from grader.engine.progress import Reporter, silent
from grader.engine.settings import ensure_writable, in_lab, state_dir
from grader.errors import GraderError
from grader.nbgrader_glue.course_root import CourseRoot
from grader.services import channel
from grader.workspace.safe_fs import SafeTree, UnsafePath
from grader.workspace.service import open_workspace
from grader.workspace.solutions import source_dir

LEARNER = "me"  # the one student of the throw-away course root
GRADES_FOLDER = "grades"
MAX_CHAPTER_BYTES = 64 << 20  # what is copied out of the workspace for grading
NOT_HIDDEN = "Graded with the course's own checks; an instructor's hidden tests, if any, are not part of it."


@dataclass(frozen=True)
class ChapterGrade:
    """A chapter graded for its learner: the grader's report, where its page is, and what it was not."""

    chapter: str
    folder: str
    report: dict[str, Any]
    page: str = ""

    @property
    def score(self) -> float:
        return float(self.report.get("score", 0.0))

    @property
    def max_score(self) -> float:
        return float(self.report.get("max_score", 0.0))

    def to_json(self) -> dict[str, Any]:
        return {"chapter": self.chapter, "folder": self.folder, "report": self.report, "page": self.page}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ChapterGrade:
        """The grade :meth:`to_json` made (from the channel's answer)."""
        report = data.get("report") if isinstance(data.get("report"), dict) else {}
        return cls(str(data.get("chapter", "")), str(data.get("folder", "")), report or {}, str(data.get("page", "")))

    def to_text(self) -> str:
        """For a terminal: the total, one line per exercise, then what failed with its hint."""
        lines = [f"Chapter {self.folder}: {self.score:g}/{self.max_score:g} points ({self.verdict})", NOT_HIDDEN]
        for exercise, entry in self.exercises():
            lines.append(f"  {exercise:10} {float(entry.get('score') or 0):g}/{float(entry.get('max_score') or 0):g}")
            lines += [f"      - {_part_text(p)}" for p in entry.get("parts") or [] if not p.get("passed")]
        if self.page:
            lines.append(f"Printable page: {self.page}")
        return "\n".join(lines)

    @property
    def verdict(self) -> str:
        return str(self.report.get("verdict") or self.report.get("status") or "graded")

    def exercises(self) -> list[tuple[str, dict[str, Any]]]:
        found = self.report.get("exercises") or {}
        return sorted((k, v) for k, v in found.items() if isinstance(v, dict)) if isinstance(found, dict) else []

    def to_html(self) -> str:
        """A printable page (HTML-escaped): the total, each exercise's score and its failed parts."""
        e = html.escape
        rows = []
        for exercise, entry in self.exercises():
            score, top = float(entry.get("score") or 0), float(entry.get("max_score") or 0)
            failed = "".join(f"<li>{_part_html(p)}</li>" for p in entry.get("parts") or [] if not p.get("passed"))
            mark = "&#10004;" if top and score >= top else ""
            rows.append(
                f"<tr class='dc-grade-row' data-exercise='{e(exercise)}'><td>{e(exercise)} {mark}</td>"
                f"<td>{e(str(entry.get('title', '')))}</td><td>{score:g}/{top:g}</td>"
                f"<td><ul style='margin:0'>{failed}</ul></td></tr>"
            )
        message = self.report.get("message") or ""
        return (
            f"<div class='dc-chapter-grade' style='font-family:sans-serif'><h3>Chapter {e(self.folder)}: "
            f"{self.score:g}/{self.max_score:g} points</h3><p>{e(self.verdict)}"
            + (f": {e(str(message))}" if message else "")
            + f"</p><p style='color:#57606a'>{e(NOT_HIDDEN)}</p>"
            "<table border='1' style='border-collapse:collapse' cellpadding='4'>"
            f"<tr><th>exercise</th><th>title</th><th>score</th><th>to fix</th></tr>{''.join(rows)}</table></div>"
        )


def _part_text(part: dict[str, Any]) -> str:
    hint = f"; hint: {part['hint']}" if part.get("hint") else ""
    return f"{part.get('name', '')}: expected {part.get('expected', '')}; found {part.get('found', '')}{hint}"


def _part_html(part: dict[str, Any]) -> str:
    e = html.escape
    hint = f"<br><i>hint:</i> {e(str(part['hint']))}" if part.get("hint") else ""
    return (
        f"<b>{e(str(part.get('name', '')))}</b>: expected {e(str(part.get('expected', '')))}; "
        f"found {e(str(part.get('found', '')))}{hint}"
    )


def grade_my_chapter(chapter: str, report: Reporter = silent, timeout: float = 1800) -> ChapterGrade:
    """Grade the learner's notebook of ``chapter`` in a fresh lab, as the class grader would.

    Args:
        chapter: ``1``, ``01``, ``ch01`` or ``01-dockerfile``.
        timeout: seconds the notebook may run.

    Raises:
        GraderError: not a chapter, no workspace or no notebook of it, a link in its folder,
            or the grading could not run (the message says which).
    """
    try:
        plan = curriculum.chapter(chapter)
    except curriculum.UnknownName as e:
        raise GraderError(str(e)) from e
    if in_lab():
        answer = channel.request("grade", timeout=timeout + 600, chapter=plan.number)
        return ChapterGrade.from_json(answer)
    tree = SafeTree(open_workspace(create=False))
    if tree.kind(plan.folder) != "dir":
        raise GraderError(f"Your workspace {tree.root} has no folder {plan.folder}: run `docker-course update`.")
    work = Path(tempfile.mkdtemp(prefix="grade-", dir=ensure_writable(state_dir() / "self-grade", "state")))
    try:
        course = CourseRoot(work, source_dir().resolve(), f"sqlite:///{work / 'gradebook.db'}")
        report(f"releasing chapter {plan.folder} into a course root of its own")
        course.nbgrader("generate_assignment", plan.folder, "--force")
        _copy_out(tree, PurePosixPath(plan.folder), course.submitted(LEARNER, plan.folder), [MAX_CHAPTER_BYTES])
        from grader.nbgrader_glue.pipeline import grade_class

        grade_class(plan.folder, student=LEARNER, course=course, timeout=timeout, report=report)
        data = json.loads(course.report(LEARNER, plan.folder).read_text())
    finally:
        shutil.rmtree(work, ignore_errors=True)
    grade = ChapterGrade(plan.number, plan.folder, data)
    page = f"{GRADES_FOLDER}/{plan.folder}.html"
    tree.write_bytes(
        page, f"<!doctype html><meta charset='utf-8'><title>{plan.folder}</title>{grade.to_html()}".encode()
    )
    return ChapterGrade(plan.number, plan.folder, data, str(tree.root / page))


def _copy_out(tree: SafeTree, folder: PurePosixPath, target: Path, budget: list[int]) -> None:
    """Copy the learner's chapter folder (regular files only, links skipped, ``budget`` bytes) to ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for name in tree.listdir(folder):
        if name in (".ipynb_checkpoints", "__pycache__"):
            continue
        rel = folder / name
        kind = tree.kind(rel)
        if kind == "dir":
            _copy_out(tree, rel, target / name, budget)
        elif kind == "file":
            try:
                data = tree.read_bytes(rel)
            except (UnsafePath, OSError):
                continue  # replaced by a link meanwhile: not copied
            budget[0] -= len(data)
            if budget[0] < 0:
                raise GraderError(f"{tree.root / folder} holds more than {MAX_CHAPTER_BYTES >> 20} MB: not graded.")
            (target / name).write_bytes(data)
