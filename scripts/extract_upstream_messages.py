#!/usr/bin/env python3
"""List the setup-related messages an installed torch (or a torch wheel) can print.

The message catalogue (``envcheck/knowledge/data/messages.toml``) is checked against what
upstream really prints, not against anyone's memory of it:

(a) :func:`python_messages` reads torch's Python sources with :mod:`ast` and returns the
    text of every ``raise X(...)``, ``warnings.warn(...)`` and ``logger.warning/error(...)``
    in the files of :data:`TORCH_FILES`, as a template with ``{}`` where a value goes;
(b) :func:`binary_strings` reads the printable strings of a compiled library (as
    ``strings(1)`` does), for the C++ messages (``TORCH_CHECK``, ``TORCH_WARN``) of
    ``libc10_cuda.so`` and ``libtorch_cuda.so`` in a CUDA wheel.

:func:`is_setup_related` keeps the messages about the driver, the GPU, the CUDA libraries
and their versions, and drops programming errors ("expected a Tensor"). Its word lists are
a judgement; the coverage test in ``tests/knowledge/test_messages.py`` uses them too, so a
message they let through must be in the catalogue or on its ignore list.

Usage (writes the fixtures under tests/fixtures/upstream/)::

    python scripts/extract_upstream_messages.py --wheel torch-2.14.1-...whl --out tests/fixtures/upstream
    python scripts/extract_upstream_messages.py --torch-dir .venv/lib/python3.11/site-packages/torch
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import re
import sys
import textwrap
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

# Files whose raise/warn texts are about setting torch up (paths relative to torch/).
TORCH_FILES = (
    "__init__.py",
    "cuda/__init__.py",
    "cuda/_utils.py",
    "cuda/nccl.py",
    "backends/cudnn/__init__.py",
    "utils/cpp_extension.py",
)
# Compiled libraries of a CUDA wheel whose strings hold the C++ messages.
WHEEL_LIBRARIES = ("torch/lib/libc10_cuda.so", "torch/lib/libtorch_cuda.so")
FILLERS = ("1", "12.1", "(8, 9, 2)", "sm_50", "x")  # what stands in for ``{}`` when a template is matched
HOLE = "{}"

# ------------------------------------------------------------------ which messages count
# A message is setup-related when it speaks of the driver, the GPU, the CUDA stack's
# libraries and versions, or how torch was built. AMD/Intel-only texts are left out.
_SETUP = re.compile(
    r"(?i)(nvidia|\bdriver\b|\bgpus?\b|compute capabilit|cuda capabilit|capability|\bsm_|"
    r"not compiled|compiled (?:with|against|without)|was compiled|cudnn|nccl|nvml|nvrtc|nvcc|"
    r"libcuda|libcudart|lib\w+\.so|cannot open shared|undefined symbol|ld_library_path|cuda_home|cuda_path|"
    r"cuda_visible_devices|cuda version|cuda runtime|cudart|cuda initiali[sz]|cuda driver|no cuda|"
    r"cuda error|kernel image|forked subprocess|abi-incompatible|compiler|c extensions|"
    r"one of its dependencies|not found in the system path|out of memory|required version by cuda)")
_NOT_NVIDIA = re.compile(r"(?i)(?<!\w)(hip|rocm|amdsmi|amd|sycl|xpu|dpc\+\+|mps|mtia|hipcc|icpx|msvc)(?!\w)")
_NOT_SETUP = re.compile(r"(?i)deprecated")  # API deprecations mention nccl/cuda but say nothing of the machine
_NVIDIA_TOO = re.compile(r"(?i)\b(cuda|cudnn|nvidia|nccl|nvml)\b")

# Compiled code holds far more strings than messages; these are the setup-related ones.
_BINARY_SETUP = re.compile(
    r"(?i)(nvidia driver|cuda driver|driver on your system|too old|found no nvidia|no cuda gpus|"
    r"cuda_visible_devices|cudagetdevicecount|cuda initiali[sz]ation|insufficient driver|"
    r"not compiled for sm|kernel image|could not be loaded|location of shared library|"
    r"failed to resolve \w+ from lib|watchdog caught|collective operation timeout|"
    r"nccl(?:systemerror|unhandledcudaerror|invalidusage|internalerror|remoteerror|invalidargument)|"
    r"nccl error|unknown nccl|nccl version|nvrtc error|nvrtc versions|failed to initialize nvml|"
    r"cudnn version used at compilation|^cuda error|cuda kernel errors|device-side assert|"
    r"cuda out of memory|cuda driver error)")
_BINARY_SKIP = re.compile(
    r"(?i)^_Z|INTERNAL ASSERT|^/__w/|\.(?:cpp|cc|h|hpp|cu|cuh)$|^//|^\s|sdpa|attention|causal|"
    r"dbias|s_q|sparse|^info:|can't get nvrtc|miopen|\bhip\b|rocm|\{|;$")


# The runtime libraries' own texts (cudaGetErrorString, ncclGetErrorString, NVRTC) that say
# something about the machine's setup, for checking the catalogue's wording against them.
_LIBRARY_SETUP = re.compile(
    r"(?i)^(?:CUDA driver version is insufficient|no CUDA-capable device|invalid device ordinal|"
    r"no kernel image|the provided PTX was compiled|uncorrectable (?:ECC|NVLink)|CUDA-capable device\(s\)|"
    r"exclusive-thread device|CUDA driver is a stub|API call is not supported in the installed|"
    r"forward compatibility was attempted|system has unsupported display driver|system not yet initialized|"
    r"GPU fabric is not ready|initialization error$|unspecified launch failure$|an illegal memory access|"
    r"device-side assert|PTX JIT compiler library not found|MPS client failed to connect|"
    r"unhandled (?:system|cuda) error|invalid usage \(|internal error - please|remote process exited|"
    r"NCCL library is too old|The application was compiled with too old version of NCCL|"
    r"Mismatched NCCL version|(?:Error: )?failed to extend|nvrtc: error: (?:invalid value for --gpu-arch|failed to open))")


def is_library_setup_string(text: str) -> bool:
    """A runtime library's setup-related text (libcudart, libnccl, libnvrtc)."""
    return bool(_LIBRARY_SETUP.search(text))


