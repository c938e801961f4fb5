"""A CUDA library a program needs is not there (``cuda_library_missing``).

What the loaders print when a library is missing, each naming the file (catalogued in
``messages.toml`` with where upstream prints it):

* glibc's ``libcublasLt.so.11: cannot open shared object file`` (``loader_cannot_open``),
  also inside TensorFlow's ``Could not load dynamic library '…'; dlerror: …``, ONNX
  Runtime's ``Failed to load library … with error: …`` and CTranslate2's ``dlerror()``;
* on Windows: TensorFlow's ``dlerror: cudart64_110.dll not found``, ctypes' ``Could not
  find module '…cudnn_ops_infer64_8.dll'``, CTranslate2's ``Library cublas64_12.dll is not
  found or cannot be loaded``, cuDNN 8's ``Could not locate cudnn_…dll``, ONNX Runtime's
  ``which depends on "cublasLt64_12.dll" which is missing``;
* bitsandbytes' ``the main CUDA runtime library was not detected`` (libcudart, no version);
* TensorFlow 0.x/1.x's ``Couldn't open CUDA library libcudnn.so.5. LD_LIBRARY_PATH: …`` and Numba's
  ``library nvvm not found`` (its bare library name, under ``libNVVM cannot be found``).

Only NVIDIA's CUDA libraries count: libcuda / nvcuda.dll / libnvidia-ml are the driver's
(``loader_driver_library_missing`` and the driver findings), a missing torch library is a
broken torch install, TensorRT's libnvinfer is optional. A library missing from torch's
own ``lib/`` is the torch install's. TensorFlow says it and carries on on the CPU, so its
line alone is a warning.

Not missing but mismatched: when a traceback shows a compiled extension (not torch) asking for a
CUDA runtime soname of a release no CUDA in the text has (mmcv's ``_ext`` wanting
``libcudart.so.10.2`` beside "cu111" or "CUDA 11.1"), the extension was built for another CUDA and
so for another torch build (``extension_built_for_other_torch``): installing that old CUDA is the
wrong fix. Without the extension in the traceback, or without any CUDA in the text, it stays
``cuda_library_missing``.
"""

from __future__ import annotations

import re
from typing import Iterator, List, Optional, Tuple

from envcheck.derived.libraries import ld_dirs_with, ld_keep
from envcheck.derived.messages import Stated, is_stated
from envcheck.knowledge.archs import decode_cudnn
from envcheck.rules.compat import quote
from envcheck.rules.engine import RuleContext, make
from envcheck.rules.finding import Confidence, Finding, Severity

# Library families (Linux soname stem; Windows DLLs are "<stem>64_<major>.dll" or
# "<stem>_<ver>.dll"), longest first so cublasLt is not read as cublas.
FAMILIES: Tuple[Tuple[str, str], ...] = (
    ("cublaslt", "cuBLASLt"), ("cublas", "cuBLAS"), ("cudart", "the CUDA runtime"), ("cudnn", "cuDNN"),
    ("cufft", "cuFFT"), ("curand", "cuRAND"), ("cusolver", "cuSOLVER"), ("cusparse", "cuSPARSE"),
    ("nvrtc", "NVRTC"), ("nvjitlink", "nvJitLink"), ("nccl", "NCCL"), ("nvtoolsext", "NVTX"),
    # libNVVM, the CUDA toolkit's compiler library that Numba (and CuPy's JIT) load to build kernels
    ("nvvm", "libNVVM"),
)
# Where the package comes from, per family: (pip wheel stem, conda package, apt package stem).
PACKAGES = {
    "cublaslt": ("nvidia-cublas", "libcublas", "libcublas"), "cublas": ("nvidia-cublas", "libcublas", "libcublas"),
    "cudart": ("nvidia-cuda-runtime", "cuda-cudart", "cuda-cudart"), "cudnn": ("nvidia-cudnn", "cudnn", "cudnn9-cuda"),
    "cufft": ("nvidia-cufft", "libcufft", "libcufft"), "curand": ("nvidia-curand", "libcurand", "libcurand"),
    "cusolver": ("nvidia-cusolver", "libcusolver", "libcusolver"),
    "cusparse": ("nvidia-cusparse", "libcusparse", "libcusparse"),
    "nvrtc": ("nvidia-cuda-nvrtc", "cuda-nvrtc", "cuda-nvrtc"), "nvjitlink": ("nvidia-nvjitlink", "libnvjitlink",
                                                                              "libnvjitlink"),
    "nccl": ("nvidia-nccl", "nccl", "libnccl2"), "nvtoolsext": ("nvidia-nvtx", "cuda-nvtx", "cuda-nvtx"),
    # libnvvm ships in the nvcc wheel (nvidia/cuda_nvcc/nvvm/lib64) and conda's cuda-nvcc
    "nvvm": ("nvidia-cuda-nvcc", "cuda-nvcc", "cuda-nvcc"),
}
# Libraries whose soname number is their own release, not CUDA's: cuDNN 9, NCCL 2, libNVVM 4.
_OWN_NUMBERS = ("cudnn", "nccl", "nvvm")
_IDS = ("loader_cannot_open", "tensorflow_dso_not_loaded", "onnxruntime_provider_load_failed",
        "ctranslate2_library_not_found", "cudnn_could_not_locate", "python_ctypes_module_not_found",
        "tensorflow_dso_couldnt_open", "numba_cuda_library_not_found", "tensorflow_dso_not_loaded_no_reason")
