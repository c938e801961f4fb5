"""GPU memory a person says stays held by a process that ended or that nvidia-smi does not
list (``explain/parsers/held_memory_prose.py``): the commonest reason a fresh run then finds
the card full. "Likely", since it is their reading; a pasted process table outranks it and
``health.gpu_memory_in_use`` then weighs the rows themselves, unless the table is a moment of
a working machine (``working_moment``).
"""

from __future__ import annotations

import re
from typing import Iterator

from envcheck.derived.held_memory import CLOSED_DETAIL, FOUND_DETAIL, HELD_DETAIL, ONE_NODE_DETAIL, SHARED_DETAIL
from envcheck.derived.held_memory_note import held_said
from envcheck.derived.machine import failure_texts
from envcheck.derived.stated_causes import blamed
from envcheck.facts import GpuFacts
from envcheck.reading import Status
from envcheck.rules.engine import RuleContext, make
from envcheck.rules.finding import Confidence, Finding

GiB = 2**30
# A GPU this busy in a pasted nvidia-smi is running the reporter's job (health.gpu_memory_in_use).
BUSY_PCT = 50


# Memory named in a failure the catalogue does not tie to held memory: ollama's "llama runner process
# has terminated: cudaMalloc failed: out of memory", TensorFlow's "Allocator (GPU_0_bfc) ran out of
# memory trying to allocate …", Keras/JAX's RESOURCE_EXHAUSTED, or the person's "I run out of GPU memory".
_MEMORY_FAILURE = re.compile(r"out\s+of\s+(?:gpu\s+|device\s+|cuda\s+)?memory|\boom\b|cudaMalloc|resource_exhausted"
                             r"|failed\s+to\s+allocate|could\s+not\s+allocate|memory\s+(?:is\s+)?(?:full|exhausted)"
                             r"|显存不足|显存(?:溢出|爆)|(?:CUDA|GPU)\s*内存(?:不足|不够|溢出)|メモリ不足|메모리\s?부족", re.I)


def _fails_for_memory(ctx: RuleContext) -> bool:
    """Does a failure in the text (an error line, or the person's own sentence) name memory?"""
    return any(_MEMORY_FAILURE.search(t) for t in failure_texts(ctx.facts))


def working_moment(ctx: RuleContext, g: GpuFacts) -> bool:
    """A pasted nvidia-smi that shows a machine at work, not memory held from it: no failure for
    memory in the text (out of memory, vLLM's free-memory check, cuDNN failing to start), and
    either the GPU busy computing (the reporter's own training or web UI holding what it uses)
    or no holder listed at all (nvidia-smi in a container lists none; a used figure alone names
    nobody). An idle process listed holding memory stays: the stale holder of a killed run."""
    if ctx.facts.source != "explain" or any(s.supports("gpu_memory_in_use") for s in ctx.stated) or _fails_for_memory(ctx):
        return False
    util = g.utilization_gpu_pct
    return (util.ok and util.value is not None and util.value >= BUSY_PCT) or not (g.processes.ok and g.processes.value)


def _unlisted_holder(ctx: RuleContext) -> Iterator[Finding]:
    """The person says memory is held by a process that is gone or not listed, and a pasted
    nvidia-smi agrees: most of a GPU's memory used, no process listed, the GPU idle."""
    said = held_said(ctx.facts)
    if said is None:
        return
    for g in ctx.facts.gpus:
        used, total, util = g.memory_used_bytes, g.memory_total_bytes, g.utilization_gpu_pct
        if not (used.ok and g.processes.ok) or g.processes.value or used.value is None:
            continue
        limit = min(GiB, int(0.10 * total.value)) if total.ok and total.value else GiB
        if used.value <= limit or (util.ok and util.value is not None and util.value >= BUSY_PCT):
            continue
        yield make("gpu_memory_in_use",
                   f"{used.value / GiB:.1f} GiB of GPU {g.index}'s memory is in use while nvidia-smi lists no process, "
                   f"and the text says it is held by a process that is gone or not listed ({said}). A process in "
                   "another PID namespace (a container, another user) or the leftover workers of a killed run hold it: "
                   "`sudo fuser -v /dev/nvidia*` lists the holders; end them (or restart the container) and the "
                   "memory comes back.",
                   [(f"gpus[{g.index}].memory_used_bytes", used), (f"gpus[{g.index}].processes", "none listed"),
                    ("notes", said)], gpu=g.index, confidence=Confidence.LIKELY)
        return


