"""``--level``: one word, one length. The burn's part of a level is burn's preset of the
same name (``envcheck.burn.options.PRESETS``), so ``validate --level long`` and
``burn --duration long`` burn for the same time.

The bench's model depends on the device: a GPU trains the reference CNN's full recipe
in seconds at every level, while a CPU would need minutes, so a CPU validates with a
smaller model at the shorter levels (still the model's full recipe: judged against its
accuracy gate, never merely timed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Tuple

from ..burn.options import PRESETS


@dataclass(frozen=True)
class Level:
    name: str
    burn_s: float  # burn's preset of the same name
    verify_dtypes: Tuple[str, ...]  # checked on every GPU (the CPU checks fp32: it has no tensor cores)
    bench_model_gpu: str
    bench_model_cpu: str
    summary: str


LEVELS: Dict[str, Level] = {
    "quick": Level("quick", PRESETS["quick"], ("fp32",), "refcnn", "softmax",
                   "a smoke test after an install: is everything there and does it compute"),
    "standard": Level("standard", PRESETS["standard"], ("fp32", "tf32", "bf16", "fp16"), "refcnn", "lenet",
                      "acceptance of a new machine"),
    "long": Level("long", PRESETS["long"], ("fp32", "tf32", "bf16", "fp16"), "refcnn", "refcnn",
                  "burn-in before a machine joins the fleet, and after a repair"),
}

DEFAULT = "quick"


def bench_model(level: Level, device: str) -> str:
    return level.bench_model_cpu if device == "cpu" else level.bench_model_gpu


def verify_dtypes(level: Level, device: str) -> Tuple[str, ...]:
    return ("fp32",) if device == "cpu" else level.verify_dtypes


def markdown_table() -> str:
    """The level table for the README and docs/validate.md (a test keeps them identical)."""
    from ..burn.options import format_duration

    rows = ["| level | burn | verify (each GPU) | bench on a GPU | bench on the CPU | for |", "|---|---|---|---|---|---|"]
    for lv in LEVELS.values():
        rows.append(f"| `{lv.name}` | {format_duration(lv.burn_s)} | {', '.join(lv.verify_dtypes)} | "
                    f"{lv.bench_model_gpu} | {lv.bench_model_cpu} | {lv.summary} |")
    return "\n".join(rows)
