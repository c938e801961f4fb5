"""Version rules about what the build loads and where it runs: cuDNN/NCCL/CUDA libraries
in use vs the ones torch ships with, known-bad builds, containers, the toolkit (whether
the build runs on this driver and GPU at all: ``compat``; the Python: ``python_env``).

Every rule reads facts through ``envcheck.derived.machine`` (which fills gaps from the
knowledge tables and torch's own messages) and stays silent when what it needs is
unknown. The fix recipes are filled with ``envcheck advise``'s choice, so a finding and
``envcheck advise`` never disagree about which build to install.
"""

from __future__ import annotations

import re
from typing import Dict, Iterator, List

from envcheck.derived.driver import driver_branch
from envcheck.derived.image_driver_denied import image_driver_denied
from envcheck.derived.libraries import BUNDLED, cudnn_package, ld_dirs_with, ld_entries, ld_keep, lib_version, wheels
from envcheck.derived.machine import find_text
from envcheck.derived.stated_causes import LD_BLAMED_DETAIL, NCCL_BLAMED_DETAIL, blamed
from envcheck.knowledge.archs import cudnn_text, decode_cudnn, major_minor, ver
from envcheck.rules.compat import advised, quote
from envcheck.rules.engine import RuleContext, make
from envcheck.rules.finding import Confidence, Finding, Severity
from envcheck.rules.linking import outside_wheels


# ---------------------------------------------------------------------------- libraries
def _cudnn_compatible(compiled: int, loaded: int) -> bool:
    # torch/backends/cudnn/__init__.py: same major, and for cuDNN >= 7 a runtime minor
    # at least the compiled one.
    c, r = decode_cudnn(compiled), decode_cudnn(loaded)
    return c[0] == r[0] and (r[1] >= c[1] if c[0] >= 7 else r[1] == c[1])


def cudnn_version_mismatch(ctx: RuleContext) -> Iterator[Finding]:
    tv = ctx.torch_view
    if tv is None or tv.cudnn_compiled is None or tv.cudnn_loaded is None:
        return
    compiled, loaded = tv.cudnn_compiled.value, tv.cudnn_loaded.value
    if compiled == loaded:
        return
    compatible = _cudnn_compatible(compiled, loaded)
    dirs = ld_dirs_with(ctx.facts, ("libcudnn",))
    pkg = cudnn_package(ctx.facts)
    variant = tv.build.variant if tv.build else None
    # The loaded copy comes from LD_LIBRARY_PATH (clean it) or from a cuDNN wheel of the wrong
    # version (reinstall torch with its own wheels).
    wheel = bool(not dirs and pkg and variant and variant.cudnn and pkg.version != variant.cudnn)
    yield make("cudnn_version_mismatch",
               f"PyTorch was built against cuDNN {cudnn_text(compiled)} but loaded cuDNN {cudnn_text(loaded)}"
               + ("" if compatible else ", which it refuses (older minor or another major)")
               + (f"; LD_LIBRARY_PATH puts {', '.join(dirs)} first." if dirs else
                  f"; {pkg.name} {pkg.version} is installed where torch expects {variant.cudnn}." if wheel else
                  ": another copy of cuDNN is found first (LD_LIBRARY_PATH, /etc/ld.so.conf.d or a conda lib/)."),
               [(tv.cudnn_compiled.source, compiled), (tv.cudnn_loaded.source, loaded)]
               + ([("toolkit.ld_library_path", dirs)] if dirs else []),
               {"ld_library_path_keep": ld_keep(ctx.facts, dirs)} if dirs else None,
               severity=Severity.WARNING if compatible else None, recipe="clean_cuda_wheels" if wheel else "")


# Other frameworks' own cuDNN comparison (TensorFlow/XLA's cuda_dnn.cc, Caffe2's
# common_cudnn.h, JAX's _check_cuda_versions): the program checked the loaded cuDNN against its build
# and refused it.
_OTHER_CUDNN_CHECKS = ("tensorflow_cudnn_version_mismatch", "caffe2_cudnn_version_mismatch",
                       "jax_cudnn_older_than_build")