def is_setup_related(text: str) -> bool:
    """True for a message about the NVIDIA driver, GPU, CUDA stack or torch's build."""
    if not _SETUP.search(text) or _NOT_SETUP.search(text):
        return False
    return not (_NOT_NVIDIA.search(text) and not _NVIDIA_TOO.search(text))


def is_setup_string(text: str) -> bool:
    """The same judgement for a string read out of a compiled library."""
    return len(text) >= 12 and " " in text and bool(_BINARY_SETUP.search(text)) and not _BINARY_SKIP.search(text)


# ------------------------------------------------------------------ (a) Python sources
@dataclass(frozen=True)
class SourceMessage:
    path: str  # relative to the torch package, "cuda/__init__.py"
    line: int
    call: str  # "raise RuntimeError", "warnings.warn", "logger.warning"
    template: str  # the text with {} where a value goes

    @property
    def resolved(self) -> bool:
        """False when nothing of the text could be read (it is all values)."""
        return bool(self.template.replace(HOLE, "").strip(" .:\n"))

    def renderings(self) -> Tuple[str, ...]:
        """The template with each filler in the holes, for matching against patterns."""
        return tuple(dict.fromkeys(self.template.replace(HOLE, f) for f in FILLERS))


_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?[sdifrxXeEgGc]")
_BRACES = re.compile(r"\{[^{}]*\}")


def _percent_to_holes(text: str) -> str:
    return _PERCENT.sub(HOLE, text).replace("%%", "%")


def _format_to_holes(text: str) -> str:
    return _BRACES.sub(HOLE, text.replace("{{", "\0").replace("}}", "\1")).replace("\0", "{").replace("\1", "}")


