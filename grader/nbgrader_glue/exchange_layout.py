"""The class's nbgrader exchange on the hub's machine: one shared release, a private folder per learner.

Every learner is root in their own lab, so the default exchange's Unix permissions
(one world-writable ``inbound``, one readable ``feedback``) protect nothing. Instead
each lab mounts only what is that learner's own (``EXCHANGE`` is ``STATE/hub/exchange``,
or ``DOCKER_COURSE_EXCHANGE``)::

    EXCHANGE/docker-course/outbound/       released assignments   read-only in every lab
    EXCHANGE/learners/NAME/                NAME's exchange root   read-write in NAME's lab only
        docker-course/inbound/             NAME's submissions
        docker-course/outbound  -> ../../../docker-course/outbound   (EXCHANGE/docker-course/outbound)
        docker-course/feedback  -> ../../../feedback/NAME            (EXCHANGE/feedback/NAME)
        cache/                             nbgrader's submission cache (fetch_feedback reads it)
    EXCHANGE/feedback/NAME/                NAME's released feedback   read-only in NAME's lab only

Inside NAME's lab the links resolve to the read-only mounts at the same absolute
paths; another learner's folders are not mounted at all. The instructor's side
(``grader.nbgrader_glue.exchange``) never follows a link under ``learners/``: a
learner may change their own folder at will, it only ever concerns themselves.
"""

from __future__ import annotations

import os
from pathlib import Path

from grader.engine.settings import state_dir

COURSE_ID = "docker-course"
EXCHANGE_ENV = "DOCKER_COURSE_EXCHANGE"
CLASS_FOLDER = "class"  # in the learner's workspace: fetched assignments, apart from the self-paced chapters


def exchange_root() -> Path:
    """The instructor's exchange root (``DOCKER_COURSE_EXCHANGE``, else ``STATE/hub/exchange``)."""
    return Path(os.environ.get(EXCHANGE_ENV) or state_dir() / "hub" / "exchange")


def outbound(root: Path | None = None) -> Path:
    """Where ``nbgrader release_assignment`` puts the released assignments."""
    return (root or exchange_root()) / COURSE_ID / "outbound"


def learner_root(name: str, root: Path | None = None) -> Path:
    """Learner ``name``'s exchange root (read-write in their lab)."""
    return (root or exchange_root()) / "learners" / name


def learner_inbound(name: str, root: Path | None = None) -> Path:
    """Learner ``name``'s submissions."""
    return learner_root(name, root) / COURSE_ID / "inbound"


def learner_feedback(name: str, root: Path | None = None) -> Path:
    """Learner ``name``'s released feedback (written by the instructor only)."""
    return (root or exchange_root()) / "feedback" / name


def real_folder(path: Path, mode: int = 0o755) -> Path:
    """``path`` as a folder that is no link (made, with its parents, when missing).

    Raises:
        NotADirectoryError: ``path`` or a folder on the way is a link or a file.
    """
    if not path.is_symlink() and not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        os.mkdir(path, mode)
        os.chmod(path, mode)
    if path.is_symlink() or not path.is_dir():
        raise NotADirectoryError(f"{path} is a link or not a folder: the exchange does not use it")
    return path


def ensure_instructor(root: Path | None = None) -> Path:
    """Make the exchange's shared part (root, ``outbound``, instructor's ``inbound``); the root."""
    root = root or exchange_root()
    real_folder(root)
    real_folder(outbound(root))
    real_folder(root / COURSE_ID / "inbound")  # nbgrader's own commands look for it
    return root


def ensure_learner(name: str, root: Path | None = None) -> list[tuple[Path, bool]]:
    """Make learner ``name``'s folders; what their lab mounts: ``(folder, read_only)`` each at its own path."""
    root = ensure_instructor(root)
    own = real_folder(learner_root(name, root))
    course = own / COURSE_ID
    if course.is_symlink():
        course.unlink()  # the learner's own folder: put back what nbgrader needs in it
    real_folder(course)
    real_folder(course / "inbound")
    real_folder(own / "cache")
    feedback = real_folder(learner_feedback(name, root))
    # relative links: they resolve wherever the three folders are mounted in the same layout
    # (at their own paths in a hub lab, under /srv/nbgrader/exchange in a Kubernetes pod)
    for link, target in (("outbound", f"../../../{COURSE_ID}/outbound"), ("feedback", f"../../../feedback/{name}")):
        path = course / link
        if path.is_symlink() and os.readlink(path) == target:
            continue
        if path.is_symlink() or path.is_file():
            path.unlink()
        elif path.is_dir():
            continue  # a folder the learner made there hides the release from themselves only
        path.symlink_to(target)
    return [(own, False), (outbound(root), True), (feedback, True)]


def learner_config(name: str, workspace: Path, root: Path | None = None) -> str:
    """The nbgrader config of learner ``name``'s lab (``/etc/jupyter/nbgrader_config.py``)."""
    own = learner_root(name, root)
    return (
        '"""nbgrader in a hub learner\'s lab: their own exchange folder, fetched work in class/."""\n'
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
        f"c.CourseDirectory.student_id = {name!r}\n"
        f"c.Exchange.root = {str(own)!r}\n"
        f"c.Exchange.cache = {str(own / 'cache')!r}\n"
        f"c.Exchange.assignment_dir = {str(workspace / CLASS_FOLDER)!r}\n"
        "c.Exchange.path_includes_course = False\n"
    )