def cudnn_mismatch_other_framework(ctx: RuleContext) -> Iterator[Finding]:
    said = next((s for s in ctx.stated if s.id in _OTHER_CUDNN_CHECKS), None)
    if said is None:
        return
    dirs = ld_dirs_with(ctx.facts, ("libcudnn",))
    yield make("cudnn_version_mismatch",
               f"{said.message.origin.project} compared the cuDNN it loaded with the one it was built against and "
               "refused it: “" + quote(said)[1] + "”. The copy found first is not the one the program was built for"
               + (f"; LD_LIBRARY_PATH puts {', '.join(dirs)} first." if dirs else
                  " (another cuDNN on LD_LIBRARY_PATH or, on Windows, an old cudnn DLL earlier on the PATH; a "
                  "conda environment's own cudnn package). Install the cuDNN the program was built with, or "
                  "remove the other copy from the search path."),
               [quote(said)] + ([("toolkit.ld_library_path", dirs)] if dirs else []),
               {"ld_library_path_keep": ld_keep(ctx.facts, dirs)} if dirs else None, severity=Severity.ERROR)


def ld_library_path_conflict(ctx: RuleContext) -> Iterator[Finding]:
    tv = ctx.torch_view
    entries = ld_entries(ctx.facts)
    if tv is None or tv.is_cpu or not entries:
        return
    bundled_cuda = tv.cuda.value if tv.cuda else None
    bundled_cudnn = cudnn_text(tv.cudnn_compiled.value) if tv.cudnn_compiled else None
    conflicts: Dict[str, str] = {}
    for f in ctx.facts.toolkit.libraries.get(()):
        if f.origin != "ld_library_path":
            continue
        entry = next((e for e in entries if f.path.startswith(e.rstrip("/") + "/")), None)
        if entry is None:
            continue
        version = f.version or lib_version(f.name)
        if f.name.startswith("libcudnn"):
            if not (bundled_cudnn and version and version.split(".")[:2] == bundled_cudnn.split(".")[:2]):
                conflicts.setdefault(entry, f"{f.name} {version or ''}".strip())
        elif f.name.startswith(("libcublas", "libcudart", "libnccl", "libnvJitLink", "libcusparse")) and bundled_cuda:
            lib_major = (version or "").split(".")[0]
            if f.name.startswith(("libcublas", "libcudart", "libnvJitLink", "libcusparse")) and version and \
                    lib_major and lib_major != bundled_cuda.split(".")[0]:
                conflicts.setdefault(entry, f"{f.name} {version}")
            elif f.name.startswith(("libcudart", "libnvJitLink")) and version and len(version.split(".")) >= 2 and \
                    major_minor(version) != bundled_cuda:
                conflicts.setdefault(entry, f"{f.name} {version} (torch has CUDA {bundled_cuda})")
    for entry in entries:
        low = entry.lower()
        if entry not in conflicts and "cudnn" in low:
            conflicts[entry] = "a cuDNN directory"
        m = re.search(r"cuda[-/_]?(\d+\.\d+)", low)
        if entry not in conflicts and m and bundled_cuda and m.group(1) != bundled_cuda and \
                (tv.build is None or tv.build.is_pypi_default or tv.build.local.startswith("cu")):
            conflicts[entry] = f"a CUDA {m.group(1)} toolkit (torch has CUDA {bundled_cuda})"
    if not conflicts:
        return
    drop = list(conflicts)
    yield make("ld_library_path_conflict",
               "LD_LIBRARY_PATH is searched before the libraries PyTorch ships with, so these entries can make it load "
               "the wrong CUDA/cuDNN/NCCL: " + "; ".join(f"{e} ({why})" for e, why in conflicts.items()) + ".",
               [("toolkit.ld_library_path", entries)] + [(f"in {e}", why) for e, why in conflicts.items()],
               {"ld_library_path_keep": ld_keep(ctx.facts, drop), "ld_library_path_cuda": ", ".join(drop)})