def gpu_memory_held_after_exit(ctx: RuleContext) -> Iterator[Finding]:
    if not any(g.memory_used_bytes.status is Status.ERROR for g in ctx.facts.gpus):
        yield from _unlisted_holder(ctx)
        return
    for g in ctx.facts.gpus:
        used = g.memory_used_bytes
        found = used.status is Status.ERROR and blamed(used, FOUND_DETAIL)  # its failure checked where it was read
        if found or (used.status is Status.ERROR and blamed(used, SHARED_DETAIL) and _fails_for_memory(ctx)):
            said = str(used.detail)[len(FOUND_DETAIL if found else SHARED_DETAIL):].strip(" ()")
            yield make("gpu_memory_in_use",
                       f"The text says other programs were using the same GPU (“{said}”), and a failure in it names "
                       "memory: what they hold is not there for this run. `nvidia-smi` lists them and what each holds; "
                       "stop them, wait for them, or run on a GPU nobody else uses (CUDA_VISIBLE_DEVICES).",
                       [(f"gpus[{g.index}].memory_used_bytes", said)], gpu=g.index, confidence=Confidence.LIKELY)
            return
        if used.status is Status.ERROR and blamed(used, CLOSED_DETAIL):  # memory checked where it was read
            said = str(used.detail)[len(CLOSED_DETAIL):].strip(" ()")
            yield make("gpu_memory_in_use",
                       f"The text says the failure went away once another holder of the GPU was closed (“{said}”): "
                       "a notebook's kernel or another process keeps the memory it took until it exits, and the next "
                       "run finds the card full. `nvidia-smi` lists the holders; shut down idle notebook kernels "
                       "(Jupyter's Running tab) or end the process before the run.",
                       [(f"gpus[{g.index}].memory_used_bytes", said)], gpu=g.index, confidence=Confidence.LIKELY)
            return
        if used.status is Status.ERROR and blamed(used, ONE_NODE_DETAIL):  # its failure checked where it was read
            said = str(used.detail)[len(ONE_NODE_DETAIL):].strip(" ()")
            yield make("gpu_memory_in_use",
                       f"The text says the job fails for memory on one node or GPU while the same job runs on the others "
                       f"(“{said}”): on that one the memory is likely taken already — a stuck or zombie process, another "
                       "user's job. `nvidia-smi` there lists the holders and what each holds (`sudo fuser -v /dev/nvidia*` "
                       "finds those it does not list); end them, or have the node drained and rebooted.",
                       [(f"gpus[{g.index}].memory_used_bytes", said)], gpu=g.index, confidence=Confidence.LIKELY)
            return
        if used.status is not Status.ERROR or not blamed(used, HELD_DETAIL):
            continue
        said = str(used.detail)[len(HELD_DETAIL):].strip(" ()")
        yield make("gpu_memory_in_use",
                   f"The text says GPU memory stays held by a process that ended or is not listed (“{said}”). "
                   "A process killed while its children (DataLoader or multiprocessing workers) live on, or one in "
                   "another PID namespace, keeps its memory while nvidia-smi shows no process: "
                   "`sudo fuser -v /dev/nvidia*` lists the holders; end them (or restart the container) and the "
                   "memory comes back.",
                   [(f"gpus[{g.index}].memory_used_bytes", said)], gpu=g.index, confidence=Confidence.LIKELY)
        return


RULES = (gpu_memory_held_after_exit,)
