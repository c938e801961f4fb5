"""The run told, in code or on its command line, to use the CPU.

A program that still asks CUDA for a device after it was told to use the CPU fails on a machine
without an NVIDIA GPU with torch's "Found no NVIDIA driver on your system" or "Torch not compiled
with CUDA enabled": the machine is as its owner means it to be, and the program (or a library it
calls) ignores the setting somewhere (the sweep of session 14: a transcription library moving one
model to "cuda" whatever ``device`` said). The forms read are the ones PyTorch and the programs built
on it take: the ``device="cpu"`` keyword (``torch.device``'s string form, passed on by most
libraries' ``device`` parameters, Hugging Face's ``device_map="cpu"``), ``torch.device("cpu")``, and
the argparse options ``--device cpu`` / ``--device=cpu`` and ``--cpu`` (ComfyUI's
``comfy/cli_args.py`` and many training scripts). Not ``.to("cpu")`` nor ``map_location="cpu"``:
code that runs on a GPU machine moves tensors to the CPU all the time.

A note (derived/cpu_run_asked.py) that rules/platform.py reads; nothing else.
"""

from __future__ import annotations

import re

from envcheck.derived.cpu_run_asked import CPU_RUN_ASKED
from envcheck.explain.partial import STATED, Found
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

SOURCE = "the run told to use the CPU"

# torch.device's string form as a keyword argument ("device='cpu'", "device_map = \"cpu\""), the
# constructor itself, and argparse's "--device cpu" / "--device=cpu" / "--cpu".
_CPU_SETTING = lazy(r"(?<![\w.])(?:device|device_map)\s*=\s*(?P<q>[\"'])cpu(?P=q)"
                    r"|\btorch\.device\(\s*[\"']cpu[\"']\s*\)"
                    r"|(?<![\w-])--device(?:\s+|=)[\"']?cpu\b(?![\w:])"
                    r"|(?<![\w-])--cpu\b(?![\w-])", re.IGNORECASE)


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    hit = doc.first(_CPU_SETTING.search, "cpu")
    if hit is not None:
        i, m = hit
        f.note(f"{CPU_RUN_ASKED}“{m.group(0)}” (line {i + 1})")
    return f
