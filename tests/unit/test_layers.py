"""The layer chain of ``grader/`` as a test: no upward import, no import cycle, no raw SDK in front ends.

The rule is data (:data:`CHAIN`, top layer first); the scanner is ``layer_scan.py``
beside this file. A module may import its own layer and any layer below it; the
front ends and the checks read engine state through ``facts/``, never through
the ``docker`` SDK; ``curriculum`` is a leaf; ``errors`` is importable from
everywhere and imports nothing.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from tests.unit.layer_scan import Chain, Layer, Violation, imports, scan

PACKAGE = Path(__file__).resolve().parents[2] / "grader"

CHAIN = Chain(
    root="grader",
    layers=(
        # `grader` itself is its __init__.py only: `from grader import check` is the notebooks' entry point
        Layer(
            "front ends",
            (
                "grader",
                "grader.cli",
                "grader.cli_workspace",
                "grader.cli_hub",
                "grader.cli_kubernetes",
                "grader.cli_timeline",
                "grader.notebook",
                "grader.widgets",
                "grader.pictures",
                "grader.hub",
            ),
            sdk=False,
        ),
        Layer("services", ("grader.services", "grader.workspace")),
        Layer("nbgrader glue", ("grader.nbgrader_glue",)),
        Layer("chapters", ("grader.chapters",)),
        Layer("checks", ("grader.checks",), sdk=False),
        Layer("facts", ("grader.facts",)),
        Layer("engine", ("grader.engine",)),
        Layer("curriculum", ("grader.curriculum",), leaf=True),
    ),
    everywhere=("grader.errors",),
    sdk=("docker",),
)

# Today's known violations, each being fixed by another change (issue 9). An entry that no longer
# matches a violation fails test_allow_list_is_current: delete it when your change fixes it.
# The list must end empty; never add to it.
ALLOWED: dict[tuple[str, ...], str] = {}


def _report(violations: list[Violation]) -> str:
    return "\n".join(f"[{v.rule}] {v.message}" for v in violations)


def test_grader_keeps_the_layer_chain() -> None:
    """Every import in grader/ (module- and function-level) goes down the chain and closes no cycle."""
    new = [v for v in scan(PACKAGE, CHAIN) if v.key not in ALLOWED]
    assert not new, (
        "grader/ breaks its layer chain (tests/unit/test_layers.py CHAIN, top layer first: "
        + " -> ".join(layer.name for layer in CHAIN.layers)
        + "):\n"
        + _report(new)
    )


def test_allow_list_is_current() -> None:
    """Each allow-list entry still matches a violation: a fixed one is deleted, so the list only shrinks."""
    live = {v.key for v in scan(PACKAGE, CHAIN)}
    stale = [key for key in ALLOWED if key not in live]
    assert not stale, f"fixed, delete from ALLOWED in tests/unit/test_layers.py: {stale}"


def test_the_scan_reads_the_whole_package() -> None:
    """The scan sees module-level and function-level imports (cli.py imports its commands lazily)."""
    found = {(i.importer, i.imported) for i in imports(PACKAGE)}
    assert ("grader.chapters.exercise", "grader.checks.base") in found  # module level
    assert ("grader.cli", "grader.services.checking") in found  # inside a function
    assert ("grader.facts.probe", "docker") in found  # an outside package, by its top-level name


def _tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / "pkg" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root / "pkg"


TOY = Chain(
    root="pkg",
    layers=(
        Layer("front", ("pkg", "pkg.ui", "pkg.panel"), sdk=False),
        Layer("middle", ("pkg.logic",)),
        Layer("bottom", ("pkg.low",)),
        Layer("leaf", ("pkg.names",), leaf=True),
    ),
    everywhere=("pkg.errors",),
    sdk=("docker",),
)


def test_a_deliberate_upward_import_and_cycle_are_reported(tmp_path: Path) -> None:
    """The scanner is proven on a tree with known violations: an upward import inside a function,
    a cycle between two modules, and a cycle between two components of one layer."""
    root = _tree(
        tmp_path,
        {
            "__init__.py": "from pkg.errors import Oops\n",
            "errors.py": "class Oops(Exception):\n    pass\n",
            "ui.py": "from pkg import panel\n",
            "panel/__init__.py": "",
            "panel/view.py": "def show():\n    import pkg.ui\n",
            "logic/__init__.py": "run = 1\n",
            "logic/a.py": "from .b import thing\n",
            "logic/b.py": "from pkg.logic.a import other\nfrom pkg.low import base\nthing = other = 1\n",
            "low/__init__.py": "base = 1\n\ndef later():\n    from pkg.logic import run\n",
            "names.py": "NAMES = ()\n",
        },
    )
    by_key = {v.key: v for v in scan(root, TOY)}
    upward = by_key[("downward", "pkg.low", "pkg.logic")]
    assert "pkg/low/__init__.py:4 imports pkg.logic" in upward.message
    assert "upward import: layer 'bottom' sits below layer 'middle'" in upward.message
    cycle = by_key[("acyclic", "pkg.logic.a", "pkg.logic.b")]
    assert "pkg/logic/a.py:1 imports pkg.logic.b" in cycle.message  # a relative import, resolved
    assert ("acyclic", "pkg.panel", "pkg.ui") in by_key  # ui -> panel (package), panel.view -> ui
    assert ("acyclic", "pkg.logic", "pkg.low") in by_key  # components too: logic.b -> low -> logic
    assert len(by_key) == 4, _report(list(by_key.values()))


def test_leaf_sdk_placement_and_everywhere_rules(tmp_path: Path) -> None:
    """A leaf imports nothing of the package (not even errors); an sdk=False layer imports no SDK;
    every module is placed; the modules allowed everywhere import nothing themselves."""
    root = _tree(
        tmp_path,
        {
            "__init__.py": "",
            "errors.py": "from pkg.names import NAMES\n",
            "names.py": "from pkg.errors import Oops\n",
            "ui.py": "import docker.errors\nfrom pkg.logic import run\n",
            "logic/__init__.py": "import docker\nfrom pkg.errors import Oops\n\ndef run():\n    pass\n",
            "stray.py": "",
        },
    )
    keys = {v.key for v in scan(root, TOY)}
    assert keys == {
        ("downward", "pkg.errors", "pkg.names"),
        ("downward", "pkg.names", "pkg.errors"),
        ("sdk", "pkg.ui", "docker"),
        ("placed", "pkg.stray"),
        ("acyclic", "pkg.errors", "pkg.names"),
    }, keys


def test_a_clean_tree_has_no_violation(tmp_path: Path) -> None:
    """Downward imports, same-layer imports and importlib with a literal name pass."""
    root = _tree(
        tmp_path,
        {
            "__init__.py": "def check():\n    from pkg.ui import show\n",
            "errors.py": "",
            "ui.py": "from pkg.panel import draw\nfrom pkg.logic import run\n\ndef show():\n    pass\n",
            "panel.py": "import importlib\nlow = importlib.import_module('pkg.low')\ndraw = 1\n",
            "logic/__init__.py": "from pkg.low import base\nfrom pkg.errors import E\nrun = 1\n",
            "low/__init__.py": "import docker\nfrom pkg.names import NAMES\nbase = 1\n",
            "names.py": "NAMES = ()\n",
        },
    )
    assert scan(root, TOY) == []
