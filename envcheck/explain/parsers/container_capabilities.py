"""The NVIDIA driver capabilities a container asks for, when they leave out ``compute``.

The NVIDIA Container Toolkit mounts the host driver's libraries by capability
(https://docs.nvidia.com/datacenter/cloud-native/container-toolkit/latest/docker-specialized.html#driver-capabilities):
``compute`` brings libcuda, ``utility`` nvidia-smi and NVML, and ``video``, ``graphics``, ``display``,
``compat32``, ``ngx`` the rest; ``all`` every one; unset, ``utility,compute``. A container that asks
for a list without ``compute`` runs nvidia-smi fine while CUDA finds no driver ("libcuda.so.1: cannot
open shared object file", torch's "Found no NVIDIA driver").

Read in a tool's format (at a tool's rank; commented-out lines are not settings):

* ``NVIDIA_DRIVER_CAPABILITIES`` set: ``-e NVIDIA_DRIVER_CAPABILITIES=utility``, compose's
  ``NVIDIA_DRIVER_CAPABILITIES: "video,utility"``, a Dockerfile's ``ENV NVIDIA_DRIVER_CAPABILITIES utility``,
  a pod's ``- name: NVIDIA_DRIVER_CAPABILITIES`` with its ``value:`` on the next line;
* a compose device reservation's ``capabilities: [gpu, utility]`` (flow or block list): Docker passes
  the driver capabilities a device request names as NVIDIA_DRIVER_CAPABILITIES (moby,
  daemon/nvidia_linux.go, setNvidiaGPUs), so naming ``utility`` beside ``gpu`` leaves compute out
  (docker/docs#13476); ``[gpu]`` alone keeps the default. Read where the list names ``gpu`` or a
  ``driver: nvidia`` line stands within six lines.

Docker's own ``--gpus '"capabilities=…"'`` is the run command's (``commands.py``); a line with
``--gpus`` is left to it.

And a person tracing the failure to that capability: "I traced the problem back to the "utility"
capability that is set in the compose file", "the culprit was NVIDIA_DRIVER_CAPABILITIES" (stated).
Not a question, a condition or a denial ("it is not the utility capability"), and only where the
text is about a container. The CUDA "compute capability" of a GPU (sm_86) is another thing: only a
quoted ``"compute"`` or a "driver capability" counts.
"""

from __future__ import annotations

import re
from typing import List, Optional, Tuple

from envcheck.derived.container_claims import NO_COMPUTE_DETAIL, NO_COMPUTE_SAID_DETAIL, lacks_compute
from envcheck.explain.partial import STATED, TOOL, Found
from envcheck.explain.sentences import asked, clause_start
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

SOURCE = "container driver capabilities"
_I = re.IGNORECASE

# NVIDIA_DRIVER_CAPABILITIES given a value: `-e X=v`, `X=v`, `X: "v"`, a Dockerfile's `ENV X=v` / `ENV X v`.
_LIST = r"(?P<caps>[A-Za-z0-9_]+(?:\s*,\s*[A-Za-z0-9_]+)*)"
_ENV = lazy(r"(?:\bNVIDIA_DRIVER_CAPABILITIES[\"']?\s*[=:]\s*|^\s*ENV\s+NVIDIA_DRIVER_CAPABILITIES\s+)[\"']?" + _LIST, _I)
# A pod spec's env entry: `- name: NVIDIA_DRIVER_CAPABILITIES`, then `value: "utility"`.
_ENV_NAME = lazy(r"^\s*-?\s*name:\s*[\"']?NVIDIA_DRIVER_CAPABILITIES[\"']?\s*$", _I)
_ENV_VALUE = lazy(r"^\s*value:\s*[\"']?" + _LIST + r"[\"']?\s*$", _I)
# compose's device reservation (https://docs.docker.com/compose/how-tos/gpu-support/).
_CAPS_FLOW = lazy(r"^\s*-?\s*capabilities:\s*\[(?P<list>[^\]]*)\]", _I)
_CAPS_BLOCK = lazy(r"^(?P<indent>\s*)-?\s*capabilities:\s*$", _I)
_ITEM = lazy(r"^(?P<indent>\s*)-\s*[\"']?(?P<cap>\w+)[\"']?\s*$")
# docker inspect's HostConfig.DeviceRequests: "Capabilities": [["gpu", "utility"]].
_INSPECTED = lazy(r"\"Capabilities\"\s*:\s*\[\s*\[(?P<list>[^\]]*)\]\s*\]")
_DRIVER_NVIDIA = lazy(r"^\s*-?\s*driver:\s*[\"']?nvidia[\"']?\s*$", _I)

