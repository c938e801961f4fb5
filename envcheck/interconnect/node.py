"""One node measured from this process: the public entry point of ``envcheck interconnect``
for a run envcheck launches itself (the CLI, and ``envcheck validate``'s interconnect stage).

``measure(plan, world, visible)`` checks torch and its backend, reads the node's facts,
starts a rank per GPU (or ``world`` CPU processes on gloo) that see exactly the GPUs in
``visible``, supervises them and judges the outcome. Under torchrun/srun each process is
a rank instead (``rank.run``): nothing here is used then.
"""

from __future__ import annotations

import importlib.util
import os
from typing import Callable, Mapping, Optional, Sequence

from ..errors import SetupError
from .plan import Plan, Step
from .verdict import Verdict

NEEDS_TORCH = ("envcheck interconnect needs torch: pip install 'envcheck[bench]' "
               "(`envcheck advise` says which torch build fits this machine)")


def need_torch() -> None:
    if importlib.util.find_spec("torch") is None:
        raise SetupError(NEEDS_TORCH)


def check_backend(torch, backend: str) -> None:
    dist = torch.distributed
    ok = dist.is_available() and (dist.is_nccl_available() if backend == "nccl" else dist.is_gloo_available())
    if not ok:
        raise SetupError(f"this torch {torch.__version__} has no {backend} backend for torch.distributed")


def visible_devices(indices: Sequence[int], count: int, environ: Mapping[str, str]) -> str:
    """``CUDA_VISIBLE_DEVICES`` for ranks that must see the CUDA devices ``indices`` of this
    process (numbered within its own ``CUDA_VISIBLE_DEVICES``, when that is set)."""
    visible = environ.get("CUDA_VISIBLE_DEVICES")
    names = [p.strip() for p in visible.split(",")] if visible else [str(i) for i in range(count)]
    return ",".join(names[i] for i in indices)


def measure(plan: Plan, world: int, visible: Optional[str] = None, strict: bool = False,
            on_step: Callable[[Step, int], None] = lambda step, done: None) -> Verdict:
    """Run ``plan`` on this node with ``world`` ranks and judge it. ``visible`` is given to the
    ranks as ``CUDA_VISIBLE_DEVICES`` (this process's own value is put back afterwards)."""
    need_torch()
    import torch

    check_backend(torch, plan.backend)
    from .local import run_local
    from .nodefacts import node_facts
    from .verdict import judge

    facts = node_facts()
    before = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None:
        os.environ["CUDA_VISIBLE_DEVICES"] = visible  # spawned ranks inherit it at start
    try:
        outcome = run_local(plan, world, facts, on_step=on_step)
    finally:
        if visible is not None:
            if before is None:
                os.environ.pop("CUDA_VISIBLE_DEVICES", None)
            else:
                os.environ["CUDA_VISIBLE_DEVICES"] = before
    return judge(outcome, strict)
