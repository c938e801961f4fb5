"""Load the knowledge tables (``data/*.toml``) into typed records, and look things up.

A future PyTorch, CUDA or driver release is a row in a data file: nothing here names a
version. :func:`load_dir` reads any directory with the same files (tests use it to add
a fake release); ``envcheck.knowledge.load()`` caches the packaged one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, Optional, Tuple

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from envcheck.datafile import read_toml
from envcheck.errors import SetupError
from envcheck.knowledge.archs import cc_tuple, major_minor, ver, version_at_least
from envcheck.knowledge.names import normalise_gpu_name
from envcheck.knowledge.records import (
    CompatFloor,
    ComputeCapability,
    CudnnLine,
    DriverBranch,
    GpuModel,
    GpuSpec,
    KnownBadBuild,
    ModelRule,
    TableMeta,
    ToolkitDriver,
    TorchRelease,
    TorchVariant,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
TABLES = ("cuda_driver", "compute_capability", "gpu_models", "torch_releases", "torch_variants", "cudnn",
          "gpu_specs", "known_bad_builds")


@dataclass(frozen=True)
class TorchBuild:
    """A torch version string resolved against the tables."""

    version: str  # as given, "2.6.0+cu126"
    release: Optional[TorchRelease]
    variant: Optional[TorchVariant]  # None for CPU, ROCm, source builds or unknown variants
    local: str  # "cu126", "cpu", "" (no suffix), "git...", "rocm6.2"
    is_cpu: bool

    @property
    def is_pypi_default(self) -> bool:
        """True for a version without a local suffix, i.e. as pip list prints a PyPI wheel.
        torch.__version__ of the same wheel does carry one (2.10.0-2.15.0 read from the
        wheels: "2.14.1+cu130"), so a suffix alone does not mean download.pytorch.org."""
        return self.local == ""


@dataclass
class KnowledgeBase:
    meta: Dict[str, TableMeta]
    toolkits: Tuple[ToolkitDriver, ...]
    compat_floors: Tuple[CompatFloor, ...]
    branches: Tuple[DriverBranch, ...]
    ccs: Tuple[ComputeCapability, ...]
    model_rules: Tuple[ModelRule, ...]
    releases: Tuple[TorchRelease, ...]  # newest first
    variants: Tuple[TorchVariant, ...]
    cudnn_lines: Tuple[CudnnLine, ...]
    specs: Tuple[GpuSpec, ...]
    known_bad: Tuple[KnownBadBuild, ...]
    _compiled: Dict[str, "re.Pattern[str]"] = field(default_factory=dict, repr=False)
    # (major, minor) -> row, built on first use: rules look capabilities up per GPU and
    # per candidate build, thousands of times for a long paste.
    _cc_index: Dict[Tuple[int, int], ComputeCapability] = field(default_factory=dict, repr=False)
    # gpu_model's answer per name: the rules and advise ask it of the same few names hundreds of times.
    _models: Dict[str, Optional[GpuModel]] = field(default_factory=dict, init=False, repr=False, compare=False)

    # ------------------------------------------------------------ CUDA <-> driver
    def toolkit_driver(self, cuda: str) -> Optional[str]:
        """Driver the first release of CUDA ``major.minor`` was qualified with."""
        mm = major_minor(cuda)
        rows = [t for t in self.toolkits if t.cuda == mm and t.min_driver]
        return min((t.min_driver for t in rows), key=ver, default=None)

    def min_driver_for_cuda(self, cuda: str) -> Optional[str]:
        """Lowest driver that runs code built with CUDA ``cuda``: the minor-version
        compatibility floor of its major (11.x and later), else that toolkit's driver."""
        mm = major_minor(cuda)
        if mm is None:
            return None
        major = int(mm.split(".")[0])
        for floor in self.compat_floors:
            if floor.major == major:
                return floor.min_driver
        return self.toolkit_driver(mm)

    def driver_branch(self, driver: str) -> Optional[DriverBranch]:
        """The branch record for a driver version (its own, or the nearest lower one listed)."""
        v = ver(driver)
        if v is None:
            return None
        candidates = [b for b in self.branches if b.branch <= v.release[0]]
        return max(candidates, key=lambda b: b.branch, default=None)

    def max_cuda_for_driver(self, driver: str) -> Optional[str]:
        b = self.driver_branch(driver)
        return b.max_cuda if b else None

    def driver_supports_cuda(self, driver: str, cuda: str) -> Optional[bool]:
        """Can a driver run code built with CUDA ``cuda``? None when either is unknown."""
        return version_at_least(driver, self.min_driver_for_cuda(cuda))

    def recommend_branch(self, min_driver: Optional[str], ccs: Iterable[str] = ()) -> Optional[DriverBranch]:
        """The branch to install: at least ``min_driver`` (and each GPU's own minimum),
        still supporting every GPU (``last_driver``); None when no branch does."""
        need = ver(min_driver) if min_driver else None
        ceiling = None
        for cc in dict.fromkeys(ccs):  # a paste of many machines names the same GPUs again and again
            row = self.compute_capability(cc)
            if row is None:
                continue
            if row.min_driver and (need is None or ver(row.min_driver) > need):
                need = ver(row.min_driver)
            if row.last_driver and (ceiling is None or row.last_driver < ceiling):
                ceiling = row.last_driver
        # Branch numbers compare with the need's first component: a package manager
        # installs the current driver of a branch, which is past any patch-level floor.
        fits = [b for b in sorted(self.branches, key=lambda b: b.branch)
                if (need is None or b.branch >= need.release[0]) and (ceiling is None or b.branch <= ceiling)]
        # The newest long-term branch that fits (what a person should keep), then the
        # newest production branch, then the lowest branch that fits at all.
        for kind in ("ltsb", "production"):
            kinds = [b for b in fits if b.kind == kind]
            if kinds:
                return kinds[-1]
        return fits[0] if fits else None

    # ------------------------------------------------------------ GPUs
    def compute_capability(self, cc: str) -> Optional[ComputeCapability]:
        try:
            want = cc_tuple(cc)
        except (ValueError, IndexError):
            return None
        if not self._cc_index:
            for c in reversed(self.ccs):  # the first row of a capability wins, as a scan would
                self._cc_index[cc_tuple(c.cc)] = c
        return self._cc_index.get(want)

    def gpu_model(self, name: str) -> Optional[GpuModel]:
        """A GPU name as users or NVML write it -> compute capability and series."""
        if name not in self._models:
            self._models[name] = self._gpu_model(name)
        return self._models[name]

    def _gpu_model(self, name: str) -> Optional[GpuModel]:
        norm = normalise_gpu_name(name)
        if not norm:
            return None
        for rule in self.model_rules:
            if self._regex(rule.pattern).search(norm):
                row = self.compute_capability(rule.cc)
                return GpuModel(cc=rule.cc, arch=row.arch if row else "unknown", name=rule.name,
                                other_ccs=rule.other_ccs)
        return None

    def gpu_spec(self, name: str) -> Optional[GpuSpec]:
        """Peak figures for an NVML name ("NVIDIA H100 80GB HBM3" is the SXM5 part)."""
        norm = normalise_gpu_name(name)
        return next((s for s in self.specs if self._regex(s.match).search(norm)), None)

    # ------------------------------------------------------------ PyTorch
    def release(self, version: str) -> Optional[TorchRelease]:
        mm = major_minor(version)
        return next((r for r in self.releases if r.version == mm), None)

    def variant(self, release: str, variant: str) -> Optional[TorchVariant]:
        mm = major_minor(release) or release
        return next((v for v in self.variants if v.torch == mm and v.variant == variant), None)

    def variants_of(self, release: TorchRelease) -> Tuple[TorchVariant, ...]:
        return tuple(v for name in release.variants for v in self.variants
                     if v.torch == release.version and v.variant == name)

    def resolve_torch(self, version: str) -> Optional[TorchBuild]:
        """"2.6.0+cu126" -> its release and variant; "1.3.0" (no local suffix) -> the
        PyPI default variant of that release; "2.1.0+cpu" -> a CPU build."""
        v = ver(version)
        if v is None:
            return None
        local = (v.local or "").lower()
        rel = self.release(version)
        var = None
        if rel is not None:
            if local == "":
                var = self.variant(rel.version, rel.pypi_default)
            elif re.fullmatch(r"cu\d+", local):
                var = self.variant(rel.version, local)
        return TorchBuild(version=version, release=rel, variant=var, local=local, is_cpu=local == "cpu")

    def known_bad_builds(self, build: TorchBuild) -> Tuple[KnownBadBuild, ...]:
        v = ver(build.version)
        if v is None:
            return ()
        public = ver(v.public)
        tag = "pypi" if build.is_pypi_default else build.local
        out = []
        for bad in self.known_bad:
            try:
                spec = SpecifierSet(bad.torch)
            except InvalidSpecifier:
                continue
            if public in spec and tag in bad.variants:
                out.append(bad)
        return tuple(out)

    def cudnn_line(self, version: str) -> Optional[CudnnLine]:
        mm = ver(major_minor(version))
        if mm is None:
            return None
        return next((c for c in self.cudnn_lines if ver(c.first) <= mm <= ver(c.last)), None)

    def _regex(self, pattern: str) -> "re.Pattern[str]":
        rx = self._compiled.get(pattern)
        if rx is None:
            rx = self._compiled[pattern] = re.compile(pattern)
        return rx