class _Resolver:
    """Turns a message expression into a template, looking up names in the module."""

    def __init__(self, tree: ast.Module):
        self.module_names: Dict[str, ast.expr] = {}
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                self.module_names[node.targets[0].id] = node.value

    def template(self, node: ast.expr, scope: Optional[ast.AST], depth: int = 0) -> str:
        if depth > 8:
            return HOLE
        t = lambda n: self.template(n, scope, depth + 1)  # noqa: E731
        if isinstance(node, ast.Constant):
            return node.value if isinstance(node.value, str) else HOLE
        if isinstance(node, ast.JoinedStr):
            return "".join(self._part(v, scope, depth) for v in node.values)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return t(node.left) + t(node.right)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
            return _percent_to_holes(t(node.left))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            attr, owner = node.func.attr, node.func.value
            if attr == "format":
                return _format_to_holes(t(owner))
            if attr in ("strip", "rstrip", "lstrip"):
                return getattr(t(owner), attr)()
            if attr == "dedent" and node.args:
                return textwrap.dedent(t(node.args[0]))
            if attr == "join" and isinstance(owner, ast.Constant) and node.args:
                return owner.value.join(self._items(node.args[0], scope, depth + 1))
        if isinstance(node, ast.Name):
            value = self._lookup(node.id, scope)
            if value is not None:
                return t(value)
        return HOLE

    def _part(self, node: ast.expr, scope: Optional[ast.AST], depth: int) -> str:
        """One piece of an f-string: its text, or the message a named piece holds (``{base_error_msg}``)."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.FormattedValue) and isinstance(node.value, ast.Name) and node.format_spec is None:
            value = self._lookup(node.value.id, scope)
            if isinstance(value, (ast.Constant, ast.JoinedStr, ast.BinOp)):
                text = self.template(value, scope, depth + 1)
                if text.replace(HOLE, "").strip():
                    return text
        return HOLE

    def _items(self, node: ast.expr, scope: Optional[ast.AST], depth: int) -> List[str]:
        """The parts of a list a message is joined from, ``lines.append(...)`` included."""
        if isinstance(node, ast.Name):
            value = self._lookup(node.id, scope)
            items = self._items(value, scope, depth) if value is not None else []
            for sub in ast.walk(scope) if scope is not None else ():
                if (isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and sub.func.attr == "append"
                        and isinstance(sub.func.value, ast.Name) and sub.func.value.id == node.id and sub.args):
                    items.append(self.template(sub.args[0], scope, depth + 1))
            return items
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self._items(node.left, scope, depth) + self._items(node.right, scope, depth)
        if isinstance(node, (ast.List, ast.Tuple)):
            return [self.template(e, scope, depth + 1) for e in node.elts]
        if isinstance(node, ast.ListComp):
            return [self.template(node.elt, scope, depth + 1)]
        return [HOLE]

    def _lookup(self, name: str, scope: Optional[ast.AST]) -> Optional[ast.expr]:
        if scope is not None:
            for sub in ast.walk(scope):
                if (isinstance(sub, ast.Assign) and len(sub.targets) == 1 and isinstance(sub.targets[0], ast.Name)
                        and sub.targets[0].id == name):
                    return sub.value
        return self.module_names.get(name)


def _call_name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return f"{_call_name(func.value)}.{func.attr}"
    return "?"


_WARN_CALLS = re.compile(r"^(?:warnings\.)?warn$|^(?:logger|log|logging|_logger)\.(?:warning|warn|error|critical)$")


def _messages_in(tree: ast.Module, rel: str) -> Iterator[SourceMessage]:
    resolver = _Resolver(tree)
    scopes: List[Tuple[ast.AST, Optional[ast.AST]]] = [(tree, None)]
    while scopes:
        node, scope = scopes.pop()
        for child in ast.iter_child_nodes(node):
            inner = child if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else scope
            scopes.append((child, inner))
            if isinstance(child, ast.Raise) and isinstance(child.exc, ast.Call) and child.exc.args:
                call = f"raise {_call_name(child.exc.func)}"
                arg = child.exc.args[0]
            elif isinstance(child, ast.Call) and _WARN_CALLS.match(_call_name(child.func)) and child.args:
                call = _call_name(child.func)
                arg = child.args[0]
                if call.startswith(("logger", "log", "logging", "_logger")):
                    # logging formats its arguments with %: the template has % holes
                    yield SourceMessage(rel, child.lineno, call, _percent_to_holes(resolver.template(arg, inner)))
                    continue
            else:
                continue
            text = resolver.template(arg, inner)
            if call.startswith("raise") and len(child.exc.args) > 1:
                text = _percent_to_holes(text)  # raise RuntimeError(MESSAGE, a, b): printed as a tuple
            yield SourceMessage(rel, child.lineno, call, text)


def python_messages(torch_dir: Path, files: Sequence[str] = TORCH_FILES) -> List[SourceMessage]:
    """Every raise/warn message text in ``files`` of the torch package at ``torch_dir``."""
    out: List[SourceMessage] = []
    for rel in files:
        path = Path(torch_dir) / rel
        if path.is_file():
            out.extend(_messages_in(ast.parse(path.read_text(encoding="utf-8")), rel))
    return sorted(out, key=lambda m: (m.path, m.line))


def python_messages_from_wheel(wheel: Path, files: Sequence[str] = TORCH_FILES) -> List[SourceMessage]:
    """The same, read from the Python files inside a torch wheel."""
    out: List[SourceMessage] = []
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        for rel in files:
            if f"torch/{rel}" in names:
                out.extend(_messages_in(ast.parse(z.read(f"torch/{rel}").decode("utf-8")), rel))
    return sorted(out, key=lambda m: (m.path, m.line))


def installed_torch_dir() -> Optional[Path]:
    """torch's package directory in this interpreter, found without importing torch."""
    spec = importlib.util.find_spec("torch")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def torch_version(torch_dir: Path) -> str:
    """``__version__`` from torch/version.py, read as text."""
    try:
        m = re.search(r"__version__\s*=\s*'([^']+)'", (Path(torch_dir) / "version.py").read_text())
    except OSError:
        return "unknown"
    return m.group(1) if m else "unknown"