# Lines that do not show why the library failed (bitsandbytes names none, TensorFlow's line cut before its dlerror).
_NO_REASON = ("bitsandbytes_cudart_not_detected", "tensorflow_dso_not_loaded_no_reason")
# glibc appends the soname's version: libcudart.so.11.0, libcudnn.so.8; Windows DLLs carry it
# after "64_" (cublas64_12.dll, cudart64_110.dll) or "_" (nvrtc64_120_0.dll).
_SO_MAJOR = re.compile(r"\.so\.(\d+)")
_DLL_MAJOR = re.compile(r"64_(\d+)")
_TORCH_DIR = re.compile(r"[/\\]torch[/\\]lib[/\\]")
_TF_NOT_FOUND = re.compile(r"dlerror: (?P<library>[\w.+-]{1,80}\.dll) not found")


def family(name: str) -> Optional[str]:
    """"libcublasLt.so.11" → "cublaslt", "cudnn_ops_infer64_8.dll" → "cudnn" (None: not a CUDA library)."""
    base = re.split(r"[/\\]", name)[-1].lower()
    base = base[3:] if base.startswith("lib") else base
    fam = next((fam for fam, _ in FAMILIES if base.startswith(fam)), None)
    if fam == "nvvm" and not re.match(r"nvvm(?:\.|64_|$)", base):
        return None  # "libnvvmx_plugin.so" is another library; libNVVM is libnvvm.so[.N] / nvvm64_40_0.dll
    if fam == "nccl" and not re.match(r"nccl(?:\.|$)", base):
        # NCCL's optional plugins (libnccl-net.so, libnccl-tuner.so, libnccl-profiler.so): NCCL dlopens
        # them at init and, when absent, logs "No plugin found ..., using internal implementation".
        return None
    return fam


def major(name: str) -> Optional[str]:
    """The CUDA (or cuDNN/NCCL) major a library's file name asks for, where it says one."""
    m = _SO_MAJOR.search(name) or _DLL_MAJOR.search(name)
    if not m:
        return None
    digits = m.group(1)
    # cudart64_110.dll, nvrtc64_120_0.dll: CUDA 11.0 / 12.0 written without the dot.
    return digits[:-1] if len(digits) == 3 else digits


def _missing(s: Stated) -> List[Tuple[str, bool]]:
    """(library, only TensorFlow said it) for each CUDA library this message says is missing."""
    out = []
    if s.id == "bitsandbytes_cudart_not_detected":
        return [("libcudart.so", False)]
    if s.id not in _IDS:
        return out
    names = [str(s.fact("loader.library") or "")]
    tf = _TF_NOT_FOUND.search(s.text)
    if s.id == "tensorflow_dso_not_loaded" and tf:
        names.append(tf.group("library"))
    tensorflow = "Could not load dynamic library" in s.text or s.id == "tensorflow_dso_couldnt_open"
    for name in names:
        if not name or family(name) is None:
            continue
        head = s.text.split(name, 1)[0][-200:]
        if _TORCH_DIR.search(head) or _TORCH_DIR.search(name):
            continue  # torch's own lib/: the torch install is broken, not the CUDA setup
        out.append((re.split(r"[/\\]", name)[-1], tensorflow))
    return out


