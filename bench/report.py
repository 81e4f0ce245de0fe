"""The README's "Benchmarks" section, written from bench/results/*.json.

Prints the section's Markdown; with ``--write-readme`` it replaces the generated
part of README.md's benchmarks section (from the section's heading to the
``<!-- bench: end of generated part -->`` marker; what follows the marker, up to
the section's end, is kept as written by hand).

Run: .venv/bin/python bench/report.py [--write-readme]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
README = REPO / "README.md"
START = "<!-- section: benchmarks -->"
MARKER = "<!-- bench: end of generated part -->"
END = "<!-- end section: benchmarks -->"
ORDER = ("checks", "lab", "lab_boundary", "provision", "containerd_store", "grading", "hub")


def load() -> dict[str, dict[str, Any]]:
    """Every results file by benchmark name, in the README's order."""
    found = {p.stem: json.loads(p.read_text()) for p in sorted(RESULTS.glob("*.json"))}
    return {name: found[name] for name in (*ORDER, *sorted(set(found) - set(ORDER))) if name in found}


def fmt(figure: dict[str, Any]) -> str:
    """A figure as ``median (min-max, runs)``, in ms below a second."""
    unit = figure["unit"]

    def one(value: float) -> str:
        if unit != "s":
            return f"{value:g}" + (f" {unit}" if unit and not unit.startswith("/") else unit)
        return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"

    if figure["runs"] == 1:
        return one(figure["median"])
    return f"{one(figure['median'])} ({one(figure['min'])} - {one(figure['max'])}, {figure['runs']} runs)"


def machine_line(results: dict[str, dict[str, Any]]) -> str:
    """One sentence on the machine the results ran on (from the first results file)."""
    m = next(iter(results.values()))["machine"]
    host, lab = m.get("host_engine", {}), m.get("lab_engine", {})
    return (
        f"{m['os']}, kernel {m['kernel']}, {m['cores']} cores, {m['memory_gb']} GB, cgroup {m['cgroup']}; "
        f"host engine {host.get('version')} (API {host.get('api')}), lab engine {lab.get('version')} "
        f"(API {lab.get('api')}); commit {m['git_commit']}"
    )


def busy_machine(load: float, cores: int) -> bool:
    """A benchmark started on a busy machine: more load (1 min) than cores."""
    return load > cores


def load_of(result: dict[str, Any]) -> str:
    """The machine's load average (1 min) before and after a benchmark, and when it ran."""
    m = result["machine"]
    before, after = m.get("load_average_before", ["?"])[0], m.get("load_average_after", ["?"])[0]
    when = f"{m['started']}, " if m.get("started") else ""
    busy = isinstance(before, (int, float)) and busy_machine(before, m.get("cores") or 1)
    return f"{when}load average {before} before, {after} after" + ("; **a busy machine**" if busy else "")


def table(result: dict[str, Any], skip: tuple[str, ...] = ()) -> list[str]:
    """A Markdown table of a result's figures and ratios."""
    lines = ["| figure | median (min - max, runs) |", "| --- | --- |"]
    left = {k[len("leftovers_") :]: f for k, f in result["figures"].items() if k.startswith("leftovers_")}
    for key, figure in result["figures"].items():
        if not key.startswith((*skip, "leftovers_")):
            lines.append(f"| {key} | {fmt(figure)} |")
    if left:
        counts = " / ".join(f"{f['median']:g}" for f in left.values())
        lines.append(f"| leftovers ({', '.join(left)}) | {counts} |")
    for key, value in result["ratios"].items():
        lines.append(f"| ratio **{key}** | {value} |")
    return lines


def checks_table(result: dict[str, Any]) -> list[str]:
    """Per exercise: full check, live (inspect-only) run, score on the solved engine."""
    f = result["figures"]
    ids = [k[len("check[") : -1] for k in f if k.startswith("check[")]
    lines = ["| exercise | check | live (inspect-only) | score |", "| --- | --- | --- | --- |"]
    for ex in ids:
        score = f.get(f"score[{ex}]", {})
        lines.append(
            f"| {ex} | {fmt(f[f'check[{ex}]'])} | {fmt(f[f'live[{ex}]'])} | "
            f"{score.get('median', 0):g}{score.get('unit', '')} |"
        )
    return lines