# ------------------------------------------------------------------ (b) compiled libraries
_PRINTABLE = re.compile(rb"[\x20-\x7e\t\n]{8,}")


def binary_strings(data: bytes, min_len: int = 8) -> Iterator[str]:
    """Printable ASCII runs in a compiled library, like ``strings -n min_len``."""
    for m in _PRINTABLE.finditer(data):
        if len(m.group()) >= min_len:
            yield m.group().decode("ascii")


def wheel_strings(wheel: Path, libraries: Iterable[str] = WHEEL_LIBRARIES) -> Dict[str, List[str]]:
    """The setup-related strings of each library in a wheel, sorted and without repeats."""
    out: Dict[str, List[str]] = {}
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        for lib in libraries:
            if lib not in names:
                continue
            found = {s.strip("\n") for s in binary_strings(z.read(lib))}
            out[lib] = sorted(s for s in found if is_setup_string(s))
    return out


def library_wheel_strings(wheel: Path) -> Dict[str, List[str]]:
    """The setup-related texts of every shared library in an NVIDIA runtime wheel."""
    out: Dict[str, List[str]] = {}
    with zipfile.ZipFile(wheel) as z:
        for name in sorted(z.namelist()):
            if re.search(r"\.so(?:\.\d+)*$", name):
                found = sorted({s.strip("\n") for s in binary_strings(z.read(name)) if is_library_setup_string(s)})
                if found:
                    out[name] = found
    return out


def wheel_version(wheel: Path) -> str:
    with zipfile.ZipFile(wheel) as z:
        m = re.search(r"__version__\s*=\s*'([^']+)'", z.read("torch/version.py").decode())
    return m.group(1) if m else "unknown"


# ------------------------------------------------------------------ fixture files
def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")


def unescape(line: str) -> str:
    """The inverse of the fixtures' one-line escaping."""
    return re.sub(r"\\(\\|n|t)", lambda m: {"\\": "\\", "n": "\n", "t": "\t"}[m.group(1)], line)


def write_python_fixture(path: Path, messages: Sequence[SourceMessage], version: str, origin: str) -> int:
    rows = [m for m in messages if m.resolved and is_setup_related(m.template)]
    head = [f"# Setup-related raise/warn texts of torch {version} (Python sources), from {origin}.",
            "# Written by scripts/extract_upstream_messages.py; one message a line: path:line<TAB>call<TAB>template",
            "# ({} is a value; \\n a line break inside the message)."]
    body = [f"{m.path}:{m.line}\t{m.call}\t{_escape(m.template)}" for m in rows]
    path.write_text("\n".join(head + body) + "\n", encoding="utf-8")
    return len(rows)


