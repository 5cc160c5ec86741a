"""The package's layers, in one place, and a check that imports go one way only.

Layer order (lower rank first; a module may import its own layer and lower ranks)::

    basics  <-  data, estimators  <-  assessment  <-  report  <-  cli  <-  ptvlib (public API)

``data`` and ``estimators`` share a rank and may not import each other. Every
``import`` in every module counts, at module level or inside a function.
There may be no import circle between modules, nor between the sibling
subpackages/modules of any package (e.g. ``data.tables`` and
``data.sources``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "ptvlib"

#: Layer of each top-level part of the package, with its rank.
LAYERS: dict[str, int] = {
    "ptvlib.basics": 0,
    "ptvlib.data": 1,
    "ptvlib.estimators": 1,
    "ptvlib.assessment": 2,
    "ptvlib.report": 3,
    "ptvlib.cli": 4,
    "ptvlib": 5,
}


def modules(root: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every ``.py`` file under the package *root*."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _targets(node: ast.AST, name: str, is_package: bool, known: set[str]) -> Iterator[str]:
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.name
    elif isinstance(node, ast.ImportFrom):
        if node.level:
            base = name.split(".") if is_package else name.split(".")[:-1]
            base = base[: len(base) - (node.level - 1)]
            mod = ".".join(base + ([node.module] if node.module else []))
        else:
            mod = node.module or ""
        for alias in node.names:
            sub = f"{mod}.{alias.name}"
            yield sub if sub in known else mod


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module -> the package modules it imports (function-level imports included)."""
    mods = modules(root)
    known = set(mods)
    top = root.name
    graph: dict[str, set[str]] = {}
    for name, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        is_package = path.name == "__init__.py"
        deps = set()
        for node in ast.walk(tree):
            for target in _targets(node, name, is_package, known):
                if target == top or target.startswith(top + "."):
                    while target not in known and "." in target:
                        target = target.rsplit(".", 1)[0]
                    if target != name:
                        deps.add(target)
        graph[name] = deps
    return graph


def layer_of(module: str, layers: dict[str, int]) -> str:
    """The most specific entry of *layers* that *module* belongs to."""
    best = ""
    for prefix in layers:
        if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > len(best):
            best = prefix
    if not best:
        raise AssertionError(f"module {module} belongs to no layer; add it to LAYERS")
    return best


def upward_imports(graph: dict[str, set[str]], layers: dict[str, int]) -> list[str]:
    """``"a imports b"`` for every import into a higher rank or a sibling layer of the same rank."""
    bad = []
    for mod, deps in sorted(graph.items()):
        la = layer_of(mod, layers)
        for dep in sorted(deps):
            lb = layer_of(dep, layers)
            if la != lb and layers[lb] >= layers[la]:
                bad.append(f"{mod} ({la}) imports {dep} ({lb})")
    return bad


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(graph.get(node, ())):
            if state.get(dep) == 1:
                return stack[stack.index(dep) :] + [dep]
            if dep not in state:
                found = visit(dep)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def cycles(graph: dict[str, set[str]]) -> list[str]:
    """Import circles between modules, and between sibling subpackages of every package."""
    found = []
    c = _cycle(graph)
    if c:
        found.append("modules: " + " -> ".join(c))
    parents = {m.rsplit(".", 1)[0] for m in graph if "." in m}
    for parent in sorted(parents):
        depth = parent.count(".") + 1

        def sibling(mod: str, parent: str = parent, depth: int = depth) -> str | None:
            if not mod.startswith(parent + "."):
                return None
            return ".".join(mod.split(".")[: depth + 1])

        sub: dict[str, set[str]] = {}
        for mod, deps in graph.items():
            a = sibling(mod)
            if a is None:
                continue
            sub.setdefault(a, set())
            for dep in deps:
                b = sibling(dep)
                if b is not None and b != a:
                    sub[a].add(b)
        c = _cycle(sub)
        if c:
            found.append(f"subpackages of {parent}: " + " -> ".join(c))
    return found