# The CUDA release a runtime library's soname asks for: up to CUDA 10.2 each minor has its own
# soname (libcudart.so.10.1, .so.10.2), from CUDA 11 one soname serves a major (libcudart.so.11.0,
# libcublas.so.12). cuDNN's and NCCL's numbers are their own, not CUDA's.
_CUDA_SONAME = re.compile(r"^lib(?:cudart|cublas(?:Lt)?|cufft\w*|curand|cusparse|cusolver\w*|nvrtc[\w-]*|nvJitLink)"
                          r"\.so\.(?P<major>\d{1,2})(?:\.(?P<minor>\d))?")


def _fits(want: Tuple[int, Optional[int]], seen: str) -> bool:
    major, minor = (int(x) for x in seen.split(".")[:2])
    if major != want[0]:
        return False
    return want[0] >= 11 or want[1] is None or minor == want[1]


# Packages that load CUDA libraries themselves, built with a CUDA toolkit rather than against torch:
# a runtime library missing under them is a missing library, whatever torch is beside them.
OWN_CUDA_PACKAGES = re.compile(r"^(?:tensorflow\w*|jax\w*|cupy\w*|numba|onnxruntime\w*|ctranslate2|faster_whisper|paddle\w*"
                                r"|mxnet|tensorrt\w*|trt\w*|pycuda|llama_cpp|cudf|cuml|rmm|nvidia|triton|bitsandbytes)"
                                r"(?:[-.]|$)", re.I)


def _extension_for_other_cuda(ctx: RuleContext) -> Optional[Finding]:
    """A compiled extension (not torch) asked for a CUDA runtime library of a release that no CUDA
    the text names has (mmcv's _ext wanting libcudart.so.10.2 beside CUDA 11.1): it was built for
    another CUDA, so for another torch build, and installing that old CUDA is the wrong fix."""
    tv = ctx.torch_view
    # torch's CUDA counts where the text shows it (a +cuXYZ tag, torch.version.cuda), not where it is
    # only the PyPI default of a bare version ("pytorch 1.9.0" → cu102): that is a guess, not a CUDA the text has.
    guessed = tv is not None and tv.build is not None and tv.build.is_pypi_default and \
        (tv.cuda is None or tv.cuda.source.startswith("torch_variants table"))
    known = [str(tv.cuda.value)] if tv is not None and tv.cuda is not None and tv.cuda.value and not guessed else []
    nvcc = ctx.facts.toolkit.nvcc_version
    known += [str(nvcc.value)] if nvcc.ok and nvcc.value else []
    for err in ctx.facts.torch.loader_errors.get(()) or ():
        m = _CUDA_SONAME.match(err.object) if err.kind == "cannot_open" else None
        shown = list(dict.fromkeys(list(err.cuda_seen) + [k for k in known if re.match(r"^\d+\.\d+", k)]))
        if not m or not err.importer or err.importer == "torch" or OWN_CUDA_PACKAGES.match(err.importer):
            continue  # torch's own, or a package built with its own CUDA toolkit (CuPy, TensorFlow …)
        want = (int(m.group("major")), int(m.group("minor")) if m.group("minor") else None)
        if not shown or any(_fits(want, v) for v in shown):
            continue
        asked = f"{want[0]}.{want[1]}" if want[1] is not None and want[0] < 11 else str(want[0])
        return make("extension_built_for_other_torch",
                    f"{err.importer} asks for {err.object} (CUDA {asked}), but the CUDA this setup has is "
                    f"{', '.join(shown)}: its compiled code was built for another CUDA, and so for another "
                    "PyTorch build than the one installed. Install the build of it made for the installed torch and "
                    "CUDA (or rebuild it from source), not the old CUDA it names.",
                    [("torch.loader_errors", f"{err.importer}: {err.object}: cannot open shared object file"),
                     ("CUDA named in the text", ", ".join(shown))],
                    confidence=Confidence.LIKELY)
    return None


