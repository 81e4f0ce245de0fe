"""The instructor's side of the class exchange (layout in :mod:`grader.nbgrader_glue.exchange_layout`).

``nbgrader collect`` reads every learner's own ``inbound`` folder; a submission counts
for the learner whose folder holds it (a name written into another learner's
submission name is refused), and nothing under a learner's folder is followed as a
link: a link to ``/etc`` in a submission is not copied. ``nbgrader release_feedback``
writes each learner's feedback into their own feedback folder only. The course config
(``nbgrader_config.py``) sets both through :func:`instructor_exchange`.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
from pathlib import Path
from typing import Any

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.exchange.default.collect import ExchangeCollect, groupby
from nbgrader.exchange.default.release_feedback import ExchangeReleaseFeedback
from nbgrader.utils import ignore_patterns, notebook_hash

from grader.nbgrader_glue import exchange_layout as layout


def instructor_exchange(c: Any) -> None:
    """Point nbgrader's exchange in config ``c`` at the class exchange, with the per-learner plugins."""
    c.Exchange.root = str(layout.exchange_root())
    c.ExchangeFactory.collect = "grader.nbgrader_glue.exchange.PerLearnerCollect"
    c.ExchangeFactory.release_feedback = "grader.nbgrader_glue.exchange.PerLearnerReleaseFeedback"
    c.CollectApp.check_owner = False  # every lab writes as its own root: the folder says who submitted


def _learner_folders(root: Path, only: str) -> list[tuple[str, Path]]:
    """``(name, inbound)`` of each learner whose inbound is a real folder (no link on the way)."""
    learners = root / "learners"
    if learners.is_symlink() or not learners.is_dir():
        return []
    found = []
    for entry in sorted(os.scandir(learners), key=lambda e: e.name):
        if only not in ("", "*") and entry.name != only:
            continue
        inbound = Path(entry.path) / layout.COURSE_ID / "inbound"
        if any(p.is_symlink() or not p.is_dir() for p in (Path(entry.path), inbound.parent, inbound)):
            continue
        found.append((entry.name, inbound))
    return found


class PerLearnerCollect(ExchangeCollect):
    """Collect from each learner's own inbound folder; the folder, not the file name, names the learner."""

    def init_src(self) -> None:
        """The newest submission (or the newest before the due date) of each learner."""
        if self.coursedir.course_id == "":
            self.fail("No course id specified. Re-run with --course flag.")
        root = Path(self.root)
        self.inbound_path = str(root / "learners")  # records name their file relative to it
        records = []
        for name, inbound in _learner_folders(root, self.coursedir.student_id):
            for entry in os.scandir(inbound):
                record = self._own_record(name, entry)
                if record is not None:
                    records.append(record)
        self.src_records = self._chosen(groupby(records, lambda item: item["username"]))

    def _own_record(self, name: str, entry: os.DirEntry[str]) -> dict[str, Any] | None:
        parts = entry.name.rsplit("+", 3)
        if len(parts) < 3 or parts[1] != self.coursedir.assignment_id:
            return None
        if entry.is_symlink() or not entry.is_dir(follow_symlinks=False) or parts[0] != name:
            self.log.warning("Skipping %s in %s's inbound folder: not their own submission folder", entry.name, name)
            return None
        record: dict[str, Any] = self._path_to_record(entry.path)
        record["filename"] = os.path.join(name, layout.COURSE_ID, "inbound", entry.name)
        return record

    def _chosen(self, usergroups: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
            try:
                self.duedate = gb.find_assignment(self.coursedir.assignment_id).duedate
            except MissingEntry:
                self.duedate = None
        chosen = []
        for records in usergroups.values():
            newest = self._sort_by_timestamp(records)
            if self.duedate is not None and self.before_duedate:
                before = [r for r in newest if r["timestamp"] <= self.duedate]
                newest = before or newest
            chosen.append(newest[0])
        return chosen

    def do_copy(self, src: str, dest: str, log: Any = None) -> None:
        """Copy a submission without following any link in it (links are left out)."""
        if self.get_size(src) > 1000 * self.coursedir.max_dir_size:
            raise RuntimeError(f"Submission {src} is larger than {self.coursedir.max_dir_size} kB")
        patterns = ignore_patterns(
            exclude=self.coursedir.ignore,
            include=self.coursedir.include,
            max_file_size=self.coursedir.max_file_size,
            log=self.log,
        )

        def ignore(folder: str, names: list[str]) -> set[str]:
            links = {n for n in names if os.path.islink(os.path.join(folder, n))}
            return set(patterns(folder, names)) | links

        shutil.copytree(src, dest, symlinks=True, ignore=ignore)


class PerLearnerReleaseFeedback(ExchangeReleaseFeedback):
    """Release each learner's feedback into their own feedback folder (read-only in their lab)."""

    def init_dest(self) -> None:
        """Only the course id is needed: each learner's folder is made as their feedback is released."""
        if self.coursedir.course_id == "":
            self.fail("No course id specified. Re-run with --course flag.")

    def copy_files(self) -> None:
        """Copy every ``feedback/STUDENT/ASSIGNMENT/NOTEBOOK.html`` to ``EXCHANGE/feedback/STUDENT/HASH.html``."""
        excluded = set(filter(None, (self.coursedir.student_id_exclude or "").split(",")))
        pattern = re.escape(os.path.sep).join(
            [
                self.coursedir.format_path(
                    self.coursedir.feedback_directory, "(?P<student_id>.*)", self.coursedir.assignment_id, escape=True
                ),
                "(?P<notebook_id>.*).html",
            ]
        )
        for html_file in glob.glob(os.path.join(self.src_path, "*.html")):
            found = re.match(pattern, html_file)
            if found is None or found["student_id"] in excluded:
                continue
            submitted = self.coursedir.format_path(
                self.coursedir.submitted_directory, found["student_id"], self.coursedir.assignment_id
            )
            if not os.path.isfile(os.path.join(submitted, f"{found['notebook_id']}.ipynb")):
                continue  # a page of no submitted notebook (the course's summary.html): fetch_feedback skips it
            self._release_one(html_file, found["student_id"], found["notebook_id"])

    def _release_one(self, html_file: str, student: str, notebook_id: str) -> None:
        folder = Path(html_file).parent
        secret_file = folder / "submission_secret.txt"
        if not secret_file.is_file():
            self.log.warning("No submission secret beside %s: not released", html_file)
            return
        checksum = notebook_hash(secret=secret_file.read_text(), notebook_id=notebook_id)
        dest = layout.real_folder(layout.learner_feedback(student, Path(self.root)))
        partial = dest / f".{checksum}.html.part"
        shutil.copyfile(html_file, partial)
        os.chmod(partial, 0o644)
        os.replace(partial, dest / f"{checksum}.html")  # a learner's fetch never sees half a file
        self.log.info("Released feedback for %s on %s/%s", student, self.coursedir.assignment_id, notebook_id)
