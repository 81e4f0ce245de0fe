"""Every submission's verdict: a short reason (``graded``, ``kernel died at cell N``, ``timeout``,
``resource limit``, ``malformed notebook``, ``infrastructure error``) and one sentence.

The reason comes from what the grading lab reported (``fresh_lab.LabRun``), what the
grading executor recorded per notebook (``execute.GradingExecute`` incidents), and
whether the submitted notebooks could be read at all (checked before any lab starts).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

GRADED = "graded"
TIMEOUT = "timeout"
RESOURCE_LIMIT = "resource limit"
MALFORMED = "malformed notebook"
INFRASTRUCTURE = "infrastructure error"


@dataclass
class Verdict:
    """The recorded outcome of one submission: reason, sentence, incidents by notebook cell."""

    reason: str
    message: str = ""
    incidents: list[dict[str, Any]] = field(default_factory=list)


def malformed_notebooks(folder: Path) -> str:
    """Why the notebooks in ``folder`` cannot be graded ("" when each one reads as a notebook)."""
    bad = []
    for path in sorted(folder.glob("*.ipynb")):
        try:
            nb = nbformat.reads(path.read_text(errors="replace"), as_version=4)
            if not isinstance(nb.get("cells"), list):
                raise ValueError("no list of cells")
        except Exception as e:  # noqa: BLE001 - any reader failure means the same: not a notebook
            bad.append(f"{path.name} ({type(e).__name__})")
    return f"not valid notebook JSON: {', '.join(bad)}" if bad else ""


def write_incidents(path: Path, notebook: str, incidents: list[dict[str, Any]]) -> Path:
    """Record one notebook's incidents (what ``read_incidents`` reads back)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"notebook": notebook, "incidents": incidents}, indent=1) + "\n")
    return path


def read_incidents(folder: Path) -> list[dict[str, Any]]:
    """The executor's incidents of every notebook graded in a workspace (``incidents/*.json``)."""
    found: list[dict[str, Any]] = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        for incident in data.get("incidents", []) if isinstance(data, dict) else []:
            if isinstance(incident, dict):
                found.append({"notebook": data.get("notebook", path.stem), **incident})
    return found


def from_incidents(incidents: list[dict[str, Any]], disk_full: str = "") -> Verdict:
    """The verdict of a notebook nbgrader graded to the end, from what happened on the way.

    ``disk_full`` (how much of the lab's engine data cap was used, when it was reached)
    makes it a resource limit unless a kernel death or a time-out says more.
    """
    found = _from_incidents(incidents)
    if disk_full and found.reason == GRADED:
        text = f"the lab's engine data reached its cap ({disk_full}); what ran was graded"
        return Verdict(RESOURCE_LIMIT, text, incidents)
    return found


def _from_incidents(incidents: list[dict[str, Any]]) -> Verdict:
    for incident in incidents:
        kind, cell = incident.get("kind"), incident.get("cell")
        where = f"cell {cell}" + (f" ({incident['grade_id']})" if incident.get("grade_id") else "")
        if kind == "kernel died":
            code = incident.get("exit_code")
            if isinstance(code, int) and code == -9:
                text = f"the kernel was killed at {where} (out of memory or another limit); the rest was graded"
                return Verdict(RESOURCE_LIMIT, text, incidents)
            return Verdict(
                f"kernel died at cell {cell}",
                f"the kernel {incident['message']} at {where}; checks before it kept their scores, the rest was graded",
                incidents,
            )
        if kind in ("timeout", "not run"):
            return Verdict(TIMEOUT, f"{where}: {incident['message']}; what finished was graded", incidents)
    cut = [i for i in incidents if i.get("kind") == "output cut"]
    if cut:
        return Verdict(GRADED, f"graded; output cut in {len(cut)} cell(s)", incidents)
    return Verdict(GRADED, "", incidents)


def from_lab(status: str, message: str) -> Verdict:
    """The verdict of a submission nbgrader did not grade to the end (``status`` of the lab run)."""
    if status == "malformed":
        return Verdict(MALFORMED, message)
    if status == "timeout":
        return Verdict(TIMEOUT, message)
    return Verdict(INFRASTRUCTURE, message)
