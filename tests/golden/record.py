"""Record (or compare against) a golden of the course's observable behaviour.

On a solved engine: the ``docker-course check ID --json`` output of all exercises
(run inside a lab, from the chapter's folder, after the chapter's source notebook
ran top to bottom), the HTML every check cell of that notebook printed, and the
CLI's output and exit code for every command on the good path and for the bad
inputs the README lists. Timings, ids, tokens and temporary paths are normalised,
so two runs of the same code give the same files.

Only public contracts are used (the ``docker-course`` CLI, ``docker exec`` into
the lab), so the same script runs before and after a refactor:

    .venv/bin/python tests/golden/record.py --out build/golden-new
    .venv/bin/python tests/golden/record.py --compare tests/golden/v1 build/golden-new

The lab it starts (``docker-course-golden``) and its state folder are removed at the end.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LAB = "docker-course-golden"
CHAPTERS = ["01-dockerfile", "02-ports", "03-networks", "04-namespaces", "05-volumes", "06-multistage"]
IN_LAB = "/golden"

_NORMALISE = [
    (re.compile(r"sha256:[0-9a-f]{12,64}"), "sha256:<id>"),
    (re.compile(r"\b[0-9a-f]{64}\b"), "<id64>"),
    (re.compile(r"\b[0-9a-f]{12}\b"), "<id12>"),
    (re.compile(r"token=[0-9a-f]+"), "token=<token>"),
    (re.compile(r"\d+(\.\d+)?\s?(ms|s)\b"), "<t>"),
    (re.compile(r"\+\s*\d+\.\d+s\]"), "+<t>]"),
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?"), "<time>"),
    (re.compile(r"/tmp/[^\s\"'<>]+"), "/tmp/<tmp>"),
    (re.compile(r"\b(3[2-9]\d{3}|4\d{4}|5\d{4}|6[0-5]\d{3})\b"), "<ephemeral-port>"),
    (re.compile(r"\b\d+(\.\d+)? ?(MB|kB|B|GB)\b"), "<size>"),
    (re.compile(r"(net|pid|ipc|uts|mnt|user|cgroup|time):\[\d+\]"), r"\1:[<inode>]"),
    (re.compile(r"\bveth[0-9a-f]{7}\b"), "veth<id>"),
    (re.compile(r"\b\d\d:\d\d:\d\d(\.\d+)? UTC\b"), "<clock> UTC"),
    (re.compile(r"\+ +<t>"), "+ <t>"),
]


def normalise(text: str) -> str:
    """Text with run-specific values (ids, timings, tokens, temp paths, random ports) replaced."""
    for pattern, repl in _NORMALISE:
        text = pattern.sub(repl, text)
    return text


def cli(args: list[str], env: dict[str, str], cwd: Path | None = None, timeout: int = 600) -> dict[str, object]:
    exe = str(REPO / ".venv" / "bin" / "docker-course")
    done = subprocess.run([exe, *args], cwd=cwd or REPO, env=env, capture_output=True, text=True, timeout=timeout)
    return {
        "args": args,
        "exit": done.returncode,
        "stdout": normalise(done.stdout),
        "stderr": normalise(done.stderr),
    }


def docker(*args: str, timeout: int = 1800) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout)


def lab_sh(command: str, workdir: str, timeout: int = 1800) -> subprocess.CompletedProcess[str]:
    return docker("exec", "-w", workdir, "-e", "HOME=/root", LAB, "sh", "-c", command, timeout=timeout)


def exercise_ids(env: dict[str, str]) -> dict[str, list[str]]:
    out = cli(["list"], env)
    ids: dict[str, list[str]] = {}
    for line in str(out["stdout"]).splitlines():
        if line.startswith("ch"):
            ex = line.split()[0]
            ids.setdefault(ex[2:4], []).append(ex)
    return ids


def check_cell_html(notebook: dict) -> dict[str, str]:  # type: ignore[type-arg]
    """grade_id -> the HTML (normalised) each graded check cell printed."""
    out = {}
    for cell in notebook["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell["cell_type"] == "code" and meta.get("grade"):
            html = "".join("".join(o.get("data", {}).get("text/html", "")) for o in cell.get("outputs", []))
            out[meta["grade_id"]] = normalise(html)
    return out


def solve_and_check(env: dict[str, str], out: Path) -> None:
    ids = exercise_ids(env)
    for chapter in CHAPTERS:
        key = chapter[:2]
        print(f"[golden] chapter {chapter}: reset, run the source notebook, check", flush=True)
        cli(["engine", "reset"], env)
        lab_sh(f"rm -rf {IN_LAB}/{chapter} && mkdir -p {IN_LAB}", "/")
        copied = docker("cp", str(REPO / "course" / chapter), f"{LAB}:{IN_LAB}/{chapter}")
        if copied.returncode != 0:
            raise SystemExit(f"docker cp failed: {copied.stderr}")
        ran = lab_sh(
            "jupyter nbconvert --to notebook --execute --allow-errors "
            f"--ExecutePreprocessor.timeout=900 --output executed.ipynb {chapter}.ipynb",
            f"{IN_LAB}/{chapter}",
        )
        if ran.returncode != 0:
            raise SystemExit(f"notebook {chapter} did not run: {ran.stderr[-2000:]}")
        nb = json.loads(lab_sh("cat executed.ipynb", f"{IN_LAB}/{chapter}").stdout)
        (out / f"html-{chapter}.json").write_text(json.dumps(check_cell_html(nb), indent=1, sort_keys=True) + "\n")
        checks = {}
        for ex in ids.get(key, []):
            got = lab_sh(f'docker-course check {ex} --json; echo "exit=$?"', f"{IN_LAB}/{chapter}")
            checks[ex] = normalise(got.stdout)
        (out / f"checks-{chapter}.json").write_text(json.dumps(checks, indent=1, sort_keys=True) + "\n")


def cli_outputs(env: dict[str, str], out: Path) -> None:
    print("[golden] CLI outputs: good path and bad inputs", flush=True)
    nope = dict(env, DOCKER_COURSE_LAB="docker-course-no-such-lab")
    runs = [cli(["--help"], env), cli(["list"], env)]
    for sub in ["up", "engine", "images", "prepare", "check", "grade", "feedback", "list", "reset"]:
        runs.append(cli([sub, "--help"], env))
    for action in ["up", "status", "down", "reset"]:
        runs.append(cli(["engine", action, "--help"], env))
    runs += [
        cli(["engine", "status", "--json"], env),
        cli(["engine", "status"], env),
        cli(["images"], env),
        cli(["prepare", "02"], env),
        cli(["prepare", "09"], env),
        cli(["check", "ch01-ex1"], env, cwd=REPO / "course" / "01-dockerfile"),
        cli(["check", "ch01-ex1", "--json"], env, cwd=REPO / "course" / "01-dockerfile"),
        cli(["check", "ch03-ex1", "--json", "--answer", "subnet=10.0.0.0/8"], env),
        cli(["check", "ch03-ex1", "--answer", "broken"], env),
        cli(["check", "nope"], env),
        cli(["check", "ch01-ex1", "--json"], nope),
        cli(["engine", "status", "--json"], nope),
        cli(["engine", "reset", "--json"], env),
        cli(["reset"], env),
        cli(["prepare", "02"], nope),
        cli(["engine", "up", "--mode", "nonsense"], env),
        cli(["grade", "01-dockerfile"], dict(env, DOCKER_COURSE_NBGRADER_ROOT=str(out / "empty-class"))),
        cli(["feedback", "01-dockerfile"], dict(env, DOCKER_COURSE_NBGRADER_ROOT=str(out / "empty-class"))),
    ]
    bad_state = dict(env, DOCKER_COURSE_STATE="/proc/docker-course-not-writable")
    runs.append(cli(["engine", "up", "--no-jupyter"], bad_state))
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "config.json").write_text("{not json")
        runs.append(cli(["engine", "status"], dict(env, DOCKER_COURSE_STATE=tmp)))
    for run in runs:  # the temp folders differ per run
        run["stdout"] = str(run["stdout"]).replace(str(out), "<out>")
        run["stderr"] = str(run["stderr"]).replace(str(out), "<out>")
    (out / "cli.json").write_text(json.dumps(runs, indent=1) + "\n")
    shutil.rmtree(out / "empty-class", ignore_errors=True)


def record(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    state = Path(tempfile.mkdtemp(prefix="golden-state-"))
    path = f"{REPO}/.venv/bin:{os.environ['PATH']}"
    env = dict(os.environ, DOCKER_COURSE_LAB=LAB, DOCKER_COURSE_STATE=str(state), PATH=path)
    # `up` makes the learner's workspace and takes its lock: one of the golden's own, never ~/docker-course-work
    env["DOCKER_COURSE_WORKSPACE"] = str(state / "workspace")
    env.pop("DOCKER_COURSE_MODE", None)
    env.pop("DOCKER_HOST", None)
    try:
        up = cli(["engine", "up", "--no-jupyter"], env)
        if up["exit"] != 0:
            raise SystemExit(f"the golden lab did not start: {up}")
        solve_and_check(env, out)
        cli_outputs(env, out)
    finally:
        cli(["engine", "down", "--purge"], env)
        shutil.rmtree(state, ignore_errors=True)
    print(f"[golden] written to {out}")


def compare(old: Path, new: Path) -> int:
    """Print a unified diff per file; 0 when every file is the same."""
    differences = 0
    for path in sorted(old.glob("*.json")):
        other = new / path.name
        a = normalise(path.read_text()).splitlines()
        b = normalise(other.read_text()).splitlines() if other.exists() else []
        diff = list(difflib.unified_diff(a, b, str(path), str(other), lineterm="", n=1))
        if diff:
            differences += 1
            print("\n".join(diff[:200]))
    print(f"[golden] {differences} file(s) differ")
    return 1 if differences else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="record into this folder")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("OLD", "NEW"), help="diff two recordings")
    args = parser.parse_args()
    if args.compare:
        return compare(*args.compare)
    record((args.out or REPO / "build" / "golden").resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
