"""Typed, frozen records of the knowledge tables (``data/*.toml``).

Each record mirrors one table row. Versions stay strings as the tables write them and
are compared with :func:`envcheck.knowledge.archs.ver` (``packaging.version``).
``status`` says how well a row is sourced ("verified", "derived", "observed",
"partial", "unverified"); see the comment at the top of each data file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple

from .archs import parse_arch_list

WHEEL_INDEX = "https://download.pytorch.org/whl"


@dataclass(frozen=True)
class TableMeta:
    name: str  # data file stem, "cuda_driver"
    source: Tuple[str, ...]
    checked: str  # ISO date the table was last checked


@dataclass(frozen=True)
class ToolkitDriver:
    """A CUDA toolkit release and the driver it was qualified with (full features)."""

    cuda: str  # "12.8"
    release: str  # "12.8.1"
    min_driver: Optional[str]  # "570.124.06"; None where no table row was seen
    status: str
    note: str = ""


@dataclass(frozen=True)
class CompatFloor:
    """Minor-version compatibility: any toolkit of ``major`` runs on driver >= ``min_driver``."""

    major: int
    min_driver: str
    status: str
    note: str = ""


@dataclass(frozen=True)
class DriverBranch:
    branch: int  # 580
    max_cuda: str  # what nvidia-smi prints as "CUDA Version", "13.0"
    status: str
    kind: str = ""  # "ltsb" | "production" | "new_feature" | ""
    eol: str = ""
    last_for: Tuple[str, ...] = ()  # architectures whose last branch this is
    note: str = ""


@dataclass(frozen=True)
class ComputeCapability:
    cc: str  # "8.6"
    arch: str  # "Ampere"
    chip: str
    examples: Tuple[str, ...]
    first_cuda: Optional[str]
    last_cuda: Optional[str]  # None: still supported by the newest CUDA
    last_driver: Optional[int]  # last driver branch that runs it; None: current branches
    min_driver: Optional[str]  # first driver that knows the architecture, where it matters
    status: str
    note: str = ""
    jetson: bool = False  # integrated GPU of a Jetson module (JetPack driver, JetPack PyTorch builds)


@dataclass(frozen=True)
class GpuModel:
    """What a GPU name resolves to: its compute capability, architecture and series."""

    cc: str
    arch: str
    name: str  # the series, "GeForce RTX 50 series"
    # Other capabilities sold under the same name (a bare "TITAN X" is Maxwell 5.2 or Pascal
    # 6.1; a GT 730M is a GK107, 3.0, or a GK208, 3.5): a rule that needs the capability
    # judges each and says only what holds for all of them.
    other_ccs: Tuple[str, ...] = ()


@dataclass(frozen=True)
class ModelRule:
    pattern: str
    cc: str
    name: str
    status: str = "verified"
    other_ccs: Tuple[str, ...] = ()  # other chips sold under names this rule matches


@dataclass(frozen=True)
class TorchRelease:
    version: str  # "2.11" (major.minor)
    released: str
    latest: str  # newest patch, "2.11.0"
    python: Tuple[str, ...]  # ("3.10", ..., "3.14")
    variants: Tuple[str, ...]  # ("cu126", "cu128", "cu130")
    pypi_default: str  # "cu130"
    torchvision: str  # "0.26" (minor series)
    conda: str  # "pytorch-cuda" | "cudatoolkit" | "" (not on the pytorch conda channel)
    status: str
    note: str = ""


@dataclass(frozen=True)
class TorchVariant:
    torch: str  # release, "2.11"
    variant: str  # "cu128"
    cuda: str  # "12.8"
    index_url: str
    status: str
    cuda_full: Optional[str] = None
    cudnn: Optional[str] = None  # "9.17.1.4" (the pinned nvidia-cudnn wheel)
    nccl: Optional[str] = None  # "2.28.9" (pinned nvidia-nccl wheel; known for PyPI defaults)
    arch_list_spec: Optional[str] = None  # TORCH_CUDA_ARCH_LIST, "7.5;8.0;...;12.0+PTX"
    note: str = ""

    @property
    def arch_list(self) -> Tuple[str, ...]:
        """As ``torch.cuda.get_arch_list()`` prints it: ("sm_75", ..., "compute_120")."""
        return parse_arch_list(self.arch_list_spec) if self.arch_list_spec else ()

    @property
    def cudnn_int(self) -> Optional[int]:
        """The cuDNN version as ``torch.backends.cudnn.version()`` encodes it."""
        from .archs import encode_cudnn

        return encode_cudnn(self.cudnn) if self.cudnn else None


@dataclass(frozen=True)
class CudnnLine:
    first: str  # "9.1"
    last: str  # "9.10"
    cuda: Tuple[str, ...]
    min_cc: str
    max_cc: str
    status: str
    note: str = ""


@dataclass(frozen=True)
class GpuSpec:
    """Peak dense figures of one GPU part; units in the names; per-figure status V/S/U."""

    name: str
    match: str
    cc: str
    status: Tuple[Tuple[str, str], ...]  # (("default", "S"), ("tf32_tflops", "U"))
    memory_gb: Optional[float] = None
    fp32_tflops: Optional[float] = None
    tf32_tflops: Optional[float] = None
    bf16_tflops: Optional[float] = None
    fp16_tflops: Optional[float] = None
    fp8_tflops: Optional[float] = None
    memory_bandwidth_gb_s: Optional[float] = None
    pcie_gen: Optional[int] = None
    pcie_width: Optional[int] = None
    tdp_w: Optional[float] = None

    def status_of(self, figure: str) -> str:
        """"V", "S" or "U" for one figure (``"fp32_tflops"``)."""
        table = dict(self.status)
        return table.get(figure, table.get("default", "U"))


@dataclass(frozen=True)
class KnownBadBuild:
    id: str
    torch: str  # PEP 440 specifier, ">=2.1.0,<2.6.0"
    variants: Tuple[str, ...]  # ("pypi", "cu124")
    summary: str
    issue: str
    status: str
    when_text: Tuple[str, ...] = ()
    when_library: Tuple[str, ...] = ()
    when_os: Tuple[str, ...] = ()
    fix_note: str = ""
    # False where the when_text is also printed by other releases (or other causes): the entry
    # then needs the torch version from the text and is never read from its failure alone.
    text_alone: bool = True