def ld_library_path_blamed(ctx: RuleContext) -> Iterator[Finding]:
    """The person says an LD_LIBRARY_PATH entry caused it (or that clearing it fixed it)."""
    ld = ctx.facts.toolkit.ld_library_path
    if not (ld.ok and blamed(ld, LD_BLAMED_DETAIL)):
        return
    dirs = list(ld.value or ())
    yield make("ld_library_path_conflict",
               "By the text's own account an LD_LIBRARY_PATH entry" + (f" ({', '.join(dirs)})" if dirs else "")
               + " made the program load another CUDA/cuDNN than its own: directories there are searched before "
               "the libraries a package ships with. Drop them from LD_LIBRARY_PATH for this environment.",
               [("toolkit.ld_library_path", ld)],
               {"ld_library_path_keep": ld_keep(ctx.facts, dirs), "ld_library_path_cuda": ", ".join(dirs)}
               if dirs else None, severity=Severity.ERROR, confidence=Confidence.LIKELY)


def nccl_blamed(ctx: RuleContext) -> Iterator[Finding]:
    """The person says the NCCL version did not fit (another NCCL loaded than the one built for)."""
    r = ctx.facts.torch.nccl_version
    if r.ok or not blamed(r, NCCL_BLAMED_DETAIL):
        return
    ld = ld_dirs_with(ctx.facts, ("libnccl",))
    yield make("nccl_version_mismatch",
               "By the text's own account the NCCL that was loaded is not the version the program was built and "
               "tested with (a system libnccl, another CUDA's NCCL package, an nvidia-nccl wheel of another "
               "version). Keep one NCCL, the one the program pins, first on the loader path.",
               [("torch.nccl_version", r)],
               {"ld_library_path_keep": ld_keep(ctx.facts, ld), "ld_library_path_cuda": ", ".join(ld)} if ld else None,
               severity=Severity.ERROR, confidence=Confidence.LIKELY, recipe="clean_library_path" if ld else "")


# nvidia-*-cu<major> wheels that hold a CUDA toolkit library a process loads by soname (the
# redistributable components PyTorch, JAX and TensorFlow pin). Other nvidia-* wheels carry a
# -cu<major> suffix too but are not such libraries: nvidia-cutlass-dsl installs its
# nvidia-cutlass-dsl-libs-cu12 and -cu13 side by side on purpose, nvcomp/nvimgcodec/dali are
# libraries of their own that nothing else resolves by the toolkit's sonames.
CUDA_LIBRARY_WHEELS = frozenset({
    "cublas", "cuda-runtime", "cuda-nvrtc", "cuda-cupti", "cuda-nvcc", "cuda-cccl", "cudnn", "cufft",
    "cufile", "curand", "cusolver", "cusparse", "cusparselt", "nccl", "nvjitlink", "nvtx", "nvshmem",
    "npp", "nvjpeg"})


def conflicting_cuda_wheel_packages(ctx: RuleContext) -> Iterator[Finding]:
    installed = {lib: per for lib, per in wheels(ctx.facts).items() if lib in CUDA_LIBRARY_WHEELS}
    if not installed:
        return
    tv = ctx.torch_view
    torch_major = int(tv.cuda.value.split(".")[0]) if tv and tv.cuda and not tv.is_cpu else None
    majors = sorted({m for per in installed.values() for m in per})
    keep = torch_major if torch_major is not None else majors[-1]
    wrong = sorted(name for per in installed.values() for m, (name, _) in per.items() if m != keep)
    if len(majors) < 2 and not wrong:
        return
    symbol = find_text(ctx.facts, "undefined symbol")
    why = (f"nvidia-* wheels for CUDA {', '.join(str(m) for m in majors)} are installed side by side"
           if len(majors) > 1 else f"nvidia-* wheels for CUDA {majors[0]} are installed")
    why += (f" while PyTorch uses CUDA {keep}" if torch_major is not None else
            f"; keeping CUDA {keep} (the newest; torch's CUDA is unknown)")
    evidence = [("python.packages", [f"{name}=={v}" for _, per in sorted(installed.items())
                                     for _, (name, v) in sorted(per.items())])]
    if tv and tv.cuda:
        evidence.append((tv.cuda.source, tv.cuda.value))
    if symbol:
        evidence.append(("torch.errors", symbol))
    yield make("conflicting_cuda_wheel_packages",
               why + ". The dynamic loader can pick a library from the wrong set (e.g. 'undefined symbol: ncclCommResume')"
               + (f"; the ones that do not belong: {', '.join(wrong)}." if wrong else "."), evidence)