def cuda_library_missing(ctx: RuleContext) -> Iterator[Finding]:
    other = _extension_for_other_cuda(ctx)
    if other is not None:
        yield other
        return
    seen = {}
    for s in ctx.stated:
        for name, tf_only in _missing(s):
            key = name.lower()
            if key not in seen or (seen[key][1] and not tf_only):
                seen[key] = (s, tf_only)
    if not seen:
        return
    names = list(seen)
    s, _ = seen[names[0]]
    name = next(n for n, _ in _missing(s))
    fam = family(name) or "cudart"
    label = dict(FAMILIES)[fam]
    want = major(name)
    pip_stem, conda_pkg, apt_stem = PACKAGES[fam]
    tf_only = all(t for _, t in seen.values())
    windows = name.lower().endswith(".dll")
    more = f" (and {', '.join(n for n in names[1:4])})" if len(names) > 1 else ""
    where = ("the PATH (Windows looks for DLLs there and in the program's folder)" if windows
             else "the loader path (ldconfig's cache, LD_LIBRARY_PATH)")
    text = (f"{name}{more} could not be loaded: {label}{f' for CUDA {want}' if want and fam not in _OWN_NUMBERS else ''}"
            f"{f' {want}' if want and fam in _OWN_NUMBERS else ''} is not installed, or not on {where}. "
            f"The program was built for that major version; install it (pip: {pip_stem}-cu"
            f"{want if want and fam not in _OWN_NUMBERS else 'XX'}, "
            f"conda: {conda_pkg}, apt: {apt_stem}…) or install the program's build for the CUDA you have.")
    if tf_only:
        text += " TensorFlow goes on without the GPU after this line; on a machine with no GPU it is harmless."
    evidence = [quote(seen[n][0]) for n in names[:3]]
    yield make("cuda_library_missing", text, evidence,
               {"cuda_library": name, "cuda_library_pip": f"{pip_stem}-cu{want}" if want and fam not in
                _OWN_NUMBERS else pip_stem + "-cu12"},
               severity=Severity.WARNING if tf_only else None,
               confidence=Confidence.LIKELY if all(seen[n][0].id in _NO_REASON for n in names) else None)


def nccl_cuda_too_new(ctx: RuleContext) -> Iterator[Finding]:
    """NCCL's own CUDACHECK saying the driver is too old: libnccl brings its CUDA runtime
    (the "+cudaX.Y" of its banner), built for a newer CUDA than this driver supports."""
    said = next((s for s in ctx.stated if s.id == "nccl_cuda_failure"
                 and "insufficient" in str(s.fact("detail") or "")), None)
    if said is None:
        return
    yield make("nccl_version_mismatch",
               "NCCL's own CUDA call failed because the driver is older than the CUDA that NCCL library was built "
               "for: install an NCCL built for the driver's CUDA (its 'NCCL version 2.x+cudaX.Y' banner names "
               "the CUDA), or a newer driver.", [quote(said)], severity=Severity.ERROR,
               confidence=Confidence.LIKELY)


# A loaded file outside pip's wheels: site-/dist-packages hold nvidia-cudnn-cu*'s copy, torch/lib
# a bundled one; anything else (/usr/lib/x86_64-linux-gnu, /usr/local/cuda/lib64, a conda lib/)
# came from the system.
_WHEEL_DIR = re.compile(r"[/\\](?:site|dist)-packages[/\\]|[/\\]torch[/\\]lib[/\\]")
_SO_VERSION = re.compile(r"\.so\.(\d+(?:\.\d+){0,2})$")


