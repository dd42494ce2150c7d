"""The import layers of the package point one way, and no modules import each other in a circle.

The flow is text → tokens → morphology → rules → engine → inputs/outputs → CLI, over a ground
floor of shared vocabulary (results, the reply and conversation models, rule selection). Every
module has a floor in ``LAYERS``; a module not in the table fails the test, so a new module must be
placed. A module may import from its own floor or below. An import inside a function counts as
much as one at the top of the file, and so does an import under ``TYPE_CHECKING``: a lazy import
hides a dependency from the start time, not from the design. The circle check takes module-level
imports and the imports inside functions that go to a floor of the same height (a lazy import
that goes downward cannot close a circle with the layer order holding).
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import pkgutil
from pathlib import Path

import chatlint

VOCABULARY, TEXT, MORPHOLOGY, RULES, ENGINE, IO, CLI = range(7)
FLOORS = ["vocabulary", "text and tokens", "morphology", "rules", "engine", "inputs/outputs", "CLI"]

# Module (or package prefix ending in ".*") → floor. Listed modules that do not exist (the lead's
# renames land separately) are skipped; existing modules missing from the table fail the test.
LAYERS: dict[str, int] = {
    "chatlint.diagnostic": VOCABULARY,
    "chatlint.reply": VOCABULARY,
    "chatlint.selection": VOCABULARY,
    "chatlint.conversation": VOCABULARY,
    "chatlint.text": TEXT,
    "chatlint.disguise": TEXT,  # the disguise normaliser: the tokenizer and tone/obscene use it
    "chatlint.morph": MORPHOLOGY,
    "chatlint.spell": MORPHOLOGY,
    "chatlint.pattern": MORPHOLOGY,
    "chatlint.suggestions": MORPHOLOGY,  # whether an applied suggestion reads right (used by the tests)
    "chatlint.kinds": RULES,
    "chatlint.kinds.*": RULES,
    "chatlint.rules": RULES,
    "chatlint.rule_yaml": VOCABULARY,  # a safe, line-keeping YAML loader: rules and configuration use it
    "chatlint.limits": VOCABULARY,
    "chatlint.rule_cache": RULES,
    "chatlint.linter": ENGINE,
    "chatlint.dialogue": ENGINE,
    "chatlint.pipeline": ENGINE,
    "chatlint.qa": VOCABULARY,  # the QA score: arithmetic over (rule, severity) marks, no imports
    "chatlint.sources": IO,
    "chatlint.config": IO,
    "chatlint.templates": IO,
    "chatlint.templates.*": IO,
    "chatlint.transcripts": IO,
    "chatlint.transcripts.*": IO,
    "chatlint.writers": IO,
    "chatlint.output": IO,
    "chatlint.summary": IO,
    "chatlint.report": IO,
    "chatlint.report_data": IO,  # what the HTML report shows, gathered from results
    "chatlint.scorecard": IO,
    "chatlint.project": IO,
    "chatlint.fixer": IO,
    "chatlint.atomic": IO,
    "chatlint.formats": IO,
    "chatlint.evaluate": IO,
    "chatlint.frames": IO,
    "chatlint.dask": IO,
    "chatlint.dask_files": IO,
    "chatlint.inventory": IO,
    "chatlint.docgen": CLI,
    "chatlint.cli": CLI,
    "chatlint.cli.*": CLI,
    "chatlint.inputs": IO,
    "chatlint.execute": IO,
    "chatlint.run": IO,
    "chatlint.config_show": CLI,
    "chatlint.server": CLI,  # chatlint serve / chatlint lsp: front ends beside the command line
    "chatlint.server.*": CLI,
}

# The readers, the configuration and the writers know no engine and no rule loading: they sit on
# the inputs/outputs floor, but import only from the floors of text and vocabulary.
KNOW_NO_ENGINE = ("chatlint.sources", "chatlint.config", "chatlint.templates", "chatlint.transcripts")
KNOW_NO_ENGINE += ("chatlint.writers", "chatlint.output", "chatlint.summary", "chatlint.report")

# The package face (``chatlint``) imports the Linter lazily for ``chatlint.Linter`` and
# ``chatlint.check``, and any module may read ``chatlint.__version__``: it stands outside the floors.
FACE = "chatlint"

# Circles that the CLI rewrite of issue 11 removes; allowed only while both modules still exist.
PENDING_CIRCLES: list[tuple[str, str]] = []


def _modules() -> dict[str, Path]:
    found = {FACE: Path(chatlint.__file__)}
    for info in pkgutil.walk_packages(chatlint.__path__, "chatlint."):
        if info.name.endswith(".__main__"):  # read, not run
            found[info.name] = Path(importlib.util.find_spec(info.name).origin)
            continue
        module = importlib.import_module(info.name)
        found[info.name] = Path(module.__file__)
    return found


MODULES = _modules()


def floor(name: str) -> int | None:
    if name in LAYERS:
        return LAYERS[name]
    parent = name.rpartition(".")[0]
    while parent:
        if parent + ".*" in LAYERS:
            return LAYERS[parent + ".*"]
        parent = parent.rpartition(".")[0]
    return None


def _target(name: str) -> str:
    """The module an imported name lives in: ``chatlint.linter.Linter`` → ``chatlint.linter``."""
    while name not in MODULES:
        name = name.rpartition(".")[0]
    return name


def imports(name: str) -> list[tuple[str, int, bool]]:
    """(imported module, line, inside a function) for each chatlint import in the module's source."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[tuple[str, int, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            targets: list[str] = []
            if isinstance(child, ast.Import):
                targets = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    parts = package.split(".")[: len(package.split(".")) - child.level + 1]
                    base = ".".join(parts + ([base] if base else []))
                targets = [f"{base}.{alias.name}" for alias in child.names]
            for target in targets:
                if target == FACE or target.startswith(FACE + "."):
                    module = _target(target)
                    if module != name:
                        found.append((module, child.lineno, nested))
            visit(child, nested)

    visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return found


