"""What people write in their own words: the GPU they have, their OS, WSL, a container,
a Python version, a bare driver version given in reply to "which driver?".

Everything here is a claim (rank ``STATED``, detail "stated in the text"): any tool
output in the same paste outranks it. Notably, "WSL2" written by a person is recorded
as ``host.wsl = "wsl"`` and not as "wsl2": people often believe they run WSL 2 while
their distribution still runs under WSL 1; only the kernel string proves the version.
"""

from __future__ import annotations

import re

from ..gpu_names import mentions
from ..partial import PROGRAM, STATED, Found
from ..source import Pasted
from .system import describe_os

SOURCE = "free text"
_I = re.IGNORECASE

_WSL = re.compile(r"\bWSL\s?([12])?\b|Windows Subsystem for Linux", _I)
_CONTAINERS = (
    (re.compile(r"\b(?:inside|in|within|from)\s+(?:a\s+|the\s+|my\s+|this\s+)?(?:docker\s+)?containers?\b", _I), "docker"),
    (re.compile(r"\b(?:docker|nvidia-docker)\s+(?:run|exec|compose|build|pull|start)\b|\bDockerfile\b|^FROM\s+\S+:\S+", _I),
     "docker"),
    # Image names; the look-behind starts a match only at a token's first character (linear time).
    (re.compile(r"(?<![\w./-])(?:nvcr\.io/nvidia/\S+|nvidia/cuda:\S+|pytorch/pytorch:\S+"
                r"|[\w./-]*pytorch[\w.-]*:[\w.-]*cuda[\w.-]*)"), "docker"),
    (re.compile(r"\bpodman\s+(?:run|exec)\b", _I), "podman"),
    (re.compile(r"\b(?:kubernetes|kubectl|k8s)\b", _I), "kubernetes"),
    (re.compile(r"\b(?:singularity|apptainer)\s+(?:run|exec|shell)\b", _I), "other"),
)
_NEGATED = re.compile(r"\b(?:not|n't|no|without|outside)\s+(?:\w+\s+){0,2}$", _I)
_ROOT_PROMPT = re.compile(r"^root@[0-9a-f]{12}:")
_PYTHON = re.compile(r"\bpython\s?-?(3\.\d{1,2}(?:\.\d+)?)\b|\bpython(3)(\d{1,2})\b", _I)
_BARE_DRIVER = re.compile(r"^\W*(\d{3}\.\d{2,3}(?:\.\d{2})?)\W*$")
_SAID_DRIVER = re.compile(r"\bdriver(?:\s+version)?\s*(?:is|:|=|of|v)?\s*(\d{3}\.\d{2,3}(?:\.\d{2})?)\b", _I)
# Lines that are some tool's output, read by other parsers: a sentence parser must not
# second-guess them (an nvidia-smi row names the GPU better than a mention would).
_TOOL_LINE = re.compile(r"^\s*(\||\+-|\[pip3?\]|\[conda\]|GPU \d+:|[\w.-]+==|NVRM|Driver Version\s+:)")


def _gpus(f: Found, line: str, i: int) -> None:
    for name, _ in mentions(line):
        f.gpu(None, i, name=name)


def _wsl(f: Found, line: str, i: int) -> None:
    if re.search(r"microsoft-standard|\d-Microsoft\b", line):
        return  # a kernel string: proof, read by the system parser
    m = _WSL.search(line)
    if m and not _NEGATED.search(line[:m.start()]):
        f.set("host.wsl", "wsl", i)


def _container(f: Found, line: str, i: int) -> None:
    if _ROOT_PROMPT.match(line):
        f.set("host.container", "docker", i, rank=PROGRAM,
              detail=f"the shell prompt's host name is a container id (line {i + 1})")
        return
    for pattern, kind in _CONTAINERS:
        m = pattern.search(line)
        if m and not _NEGATED.search(line[:m.start()]):
            f.set("host.container", kind, i)
            return


def _os(f: Found, line: str, i: int) -> None:
    if re.match(r"^\s*(?:[-*]\s+)?OS\s*:", line) or "PRETTY_NAME" in line:
        return  # collect_env / os-release, read by their own parsers
    info = describe_os(line, exact=False)
    if info and info.version:
        f.set("host.os_id", info.os_id, i)
        f.set("host.os_version", info.version, i)
        f.set("host.os_pretty", info.pretty, i)


def _python(f: Found, line: str, i: int) -> None:
    if re.search(r"Python version:|Python-\d|Python \d+\.\d+\.\d+ \(", line):
        return  # collect_env, a banner or the REPL header: read elsewhere at a higher rank
    m = _PYTHON.search(line)
    if m:
        f.set("python.version", m.group(1) or f"{m.group(2)}.{m.group(3)}", i)


def _driver(f: Found, line: str, i: int) -> None:
    m = _BARE_DRIVER.match(line) or _SAID_DRIVER.search(line)
    if m:
        major = int(m.group(1).split(".")[0])
        if 173 <= major <= 999:  # NVIDIA's Linux driver branches since CUDA exists
            f.set("nvml.driver_version", m.group(1), i)


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    for i, line in enumerate(doc.lines):
        if not line.strip():
            continue
        _container(f, line, i)
        if _TOOL_LINE.match(line):
            continue
        _gpus(f, line, i)
        _wsl(f, line, i)
        _os(f, line, i)
        _python(f, line, i)
        _driver(f, line, i)
    return f
