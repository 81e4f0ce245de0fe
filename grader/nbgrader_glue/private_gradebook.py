"""The gradebook a grading lab gets: a private SQLite copy of the course's, with one student only.

The course's gradebook is any SQLAlchemy URL nbgrader accepts: SQLite (the default),
or PostgreSQL for a large class (``DOCKER_COURSE_GRADEBOOK=postgresql+psycopg2://...``).
The copy is always an SQLite file in the submission's workspace: nbgrader's autograde
runs against it inside the lab, and the grader's single writer merges its scores back
into the course's gradebook (:mod:`grader.nbgrader_glue.gradebook_merge`), whatever it is.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlalchemy
from nbgrader.api import Base, Gradebook, MissingEntry

from grader.nbgrader_glue.course_root import ensure_alembic_on_path

SQLITE = "sqlite:///"


def private_gradebook(db_url: str, copy: Path, student: str) -> None:
    """Write at ``copy`` the gradebook ``db_url`` without any other student's data (VACUUM drops freed pages)."""
    ensure_alembic_on_path()
    if db_url.startswith(SQLITE):
        with sqlite3.connect(db_url[len(SQLITE) :]) as src, sqlite3.connect(copy) as dst:
            src.backup(dst)
    else:
        _copy_rows(db_url, copy)
    with Gradebook(f"{SQLITE}{copy}") as gb:
        for other in [s.id for s in gb.students if s.id != student]:
            gb.remove_student(other)
        try:
            gb.find_student(student)
        except MissingEntry:
            gb.add_student(student)
    connection = sqlite3.connect(copy)
    try:
        connection.execute("VACUUM")
    finally:
        connection.close()


def _copy_rows(db_url: str, copy: Path) -> None:
    """Every row of nbgrader's tables from ``db_url`` into a new SQLite gradebook at ``copy``."""
    with Gradebook(f"{SQLITE}{copy}"):
        pass  # nbgrader makes the schema and stamps its alembic version
    source, target = sqlalchemy.create_engine(db_url), sqlalchemy.create_engine(f"{SQLITE}{copy}")
    try:
        with source.connect() as src, target.begin() as dst:
            for table in reversed(Base.metadata.sorted_tables):
                dst.execute(table.delete())  # the rows a new gradebook starts with (its default course)
            for table in Base.metadata.sorted_tables:  # parents before the rows that refer to them
                rows = [dict(row._mapping) for row in src.execute(table.select())]
                if rows:
                    dst.execute(table.insert(), rows)
    finally:
        source.dispose()
        target.dispose()
