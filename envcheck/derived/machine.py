"""What the version rules and the advisor need from Facts, read once and resolved
against the tables.

Facts are often partial (a snapshot, a pasted ``collect_env``): a GPU may have a name
but no compute capability, torch a version but no arch list. Each view below fills the
gaps from the knowledge tables and from the texts torch printed, and records where a
value came from so a finding can cite it. Anything still unknown stays ``None``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional, Tuple

from envcheck.facts import Facts
from envcheck.knowledge.archs import cc_text, cc_tuple, encode_cudnn, major_minor, parse_arch_list
from envcheck.knowledge.pci_ids import range_of_device
from envcheck.knowledge.tables import KnowledgeBase, TorchBuild
from envcheck.reading import Status

# torch/cuda/__init__.py's warning for a GPU the build has no kernels for.
_CAPABILITY_TEXT = re.compile(r"with CUDA capability (sm_\d+)")
_SUPPORTS_TEXT = re.compile(r"supports CUDA capabilities((?:\s+(?:sm|compute)_\d+[af]?)+)")
# torch/backends/cudnn/__init__.py: "PyTorch was compiled against (8, 3, 2) but linked against (8, 0, 3)"
_CUDNN_TEXT = re.compile(r"compiled against \((\d+), (\d+), (\d+)\) but linked against \((\d+), (\d+), (\d+)\)")
_BUILT_TEXT = re.compile(r"CUDA used to build PyTorch:\s*(\d+\.\d+)")


@dataclass(frozen=True)
class Value:
    """A value and the fact (or table) it came from, for a finding's evidence."""

    value: object
    source: str


@dataclass(frozen=True)
class GpuView:
    index: Optional[int]  # NVML index; None when the GPU is known only from torch or text
    name: Optional[str]
    cc: Optional[str]  # "12.0"
    cc_source: str  # "nvml.gpus[0].compute_capability", "gpu_models table (name)", ...


@dataclass(frozen=True)
class TorchView:
    version: Optional[Value]
    build: Optional[TorchBuild]
    cuda: Optional[Value]  # "12.6"
    is_cpu: bool
    arch_list: Optional[Value]  # tuple of "sm_XY"/"compute_XY"
    cudnn_compiled: Optional[Value]  # int encoding
    cudnn_loaded: Optional[Value]  # int encoding


def texts(facts: Facts) -> Tuple[str, ...]:
    """Everything torch printed (or the user pasted) that a rule may cite."""
    t = facts.torch
    out = list(t.warnings.get(())) + list(t.errors.get(()))
    if t.import_error.ok and t.import_error.value:
        out.append(t.import_error.value)
    return tuple(out)


def find_text(facts: Facts, *needles: str) -> Optional[str]:
    """The first text containing any needle (case-insensitive)."""
    for text in texts(facts):
        low = text.lower()
        if any(n.lower() in low for n in needles):
            return text
    return None


def driver_version(facts: Facts) -> Optional[Value]:
    for path, reading in (("nvml.driver_version", facts.nvml.driver_version),
                          ("driver.kernel_module_version", facts.driver.kernel_module_version),
                          ("driver.userspace_library_version", facts.driver.userspace_library_version)):
        if reading.ok and reading.value:
            return Value(str(reading.value), path)
    return None