# issue 17's targets: (what, benchmark, "ratio" or "figure", key, limit, "max" (at most) or "min" (at least))
TARGETS = (
    (
        "an inspection-only check within 10x the raw inspect",
        "checks",
        "ratio",
        "check_inspect_only_vs_raw_inspect",
        10,
        "max",
    ),
    ("the whole course's checks under 5 s", "checks", "figure", "course_all_checks", 5, "max"),
    ("a fresh lab with its base images loaded under 3 s", "lab", "figure", "lab_cold_start_4_base_images", 3, "max"),
    ("parallel grading at least 1.6x sequential", "grading", "ratio", "grading_parallel_vs_sequential", 1.6, "min"),
    (
        "isolated parallel grading at least 1.5x plain sequential nbgrader",
        "grading",
        "ratio",
        "grading_isolated_parallel_vs_nbgrader_sequential",
        1.5,
        "min",
    ),
    (
        "a fresh machine to a ready JupyterLab under 4 min",
        "provision",
        "figure",
        "fresh_machine_to_jupyterlab",
        240,
        "max",
    ),
)


def targets(results: dict[str, dict[str, Any]]) -> list[str]:
    """A table of the targets: measured value, met or missed (targets whose benchmark did not run are left out)."""
    lines = ["| target | measured | |", "| --- | --- | --- |"]
    for what, name, kind, key, limit, sense in TARGETS:
        result = results.get(name, {})
        value = (
            result.get("ratios", {}).get(key)
            if kind == "ratio"
            else result.get("figures", {}).get(key, {}).get("median")
        )
        if value is None:
            continue
        met = value <= limit if sense == "max" else value >= limit
        shown = f"{value:g}x" if kind == "ratio" else f"{value:.2f} s"
        lines.append(f"| {what} | {shown} | {'met' if met else '**missed**'} |")
    return lines


def total_minutes(results: dict[str, dict[str, Any]]) -> float:
    """Minutes the benchmarks took, summed over their results files."""
    return sum(float(r.get("took_s") or 0) for r in results.values()) / 60


def section(results: dict[str, dict[str, Any]]) -> str:
    """The generated part of the README section."""
    out = [
        "## Benchmarks",
        "Measured by `bench/` (one command: `./course.sh bench`, i.e. `.venv/bin/python bench/run_all.py`;",
        "each script writes `bench/results/NAME.json` as `{benchmark, machine, figures, ratios}`, figures as median",
        "(min - max, runs)). Speed is measured here, never asserted in tests; each script asserts that it",
        "left no lab, container, network or volume behind.",
        "",
        f"Machine: {machine_line(results)}. Each table gives the load average before and after its benchmark; "
        "one that started on a busy machine says so (its figures are then upper bounds; its ratios are "
        "measured against baselines in the same run).",
        "",
        f"All the benchmarks together took {total_minutes(results):.0f} min (each script's own run time, summed).",
    ]
    out += ["", "Targets (issue 17):", "", *targets(results)]
    titles = {
        "checks": "**Checks** (`bench/checks.py`): each chapter solved by its source notebook in the bench's lab",
        "lab": "**Lab** (`bench/lab.py`)",
        "lab_boundary": "**Lab boundary** (`bench/lab_boundary.py`: the user-namespaced lab vs the container lab)",
        "provision": "**Offline provisioning** (`bench/provision.py`, a throw-away cache, into a lab's engine)",
        "containerd_store": "**The containerd image store** (`bench/containerd_store.py`: Docker 26 with "
        "`containerd-snapshotter` beside the lab's classic store; 1 = works)",
        "grading": "**Grading a class** (`bench/grading.py`)",
        "hub": "**The hub** (`bench/hub.py`: a class of learners on one JupyterHub, labs started in waves, "
        "each learner running ch01-ex1 and its check through their kernel behind the proxy, then stopped)",
    }
    for name, result in results.items():
        out += ["", titles.get(name, f"**{name}**") + f" (took {result.get('took_s', '?')} s, {load_of(result)}):", ""]
        if name == "checks":
            out += table(result, skip=("check[", "live[", "score["))
            out += ["", *checks_table(result)]
        else:
            out += table(result)
        notes = result.get("notes", [])[1:]
        if notes:
            out += [""] + [f"- {note}" for note in notes]
    return "\n".join(out) + "\n"


def write_readme(text: str) -> None:
    """Replace the generated part of README.md's benchmarks section with ``text``."""
    readme = README.read_text()
    start, end = readme.index(START) + len(START), readme.index(END)
    body = readme[start:end]
    kept = body[body.index(MARKER) :] if MARKER in body else MARKER + "\n"
    README.write_text(readme[:start] + "\n" + text + "\n" + kept + readme[end:])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write-readme", action="store_true")
    args = parser.parse_args()
    results = load()
    if not results:
        print("no results in bench/results/: run bench/run_all.py first", file=sys.stderr)
        return 2
    text = section(results)
    if args.write_readme:
        write_readme(text)
        print(f"[bench] README.md benchmarks section written from {len(results)} results files")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