def conflicting_cuda_libraries_loaded(ctx: RuleContext) -> Iterator[Finding]:
    loaded = ctx.facts.torch.loaded_libraries
    if not loaded.ok or not loaded.value:
        return
    by_name: Dict[str, List[str]] = {}
    for lib in loaded.value:
        base = re.sub(r"\.so.*$", "", lib.name)
        by_name.setdefault(base, [])
        d = lib.path.rsplit("/", 1)[0]
        if d not in by_name[base]:
            by_name[base].append(d)
    problems = []
    for base, dirs in sorted(by_name.items()):
        wheel = next((w for prefix, w in BUNDLED.items() if base.startswith(prefix)), None)
        if wheel is None:
            continue
        system = [d for d in dirs if "site-packages" not in d and "dist-packages" not in d]
        from_pip = any(p.name.startswith(f"nvidia-{wheel}") for p in ctx.facts.python.packages.get(()))
        if len(dirs) > 1:
            problems.append((base, f"loaded from {len(dirs)} places: {', '.join(dirs)}", system))
        elif system and from_pip:
            problems.append((base, f"loaded from {system[0]} although the nvidia-{wheel} wheel provides it", system))
    if not problems:
        return
    drop = sorted({d for _, _, system in problems for d in system})
    ld = [e for e in ld_entries(ctx.facts) if any(e.rstrip("/") == d.rstrip("/") for d in drop)]
    yield make("conflicting_cuda_libraries_loaded",
               "The PyTorch process mapped CUDA libraries that clash: " + "; ".join(f"{b} {w}" for b, w, _ in problems)
               + ("." if ld else f". Find what puts {', '.join(drop)} first (LD_LIBRARY_PATH, LD_PRELOAD, "
                  "/etc/ld.so.conf.d) and remove it."),
               [("torch.loaded_libraries", [f"{lib.name} {lib.path}" for lib in loaded.value])],
               {"ld_library_path_keep": ld_keep(ctx.facts, ld), "ld_library_path_cuda": ", ".join(ld)} if ld else None)


NCCL_FAILED = ("nccl error", "undefined symbol: nccl", "ncclunhandledcudaerror", "ncclinternalerror",
               "ncclsystemerror", "ncclinvalidusage", "ncclremoteerror", "watchdog caught collective operation timeout",
               "nccl warn")


def _newer(have: str, pinned: str) -> bool:
    a, b = ver(have), ver(pinned)
    return a is not None and b is not None and a.major == b.major and a > b


def nccl_version_mismatch(ctx: RuleContext) -> Iterator[Finding]:
    tv = ctx.torch_view
    if tv is None or tv.is_cpu:
        return
    expected = tv.build.variant.nccl if tv.build and tv.build.variant else None
    runtime = ctx.facts.torch.nccl_version.value if ctx.facts.torch.nccl_version.ok else None
    major = tv.cuda.value.split(".")[0] if tv.cuda else None
    pkg = next((p for p in ctx.facts.python.packages.get(()) if major and p.name == f"nvidia-nccl-cu{major}"), None)
    pairs = []
    if expected and runtime and ver(runtime) != ver(expected):
        pairs.append(("torch.nccl_version", runtime, "torch_variants table (pinned)", expected))
    # A newer NCCL 2.x wheel than torch pins is not a mismatch by itself: NCCL keeps its 2.x ABI
    # backward compatible, and serving stacks (vLLM, SGLang) pin a newer nvidia-nccl on purpose.
    # An older one lacks symbols torch was built against ('undefined symbol: ncclCommRegister');
    # a newer one is suspect only where NCCL itself failed.
    if pkg and expected and ver(pkg.version) != ver(expected) and \
            not (_newer(pkg.version, expected) and not find_text(ctx.facts, *NCCL_FAILED)):
        pairs.append((f"python.packages[{pkg.name}]", pkg.version, "torch_variants table (pinned)", expected))
    if pkg and runtime and ver(pkg.version) != ver(runtime) and not pairs:
        pairs.append(("torch.nccl_version", runtime, f"python.packages[{pkg.name}]", pkg.version))
    if not pairs:
        return
    a, av, b, bv = pairs[0]
    ld = ld_dirs_with(ctx.facts, ("libnccl",))
    yield make("nccl_version_mismatch",
               f"NCCL {av} ({a}) differs from {bv} ({b}); a different NCCL than the one PyTorch was built and tested "
               "with can fail at import ('undefined symbol: nccl...') or hang in collectives."
               + (f" torch pins {pkg.name}=={expected}." if pkg and expected else ""),
               [(x, y) for p in pairs for x, y in ((p[0], p[1]), (p[2], p[3]))],
               {"ld_library_path_keep": ld_keep(ctx.facts, ld), "ld_library_path_cuda": ", ".join(ld)} if ld else None,
               recipe="clean_library_path" if ld else "")


