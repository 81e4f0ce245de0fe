"""An import scan of a Python package against a layer chain (used by test_layers.py).

Every ``import`` and ``from ... import`` statement of every module is read with
:mod:`ast`, wherever it stands (module level, inside a function, under
``if TYPE_CHECKING``), plus ``importlib.import_module("...")`` with a literal
name: a lazy import is still a dependency. Three rules, each reported as a
:class:`Violation` that names the file, the line, the import and the rule:

- **placed**: every module belongs to a layer (or to the modules allowed
  everywhere), so a new top-level module has to be put in the chain;
- **sdk**: a layer marked ``sdk=False`` imports none of the chain's SDK
  packages (``docker``): it reads engine state through the layers below;
- **downward**: a module imports only from its own layer or a lower one, a
  leaf layer from nothing in the package, and the modules allowed everywhere
  import nothing from the package;
- **acyclic**: no import cycle, neither between modules nor between the
  components of the chain (``grader.notebook`` and ``grader.widgets`` are two
  components of the front-end layer; a cycle between them is reported even
  when no single module pair closes it).

Importing ``a.b.c`` runs ``a/__init__.py`` and ``a/b/__init__.py`` first; those
implicit parent imports are not edges (every subpackage would be a cycle with
its parent otherwise).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Layer:
    """One layer of the chain: a name and the module prefixes (packages or modules) it holds.

    ``leaf``: the layer imports nothing from the package at all. ``sdk``: it may import the SDK.
    """

    name: str
    prefixes: tuple[str, ...]
    leaf: bool = False
    sdk: bool = True


@dataclass(frozen=True)
class Chain:
    """The layer order, top first, and the modules any layer may import (which import nothing themselves).

    ``root`` is the package itself: as a prefix it stands for its ``__init__.py`` only.
    ``sdk``: top-level names of the outside packages that ``sdk=False`` layers must not import.
    """

    root: str
    layers: tuple[Layer, ...]
    everywhere: tuple[str, ...] = ()
    sdk: tuple[str, ...] = ()


@dataclass(frozen=True)
class Import:
    """One import statement's target inside the scanned package."""

    importer: str  # dotted module name
    imported: str  # dotted module name (resolved to a module that exists), or an outside top-level name
    file: str  # path relative to the scanned root's parent
    line: int
    internal: bool = True


@dataclass(frozen=True)
class Violation:
    """One broken rule. ``key`` identifies it for an allow-list; ``message`` says file, import and rule."""

    rule: str  # "placed", "downward" or "acyclic"
    key: tuple[str, ...]
    message: str