def cudnn_loaded_from_system(ctx: RuleContext) -> Iterator[Finding]:
    """The process mapped a system cuDNN (``/proc/<pid>/maps``, ``ldd``, ``LD_DEBUG``) whose file
    version differs from the nvidia-cudnn wheel this torch build pins (torch_variants): the copy
    torch runs with is not its own. Silent when torch's own compiled/loaded pair is in the text
    and differs (``versions.cudnn_version_mismatch`` says it then) or the file names no version
    beyond a major that agrees."""
    tv = ctx.torch_view
    pinned = tv.build.variant.cudnn if tv and tv.build and tv.build.variant else None
    loaded = ctx.facts.torch.loaded_libraries
    if not pinned or not loaded.ok or (tv.cudnn_compiled is not None and tv.cudnn_loaded is not None
                                        and tv.cudnn_compiled.value != tv.cudnn_loaded.value):
        return
    for lib in loaded.value or ():
        m = _SO_VERSION.search(lib.name)
        if not lib.name.startswith("libcudnn") or not m or _WHEEL_DIR.search(lib.path):
            continue
        have = m.group(1).split(".")
        want = pinned.split(".")[:len(have)]
        if have == want:
            continue
        same_line = have[0] == want[0] and (len(have) < 2 or int(have[1]) >= int(want[1]))
        yield make("cudnn_version_mismatch",
                   f"The process loaded {lib.path} (cuDNN {'.'.join(have)}) from outside the Python environment, "
                   f"while this PyTorch build ships with and expects cuDNN {pinned} (the nvidia-cudnn wheel it pins). "
                   "Another cuDNN is found first (LD_LIBRARY_PATH, /etc/ld.so.conf.d, a conda lib/): remove it from "
                   "the search path so torch loads its own.",
                   [("torch.loaded_libraries", lib.path), ("torch_variants table (pinned cuDNN)", pinned)],
                   severity=Severity.WARNING if same_line else Severity.ERROR, confidence=Confidence.LIKELY)
        return


# torch's own Linux wheels from PyPI (no local tag) load cuDNN from the nvidia-cudnn wheel their
# metadata pins (torch_variants); a CUDA-tagged wheel from the PyTorch index may bundle its own.
_PYPI_TORCH = re.compile(r"^\d+\.\d+(?:\.\d+)?$")


def cudnn_wheel_other_major(ctx: RuleContext) -> Iterator[Finding]:
    """The nvidia-cudnn wheel beside torch is another cuDNN major than the one torch pins, as
    pip's own conflict report says (``pip_torch_requires_other_cudnn_major``) or a listing
    shows (torch from PyPI, "nvidia-cudnn-cu12 9.1.0.70" where torch 2.1 pins 8.9.2.26):
    another package (TensorFlow, JAX, ONNX Runtime) replaced torch's cuDNN, and torch cannot
    load the libcudnn.so.N it was linked against. Silent when torch's compiled/loaded pair is
    in the text (``versions.cudnn_version_mismatch`` weighs it)."""
    tv = ctx.torch_view
    if tv is not None and tv.cudnn_compiled is not None and tv.cudnn_loaded is not None:
        return
    said = next((s for s in ctx.stated if s.id == "pip_torch_requires_other_cudnn_major"), None)
    if said is not None:
        yield make("cudnn_version_mismatch",
                   f"pip reports that torch needs another cuDNN major than the nvidia-cudnn wheel installed: "
                   f"“{quote(said)[1]}”. Another package replaced torch's cuDNN, so torch cannot load the cuDNN it "
                   "was built with. Reinstall torch's pinned nvidia-cudnn wheel (pip install torch==<its version> "
                   "--force-reinstall in its own environment), and keep the other framework in another one.",
                   [quote(said)], severity=Severity.ERROR, confidence=Confidence.LIKELY)
        return
    packages = ctx.facts.python.packages
    if tv is None or tv.version is None or tv.version.stated or not packages.ok or is_stated(packages):
        return
    variant = tv.build.variant if tv.build else None
    if variant is None or not variant.cudnn or not _PYPI_TORCH.match(str(tv.version.value)):
        return
    want = f"nvidia-cudnn-cu{variant.cuda.split('.')[0]}"
    pkg = next((p for p in packages.value or () if p.name == want), None)
    if pkg is None or pkg.version.split(".")[0] == variant.cudnn.split(".")[0]:
        return
    yield make("cudnn_version_mismatch",
               f"torch {tv.version.value} from PyPI loads cuDNN from the nvidia-cudnn wheel and pins {want} "
               f"{variant.cudnn}, but {want} {pkg.version} is installed: another major, so torch cannot load the "
               "cuDNN it was built with. Another package replaced it; reinstall torch's pinned wheel "
               f"(pip install {want}=={variant.cudnn}) or give the other framework its own environment.",
               [(f"python.packages[{want}]", pkg.version), ("torch.version", tv.version),
                ("torch_variants table (pinned cuDNN)", variant.cudnn)],
               severity=Severity.ERROR, confidence=Confidence.LIKELY)


