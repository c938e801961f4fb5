"""The NCCL a PyTorch run reported beside the system's NCCL package.

PyTorch's pip and conda builds bring their own NCCL (the nvidia-nccl wheel, or one linked in),
so a libnccl2 installed with apt/dnf is not what they run with: ``torch.cuda.nccl.version()``,
NCCL's "NCCL version X+cudaY" banner or a c10d error's ", NCCL version X" names the one they
did use. When that differs from the system package, someone who installed the package to get
its version (a fix, a feature) does not have it in PyTorch. Only a torch-reported version
counts: without it nobody can tell which NCCL ran.
"""

from __future__ import annotations

from typing import Iterator

from envcheck.knowledge.archs import ver
from envcheck.rules.engine import RuleContext, make
from envcheck.rules.finding import Confidence, Finding


def system_nccl_not_torchs(ctx: RuleContext) -> Iterator[Finding]:
    r = ctx.facts.torch.nccl_version
    if not r.ok or not r.value:
        return
    system = [lib for lib in ctx.facts.toolkit.libraries.get(())
              if lib.name.startswith("libnccl") and lib.path.startswith("package:") and lib.version]
    other = next((lib for lib in system if ver(lib.version) != ver(r.value)), None)
    if other is None or any(ver(lib.version) == ver(r.value) for lib in system):
        return
    yield make("nccl_version_mismatch",
               f"PyTorch runs with NCCL {r.value}, not the system's NCCL package ({other.version}): pip and conda "
               "builds of PyTorch bring their own NCCL, so installing libnccl2 does not change it. To use that NCCL, "
               "install a PyTorch build that uses it (or the nvidia-nccl wheel version torch pins).",
               [("torch.nccl_version", r), ("system package", f"libnccl {other.version}")],
               confidence=Confidence.LIKELY)


RULES = (system_nccl_not_torchs,)
