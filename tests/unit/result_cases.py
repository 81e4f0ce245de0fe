"""Check results of every shape the HTML renderer meets: passed, partial, zero, error, escaped, skipped."""

from __future__ import annotations

from grader.checks.result import CheckResult, Part

CASES: dict[str, CheckResult] = {
    "passed": CheckResult(
        "ch01-ex1",
        "base and metadata",
        [Part("image exists", True, 1, 1, "image", "image abc"), Part("label", True, 2.0, 2.0, "l", "l")],
    ),
    "partial": CheckResult(
        "ch01-ex3",
        "ARG vs ENV",
        [
            Part("label <b>", False, 0, 1, "maintainer=<x>", "none & more", "Add <script>alert(1)</script>"),
            Part("exists", True, 2, 2, "image", "image abc"),
            Part("no hint", False, 0.0, 0.5, "x 'quoted'", 'y "double"'),
        ],
    ),
    "zero": CheckResult("ch02-ex1", "ports", [Part("published", False, 0.0, 3.0, "8000->80", "nothing", "run -p")]),
    "error": CheckResult(
        "ch03-ex1",
        "bridge",
        [Part("subnet", False, 0.0, 1.0, "subnet", "not checked: no engine", "")],
        error="The lab 'nope' does not answer <socket>. Start it with `docker-course engine up`.",
    ),
    "unknown": CheckResult("nope", error="'nope' is not an exercise of the course."),
    "skipped": CheckResult(
        "ch01-ex2",
        "motd & <files>",
        [Part("a file", False, 0.0, 1.0, "/etc/motd", "not checked live", "")],
        skipped=["a file"],
    ),
    "fractions": CheckResult(
        "ch05-ex1", "volumes", [Part("half", True, 0.5, 0.5, "", ""), Part("third", False, 0.0, 1 / 3, "", "")]
    ),
}
