"""torch's ``collect_env.get_env_info()`` as a dict, the form Stable Diffusion web UI's
Sysinfo dump (and Forge's, and the web UI forks that kept ``modules/sysinfo.py``) pastes it:

    "Torch env info": {
        "torch_version": "2.1.2+cu121",
        "cuda_compiled_version": "12.1",
        "is_cuda_available": "True",
        "cuda_runtime_version": "12.1.105",
        "nvidia_driver_version": "546.33",
        "nvidia_gpu_models": "GPU 0: NVIDIA GeForce RTX 4090",

``modules/sysinfo.py get_torch_sysinfo()`` returns ``get_env_info()._asdict()`` with every
multi-line value split into a list (several GPUs: ``"nvidia_gpu_models": ["GPU 0: …", "GPU 1: …"]``),
and ``json.dumps(…, indent=4)`` writes it (web UI 1.6, 2023-08, to 1.10). A value torch did not
have is ``null``: ``"cuda_compiled_version": null`` is ``torch.version.cuda`` None, a CPU-only
build unless ``hip_compiled_version`` names a ROCm one. ``is_cuda_available`` is collect_env's
``str(torch.cuda.is_available())``; ``cuda_runtime_version`` is the system ``nvcc`` (as in the
text report, parsers/collect_env.py). A Python ``repr`` of the same dict (single quotes, ``None``)
is read alike.

The field names are collect_env's own (``SystemEnv``); a line is read only when the text holds
at least two of them, so one quoted key is not a report.
"""

from __future__ import annotations

import re
from typing import Dict, Optional

from envcheck.explain.partial import REPORT, Found
from envcheck.explain.source import Pasted
from envcheck.reading import Status

SOURCE = "collect_env dict (web UI sysinfo)"

_KEYS = ("torch_version", "cuda_compiled_version", "is_cuda_available", "nvidia_driver_version",
         "nvidia_gpu_models", "cuda_runtime_version", "hip_compiled_version")
_ITEM = re.compile(r"""^\s*["'](?P<key>[a-z_]{10,24})["']\s*:\s*(?:["'](?P<s>[^"'\n]{0,200})["']|(?P<null>null|None)|(?P<list>\[))""")
_GPU = re.compile(r"""["']GPU (?P<idx>\d{1,3}): (?P<name>[^"'\n(]{2,80}?)(?: \(UUID: [^)"'\n]*\))?["']""")


def _values(doc: Pasted) -> Dict[str, tuple]:
    """key -> (line, string value or None for null/None, True when a list follows)."""
    out: Dict[str, tuple] = {}
    for i in doc.lines_containing(*(f"{k}" for k in _KEYS)):
        m = _ITEM.match(doc.lines[i])
        if m and m.group("key") in _KEYS:
            out[m.group("key")] = (i, m.group("s"), bool(m.group("list")))
    return out


def _gpus(f: Found, doc: Pasted, i: int, inline: Optional[str], is_list: bool) -> None:
    if inline:
        m = _GPU.search(f'"{inline}"')
        if m:
            f.gpu(int(m.group("idx")), i, name=m.group("name").strip())
        return
    if not is_list:
        return
    for j in range(i, min(i + 65, len(doc.lines))):
        for m in _GPU.finditer(doc.lines[j]):
            f.gpu(int(m.group("idx")), j, name=m.group("name").strip())
        if "]" in doc.lines[j]:
            break


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, REPORT)
    if "_version" not in doc.text:
        return f
    values = _values(doc)
    if len(values) < 2:
        return f
    if "torch_version" in values:
        i, v, _ = values["torch_version"]
        m = re.match(r"^(\d+\.\d+[\w.+-]*)$", v or "")
        if m:
            f.set("torch.version", m.group(1), i)
            f.set("torch.installed", True, i)
    if "cuda_compiled_version" in values:
        i, v, _ = values["cuda_compiled_version"]
        hip = values.get("hip_compiled_version", (None, "N/A", False))[1]
        if v and re.match(r"^\d+\.\d+", v):
            f.set("torch.cuda_build", re.match(r"^\d+\.\d+", v).group(0), i)
        elif v is None and (hip is None or hip == "N/A"):
            f.fail("torch.cuda_build", Status.NOT_FOUND, i,
                   detail=f"CPU-only build (collect_env dict: cuda_compiled_version is null, line {i + 1})")
    if "is_cuda_available" in values:
        i, v, _ = values["is_cuda_available"]
        if v in ("True", "False"):
            f.set("torch.cuda_available", v == "True", i)
    if "nvidia_driver_version" in values:
        i, v, _ = values["nvidia_driver_version"]
        if v and re.match(r"^\d{2,4}\.\d+(?:\.\d+)?$", v):
            f.set("nvml.driver_version", v, i)
    if "cuda_runtime_version" in values:
        i, v, _ = values["cuda_runtime_version"]
        m = re.match(r"^(\d+\.\d+)(?:\.\d+)?$", v or "")
        if m:
            f.set("toolkit.nvcc_version", m.group(1), i,
                  detail=f"collect_env dict 'cuda_runtime_version' (the system nvcc), line {i + 1}")
    if "nvidia_gpu_models" in values:
        i, v, is_list = values["nvidia_gpu_models"]
        _gpus(f, doc, i, v, is_list)
    return f