def gpus(facts: Facts, kb: KnowledgeBase) -> Tuple[GpuView, ...]:
    out = []
    for g in facts.gpus:
        name = g.name.value if g.name.ok else None
        if g.compute_capability.ok and g.compute_capability.value:
            out.append(GpuView(g.index, name, str(g.compute_capability.value),
                               f"nvml.gpus[{g.index}].compute_capability"))
            continue
        model = kb.gpu_model(name) if name else None
        out.append(GpuView(g.index, name, model.cc if model else None,
                           f"gpu_models table ({name})" if model else "unknown"))
    if not out:
        for d in facts.torch.devices.get(()):
            out.append(GpuView(None, d.name, d.capability, f"torch.devices[{d.index}].capability"))
    if not out:
        # Only the PCI bus saw the GPU (no driver yet, nouveau): its device id names the family.
        for p in facts.pci.gpus:
            r = range_of_device(p.device_id)
            label = f"NVIDIA GPU 10de:{p.device_id:04x}" + (f" ({r.arch.capitalize()})" if r else "")
            out.append(GpuView(None, label, r.assumed_cc if r else None,
                               f"pci.devices[{p.address}] (10de:{p.device_id:04x}, {r.arch})" if r
                               else f"pci.devices[{p.address}] (10de:{p.device_id:04x}, unknown family)"))
    if not out:
        for text in texts(facts):
            m = _CAPABILITY_TEXT.search(text)
            if m:
                out.append(GpuView(None, None, cc_text(cc_tuple(m.group(1))), "torch warning text"))
                break
    return tuple(out)


def torch_view(facts: Facts, kb: KnowledgeBase) -> Optional[TorchView]:
    """None when nothing says torch is there (not installed, or nobody looked)."""
    t = facts.torch
    if t.installed.ok and t.installed.value is False:
        return None
    version = None
    if t.version.ok and t.version.value:
        version = Value(t.version.value, "torch.version")
    else:
        pkg = facts.python.package("torch")
        if pkg is not None:
            version = Value(pkg.version, "python.packages[torch]")
    build = kb.resolve_torch(version.value) if version else None
    is_rocm = t.hip_build.ok and bool(t.hip_build.value)

    cuda = None
    if t.cuda_build.ok and t.cuda_build.value:
        cuda = Value(major_minor(t.cuda_build.value) or t.cuda_build.value, "torch.cuda_build")
    elif build and build.variant and not build.is_cpu:
        cuda = Value(build.variant.cuda, f"torch_variants table ({build.variant.torch} {build.variant.variant})")
    else:
        for text in texts(facts):
            m = _BUILT_TEXT.search(text)
            if m:
                cuda = Value(m.group(1), "pasted text")
                break
    is_cpu = bool(build and build.is_cpu) or (
        t.cuda_build.status is Status.NOT_FOUND and not is_rocm and (t.installed.ok or version is not None))

    arch = None
    if t.arch_list.ok and t.arch_list.value:
        arch = Value(tuple(t.arch_list.value), "torch.arch_list")
    else:
        for text in texts(facts):
            m = _SUPPORTS_TEXT.search(text)
            if m:
                arch = Value(tuple(m.group(1).split()), "torch warning text")
                break
        if arch is None and build and build.variant and build.variant.arch_list_spec:
            arch = Value(parse_arch_list(build.variant.arch_list_spec),
                         f"torch_variants table ({build.variant.torch} {build.variant.variant})")

    compiled = loaded = None
    if t.cudnn_compiled_version.ok and t.cudnn_compiled_version.value:
        compiled = Value(int(t.cudnn_compiled_version.value), "torch.cudnn_compiled_version")
    if t.cudnn_version.ok and t.cudnn_version.value:
        loaded = Value(int(t.cudnn_version.value), "torch.cudnn_version")
    for text in texts(facts):
        m = _CUDNN_TEXT.search(text)
        if m:
            g = m.groups()
            compiled = compiled or Value(encode_cudnn(".".join(g[:3])), "torch error text")
            loaded = loaded or Value(encode_cudnn(".".join(g[3:])), "torch error text")
            break
    if compiled is None and build and build.variant and build.variant.cudnn_int:
        compiled = Value(build.variant.cudnn_int,
                         f"torch_variants table ({build.variant.torch} {build.variant.variant})")

    if version is None and cuda is None and arch is None and compiled is None and loaded is None and not is_cpu:
        return None
    return TorchView(version, build, cuda, is_cpu, arch, compiled, loaded)


def python_version(facts: Facts) -> Optional[str]:
    v = facts.python.version
    return major_minor(v.value) if v.ok and v.value else None
