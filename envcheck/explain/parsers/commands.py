"""Container start commands: did ``docker run`` (or podman, nerdctl) give the container GPUs?

A container sees the host's GPUs only when its start command asks for them
(https://docs.docker.com/reference/cli/docker/container/run/#gpus,
https://docs.nvidia.com/datacenter/cloud-native/container-toolkit/latest/docker-specialized.html):
``--gpus all|N|device=…``, the NVIDIA runtime (``--runtime=nvidia``, the ``nvidia-docker``
wrapper), a CDI device (``--device nvidia.com/gpu=all``) or the device nodes themselves
(``--device /dev/nvidia0``). ``host.container_gpus`` records the flag, or ``"none"`` when
the command shows none of them — a daemon whose default runtime is ``nvidia`` may still
pass GPUs in, which the detail says. Compose files: ``runtime: nvidia`` and a device
reservation with ``driver: nvidia``.

Only the options before the image count: what follows the image is the container's own
command line (``docker run img python train.py --gpus 2``).
"""

from __future__ import annotations

import functools
import re
import shlex
from typing import Optional, Tuple

from ..partial import PROGRAM, Found
from ..source import Pasted

SOURCE = "container command"

_RUN = re.compile(r"(?:^|[\s;&|$#>(])(?P<tool>nvidia-docker|docker|podman|nerdctl)(?:\s+container)?\s+run\s+(?P<args>.*)$")
# docker run's options that take no value (the rest take one, as the next token or after "=").
_FLAGS = {"-d", "--detach", "-i", "--interactive", "-t", "--tty", "--rm", "--privileged", "--init", "-P",
          "--publish-all", "--read-only", "--no-healthcheck", "--oom-kill-disable", "-q", "--quiet"}
_SHORT_BOOL = re.compile(r"^-[ditP]+$")
_COMPOSE_RUNTIME = re.compile(r"^\s*runtime:\s*['\"]?nvidia['\"]?\s*$")
_COMPOSE_DRIVER = re.compile(r"^\s*-?\s*driver:\s*['\"]?nvidia['\"]?\s*$")
# Whole specs: a compose file's services, a Kubernetes pod template's containers.
_COMPOSE_SERVICES = re.compile(r"^services:\s*$")
_POD_CONTAINERS = re.compile(r"^\s*(?:-\s+)?containers:\s*$")
_SPEC_IMAGE = re.compile(r"^\s*(?:-\s+)?image:\s*\S")
# What gives a compose service or a pod GPUs: the NVIDIA runtime or device driver, a gpu
# capability or a `gpus:` key (compose), the nvidia.com/gpu resource or runtime class (k8s).
_SPEC_GPU = re.compile(r"nvidia|capabilities:.*\bgpu\b|^\s*gpus:|^\s*-\s*gpu\s*$", re.IGNORECASE)
NO_SPEC_GPU = ("the {what} requests no GPU (no NVIDIA runtime, device reservation or nvidia.com/gpu resource "
               "in the text)")
NO_FLAG = ("the command passes no --gpus, --runtime=nvidia or NVIDIA device (a Docker daemon whose "
           "default runtime is nvidia would still pass the GPUs in)")


def _command(lines: Tuple[str, ...], i: int, first: str) -> str:
    """The command, with its backslash-continued lines."""
    parts = [first]
    j = i
    while parts[-1].rstrip().endswith(("\\", "^", "`")) and j + 1 < len(lines) and j - i < 40:
        parts[-1] = parts[-1].rstrip()[:-1]
        j += 1
        parts.append(lines[j])
    return " ".join(parts)


@functools.lru_cache(maxsize=1024)
def _tokens(args: str) -> Tuple[str, ...]:
    # Cached: shlex is slow, and a long log repeats the same command.
    try:
        return tuple(shlex.split(args, comments=True))
    except ValueError:
        return tuple(args.split())


def gpu_request(tool: str, args: str) -> Optional[str]:
    """The GPU flag among ``args``' options ("--gpus all", "--runtime=nvidia", …); "none" when
    the options hold none; None when no image follows (not a run command after all)."""
    if tool == "nvidia-docker":
        return "nvidia-docker"
    tokens = _tokens(args)
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if not tok.startswith("-") or tok == "-":
            return "none"  # the image: the options are over
        name, eq, value = tok.partition("=")
        takes_value = not (tok in _FLAGS or _SHORT_BOOL.match(tok) or eq)
        if takes_value:
            value = tokens[i + 1] if i + 1 < len(tokens) else ""
        if name == "--gpus":
            return f"--gpus {value}".strip()
        if name == "--runtime" and value.startswith("nvidia"):
            return f"--runtime={value}"
        if name == "--device" and (value.startswith("nvidia.com/gpu") or value.startswith("/dev/nvidia")):
            return f"--device {value}"
        i += 2 if takes_value else 1
    return None


def _spec_without_gpus(f: Found, lines: Tuple[str, ...]) -> None:
    """A compose file or pod spec pasted whole (its services/containers and an image) with
    nothing anywhere in the text that asks for a GPU: the container gets none."""
    for i, line in enumerate(lines):
        if _COMPOSE_SERVICES.match(line):
            what = "compose file"
        elif _POD_CONTAINERS.match(line):
            what = "pod spec"
        else:
            continue
        if any(_SPEC_IMAGE.match(x) for x in lines[i + 1:i + 40]) and not any(_SPEC_GPU.search(x) for x in lines):
            f.set("host.container_gpus", "none", i, detail=f"{what} on line {i + 1}: " + NO_SPEC_GPU.format(what=what))
        return


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, PROGRAM)
    lines = doc.lines
    if doc.lines_containing("services:", "containers:"):
        _spec_without_gpus(f, lines)
    for i in doc.lines_containing(" run", "runtime:", "driver:"):
        line = lines[i]
        if "run" in line:
            m = _RUN.search(line)
            if m:
                flag = gpu_request(m.group("tool"), _command(lines, i, m.group("args")))
                if flag == "none":
                    f.set("host.container_gpus", "none", i,
                          detail=f"{m.group('tool')} run on line {i + 1}: {NO_FLAG}")
                elif flag:
                    f.set("host.container_gpus", flag, i, detail=f"{m.group('tool')} run on line {i + 1}")
                continue
        if "nvidia" in line and (_COMPOSE_RUNTIME.match(line) or _COMPOSE_DRIVER.match(line)):
            f.set("host.container_gpus", line.strip(" -"), i, detail=f"compose file, line {i + 1}")
    return f