def test_every_module_has_a_floor() -> None:
    unplaced = sorted(m for m in MODULES if m != FACE and floor(m) is None)
    assert not unplaced, f"give these modules a floor in LAYERS of tests/test_layers.py: {unplaced}"


def test_no_module_imports_from_a_higher_floor() -> None:
    upward = []
    for name in MODULES:
        own = floor(name)
        if name == FACE or own is None:
            continue
        for target, line, _ in imports(name):
            if target == FACE:
                continue
            theirs = floor(target)
            if theirs is not None and theirs > own:
                upward.append(f"{name}:{line} ({FLOORS[own]}) imports {target} ({FLOORS[theirs]})")
    assert not upward, "imports that climb a floor:\n" + "\n".join(upward)


def test_readers_configuration_and_writers_know_no_engine() -> None:
    wrong = []
    for name in MODULES:
        if not any(name == p or name.startswith(p + ".") for p in KNOW_NO_ENGINE):
            continue
        for target, line, _ in imports(name):
            theirs = floor(target)
            if target != FACE and theirs is not None and theirs > TEXT and theirs != IO:
                wrong.append(f"{name}:{line} imports {target} ({FLOORS[theirs]})")
    assert not wrong, "\n".join(wrong)


def _graph() -> dict[str, set[str]]:
    """Import edges that can close a circle: module level, and same-floor imports in functions."""
    graph: dict[str, set[str]] = {name: set() for name in MODULES}
    for name in MODULES:
        for target, _, in_function in imports(name):
            if in_function and (floor(target) or 0) < (floor(name) or 0):
                continue
            graph[name].add(target)
    return graph


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return groups


def test_no_import_circles() -> None:
    graph = _graph()
    for a, b in PENDING_CIRCLES:
        if a in graph and b in graph:
            graph[a].discard(b)
            graph[b].discard(a)
    circles = _circles({name: targets - {FACE} for name, targets in graph.items()})
    assert not circles, "modules that import each other in a circle:\n" + "\n".join(" ⇄ ".join(c) for c in circles)


def test_the_circle_finder_finds_circles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _circles(graph) == [["a", "b", "c"]]
    assert _circles({"a": {"b"}, "b": set()}) == []
