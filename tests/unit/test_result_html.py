"""One HTML renderer of a result: byte-identical to the recorded HTML for every shape of result,
policies that hide what they must, and a feedback preprocessor that loads without the curriculum."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from grader.checks.result import CheckResult, Verdict, render_html
from tests.unit.result_cases import CASES

GOLDEN = json.loads((Path(__file__).parent / "golden" / "result_html.json").read_text())
REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", sorted(CASES))
def test_html_is_byte_identical_to_the_recorded_html(name: str) -> None:
    """to_html() and the renderer at policy full give exactly what the notebook showed before."""
    assert CASES[name].to_html() == GOLDEN[name]
    assert render_html(CASES[name]) == GOLDEN[name]


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_result_read_back_from_its_json_renders_the_same(name: str) -> None:
    """The JSON copy in a notebook output (what feedback reads) gives the same HTML as the result."""
    data = json.loads(json.dumps(CASES[name].to_json()))
    assert render_html(CheckResult.from_json(data), verdict=Verdict.from_json(data)) == GOLDEN[name]


def test_policies_hide_details_and_escape() -> None:
    """score: the verdict only; hint: hints but no expected/found; every text escaped."""
    partial = CASES["partial"]
    score, hint, full = (render_html(partial, p) for p in ("score", "hint", "full"))
    assert "2/3.5 points" in score and "label" not in score and "data-policy='score'" in score
    assert "&lt;script&gt;" in hint and "expected:" not in hint and "data-policy='hint'" in hint
    assert "expected:" in full and "<script>" not in full and "data-policy" not in full
    manual = render_html(partial, "hint", verdict=Verdict(3.5, 3.5, True))
    assert "3.5/3.5 points - passed" in manual and "data-passed='true'" in manual
    with pytest.raises(ValueError, match="policy"):
        render_html(partial, "everything")


def test_feedback_preprocessor_loads_without_the_curriculum() -> None:
    """nbgrader loads HiddenTestPolicy from the course config: that must not import the chapters."""
    probe = (
        "import sys\n"
        "import grader.nbgrader_glue.hidden_policy as h\n"
        "assert h.HiddenTestPolicy and h.RESULT_MIME\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('grader.chapters', 'grader.notebook')))\n"
        "print(loaded)\n"
        "sys.exit(1 if loaded else 0)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_recorded_check_cells_are_reproduced_from_their_json() -> None:
    """The lead's golden (tests/golden/v1, a solved engine): every check cell's HTML is rendered again,
    byte for byte (after the golden's own normalisation), from the same exercise's `check --json`,
    wherever the two runs reached the same verdict (the CLI run has no notebook answer variables)."""
    import importlib.util

    golden = REPO / "tests" / "golden"
    spec = importlib.util.spec_from_file_location("golden_record", golden / "record.py")
    assert spec is not None and spec.loader is not None
    record = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(record)
    compared = 0
    for path in sorted((golden / "v1").glob("checks-*.json")):
        cells = json.loads(path.with_name(path.name.replace("checks-", "html-")).read_text())
        for exercise, text in json.loads(path.read_text()).items():
            data, _ = json.JSONDecoder().raw_decode(text)
            recorded = cells[f"{exercise}-check"]
            if f"data-passed='{str(data['passed']).lower()}'" not in recorded:
                continue
            assert record.normalise(render_html(CheckResult.from_json(data))) == recorded, exercise
            compared += 1
    assert compared >= 25
