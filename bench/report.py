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
ORDER = ("checks", "lab", "provision", "grading")


def load() -> dict[str, dict[str, Any]]:
    """Every results file by benchmark name, in the README's order."""
    found = {p.stem: json.loads(p.read_text()) for p in sorted(RESULTS.glob("*.json"))}
    return {name: found[name] for name in (*ORDER, *sorted(set(found) - set(ORDER))) if name in found}


def fmt(figure: dict[str, Any]) -> str:
    """A figure as ``median (min-max)``, in ms below a second."""
    unit = figure["unit"]

    def one(value: float) -> str:
        if unit != "s":
            return f"{value:g}"
        return f"{value * 1000:.1f}" if value < 1 else f"{value:.2f}"

    suffix = (" ms" if figure["median"] < 1 else " s") if unit == "s" else (f" {unit}" if unit else "")
    if figure["runs"] == 1:
        return one(figure["median"]) + suffix
    return f"{one(figure['median'])}{suffix} ({one(figure['min'])}-{one(figure['max'])}, {figure['runs']} runs)"


def machine_line(results: dict[str, dict[str, Any]]) -> str:
    """One sentence on the machine the results ran on (from the first results file)."""
    m = next(iter(results.values()))["machine"]
    host, lab = m.get("host_engine", {}), m.get("lab_engine", {})
    return (
        f"{m['os']}, kernel {m['kernel']}, {m['cores']} cores, {m['memory_gb']} GB, cgroup {m['cgroup']}; "
        f"host engine {host.get('version')} (API {host.get('api')}), lab engine {lab.get('version')} "
        f"(API {lab.get('api')}); commit {m['git_commit']}"
    )


def table(result: dict[str, Any], skip: tuple[str, ...] = ()) -> list[str]:
    """A Markdown table of a result's figures and ratios."""
    lines = ["| figure | median (min-max, runs) |", "| --- | --- |"]
    for key, figure in result["figures"].items():
        if not key.startswith(skip):
            lines.append(f"| {key} | {fmt(figure)} |")
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
            f"{score.get('median', '?'):g}{score.get('unit', '')} |"
        )
    return lines


def section(results: dict[str, dict[str, Any]]) -> str:
    """The generated part of the README section."""
    out = [
        "## Benchmarks",
        "Measured by `bench/` (one command: `.venv/bin/python bench/run_all.py`; each script writes",
        "`bench/results/NAME.json` as `{benchmark, machine, figures, ratios}`, figures as median",
        "(min-max, runs)). Speed is measured here, never asserted in tests; each script asserts that it",
        "left no lab, container, network or volume behind.",
        "",
        f"Machine: {machine_line(results)}. " + next(iter(results.values()))["notes"][0] + ".",
    ]
    titles = {
        "checks": "**Checks** (`bench/checks.py`): each chapter solved by its source notebook in the bench's lab",
        "lab": "**Lab** (`bench/lab.py`)",
        "provision": "**Offline provisioning** (`bench/provision.py`, a throw-away cache, into a lab's engine)",
        "grading": "**Grading a class** (`bench/grading.py`)",
    }
    for name, result in results.items():
        out += ["", titles.get(name, f"**{name}**") + f" (took {result.get('took_s', '?')} s):", ""]
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
