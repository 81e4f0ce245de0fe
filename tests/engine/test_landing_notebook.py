"""The landing notebook runs top to bottom inside a lab (nbconvert, no browser): no errors, the
engine is reported ready, the six chapters are listed, the engine panel widget is shown."""

from __future__ import annotations

import pytest

from tests.support import REPO, EngineSession, errors_in, html_outputs

pytestmark = pytest.mark.engine


def test_landing_notebook_runs_clean(engine: EngineSession) -> None:
    nb = engine.execute_notebook(REPO / "course" / "00-start-here" / "00-start-here.ipynb", timeout=300)
    assert errors_in(nb) == []
    page = html_outputs(nb)
    assert "data-ready='true'" in page, page[:500]
    assert page.count("class='course-chapter'") == 6
    widgets = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if "data" in o]
    assert any("application/vnd.jupyter.widget-view+json" in o["data"] for o in widgets), "no engine panel widget"