# ---------------------------------------------------------------------------- loading
def _t(row: dict, key: str) -> tuple:
    return tuple(row.get(key) or ())


def _read(directory: Path, name: str) -> dict:
    return read_toml(directory / f"{name}.toml")


def load_dir(directory: Path = DATA_DIR) -> KnowledgeBase:
    """Read every table in ``directory`` into a :class:`KnowledgeBase`."""
    docs = {name: _read(Path(directory), name) for name in TABLES}
    meta = {}
    for name, doc in docs.items():
        m = doc.get("meta") or {}
        meta[name] = TableMeta(name, tuple(m.get("source") or ()), str(m.get("checked") or ""))
    try:
        return _build(docs, meta)
    except (KeyError, TypeError, ValueError) as exc:
        raise SetupError(f"knowledge tables in {directory}: bad row ({type(exc).__name__}: {exc})") from None


def _build(docs: Dict[str, dict], meta: Dict[str, TableMeta]) -> KnowledgeBase:
    cd = docs["cuda_driver"]
    toolkits = tuple(ToolkitDriver(r["cuda"], r["release"], r.get("min_driver"), r["status"], r.get("note", ""))
                     for r in cd.get("toolkit", ()))
    floors = tuple(CompatFloor(int(r["major"]), r["min_driver"], r["status"], r.get("note", ""))
                   for r in cd.get("compat", ()))
    branches = tuple(DriverBranch(int(r["branch"]), r["max_cuda"], r["status"], r.get("kind", ""), r.get("eol", ""),
                                  _t(r, "last_for"), r.get("note", "")) for r in cd.get("branch", ()))
    ccs = tuple(ComputeCapability(r["cc"], r["arch"], r.get("chip", ""), _t(r, "examples"), r.get("first_cuda"),
                                  r.get("last_cuda"), r.get("last_driver"), r.get("min_driver"), r["status"],
                                  r.get("note", ""), bool(r.get("jetson", False)))
                for r in docs["compute_capability"].get("cc", ()))
    rules = tuple(ModelRule(r["pattern"], r["cc"], r["name"], r.get("status", "verified"), _t(r, "other_cc"))
                  for r in docs["gpu_models"].get("model", ()))
    releases = tuple(sorted(
        (TorchRelease(r["version"], r["released"], r["latest"], _t(r, "python"), _t(r, "variants"), r["pypi_default"],
                      r.get("torchvision", ""), r.get("conda", ""), r["status"], r.get("note", ""))
         for r in docs["torch_releases"].get("release", ())),
        key=lambda r: ver(r.version), reverse=True))
    variants = tuple(TorchVariant(r["torch"], r["variant"], r["cuda"], r["index_url"], r["status"], r.get("cuda_full"),
                                  r.get("cudnn"), r.get("nccl"), r.get("arch_list"), r.get("note", ""))
                     for r in docs["torch_variants"].get("variant", ()))
    lines = tuple(CudnnLine(r["first"], r["last"], _t(r, "cuda"), r["min_cc"], r["max_cc"], r["status"],
                            r.get("note", "")) for r in docs["cudnn"].get("line", ()))
    figures = ("memory_gb", "fp32_tflops", "tf32_tflops", "bf16_tflops", "fp16_tflops", "fp8_tflops",
               "memory_bandwidth_gb_s", "tdp_w")
    specs = tuple(GpuSpec(name=r["name"], match=r["match"], cc=r["cc"],
                          status=tuple(sorted((k, str(v)) for k, v in (r.get("status") or {}).items())),
                          pcie_gen=r.get("pcie_gen"), pcie_width=r.get("pcie_width"),
                          **{k: float(r[k]) for k in figures if k in r})
                  for r in docs["gpu_specs"].get("gpu", ()))
    bad = tuple(KnownBadBuild(r["id"], r["torch"], _t(r, "variants"), r["summary"], r["issue"],
                              r["status"], _t(r, "when_text"), _t(r, "when_library"), _t(r, "when_os"),
                              r.get("fix_note", ""), bool(r.get("text_alone", True)))
                for r in docs["known_bad_builds"].get("bad", ()))
    return KnowledgeBase(meta, toolkits, floors, branches, ccs, rules, releases, variants, lines, specs, bad)