# A person tracing the failure to the capability. The cause words, then (within the clause) the capability.
_CAP = (r"(?:[\"'`\u201c]?(?:utility|video|graphics|display)[\"'`\u201d]?\s+(?:driver\s+)?capabilit(?:y|ies)"
        r"|[\"'`\u201c]compute[\"'`\u201d]\s+(?:driver\s+)?capabilit(?:y|ies)|\bdriver\s+capabilit(?:y|ies)"
        r"|\bNVIDIA_DRIVER_CAPABILITIES\b)")
_BLAME = lazy(
    r"\b(?:traced|narrowed|tracked)\b[^.;!?\n]{0,40}?\b(?:back\s+|down\s+)?to\s+(?:the\s+|a\s+|an\s+)?" + _CAP
    + r"|\b(?:culprit|cause|problem|issue)\s+(?:is|was)\s+(?:the\s+)?" + _CAP
    + r"|\b(?:caused\s+by|due\s+to|because\s+of)\s+(?:the\s+|a\s+)?" + _CAP, _I)
_CONDITION = lazy(r"\b(?:if|whether|unless|maybe|perhaps|might|could\s+it)\b", _I)
_DENIED = lazy(r"\b(?:not|n't|never|no)\b|n't\b", _I)
_CONTAINER = lazy(r"\b(?:docker|compose|container|podman|kubernetes|k8s|pod|nerdctl)\b", _I)


def _caps(text: str) -> List[str]:
    return [c for c in re.split(r"[\s,]+", text.strip().strip("\"'")) if c]


def _commented(line: str) -> bool:
    return line.lstrip().startswith(("#", "//"))


def _env_setting(doc: Pasted) -> Optional[Tuple[int, str]]:
    lines = doc.lines
    for i in doc.lines_containing("nvidia_driver_capabilities"):
        line = lines[i]
        if len(line) > 2000 or _commented(line) or "--gpus" in line:
            continue
        if _ENV_NAME.match(line):
            if i + 1 < len(lines):
                v = _ENV_VALUE.match(lines[i + 1])
                if v and lacks_compute(_caps(v.group("caps"))):
                    return i + 1, f"NVIDIA_DRIVER_CAPABILITIES={v.group('caps').strip()}"
            continue
        for m in _ENV.finditer(line):
            if lacks_compute(_caps(m.group("caps"))):
                return i, f"NVIDIA_DRIVER_CAPABILITIES={m.group('caps').strip()}"
    return None


def _near_nvidia_driver(lines, i: int) -> bool:
    return any(_DRIVER_NVIDIA.match(lines[j]) for j in range(max(0, i - 6), min(len(lines), i + 7)))


def _compose_caps(doc: Pasted) -> Optional[Tuple[int, str]]:
    lines = doc.lines
    for i in doc.lines_containing("capabilities:", '"capabilities"'):
        line = lines[i]
        if len(line) > 2000 or _commented(line):
            continue
        m = _CAPS_FLOW.match(line) or _INSPECTED.search(line)
        if m:
            caps = [c.strip().strip("\"'") for c in m.group("list").split(",") if c.strip()]
        else:
            b = _CAPS_BLOCK.match(line)
            if not b:
                continue
            caps = []
            for j in range(i + 1, min(len(lines), i + 10)):
                item = _ITEM.match(lines[j])
                if not item or len(item.group("indent")) < len(b.group("indent")):
                    break
                caps.append(item.group("cap"))
        if lacks_compute(caps) and ("gpu" in (c.lower() for c in caps) or _near_nvidia_driver(lines, i)):
            return i, f"capabilities: [{', '.join(caps)}]"
    return None


def _blamed(doc: Pasted) -> Optional[Tuple[int, str]]:
    lines = doc.lines
    for i in doc.lines_containing("capabilit", "nvidia_driver_capabilities"):
        line = lines[i]
        if len(line) > 2000 or i in doc.enclosed:
            continue
        m = _BLAME.search(line)
        if not m:
            continue
        start = clause_start(line, m.start())
        before = line[start:m.start()]
        if asked(line, m.end(), clause=False) or _CONDITION.search(before) or _DENIED.search(before + m.group(0)):
            continue
        return i, m.group(0)
    return None


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, TOOL)
    if not doc.lines_containing("capabilit", "nvidia_driver_capabilities"):
        return f
    shown = _env_setting(doc) or _compose_caps(doc)
    if shown:
        i, value = shown
        f.set("host.container_gpus", value, i, detail=f"{NO_COMPUTE_DETAIL}: {value} ({SOURCE}, line {i + 1})")
        return f
    said = _blamed(doc)
    if said and _CONTAINER.search(doc.text):
        i, words = said
        f.set("host.container_gpus", "capabilities without compute", i, rank=STATED,
              detail=f"{NO_COMPUTE_SAID_DETAIL} ({words.strip()[:70]}, line {i + 1})")
    return f