def cudnn_sublibraries_mixed(ctx: RuleContext) -> Iterator[Finding]:
    """cuDNN 8's own check found its sub-libraries at different versions
    (``cudnn_status_version_mismatch``): two cuDNN installs mixed on the library path.
    ``versions`` weighs torch's and other frameworks' compiled/loaded checks; this status is
    cuDNN's word alone, so it is read here."""
    said = next((s for s in ctx.stated if s.id == "cudnn_status_version_mismatch"), None)
    if said is None:
        return
    dirs = ld_dirs_with(ctx.facts, ("libcudnn",))
    yield make("cudnn_version_mismatch",
               f"cuDNN reports its own sub-libraries at different versions (“{quote(said)[1]}”): libraries of two "
               "cuDNN installs were loaded together"
               + (f"; LD_LIBRARY_PATH puts {', '.join(dirs)} first." if dirs else
                  " (a system or conda cuDNN beside the one the program ships, or a partial upgrade). Keep one "
                  "cuDNN on the library path: the one the program was built with."),
               [quote(said)] + ([("toolkit.ld_library_path", dirs)] if dirs else []),
               {"ld_library_path_keep": ld_keep(ctx.facts, dirs)} if dirs else None,
               severity=Severity.ERROR, confidence=Confidence.LIKELY)


# The two integers of MXNet's check (messages.toml mxnet_cudnn_version_mismatch): CUDNN_VERSION's
# encoding, 8101 = 8.1.1, 90100 = 9.1.0.
_MXNET_CUDNN = re.compile(r"linked-against version (\d{4,6}) != compiled-against version (\d{4,6})")


def mxnet_cudnn_mismatch(ctx: RuleContext) -> Iterator[Finding]:
    """MXNet warns on any difference; cuDNN itself keeps compatibility within a major for a
    runtime minor not older than the build's (the rule TensorFlow's check states), so only
    another major, or an older minor, is a mismatch that breaks."""
    for s in ctx.stated:
        m = _MXNET_CUDNN.search(s.text) if s.id == "mxnet_cudnn_version_mismatch" else None
        if not m:
            continue
        runtime, compiled = decode_cudnn(int(m.group(1))), decode_cudnn(int(m.group(2)))
        if runtime[0] == compiled[0] and runtime[1] >= compiled[1]:
            continue
        other_major = runtime[0] != compiled[0]
        yield make("cudnn_version_mismatch",
                   f"MXNet was compiled with cuDNN {'.'.join(map(str, compiled))} and loaded cuDNN "
                   f"{'.'.join(map(str, runtime))}: " + ("another major, whose API and ABI differ" if other_major
                                                        else "an older minor than it was built for")
                   + ". Install the cuDNN it was built with, or remove the other one from the library path.",
                   [quote(s)], confidence=Confidence.CONFIRMED if other_major else Confidence.LIKELY)
        return


# The two versions of PaddlePaddle's warning (messages.toml paddle_cudnn_older_than_build): it prints
# them as major.minor ("compiled with CUDNN 8.2, but CUDNN version in your machine is 7.6").
_PADDLE_CUDNN = re.compile(r"compiled with CUDNN (\d{1,2})\.(\d{1,2}), but CUDNN version in your machine is (\d{1,2})\s{0,20}\.")


def paddle_cudnn_other_major(ctx: RuleContext) -> Iterator[Finding]:
    """PaddlePaddle warns whenever the machine's cuDNN is older than its build's; within a major that
    usually still works (the message's note), but an older major lacks the API Paddle was built
    against, so that alone is the mismatch."""
    for s in ctx.stated:
        m = _PADDLE_CUDNN.search(s.text) if s.id == "paddle_cudnn_older_than_build" else None
        if not m or int(m.group(3)) >= int(m.group(1)):
            continue
        yield make("cudnn_version_mismatch",
                   f"PaddlePaddle was compiled with cuDNN {m.group(1)}.{m.group(2)} and found cuDNN {m.group(3)} on "
                   "this machine: an older major, whose API differs from the one Paddle was built against. Install "
                   f"cuDNN {m.group(1)} (or the Paddle build made for cuDNN {m.group(3)}), and keep only that one on "
                   "the library path.", [quote(s)], confidence=Confidence.LIKELY)
        return


RULES = (cuda_library_missing, nccl_cuda_too_new, cudnn_loaded_from_system, cudnn_wheel_other_major,
         cudnn_sublibraries_mixed, mxnet_cudnn_mismatch, paddle_cudnn_other_major)
