"""The functions in envcheck/ that no test executes.

After a measured test run (subprocess workers included, see [tool.coverage.run] in
pyproject.toml):

    python -m coverage run -m pytest
    python scripts/coverage_report.py            # combine the workers' data, list them
    python scripts/coverage_report.py --check    # exit 1 if one is not a listed exception

A function counts as executed when any line of its body ran (its ``def`` line runs at
import and does not count); one whose body is only a docstring, ``...`` or ``pass`` (a
click group, a Protocol method) has nothing to run and is not counted. The accepted exceptions are the ``module:function`` names in
backticks at the start of the list items in docs/coverage.md, each with its reason.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from pathlib import Path
from typing import Iterator, List, Set, Tuple

REPO = Path(__file__).resolve().parents[1]
EXCEPTIONS = REPO / "docs" / "coverage.md"


def functions(path: Path) -> Iterator[Tuple[str, int, Set[int]]]:
    """(qualified name, def line, the lines of its body) for every function in ``path``."""
    tree = ast.parse(path.read_text(), str(path))

    def visit(node: ast.AST, prefix: str) -> Iterator[Tuple[str, int, Set[int]]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                name = f"{prefix}{child.name}"
                body = child.body
                if all(_inert(stmt) for stmt in body):  # a docstring, `...` or `pass`: nothing to run
                    yield from visit(child, f"{name}.")
                    continue
                if len(body) > 1 and isinstance(body[0], ast.Expr) and isinstance(
                        getattr(body[0], "value", None), ast.Constant) and isinstance(body[0].value.value, str):
                    body = body[1:]  # the docstring is not code
                lines = set(range(body[0].lineno, (child.end_lineno or body[0].lineno) + 1))
                yield name, child.lineno, lines
                yield from visit(child, f"{name}.")
            elif isinstance(child, ast.ClassDef):
                yield from visit(child, f"{prefix}{child.name}.")

    yield from visit(tree, "")


def _inert(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Pass) or (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
                                          and (stmt.value.value is Ellipsis or isinstance(stmt.value.value, str)))


def module_name(path: Path) -> str:
    rel = path.relative_to(REPO).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def accepted() -> Set[str]:
    """``module:function`` names listed in docs/coverage.md."""
    if not EXCEPTIONS.exists():
        return set()
    return set(re.findall(r"^[*-] `([\w.]+:[\w.]+)`", EXCEPTIONS.read_text(), flags=re.M))


def unexecuted(data_file: Path) -> List[Tuple[str, str]]:
    """[(module:function, file:line)] for every function none of whose body lines ran."""
    import coverage

    data = coverage.CoverageData(basename=str(data_file))
    data.read()
    measured = {str(Path(f).resolve()): set(data.lines(f) or ()) for f in data.measured_files()}
    out = []
    for path in sorted((REPO / "envcheck").rglob("*.py")):
        ran = measured.get(str(path.resolve()), set())
        for name, line, body in functions(path):
            if not (body & ran):
                out.append((f"{module_name(path)}:{name}", f"{path.relative_to(REPO)}:{line}"))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-file", type=Path, default=REPO / ".coverage", help="the combined coverage data")
    ap.add_argument("--check", action="store_true", help="exit 1 when one is not a listed exception")
    args = ap.parse_args()
    parts = sorted(args.data_file.parent.glob(args.data_file.name + ".*"))
    if parts:  # the parallel files of a measured run (workers included): combine them first
        import subprocess

        subprocess.run([sys.executable, "-m", "coverage", "combine", "-q", f"--data-file={args.data_file}",
                        *map(str, parts)], cwd=REPO, check=True)
    if not args.data_file.exists():
        print(f"{args.data_file}: no coverage data; run `python -m coverage run -m pytest` first", file=sys.stderr)
        return 2
    missing = unexecuted(args.data_file)
    allowed = accepted()
    total = sum(1 for p in (REPO / "envcheck").rglob("*.py") for _ in functions(p))
    new = [(n, where) for n, where in missing if n not in allowed]
    stale = sorted(allowed - {n for n, _ in missing})
    for name, where in missing:
        print(f"{'  (listed)' if name in allowed else 'NOT RUN '} {name}  {where}")
    print(f"{total - len(missing)} of {total} functions in envcheck/ executed by the tests; "
          f"{len(missing)} not ({len(missing) - len(new)} listed in docs/coverage.md, {len(new)} not)")
    for name in stale:  # a note, not a failure: what runs can depend on the machine (a container, a GPU)
        print(f"listed in docs/coverage.md but executed here (remove it if it runs everywhere): {name}")
    return 1 if args.check and new else 0


if __name__ == "__main__":
    sys.exit(main())
