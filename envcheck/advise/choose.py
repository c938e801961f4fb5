"""Which PyTorch build (and, when needed, which driver first) works on a machine.

The rule: the newest PyTorch release and CUDA variant whose compiled architectures
cover every GPU (a compatible cubin, or PTX the driver can JIT), whose CUDA the driver
runs (minor-version compatibility floors from the cuda_driver table), and that has
wheels for the Python in use. Within a release the PyPI default variant is preferred
(plain ``pip install``), then the newest CUDA. When nothing runs on the current driver,
the driver branch to install first and the build that then works; with no GPU, the CPU
wheel. Every decision is one line in ``reasons``. All numbers come from the knowledge
tables, so a new release changes the answer without a code change.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

from ..derived.machine import driver_version, gpus, python_version
from ..facts import Facts
from ..knowledge import KnowledgeBase, load
from ..knowledge.archs import arch_support, cc_tuple, major_minor, sm_name, ver, version_at_least
from ..knowledge.records import WHEEL_INDEX, TorchRelease, TorchVariant
from ..reading import Status

CONDA_GONE = ("conda: not offered - PyTorch stopped publishing to its conda channel after 2.5 "
              "(https://github.com/pytorch/pytorch/issues/138506); use pip or uv inside the conda environment")


@dataclass(frozen=True)
class Target:
    gpu_names: Tuple[str, ...]
    compute_capabilities: Tuple[str, ...]  # one per GPU, "12.0"
    driver_version: Optional[str]
    python_version: Optional[str]  # "3.12"
    os_id: Optional[str]  # "ubuntu"
    in_container: bool
    arch: str = "x86_64"


@dataclass(frozen=True)
class Advice:
    ok: bool  # a CUDA build runs with the current driver (or: the CPU wheel, on a machine without GPU)
    torch_version: Optional[str]
    variant: Optional[str]  # "cu128", "cpu"
    cuda: Optional[str]
    index_url: Optional[str]
    pip_command: Optional[str]
    uv_command: Optional[str]
    conda_command: Optional[str]
    driver_branch: Optional[str]  # branch to install first when needed, e.g. "580" (the driver recipe installs it)
    reasons: Tuple[str, ...]  # one line per constraint


def target_from_facts(facts: Facts, kb: Optional[KnowledgeBase] = None) -> Target:
    kb = kb or load()
    views = gpus(facts, kb)
    names = tuple(v.name or "unknown GPU" for v in views)
    ccs = tuple(v.cc or "" for v in views)
    if not views and facts.source == "explain" and facts.nvml.gpus.status is Status.UNKNOWN and not facts.pci.gpus:
        # A pasted report that names no GPU is not a machine without one: the CPU wheel would be
        # the advice for "CPU-only PyTorch on a GPU machine". One GPU of unknown model instead.
        names, ccs = ("a GPU the text does not name",), ("",)
    drv = driver_version(facts)
    container = facts.host.container
    arch = facts.host.arch.value if facts.host.arch.ok and facts.host.arch.value else "x86_64"
    return Target(
        gpu_names=names,
        compute_capabilities=ccs,
        driver_version=drv.value if drv else None,
        python_version=python_version(facts),
        os_id=facts.host.os_id.value if facts.host.os_id.ok else None,
        in_container=bool(container.ok and container.value not in (None, "none")),
        arch=arch,
    )


# ---------------------------------------------------------------------------- commands
NO_TORCHVISION = ("torchvision: no release is built for torch {v} yet, so it is left out (an older "
                  "torchvision installs beside it but its compiled ops fail: 'operator torchvision::nms does "
                  "not exist')")


def _pins(rel: TorchRelease) -> str:
    tv = f" torchvision=={rel.torchvision}.*" if rel.torchvision else ""
    return f"torch=={rel.latest}{tv}"


def install_command(rel: TorchRelease, variant: str, index_url: str, tool: str = "pip") -> str:
    """``pip install torch==X torchvision==Y.*`` plus the index the variant lives on."""
    base = f"{tool} install"
    if variant == rel.pypi_default:
        return f"{base} {_pins(rel)}"
    major, minor = (int(p) for p in rel.version.split(".")[:2])
    if major >= 2:
        return f"{base} {_pins(rel)} --index-url {index_url}"
    # 1.x wheels carry the variant as a local version; 1.11+ via an extra index, older
    # ones via the variant's find-links page (pytorch.org "previous versions"). A wildcard
    # cannot carry a local label (PEP 440), but X.Y.*'s newest match on that index is the
    # +variant build: a local label sorts above the same public version.
    tv = f" torchvision=={rel.torchvision}.*" if rel.torchvision else ""
    pins = f"torch=={rel.latest}+{variant}{tv}"
    if minor >= 11:
        return f"{base} {pins} --extra-index-url {index_url}"
    return f"{base} {pins} -f {index_url}/torch_stable.html"


def conda_command(rel: TorchRelease, cuda: Optional[str]) -> Optional[str]:
    if not rel.conda:
        return None
    if cuda is None:
        return f"conda install pytorch=={rel.latest} torchvision cpuonly -c pytorch"
    if rel.conda == "pytorch-cuda":
        return f"conda install pytorch=={rel.latest} torchvision pytorch-cuda={cuda} -c pytorch -c nvidia"
    return f"conda install pytorch=={rel.latest} torchvision cudatoolkit={cuda} -c pytorch"


# ---------------------------------------------------------------------------- choosing
JETSON_PYTORCH = "https://docs.nvidia.com/deeplearning/frameworks/install-pytorch-jetson-platform/index.html"


def _variant_order(rel: TorchRelease, variants: Sequence[TorchVariant]) -> List[TorchVariant]:
    return sorted(variants, key=lambda v: (v.variant != rel.pypi_default, -(ver(v.cuda).release[0] * 100
                                                                            + ver(v.cuda).release[1])))


def _arch_gap(kb: KnowledgeBase, variant: TorchVariant, ccs: Sequence[str]) -> Optional[str]:
    missing = [sm_name(cc) for cc in ccs if arch_support(variant.arch_list, cc) not in ("cubin", "ptx")]
    if missing:
        return f"{variant.variant} has no kernels for {', '.join(missing)}"
    # The wheel's own kernels are not all: its bundled cuDNN has a GPU range too (cuDNN 9
    # dropped Kepler, so a K80 fails in every convolution of a cu118 wheel from 2.4 on).
    line = kb.cudnn_line(variant.cudnn) if variant.cudnn else None
    old = [sm_name(cc) for cc in ccs if line and cc_tuple(cc) < cc_tuple(line.min_cc)]
    if old:
        return f"{variant.variant}'s cuDNN {major_minor(variant.cudnn)} has no kernels for {', '.join(old)}"
    return None


def _driver_gap(kb: KnowledgeBase, variant: TorchVariant, driver: Optional[str], gpu_floor: Optional[str]) -> Optional[str]:
    if driver is None:
        return None
    need = kb.min_driver_for_cuda(variant.cuda)
    if need and not version_at_least(driver, need):
        return f"{variant.variant} (CUDA {variant.cuda}) needs driver >= {need}"
    if gpu_floor and not version_at_least(driver, gpu_floor):
        return f"the GPU needs driver >= {gpu_floor}"
    return None


def _fits(kb: KnowledgeBase, releases: Sequence[TorchRelease], ccs: Sequence[str]):
    """(release, variant) pairs with kernels for every capability in ``ccs``, best first."""
    return [(rel, v) for rel in releases
            for v in _variant_order(rel, [v for v in kb.variants_of(rel) if v.arch_list_spec])
            if _arch_gap(kb, v, ccs) is None]


def advise(target: Target, kb: Optional[KnowledgeBase] = None) -> Advice:
    kb = kb or load()
    reasons: List[str] = []
    py = major_minor(target.python_version) if target.python_version else None
    releases = [r for r in kb.releases if py is None or py in r.python]
    if target.arch not in ("x86_64", "amd64", "AMD64"):
        reasons.append(f"architecture {target.arch}: the tables cover Linux x86_64 wheels only; check pytorch.org")
    jetson = [n for n, cc in zip(target.gpu_names, target.compute_capabilities)
              if cc and getattr(kb.compute_capability(cc), "jetson", False)]
    if jetson:
        return _nothing(reasons + [
            f"GPU {', '.join(jetson)}: a Jetson module; its driver and CUDA come with JetPack (not ubuntu-drivers "
            f"or NVIDIA's desktop repositories) and PyTorch from NVIDIA's builds for that JetPack: {JETSON_PYTORCH}"])
    newest_py = releases[0] if releases else None
    if py and newest_py is None:
        reasons.append(f"Python {py}: no PyTorch release in the tables has wheels for it")
    elif py:
        reasons.append(f"Python {py}: wheels in PyTorch {releases[-1].version} to {newest_py.version}")
    else:
        reasons.append("Python: unknown, assuming any supported version")

    ccs = list(dict.fromkeys(cc for cc in target.compute_capabilities if cc))  # eight A100s are one capability
    unknown = [n for n, cc in zip(target.gpu_names, target.compute_capabilities) if not cc]
    for name in unknown:
        reasons.append(f"GPU {name}: compute capability unknown, not checked")
    if not ccs and not unknown:
        if newest_py is None:
            return _nothing(reasons)
        return _cpu(newest_py, reasons + ["no NVIDIA GPU: the CPU wheel"], ok=True)
    gpu_floor = None
    for name, cc in zip(target.gpu_names, target.compute_capabilities):
        if not cc:
            continue
        row = kb.compute_capability(cc)
        desc = f"{row.arch}" if row else "unknown architecture"
        reasons.append(f"GPU {name}: compute capability {cc} ({desc}) needs {sm_name(cc)} kernels or older PTX")
        if row and row.min_driver and (gpu_floor is None or ver(row.min_driver) > ver(gpu_floor)):
            gpu_floor = row.min_driver
    drv = target.driver_version
    if drv:
        branch = kb.driver_branch(drv)
        if branch:
            major = branch.max_cuda.split(".")[0]
            reasons.append(f"driver {drv} (R{branch.branch}): native CUDA {branch.max_cuda}; runs any CUDA "
                           f"{major}.x build through minor-version compatibility")
        else:
            reasons.append(f"driver {drv}: not in the driver table")
    else:
        reasons.append("driver: unknown, the chosen build's minimum is given below")

    fits = _fits(kb, releases, ccs)
    if fits:
        return _choose(kb, target, fits, newest_py, ccs, gpu_floor, reasons)
    # Nothing for this Python: a build for another Python still beats the CPU wheel.
    other = _fits(kb, kb.releases, ccs) if py else []
    if other:
        advice = _choose(kb, target, other, other[0][0], ccs, gpu_floor, list(reasons))
        rel = kb.release(advice.torch_version) if advice.torch_version else None
        if rel is not None:
            return dataclasses.replace(advice, ok=False, reasons=advice.reasons + (
                f"not with Python {py}: create an environment with Python {rel.python[-1]} first "
                f"(uv venv --python {rel.python[-1]}); PyTorch {rel.version} has wheels for {', '.join(rel.python)}",))
    # GPUs of different generations that no single build covers: the newest GPU's build.
    for cc in sorted(set(ccs), key=cc_tuple, reverse=True) if len(set(ccs)) > 1 else ():
        sub = _fits(kb, releases, [cc])
        if not sub:
            continue
        advice = _choose(kb, target, sub, newest_py, [cc], gpu_floor, list(reasons), driver_ccs=ccs)
        var = kb.variant(advice.torch_version, advice.variant) if advice.torch_version else None
        if var is None:
            continue
        covered = [n for n, c in zip(target.gpu_names, target.compute_capabilities)
                   if c and _arch_gap(kb, var, [c]) is None]
        left = [n for n, c in zip(target.gpu_names, target.compute_capabilities) if c and n not in covered]
        return dataclasses.replace(advice, ok=False, reasons=advice.reasons + (
            f"no single build has kernels for {', '.join(sorted({sm_name(c) for c in ccs}))}: this one runs on "
            f"{', '.join(covered)}, not on {', '.join(left)}; show it only the GPUs it runs on with "
            "CUDA_VISIBLE_DEVICES (indices from nvidia-smi -L), or use a second environment for the others",))
    if newest_py is None:
        return _nothing(reasons)
    reasons.append("no PyTorch wheel in the tables has kernels for "
                   + ", ".join(sorted({sm_name(cc) for cc in ccs})) + ": only the CPU wheel (or a source build)")
    return _cpu(newest_py, reasons, ok=False)


def _choose(kb: KnowledgeBase, target: Target, fits, newest: TorchRelease, ccs: Sequence[str],
            gpu_floor: Optional[str], reasons: List[str], driver_ccs: Optional[Sequence[str]] = None) -> Advice:
    """The first of ``fits`` the driver runs; else the driver to install and the build after it.
    ``driver_ccs``: every GPU the driver must still support (all of them, also when the
    build serves only some)."""
    drv = target.driver_version
    driver_ccs = ccs if driver_ccs is None else driver_ccs
    now = next(((rel, v) for rel, v in fits if _driver_gap(kb, v, drv, gpu_floor) is None), None)
    if now is not None:
        rel, var = now
        if rel is not newest:
            reasons.append(_why_not(kb, newest, ccs, drv, gpu_floor))
        best = fits[0]
        if best != now:
            reasons.append(f"with driver >= {kb.min_driver_for_cuda(best[1].cuda)}: torch {best[0].latest} + "
                           f"{best[1].variant} would work")
        reasons.append(f"chosen: torch {rel.latest} + {var.variant} (CUDA {var.cuda}), the newest build meeting all of the above"
                       + ("" if drv else f"; it needs driver >= {kb.min_driver_for_cuda(var.cuda)}"))
        if not rel.torchvision:
            alt = next(((r, v) for r, v in fits if r.torchvision and _driver_gap(kb, v, drv, gpu_floor) is None),
                       None)
            if alt is not None:
                reasons.append(f"with torchvision: torch {alt[0].latest} + {alt[1].variant}: "
                               + install_command(alt[0], alt[1].variant, alt[1].index_url))
        # No driver read (a fresh machine, nouveau, a mismatch): name the branch to install too.
        first = None if drv else kb.recommend_branch(kb.min_driver_for_cuda(var.cuda), driver_ccs)
        return _build(rel, var, reasons, ok=True, branch=first.branch if first else None)

    for rel, var in fits:  # nothing runs on this driver: which driver first, then which torch
        need = kb.min_driver_for_cuda(var.cuda)
        branch = kb.recommend_branch(need, driver_ccs)
        if branch is not None:
            reasons.append(_why_not(kb, newest, ccs, drv, gpu_floor))
            reasons.append(f"install driver R{branch.branch} first (CUDA up to {branch.max_cuda}), then torch "
                           f"{rel.latest} + {var.variant}")
            return _build(rel, var, reasons, ok=False, branch=branch.branch)
    reasons.append("no driver branch runs both these GPUs and a build that has their kernels")
    return _nothing(reasons)


def _why_not(kb: KnowledgeBase, rel: TorchRelease, ccs, drv, gpu_floor) -> str:
    gaps = []
    for v in kb.variants_of(rel):
        gap = _arch_gap(kb, v, ccs) if v.arch_list_spec else f"{v.variant} has no recorded arch list"
        gaps.append(gap or _driver_gap(kb, v, drv, gpu_floor) or f"{v.variant} fits")
    return f"not {rel.version}: " + "; ".join(gaps)


def _build(rel: TorchRelease, var: TorchVariant, reasons: List[str], ok: bool, branch: Optional[int] = None) -> Advice:
    conda = conda_command(rel, var.cuda)
    if conda is None:
        reasons.append(CONDA_GONE)
    if not rel.torchvision:
        reasons.append(NO_TORCHVISION.format(v=rel.latest))
    return Advice(ok=ok, torch_version=rel.latest, variant=var.variant, cuda=var.cuda, index_url=var.index_url,
                  pip_command=install_command(rel, var.variant, var.index_url),
                  uv_command=install_command(rel, var.variant, var.index_url, tool="uv pip"),
                  conda_command=conda, driver_branch=str(branch) if branch else None, reasons=tuple(reasons))


def _cpu(rel: TorchRelease, reasons: List[str], ok: bool) -> Advice:
    index = f"{WHEEL_INDEX}/cpu"
    conda = conda_command(rel, None)
    if conda is None:
        reasons.append(CONDA_GONE)
    if not rel.torchvision:
        reasons.append(NO_TORCHVISION.format(v=rel.latest))
    pins = _pins(rel)
    return Advice(ok=ok, torch_version=rel.latest, variant="cpu", cuda=None, index_url=index,
                  pip_command=f"pip install {pins} --index-url {index}",
                  uv_command=f"uv pip install {pins} --index-url {index}", conda_command=conda,
                  driver_branch=None, reasons=tuple(reasons))


def _nothing(reasons: List[str]) -> Advice:
    return Advice(False, None, None, None, None, None, None, None, None, tuple(reasons))