def write_binary_fixture(path: Path, strings: Dict[str, List[str]], version: str, wheel_name: str) -> int:
    head = [f"# Setup-related strings of torch {version}'s compiled libraries, from the wheel {wheel_name}.",
            "# Written by scripts/extract_upstream_messages.py; one string a line, grouped by library",
            "# (a C++ message is often split into several strings around its values)."]
    body: List[str] = []
    for lib, rows in strings.items():
        body.append(f"## {lib}")
        body.extend(_escape(s) for s in rows)
    path.write_text("\n".join(head + body) + "\n", encoding="utf-8")
    return sum(len(r) for r in strings.values())


def read_python_fixture(path: Path) -> List[SourceMessage]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        where, call, template = line.split("\t", 2)
        rel, _, lineno = where.rpartition(":")
        out.append(SourceMessage(rel, int(lineno), call, unescape(template)))
    return out


def read_binary_fixture(path: Path) -> List[Tuple[str, str]]:
    """(library, string) pairs of a strings fixture."""
    out, lib = [], ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            lib = line[3:]
        elif line and not line.startswith("#"):
            out.append((lib, unescape(line)))
    return out


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--torch-dir", type=Path, help="an installed torch package (default: this interpreter's)")
    ap.add_argument("--wheel", type=Path, help="a torch CUDA wheel: its Python files and compiled libraries")
    ap.add_argument("--library-wheel", type=Path, action="append", default=[],
                    help="an NVIDIA runtime wheel (nvidia-cuda-runtime, nvidia-nccl, nvidia-cuda-nvrtc); repeatable")
    ap.add_argument("--out", type=Path, help="write fixture files into this directory instead of printing")
    args = ap.parse_args(argv)

    if args.library_wheel:
        strings = {f"{w.name}: {lib}": rows for w in args.library_wheel for lib, rows in library_wheel_strings(w).items()}
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            path = args.out / "nvidia_libraries_strings.txt"
            head = ["# Setup-related texts of NVIDIA's runtime libraries, from the wheels "
                    + ", ".join(w.name for w in args.library_wheel) + ".",
                    "# Written by scripts/extract_upstream_messages.py --library-wheel; one string a line, by library."]
            body = [line for lib, rows in strings.items() for line in [f"## {lib}"] + [_escape(r) for r in rows]]
            path.write_text("\n".join(head + body) + "\n", encoding="utf-8")
            print(f"{sum(len(r) for r in strings.values())} library strings -> {path}", file=sys.stderr)
        else:
            for lib, rows in strings.items():
                for row in rows:
                    print(f"{lib}\t{_escape(row)}")
        return 0
    if args.wheel:
        version = wheel_version(args.wheel)
        messages = python_messages_from_wheel(args.wheel)
        strings = wheel_strings(args.wheel)
        origin = f"the wheel {args.wheel.name}"
    else:
        torch_dir = args.torch_dir or installed_torch_dir()
        if torch_dir is None:
            print("torch is not installed here; pass --torch-dir or --wheel", file=sys.stderr)
            return 2
        version, messages, strings, origin = torch_version(torch_dir), python_messages(torch_dir), {}, str(torch_dir)

    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        tag = version.split("+")[0]
        n = write_python_fixture(args.out / f"torch_{tag}_python.txt", messages, version, origin)
        print(f"{n} Python messages -> {args.out / f'torch_{tag}_python.txt'}", file=sys.stderr)
        if strings:
            m = write_binary_fixture(args.out / f"torch_{tag}_cuda_strings.txt", strings, version, args.wheel.name)
            print(f"{m} library strings -> {args.out / f'torch_{tag}_cuda_strings.txt'}", file=sys.stderr)
        return 0
    for msg in messages:
        if msg.resolved and is_setup_related(msg.template):
            print(f"{msg.path}:{msg.line}\t{msg.call}\t{_escape(msg.template)}")
    for lib, rows in strings.items():
        for s in rows:
            print(f"{lib}\t{_escape(s)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