# ---------------------------------------------------------------------------- builds
def known_bad_torch_build(ctx: RuleContext) -> Iterator[Finding]:
    tv = ctx.torch_view
    if tv is None or tv.build is None:
        return
    os_id = ctx.facts.host.os_id.value if ctx.facts.host.os_id.ok else None
    libs = [f.name for f in ctx.facts.toolkit.libraries.get(()) if f.origin != "python"]
    for bad in ctx.kb.known_bad_builds(tv.build):
        seen = []
        text = find_text(ctx.facts, *bad.when_text) if bad.when_text else None
        if text and not outside_wheels(text):  # a conda or system copy failing is not the wheel's defect
            seen.append(("torch.errors", text))
        lib = next((n for n in libs if n.startswith(bad.when_library)), None) if bad.when_library else None
        if lib:
            seen.append(("toolkit.libraries", lib))
        if bad.when_os and os_id in bad.when_os:
            seen.append(("host.os_id", os_id))
        if (bad.when_text or bad.when_library or bad.when_os) and not seen:
            continue
        yield make("known_bad_torch_build", bad.summary + (f" ({bad.fix_note})" if bad.fix_note else "")
                   + advised(ctx), [(tv.version.source, tv.version.value)] + seen, links=[bad.issue])


def known_bad_build_by_range_signature(ctx: RuleContext) -> Iterator[Finding]:
    """A known-bad build spanning releases, recognised by the failure only those releases
    print, when no torch version is in the text: cuSPARSE's "undefined symbol:
    __nvJitLinkComplete_12_4, version libnvJitLink.so.12" comes from the nvidia-cusparse wheel of
    torch 2.1-2.5 meeting an older CUDA 12 toolkit's libnvJitLink (2.6 preloads the wheel's own,
    pytorch/pytorch#141063); "cublasLtHSHMatmulAlgoInit" from the PyPI 1.13 wheel picking a system
    libcublasLt (pytorch/pytorch#91067). Entries pinned to one release are read by
    ``torch_health.known_bad_build_by_signature``; with a torch version in the text
    ``known_bad_torch_build`` decides from the table."""
    tv = ctx.torch_view
    if tv is not None and tv.build is not None:
        return
    os_id = ctx.facts.host.os_id.value if ctx.facts.host.os_id.ok else None
    for bad in ctx.kb.known_bad:
        if not bad.when_text or not bad.text_alone or bad.torch.startswith("==") or (
                bad.when_os and os_id not in bad.when_os):
            continue
        text = find_text(ctx.facts, *bad.when_text)
        # The signature is the wheel's own copy failing; a conda or system copy that fails the same
        # way (its path in the message) is two CUDA libraries mixed, whatever torch is installed.
        if text is None or outside_wheels(text):
            continue
        yield make("known_bad_torch_build",
                   f"This failure is the signature of a known-bad PyTorch build (torch {bad.torch}, "
                   f"{', '.join(bad.variants)}): " + bad.summary + (f" ({bad.fix_note})" if bad.fix_note else "")
                   + " The text does not show the torch version: `pip show torch` confirms it.",
                   [("torch.errors", " ".join(text.split())[:300]), ("known_bad_builds table", bad.id)],
                   links=[bad.issue], confidence=Confidence.LIKELY)
        return


