"""A namespace-sharing matrix from live state: containers x namespaces, shared cells marked.

Each cell says whether a running container shares that namespace with the engine
host ("host"), with other containers (their names), or has its own ("own").
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from grader.errors import GraderError
from grader.facts.inventory import learner_containers
from grader.facts.namespaces import NAMESPACES, NamespaceInodes
from grader.facts.snapshot import EngineFacts
from grader.widgets.display import show

HOST = "host"
COLORS = {"host": "#f6c177", "shared": "#9ccfd8", "own": "#eef1f4", "absent": "#ffffff"}


@dataclass(frozen=True)
class Cell:
    """One container's namespace: ``host``, ``shared`` (with ``partners``), ``own`` or ``absent``."""

    state: str
    partners: tuple[str, ...] = ()
    inode: int | None = None

    @property
    def label(self) -> str:
        if self.state == "shared":
            return "= " + ", ".join(self.partners)
        return {"host": "host", "own": "own", "absent": "-"}[self.state]


def sharing_matrix(inodes: dict[str, NamespaceInodes]) -> dict[str, dict[str, Cell]]:
    """container -> namespace -> Cell, from the inodes of ``host`` and of each container."""
    host = inodes[HOST].inodes
    containers = sorted(name for name in inodes if name != HOST)
    matrix: dict[str, dict[str, Cell]] = {}
    for name in containers:
        row = {}
        for ns in NAMESPACES:
            inode = inodes[name].inodes.get(ns)
            if inode is None:
                row[ns] = Cell("absent")
            elif inode == host.get(ns):
                row[ns] = Cell("host", inode=inode)
            else:
                partners = tuple(o for o in containers if o != name and inodes[o].inodes.get(ns) == inode)
                row[ns] = Cell("shared" if partners else "own", partners, inode)
        matrix[name] = row
    return matrix


def matrix_html(matrix: dict[str, dict[str, Cell]]) -> str:
    """The matrix as an HTML table (every name escaped), with a legend."""
    e = html.escape
    head = "".join(f"<th style='padding:4px 8px'>{e(ns)}</th>" for ns in NAMESPACES)
    rows = []
    for name, row in matrix.items():
        cells = "".join(
            f"<td class='ns-{c.state}' title='{e(ns)}:[{c.inode or ''}]' "
            f"style='background:{COLORS[c.state]};padding:4px 8px;text-align:center'>{e(c.label)}</td>"
            for ns, c in row.items()
        )
        rows.append(f"<tr><th style='text-align:left;padding:4px 8px'>{e(name)}</th>{cells}</tr>")
    if not rows:
        rows.append(f"<tr><td colspan='{len(NAMESPACES) + 1}'>no running containers</td></tr>")
    legend = " ".join(
        f"<span style='background:{COLORS[k]};padding:2px 6px;margin-right:6px'>{e(text)}</span>"
        for k, text in (
            ("host", "host: shared with the engine host"),
            ("shared", "= name: shared with that container"),
            ("own", "own: a namespace of its own"),
        )
    )
    return (
        "<div class='course-ns-matrix' style='font-family:sans-serif'>"
        "<table style='border-collapse:collapse;border:1px solid #ccc'>"
        f"<tr><th></th>{head}</tr>{''.join(rows)}</table>"
        f"<div style='margin-top:6px;font-size:90%'>{legend}</div></div>"
    )


def matrix_text(matrix: dict[str, dict[str, Cell]]) -> str:
    """The matrix as a plain-text table, for terminals."""
    width = max([len(n) for n in matrix] + [9])
    lines = [" " * width + " " + " ".join(f"{ns:<10}" for ns in NAMESPACES)]
    for name, row in matrix.items():
        lines.append(f"{name:<{width}} " + " ".join(f"{c.label:<10}" for c in row.values()))
    return "\n".join(lines)


def live_matrix(facts: EngineFacts | None = None) -> dict[str, dict[str, Cell]]:
    """The matrix of the learner's running containers, read now.

    Raises:
        GraderError: the engine or the probe could not answer.
    """
    if facts is None:
        from grader.engine.client import course_engine

        facts = EngineFacts(course_engine())
    names = tuple(c.name for c in learner_containers(facts.client) if c.name)
    return sharing_matrix(facts.namespaces(names))


def show_namespace_matrix(facts: EngineFacts | None = None) -> None:
    """Display the live matrix: HTML in a notebook, text elsewhere; an error as one line.

    Example::

        from grader.pictures.namespaces import show_namespace_matrix
        show_namespace_matrix()
    """
    try:
        matrix = live_matrix(facts)
    except GraderError as e:
        print(f"No namespace matrix: {e}")
        return
    show(matrix_html(matrix), matrix_text(matrix))
