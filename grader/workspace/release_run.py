"""Run nbgrader's own ``generate_assignment`` for several assignments in one process.

Started by ``student_version`` as ``python -m grader.workspace.release_run
ASSIGNMENT...`` with ``DOCKER_COURSE_NBGRADER_ROOT`` (a throw-away course root),
``DOCKER_COURSE_SOURCE`` and ``DOCKER_COURSE_GRADEBOOK`` set: the course config
(``nbgrader_config.py`` of the checkout) reads them, so the student version is
exactly what an instructor's ``nbgrader generate_assignment`` releases, and no
real gradebook is touched. One process for all chapters saves nbgrader's start-up
(about 4 s) per chapter.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Generate each assignment named in ``argv``; exit 1 with nbgrader's error on the first failure."""
    from nbgrader.apps import NbGraderAPI
    from traitlets.config.loader import PyFileConfigLoader

    from grader.engine.settings import repo_root

    names = sys.argv[1:] if argv is None else argv
    config = PyFileConfigLoader("nbgrader_config.py", path=str(repo_root())).load_config()
    api = NbGraderAPI(config=config)
    for name in names:
        result = api.generate_assignment(name, force=True)
        if not result.get("success"):
            print(f"generate_assignment {name} failed:\n{result.get('error') or result.get('log')}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