# ---------------------------------------------------------------------------- containers and toolkit
def driver_installed_inside_container(ctx: RuleContext) -> Iterator[Finding]:
    c = ctx.facts.host.container
    if not (c.ok and c.value and c.value != "none"):
        return
    d = ctx.facts.driver
    evidence = []
    if d.installed_module_versions.ok and d.installed_module_versions.value:
        evidence.append(("driver.installed_module_versions", d.installed_module_versions.value))
    if d.kernel_module_version.ok and d.userspace_library_version.ok and \
            ver(d.kernel_module_version.value) != ver(d.userspace_library_version.value):
        evidence.append(("driver.kernel_module_version (host)", d.kernel_module_version.value))
        evidence.append(("driver.userspace_library_version (container)", d.userspace_library_version.value))
    # The toolkit mounts the host's nvidia-smi and libraries, of the host's driver version: user-space
    # files of another branch in a container are the image's own.
    nv = ctx.facts.nvml.driver_version
    told = False  # the other version only told in prose ("host driver is 550"): likely, not confirmed
    if not evidence and d.userspace_library_version.ok and nv.ok and nv.value and \
            driver_branch(str(nv.value)) != driver_branch(str(d.userspace_library_version.value)):
        evidence.append(("driver.userspace_library_version (container)", d.userspace_library_version.value))
        evidence.append(("nvml.driver_version", nv.value))
        told = "stated" in (nv.detail or "")
    # NVML's own refusal inside the container: the toolkit injects libraries of the host's
    # driver, which match its module; a mismatch means the image brought others.
    said = next((s for s in ctx.stated if s.id == "nvml_driver_library_mismatch"), None)
    if not evidence and image_driver_denied(ctx.facts) is not None:
        said = None  # the text says no driver went into the image: nothing left to infer it from
    inferred = not evidence and said is not None
    if said is not None and not evidence:
        evidence.append(quote(said))
    if not evidence:
        return
    yield make("driver_installed_inside_container",
               f"This {c.value} container has its own NVIDIA driver files; the NVIDIA container toolkit injects the "
               "host's driver libraries, and a second copy in the image clashes with the host's kernel module."
               + (" NVML's version mismatch inside the container says so; a container still holding the libraries "
                  "of a driver the host has since replaced fails the same way (restart it)." if inferred else ""),
               [("host.container", c)] + evidence, confidence=Confidence.LIKELY if inferred or told else None)


def toolkit_differs_from_torch_cuda(ctx: RuleContext) -> Iterator[Finding]:
    nvcc = ctx.facts.toolkit.nvcc_version
    tv = ctx.torch_view
    if not (nvcc.ok and nvcc.value) or tv is None or tv.is_cpu or tv.cuda is None:
        return
    if major_minor(nvcc.value) == major_minor(tv.cuda.value):
        return
    yield make("toolkit_differs_from_torch_cuda",
               f"nvcc is CUDA {nvcc.value}, PyTorch uses its own CUDA {tv.cuda.value} runtime. That is fine for "
               "running PyTorch; only compiling CUDA extensions needs a toolkit matching PyTorch's major version.",
               # the Reading and the derived value, not their values: a person's word for either makes it "likely"
               [("toolkit.nvcc_version", nvcc), (tv.cuda.source, tv.cuda)])


# This module's rules, in report order; ``registry.RULES`` joins every module's tuple.
RULES = (
    cudnn_version_mismatch,
    cudnn_mismatch_other_framework,
    ld_library_path_conflict,
    ld_library_path_blamed,
    conflicting_cuda_wheel_packages,
    conflicting_cuda_libraries_loaded,
    nccl_version_mismatch,
    nccl_blamed,
    known_bad_torch_build,
    known_bad_build_by_range_signature,
    driver_installed_inside_container,
    toolkit_differs_from_torch_cuda,
)