def test_no_upward_imports() -> None:
    bad = upward_imports(import_graph(PACKAGE), LAYERS)
    assert not bad, "imports must go one way (see LAYERS):\n" + "\n".join(bad)


def test_no_import_circles() -> None:
    found = cycles(import_graph(PACKAGE))
    assert not found, "import circles:\n" + "\n".join(found)


def test_every_module_has_a_layer() -> None:
    for mod in import_graph(PACKAGE):
        layer_of(mod, LAYERS)


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "ptvlib"
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


_CLEAN = {
    "__init__.py": "from ptvlib.report import runner\n",
    "basics/__init__.py": "",
    "basics/config.py": "X = 1\n",
    "data/__init__.py": "",
    "data/load.py": "from ptvlib.basics import config\n",
    "estimators/__init__.py": "",
    "estimators/did.py": "from ptvlib.basics.config import X\n",
    "assessment/__init__.py": "",
    "assessment/outcome.py": "from ptvlib.data import load\nfrom ptvlib.estimators import did\n",
    "report/__init__.py": "",
    "report/runner.py": "from ..assessment import outcome\n",
    "cli.py": "from ptvlib.report.runner import *\n",
}


def test_checker_passes_a_clean_tree(tmp_path: Path) -> None:
    graph = import_graph(_tree(tmp_path, _CLEAN))
    assert graph["ptvlib.report.runner"] == {"ptvlib.assessment.outcome"}
    assert upward_imports(graph, LAYERS) == []
    assert cycles(graph) == []


@pytest.mark.parametrize(
    ("rel", "line", "expected"),
    [
        # a function-level import from the data layer into the assessment
        (
            "data/load.py",
            "def f():\n    from ptvlib.assessment import outcome\n",
            "ptvlib.data.load (ptvlib.data) imports ptvlib.assessment.outcome",
        ),
        # estimators and data share a rank: neither may import the other
        (
            "estimators/did.py",
            "from ptvlib.data.load import x\n",
            "ptvlib.estimators.did (ptvlib.estimators) imports ptvlib.data.load",
        ),
        # a relative import into the report from basics
        (
            "basics/config.py",
            "from ..report import runner\n",
            "ptvlib.basics.config (ptvlib.basics) imports ptvlib.report.runner",
        ),
        # importing the public API from inside the package
        (
            "report/runner.py",
            "from ptvlib import __version__\n",
            "ptvlib.report.runner (ptvlib.report) imports ptvlib (ptvlib)",
        ),
    ],
)
def test_checker_finds_an_upward_import(tmp_path: Path, rel: str, line: str, expected: str) -> None:
    files = dict(_CLEAN)
    files[rel] = files[rel] + line
    bad = upward_imports(import_graph(_tree(tmp_path, files)), LAYERS)
    assert any(b.startswith(expected) for b in bad), bad


def test_checker_finds_circles(tmp_path: Path) -> None:
    files = dict(_CLEAN)
    files["data/a/__init__.py"] = ""
    files["data/a/one.py"] = "from ptvlib.data.b import two\n"
    files["data/b/__init__.py"] = ""
    files["data/b/two.py"] = "X = 2\n"
    files["data/b/three.py"] = "def f():\n    from ptvlib.data.a.one import y\n"
    found = cycles(import_graph(_tree(tmp_path, files)))
    # no module circle, but the sibling subpackages data.a and data.b import each other
    assert found == ["subpackages of ptvlib.data: ptvlib.data.a -> ptvlib.data.b -> ptvlib.data.a"]
    files["data/b/two.py"] = "from ptvlib.data.a import one\n"
    found = cycles(import_graph(_tree(tmp_path, files)))
    assert found[0] == "modules: ptvlib.data.a.one -> ptvlib.data.b.two -> ptvlib.data.a.one"
