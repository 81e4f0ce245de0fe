"""What a hub learner's lab gets of the class: their part of nbgrader's exchange and its settings.

The exchange's layout and why it is per learner: :mod:`grader.nbgrader_glue.exchange_layout`.
In the lab, ``~/.jupyter`` (the lab's own, made afresh at each start) holds the nbgrader
config (their own exchange root, fetched assignments in ``WORKSPACE/class``) and turns the
instructor's tools (formgrader, create assignment) off: a learner sees the assignment list.
"""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

from grader.errors import ConfigError
from grader.nbgrader_glue import exchange_layout as layout

INSTRUCTOR_ONLY_SERVER = ("nbgrader.server_extensions.formgrader",)
INSTRUCTOR_ONLY_LAB = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment")


def exchange_mounts(learner: str, workspace: Path) -> tuple[tuple[Path, ...], tuple[Path, ...]]:
    """Make ``learner``'s exchange folders and ``WORKSPACE/class``; (read-write, read-only) mounts of their lab.

    Raises:
        ConfigError: a folder of the exchange, or ``class`` in the workspace, is a link or a file.
    """
    try:
        mounts = layout.ensure_learner(learner)
        layout.real_folder(workspace / layout.CLASS_FOLDER)
    except NotADirectoryError as e:
        raise ConfigError(f"{e}: remove it, then start the learner's server again.") from e
    return tuple(p for p, ro in mounts if not ro), tuple(p for p, ro in mounts if ro)


def _files(learner: str, workspace: Path) -> dict[str, str]:
    server = {"ServerApp": {"jpserver_extensions": dict.fromkeys(INSTRUCTOR_ONLY_SERVER, False)}}
    page = {"disabledExtensions": dict.fromkeys(INSTRUCTOR_ONLY_LAB, True)}
    return {
        ".jupyter/nbgrader_config.py": layout.learner_config(learner, workspace),
        ".jupyter/jupyter_server_config.json": json.dumps(server, indent=1) + "\n",
        ".jupyter/labconfig/page_config.json": json.dumps(page, indent=1) + "\n",
    }


def config_tar(learner: str, workspace: Path) -> bytes:
    """A tarball of ``.jupyter/`` for the lab's ``/root`` (the lab's root user's Jupyter settings)."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        for folder in (".jupyter", ".jupyter/labconfig"):
            info = tarfile.TarInfo(folder)
            info.type, info.mode = tarfile.DIRTYPE, 0o755
            tar.addfile(info)
        for name, text in _files(learner, workspace).items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()
