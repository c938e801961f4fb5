"""JAX's pip CUDA wheels shadowed by a CUDA toolkit on LD_LIBRARY_PATH (``ld_library_path_conflict``).

``jax[cuda12]`` (jax-cuda12-plugin with the nvidia-*-cu12 wheels) loads the wheels' libraries by their
paths (jax_plugins/cuda/__init__.py ``_load_nvidia_libraries``); what those libraries need in turn
the dynamic loader looks up in LD_LIBRARY_PATH before their own RUNPATH (ld.so(8)). A CUDA toolkit's
lib64 there (a module system's cuda/12.x, the HPC SDK, an older /usr/local/cuda-12.1) gives the
wheel's libcusparse.so.12 an older libnvJitLink.so.12 without the symbols it needs, cuSPARSE does
not load, and JAX says so — "Unable to load cuSPARSE. Is it installed?" (``jax_cuda_component_not_loadable``),
XLA's stub "The cuSPARSE library was not found." (``xla_cusparse_stub_library_not_found``) or "Found
cuSOLVER version …, but JAX was built against …" (``jax_cuda_component_older_than_build``) — and runs on
the CPU. The maintainers' fix is to unset LD_LIBRARY_PATH for JAX
(https://github.com/jax-ml/jax/issues/28929, https://github.com/jax-ml/jax/issues/29843).

Said only when the text shows all three: JAX's message, the nvidia-* CUDA wheels (a package listing,
or a library loaded from a ``site-packages/…/nvidia/`` directory), and LD_LIBRARY_PATH entries that are
CUDA directories outside the Python environment. With ``jax[cuda12_local]`` there are no wheels and
LD_LIBRARY_PATH is where CUDA is meant to be found: a missing library there stays
``cuda_library_missing``. Entries that are the wheels' own ``site-packages/nvidia/*/lib`` directories
(a common workaround) are not a conflict.
"""

from __future__ import annotations

import re
from typing import Iterator, List

from envcheck.derived.libraries import ld_entries, ld_keep
from envcheck.rules.compat import quote
from envcheck.rules.engine import RuleContext, make
from envcheck.rules.finding import Confidence, Finding, Severity

_JAX_SAID = ("jax_cuda_component_not_loadable", "xla_cusparse_stub_library_not_found",
             "jax_cuda_component_older_than_build")
# NVIDIA's CUDA library wheels: "nvidia-cusparse-cu12", from CUDA 13 also unsuffixed "nvidia-cublas".
_CUDA_WHEEL = re.compile(r"^nvidia-(?:cublas|cuda-runtime|cuda-nvrtc|cuda-cupti|cudnn|cufft|curand|cusolver|cusparse"
                         r"|nccl|nvjitlink)(?:-cu1\d)?$")
_WHEEL_DIR = re.compile(r"[/\\](?:site|dist)-packages[/\\]")
_CUDA_DIR = re.compile(r"cuda|cudnn|nccl|nvidia|hpc_sdk|cupti", re.I)


def _wheels(ctx: RuleContext) -> List[str]:
    """What shows the nvidia-* CUDA wheels are installed: listed packages, or a library loaded from one."""
    shown = [f"{p.name}=={p.version}" for p in ctx.facts.python.packages.get(()) or () if _CUDA_WHEEL.match(p.name)]
    shown += [lib.path for lib in ctx.facts.torch.loaded_libraries.get(()) or ()
              if _WHEEL_DIR.search(lib.path) and "/nvidia/" in lib.path.replace("\\", "/")]
    return shown


def jax_wheels_shadowed(ctx: RuleContext) -> Iterator[Finding]:
    said = next((s for s in ctx.stated if s.id in _JAX_SAID), None)
    if said is None:
        return
    # JAX's wrapper line ("Jax plugin configuration error: Exception when calling …initialize()") is the
    # same failure: quoted as evidence, so the report accounts for it.
    plugin = [quote(s) for s in ctx.stated if s.id == "jax_plugin_configuration_error"][:1]
    drop = [e for e in ld_entries(ctx.facts) if _CUDA_DIR.search(e) and not _WHEEL_DIR.search(e)]
    wheels = _wheels(ctx) if drop else []
    if not wheels:
        if said.id == "xla_cusparse_stub_library_not_found":
            yield _stub_alone(ctx, said, plugin)
        return
    yield make("ld_library_path_conflict",
               f"JAX's CUDA plugin did not get its CUDA libraries (“{quote(said)[1]}”) although the nvidia-* CUDA "
               f"wheels are installed ({', '.join(wheels[:3])}): LD_LIBRARY_PATH is searched before the wheels' own "
               f"directories and puts {', '.join(drop[:4])} first, so a library the wheels need (libnvJitLink for "
               "cuSPARSE) comes from that older CUDA and the wheel's does not load. JAX then runs on the CPU. Unset "
               "LD_LIBRARY_PATH (or drop those entries) for the Python that runs JAX.",
               [quote(said), ("toolkit.ld_library_path", ld_entries(ctx.facts)), ("CUDA wheels", wheels[:3])] + plugin,
               {"ld_library_path_keep": ld_keep(ctx.facts, drop), "ld_library_path_cuda": ", ".join(drop)},
               severity=Severity.ERROR, confidence=Confidence.LIKELY)


def _stub_alone(ctx: RuleContext, said, plugin) -> Finding:
    """XLA's stub without the facts that say why cuSPARSE did not load: the library is missing from
    where the loader looks, or an older one on LD_LIBRARY_PATH is taken first (the text does not show which)."""
    shown = ld_entries(ctx.facts)
    return make("cuda_library_missing",
                f"cuSPARSE did not load (“{quote(said)[1]}”: XLA's stand-in answered for it), so JAX's CUDA plugin "
                "did not start and JAX runs on the CPU. Either libcusparse.so.12 is not installed where the loader "
                "looks, or — with jax[cuda12]'s nvidia-* wheels — a CUDA toolkit on LD_LIBRARY_PATH gives it an older "
                "libnvJitLink.so.12 than it needs"
                + (f" (LD_LIBRARY_PATH here: {', '.join(shown[:4])})" if shown else "")
                + ": try the program with LD_LIBRARY_PATH unset, and install nvidia-cusparse-cu12 and "
                "nvidia-nvjitlink-cu12 (or jax[cuda12]) if it still fails.",
                [quote(said)] + ([("toolkit.ld_library_path", shown)] if shown else []) + plugin,
                {"cuda_library": "libcusparse.so.12", "cuda_library_pip": "nvidia-cusparse-cu12"},
                confidence=Confidence.LIKELY)


RULES = (jax_wheels_shadowed,)
