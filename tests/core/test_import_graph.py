"""envcheck's modules import each other in layers: no module-level import circle.

A circle makes import order matter (a name imported half-initialised) and hides which
layer a module belongs to. The graph is read from the source with ``ast``: every
``import``/``from … import`` of an envcheck module, also those inside functions (a lazy
import that closes a circle is still a circle: the old ``@rule`` registry imported the
rule modules lazily from the engine they import), including the package ``__init__``
that importing a submodule runs first.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, List, Set

PACKAGE = Path(__file__).resolve().parents[2] / "envcheck"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(current: str, is_package: bool, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = current.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _with_parents(name: str, modules: Set[str]) -> List[str]:
    """Importing ``a.b.c`` runs ``a``, ``a.b`` and ``a.b.c``."""
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1) if ".".join(parts[:i]) in modules]


def import_graph() -> Dict[str, Set[str]]:
    files = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    modules = set(files)
    graph: Dict[str, Set[str]] = {m: set() for m in modules}
    for name, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        is_package = path.name == "__init__.py"
        for node in ast.walk(tree):  # lazy imports inside functions count too
            targets: List[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(name, is_package, node)
                targets = [base] + [f"{base}.{a.name}" for a in node.names]
            for t in targets:
                for m in _with_parents(t, modules):
                    if m != name and not name.startswith(m + "."):  # a package's own parents are not edges
                        graph[name].add(m)
    return graph


def _cycles(graph: Dict[str, Set[str]]) -> List[List[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    on_stack: Set[str] = set()
    out: List[List[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_graph_is_read():
    g = import_graph()
    assert "envcheck.rules.engine" in g["envcheck.rules.registry"]
    assert "envcheck.explain.parsers" in g["envcheck.explain"]


def test_no_import_cycle_among_envcheck_modules():
    assert _cycles(import_graph()) == []


def test_a_cycle_would_be_found():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == [["a", "b", "c"]]


def test_each_module_imports_envcheck_one_way():
    """Relative or absolute imports of envcheck's own modules, not both in one file: a reader
    should not have to resolve ``..x`` and ``envcheck.x`` to see they are the same module."""
    mixed = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        relative = any(isinstance(n, ast.ImportFrom) and n.level > 0 for n in ast.walk(tree))
        absolute = any((isinstance(n, ast.ImportFrom) and n.level == 0 and (n.module or "").split(".")[0] == "envcheck")
                       or (isinstance(n, ast.Import) and any(a.name.split(".")[0] == "envcheck" for a in n.names))
                       for n in ast.walk(tree))
        if relative and absolute:
            mixed.append(str(path.relative_to(PACKAGE.parent)))
    assert mixed == []
