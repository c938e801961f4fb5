"""A hosted runtime without a GPU: Google Colab's or Kaggle's CPU runtime, a Hugging Face
Space on CPU hardware, a GitHub-hosted Actions runner.

Colab and Kaggle GPU runtimes come with NVIDIA's driver installed, so torch finding no driver
there ("Found no NVIDIA driver on your system", "No CUDA GPUs are available", `!nvidia-smi`
"command not found") means the notebook runs on a CPU runtime: the fix is Runtime → Change
runtime type (Colab) or Settings → Accelerator (Kaggle), as Colab's maintainers answer such
reports. GitHub's standard hosted runners (``runs-on: ubuntu-latest``) and a Space's
``cpu-basic``/``cpu-upgrade`` hardware have no GPU at all.

Recorded at a person's rank (what the text implies, not a tool's reading): the finding built on
it is likely. Nothing is claimed when the text names NVIDIA hardware (a T4 in nvidia-smi's
table) or when torch is a CPU build (its own finding), or without a CUDA failure in the text.
"""

from __future__ import annotations

import re
from typing import Optional, Tuple

from ...derived.messages import STATED_DETAIL
from ...lazyre import lazy
from ..partial import STATED, Found
from ..source import Pasted
from .display_adapters import names_nvidia_hardware

SOURCE = "hosted runtime"

_I = re.IGNORECASE
# Where the text ran: Colab's /content working directory in a traceback or a shell, its
# google.colab package, Kaggle's /kaggle paths, a Space's CPU hardware, a hosted runner label.
_PLACES: Tuple[Tuple[re.Pattern, str], ...] = (
    (lazy(r"File \"/content/|\bgoogle\.colab\b|/content/drive/|\bcolab\.research\.google\.com\b|\bColab\b"
                r"|(?:在|用)\s*colab|colab\s*(?:上|で|에서)", _I), "Google Colab"),
    (lazy(r"File \"/kaggle/|/kaggle/(?:working|input)/|\bkaggle\s+notebook\b", _I), "Kaggle"),
    (lazy(r"\bhardware\s*[:=]\s*cpu-(?:basic|upgrade)\b|\bcpu-basic\b|\bCPU\s+basic\b", _I), "a Hugging Face Space on CPU"),
    # Cloud instance types without a GPU: AWS's t/m/c/r families (SageMaker's "ml." ones too; GPUs
    # are g/p), GCP's E2/N2/C2/T2D (which cannot take a GPU), Azure's B/D/E/F sizes (GPUs are N).
    (lazy(r"\b(?:ml\.)?(?:t[234]g?|m[4-7][adgin]{0,2}|c[4-7][adgin]{0,2}n?|r[4-7][adgin]{0,2})\."
                r"(?:nano|micro|small|medium|large|\d{0,2}xlarge|metal)\b"
                r"|\b(?:e2|n2d?|c2d?|c3|t2[ad])-(?:standard|highmem|highcpu|medium|small|micro)(?:-\d+)?\b"
                r"|\bStandard_[BDEF]\d+[a-z]*(?:_v\d)?\b"), "a cloud instance type without a GPU"),
    (lazy(r"\bruns-on:\s*\[?\s*['\"]?(?:ubuntu|windows|macos)-(?:latest|\d[\d.]*)\b", _I), "a GitHub-hosted runner"),
)
# CUDA failing for want of a GPU or driver (not a CPU build's "not compiled with CUDA").
# nvidia-smi's own "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver"
# is what `!nvidia-smi` prints on a Colab CPU runtime (the binary is there, no GPU is).
_NO_GPU_HERE = lazy(r"Found no NVIDIA driver on your system|No CUDA GPUs are available|nvidia-smi: (?:command )?not found"
                          r"|NVIDIA-SMI has failed because it couldn.t communicate with the NVIDIA driver"
                          r"|no CUDA-capable device is detected|CUDA is not available|cuda\.is_available\(\)\s*(?:returns?|is|->|=+)?\s*False"
                          r"|Torch is not able to use GPU", _I)
_CPU_BUILD = lazy(r"Torch not compiled with CUDA enabled|\+cpu\b|CUDA used to build PyTorch: None", _I)
# A person saying the runtime is a GPU one: "GPU runtime", "T4 GPU", "Accelerator: GPU".
_GPU_RUNTIME_SAID = lazy(r"\bGPU\s+runtime\b|\bT4\s+GPU\b|\baccelerator\s*[:=]\s*GPU|\bruntime\s+type\s+(?:is\s+)?(?:\w+\s+)?GPU\b"
                               r"|GPU\s*(?:运行时|ランタイム)", _I)
# A driver shown: then the runtime has a GPU, whatever else failed ("The NVIDIA driver on your
# system is too old (found version 10010)", nvidia-smi's "Driver Version:").
_DRIVER_SHOWN = lazy(r"NVIDIA driver on your system is too old|Driver Version:?\s*\d|Nvidia driver version:\s*\d", _I)


# Words one of _PLACES needs on its line (found with one scan of the text, Pasted.lines_containing).
_PLACE_WORDS = ("/content/", "colab", "/kaggle", "kaggle notebook", "cpu-basic", "cpu-upgrade", "cpu basic", "runs-on",
                "large", "micro", "nano", "small", "medium", "metal", "standard", "highmem", "highcpu")


def _place(doc: Pasted) -> Optional[Tuple[str, int]]:
    first = {}  # each distinct line once: a log repeats its lines
    for i in doc.lines_containing(*_PLACE_WORDS):
        first.setdefault(doc.lines[i], i)
    for pattern, name in _PLACES:
        for line, i in first.items():
            if pattern.search(line):
                return name, i
    return None


def _first(doc: Pasted, pattern: "re.Pattern[str]", *words: str) -> Optional["re.Match[str]"]:
    """The first match of ``pattern`` on a line holding one of ``words`` (each distinct line once)."""
    seen = set()
    for i in doc.lines_containing(*words):
        line = doc.lines[i]
        if line not in seen:
            seen.add(line)
            m = pattern.search(line)
            if m:
                return m
    return None


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    text = doc.text
    failed = _first(doc, _NO_GPU_HERE, "no nvidia driver", "no cuda gpus", "nvidia-smi", "cuda-capable", "not available",
                    "is_available", "not able to use gpu")
    place = _place(doc) if failed else None
    if (not place or names_nvidia_hardware(doc) or _CPU_BUILD.search(text) or _DRIVER_SHOWN.search(text)
            or _GPU_RUNTIME_SAID.search(text)):
        return f
    name, line = place
    f.set("pci.devices", (), line, rank=STATED,
          detail=f"{STATED_DETAIL}: ran on {name}, a hosted runtime with no GPU here ({failed.group(0)})")
    return f