def module_files(root: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every ``.py`` under the package folder ``root``."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _resolve(name: str, modules: set[str]) -> str | None:
    """The longest prefix of ``name`` that is a module of the package (``a.b.func`` -> ``a.b``)."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


def _base_of(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    """The absolute module a ``from X import ...`` reads from (relative imports resolved)."""
    if not node.level:
        return node.module or ""
    package = module.split(".") if is_package else module.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _targets(tree: ast.AST, module: str, is_package: bool) -> Iterable[tuple[str, int]]:
    """Every imported dotted name in ``tree`` with its line; ``from a import b`` yields ``a.b`` and ``a``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = _base_of(node, module, is_package)
            for alias in node.names:
                # `from grader import course` imports the module grader.course; `from grader.x import f` reads grader.x
                yield f"{base}.{alias.name}", node.lineno
        elif isinstance(node, ast.Call) and _is_import_module(node.func):
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                yield first.value, node.lineno


def _is_import_module(func: ast.expr) -> bool:
    if isinstance(func, ast.Attribute):
        return func.attr == "import_module"
    return isinstance(func, ast.Name) and func.id == "import_module"


def imports(root: Path) -> list[Import]:
    """Every import of the package ``root`` (a folder with ``__init__.py``), deduplicated per line.

    Imports of the package's own modules are ``internal``; any other import is recorded by its
    top-level name (``docker.errors`` -> ``docker``) with ``internal=False``.
    """
    files = module_files(root)
    names = set(files)
    found: dict[tuple[str, str, int], Import] = {}
    for module, path in files.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        rel = str(path.relative_to(root.parent))
        for name, line in _targets(tree, module, path.name == "__init__.py"):
            target = _resolve(name, names)
            if target is None:
                top = name.split(".")[0]
                if top and top != root.name:
                    found.setdefault((module, top, line), Import(module, top, rel, line, internal=False))
            elif target != module:
                found.setdefault((module, target, line), Import(module, target, rel, line))
    return sorted(found.values(), key=lambda i: (i.file, i.line, i.imported))


def placement(chain: Chain, module: str) -> tuple[int, str] | None:
    """(layer index, component) of ``module``: the most specific prefix wins; None if in no layer."""
    best: tuple[int, int, str] | None = None
    for index, layer in enumerate(chain.layers):
        for prefix in layer.prefixes:
            below = prefix != chain.root and module.startswith(prefix + ".")
            if (module == prefix or below) and (best is None or len(prefix) > best[0]):
                best = (len(prefix), index, prefix)
    return None if best is None else (best[1], best[2])


def _is_everywhere(chain: Chain, module: str) -> bool:
    return any(module == m or module.startswith(m + ".") for m in chain.everywhere)


def layer_violations(chain: Chain, found: list[Import], modules: Iterable[str]) -> list[Violation]:
    """The "placed", "sdk" and "downward" rules over ``found`` (see the module docstring)."""
    out = []
    for module in sorted(modules):
        if not _is_everywhere(chain, module) and placement(chain, module) is None:
            out.append(
                Violation(
                    "placed",
                    ("placed", module),
                    f"{module} is in no layer: add it to the chain in tests/unit/test_layers.py "
                    "(or move it into a package that is)",
                ),
            )
    for imp in found:
        if not imp.internal:
            out.extend(_sdk_violation(chain, imp))
            continue
        message = _downward_message(chain, imp)
        if message:
            where = f"{imp.file}:{imp.line} imports {imp.imported}"
            out.append(Violation("downward", ("downward", imp.importer, imp.imported), f"{where}: {message}"))
    return out


def _sdk_violation(chain: Chain, imp: Import) -> list[Violation]:
    """The "sdk" rule for one outside import: [] or one violation."""
    placed = placement(chain, imp.importer)
    if imp.imported not in chain.sdk or placed is None or chain.layers[placed[0]].sdk:
        return []
    layer = chain.layers[placed[0]].name
    message = (
        f"{imp.file}:{imp.line} imports {imp.imported}: layer '{layer}' does not use the {imp.imported} SDK "
        "(read typed facts, or call a layer below that does)"
    )
    return [Violation("sdk", ("sdk", imp.importer, imp.imported), message)]


def _downward_message(chain: Chain, imp: Import) -> str | None:
    """Why ``imp`` breaks the downward rule, or None when it keeps it."""
    if _is_everywhere(chain, imp.importer):
        return f"{imp.importer} is importable from everywhere, so it imports nothing from the package"
    src = placement(chain, imp.importer)
    if src is not None and chain.layers[src[0]].leaf:
        return f"layer '{chain.layers[src[0]].name}' is a leaf: it imports nothing from the package"
    dst = None if _is_everywhere(chain, imp.imported) else placement(chain, imp.imported)
    if src is None or dst is None:
        return None  # allowed everywhere, or reported by the "placed" rule
    src_layer, dst_layer = chain.layers[src[0]], chain.layers[dst[0]]
    if dst[0] < src[0]:
        return f"upward import: layer '{src_layer.name}' sits below layer '{dst_layer.name}'"
    return None


def _reachable(edges: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for child in edges.get(todo.pop(), ()):
            if child not in seen:
                seen.add(child)
                todo.append(child)
    return seen


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node, each sorted (graphs here are small)."""
    reach = {node: _reachable(edges, node) for node in edges}
    out = set()
    for node, reached in reach.items():
        if node in reached:
            out.add(tuple(sorted(m for m in reached if node in reach.get(m, ()))))
    return sorted(list(c) for c in out if len(c) > 1)


def cycle_violations(chain: Chain, found: list[Import]) -> list[Violation]:
    """The "acyclic" rule: cycles between modules, then between components of the chain."""
    out = []
    found = [i for i in found if i.internal]
    by_module: dict[str, set[str]] = {}
    for imp in found:
        by_module.setdefault(imp.importer, set()).add(imp.imported)
    for cycle in _cycles(by_module):
        out.append(_cycle_violation("modules", cycle, found, lambda m: m))

    def component(module: str) -> str:
        placed = None if _is_everywhere(chain, module) else placement(chain, module)
        return placed[1] if placed else module

    by_component: dict[str, set[str]] = {}
    for imp in found:
        a, b = component(imp.importer), component(imp.imported)
        if a != b:
            by_component.setdefault(a, set()).add(b)
    for cycle in _cycles(by_component):
        out.append(_cycle_violation("components", cycle, found, component))
    return out


def _cycle_violation(kind: str, cycle: list[str], found: list[Import], unit: Callable[[str], str]) -> Violation:
    members = set(cycle)
    closing = [
        f"{i.file}:{i.line} imports {i.imported}"
        for i in found
        if unit(i.importer) in members and unit(i.imported) in members and unit(i.importer) != unit(i.imported)
    ]
    message = f"import cycle among {kind} {', '.join(cycle)}, through:\n    " + "\n    ".join(closing)
    return Violation("acyclic", ("acyclic", *cycle), message)


def scan(root: Path, chain: Chain) -> list[Violation]:
    """Every violation of ``chain`` in the package folder ``root``."""
    found = imports(root)
    return layer_violations(chain, found, module_files(root)) + cycle_violations(chain, found)
