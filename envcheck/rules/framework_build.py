"""A framework other than PyTorch whose installed build has no GPU support at all.

Most frameworks ship their CUDA support apart from the default package, which runs without
complaint on the CPU: JAX (jaxlib from PyPI is CPU-only; CUDA is the jax-cuda12-plugin that
``jax[cuda12]`` adds, or a ``+cuda`` jaxlib before 0.4.26), TensorFlow (``tensorflow-cpu``;
on native Windows every release from 2.11 is CPU-only, TensorFlow's install guide),
PaddlePaddle (``paddlepaddle`` vs ``paddlepaddle-gpu``), ONNX Runtime (``onnxruntime`` vs
``onnxruntime-gpu``), CTranslate2 (no CUDA in its macOS and aarch64 wheels or a CPU source
build), llama.cpp / llama-cpp-python (built without GGML_CUDA / LLAMA_CUBLAS), Faiss
(``faiss-cpu``), MXNet (``mxnet`` vs ``mxnet-cuXXX``).

Evidence, strongest first:

* the framework says so itself (knowledge/data/messages.toml, block r9fw): JAX's "a
  CUDA-enabled jaxlib is not installed", PaddlePaddle's "installed CPU version PaddlePaddle"
  and ``is_compiled_with_cuda()`` False, CTranslate2's "not compiled with CUDA support",
  llama.cpp's "not compiled with GPU offload support", TensorFlow's
  ``is_built_with_cuda()`` False, ONNX Runtime's provider list without CUDA (its "Specified
  provider 'CUDAExecutionProvider' is not in available provider names" too): confirmed;
* the framework's device list shows only the CPU (JAX's ``[CpuDevice(id=0)]``), llama.cpp's
  system_info "BLAS = 0", or TensorFlow >= 2.11 on native Windows listing no GPU: likely,
  and only where an NVIDIA GPU is known to be there (or TensorFlow's own GPU list is asked);
* a person saying the CPU build is installed (explain/parsers/framework_builds.py): likely;
* a listing alone (the CPU package, none of the GPU ones, an NVIDIA GPU seen): likely, and a
  warning only, since healthy GPU machines list CPU-only onnxruntime or faiss-cpu as some
  library's dependency.

Kept apart: both packages of a pair installed (rules/framework_packages.py; its GPU package in
the facts makes this rule step aside), and a GPU build that cannot load a CUDA library (a
missing libcudart/libcublas/cuDNN, JAX's "Jax plugin configuration error": cuda_library_missing).
On macOS, or where the facts say there is no NVIDIA GPU, a CPU build is the only one there is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, Iterator, List, Optional, Tuple

from envcheck.derived.messages import Stated
from envcheck.knowledge.archs import ver
from envcheck.rules.compat import quote
from envcheck.rules.engine import RuleContext, make
from envcheck.rules.finding import Confidence, Finding, Severity

FINDING = "framework_cpu_only_build"


@dataclass(frozen=True)
class Framework:
    name: str
    cpu_packages: Tuple[str, ...]  # the CPU package(s), as a person's claim names them
    gpu_packages: Tuple[str, ...]  # a package whose presence means the GPU build is there (prefixes)
    said: Tuple[str, ...]  # message ids: the framework says its build has no GPU support (confirmed)
    weak: Tuple[str, ...]  # message ids that only suggest it (likely, with a GPU known present)
    broken: Tuple[str, ...]  # message ids of a GPU build that failed to load: not this finding
    fix: str
    # message ids that suggest it only beside the CPU package listed (likely, with a GPU known present)
    weak_with_rows: Tuple[str, ...] = ()
    # message ids of the GPU build at work (a GPU device listed or created): never this finding
    working: Tuple[str, ...] = ()
    # a listing of the CPU package tells the build (False: one package name for every build, as
    # llama-cpp-python's, built by pip for the CPU or for CUDA: only a claim of its CPU build counts)
    listing_is_cpu: bool = True


FRAMEWORKS: Tuple[Framework, ...] = (
    Framework("JAX", ("jaxlib",), ("jax-cuda", "jax-cuda12-plugin", "jax-cuda11-plugin"),
              ("jax_cuda_jaxlib_not_installed",), ("jax_devices_cpu_only", "jax_cuda_backend_cpu_jaxlib"),
              ("jax_plugin_configuration_error", "jax_cuda_backend_failed", "jax_cuda_component_not_loadable",
               "jax_cudnn_older_than_build", "jax_cuda_component_older_than_build", "jax_plugin_jaxlib_version_mismatch",
               "jax_cuda_backend_no_visible_gpu"),
              "python -m pip install -U 'jax[cuda12]'", ("jax_no_gpu_tpu_found",), ("jax_gpu_devices_listed",)),
    Framework("PaddlePaddle", ("paddlepaddle",), ("paddlepaddle-gpu",),
              ("paddle_cannot_use_gpu_cpu_version", "paddle_suite_cpu_version", "paddle_is_compiled_with_cuda_false",
               "paddle_not_compiled_with_cuda"), ("paddle_compiled_with_cuda_false_said",),
              ("paddle_cannot_load_cudnn", "paddle_cannot_find_library"),
              "python -m pip uninstall -y paddlepaddle && python -m pip install paddlepaddle-gpu",
              working=("paddle_run_check_gpu_ok",)),
    Framework("ONNX Runtime", ("onnxruntime",), ("onnxruntime-gpu",),
              ("onnxruntime_available_providers_without_cuda", "onnxruntime_cuda_provider_not_available",
               "onnxruntime_providers_subset_error"), ("onnxruntime_get_device_cpu",),
              ("onnxruntime_provider_load_failed", "onnxruntime_cuda_ep_requirements", "onnxruntime_cuda_path_not_loaded",
               "onnxruntime_execution_provider_not_created"),
              "python -m pip uninstall -y onnxruntime onnxruntime-gpu && python -m pip install onnxruntime-gpu",
              working=("onnxruntime_session_uses_cuda",)),
    Framework("CTranslate2", (), (), ("ctranslate2_not_compiled_with_cuda",), (), ("ctranslate2_library_not_found",),
              "a CTranslate2 with CUDA (the PyPI wheel on Linux or Windows x86-64; a source build with -DWITH_CUDA=ON "
              "elsewhere)"),
    Framework("llama.cpp", ("llama-cpp-python",), (), ("llama_cpp_no_gpu_offload_support",),
              ("llama_cpp_system_info_no_blas", "llama_cpp_no_usable_gpu", "llama_cpp_system_info_cpu_backend_only"), (),
              "CMAKE_ARGS='-DGGML_CUDA=on' python -m pip install --force-reinstall --no-cache-dir llama-cpp-python "
              "(or llama.cpp built with -DGGML_CUDA=ON)", listing_is_cpu=False),
    Framework("TensorFlow", ("tensorflow-cpu",), ("tensorflow-gpu",), ("tensorflow_not_built_with_cuda",),
              ("tensorflow_built_with_cuda_false_said",),
              ("tensorflow_dso_not_loaded", "tensorflow_cannot_dlopen_gpu_libraries"),
              "TensorFlow with CUDA: python -m pip install 'tensorflow[and-cuda]' on Linux or in WSL2",
              weak_with_rows=("tensorflow_cudart_not_found",), working=("tensorflow_gpu_device_created",)),
    Framework("Faiss", ("faiss-cpu",), ("faiss-gpu",), (), (), (),
              "python -m pip uninstall -y faiss-cpu && python -m pip install faiss-gpu-cu12"),
    Framework("MXNet", ("mxnet",), ("mxnet-cu",), ("mxnet_not_compiled_with_cuda", "mxnet_please_compile_with_cuda"),
              (), (),
              "python -m pip uninstall -y mxnet && python -m pip install mxnet-cu112"),
)
# A CUDA library missing, said by anyone: the GPU build is there but cannot load (not this finding).
_LIBRARY_MISSING = re.compile(r"jax plugin configuration error|unable to load (?:cuda|cudnn|cublas|cusparse|cufft|cusolver)"
                              r"|cannot open shared object file|error loading cuda libraries", re.I)
# TensorFlow's last release with a CUDA build for native Windows (tensorflow.org/install/pip).
_TF_LAST_NATIVE_WINDOWS_GPU = "2.10"


def _installed(ctx: RuleContext) -> Dict[str, str]:
    return {p.name: p.version for p in ctx.facts.python.packages.get(()) or ()}


def _has_gpu_package(fw: Framework, installed: Dict[str, str]) -> bool:
    if fw.name == "JAX":
        jaxlib = installed.get("jaxlib", "")
        if "+cuda" in jaxlib or "+gpu" in jaxlib:
            return True  # the monolithic CUDA jaxlib of before 0.4.26 / conda-forge's CUDA build
    return any(n.startswith(g) for n in installed for g in fw.gpu_packages)


def _platform_rules_out(ctx: RuleContext) -> bool:
    """macOS has no CUDA build of anything; a machine read without an NVIDIA GPU needs none."""
    os_id = ctx.facts.host.os_id
    return (os_id.ok and os_id.value == "macos") or ctx.facts.has_nvidia_gpu is False


def _said(ctx: RuleContext, ids: Tuple[str, ...]) -> List[Stated]:
    return [s for s in ctx.stated if s.id in ids]


def _library_missing(ctx: RuleContext, fw: Framework) -> bool:
    if _said(ctx, fw.broken):
        return True
    return fw.name == "JAX" and any(_LIBRARY_MISSING.search(s.text) for s in ctx.stated)


def _tensorflow_on_windows(ctx: RuleContext, installed: Dict[str, str]) -> Optional[str]:
    """TensorFlow >= 2.11 on native Windows (not WSL): its version, else None."""
    os_id, wsl = ctx.facts.host.os_id, ctx.facts.host.wsl
    if not (os_id.ok and os_id.value == "windows") or (wsl.ok and wsl.value in ("wsl1", "wsl2")):
        return None
    for name in ("tensorflow", "tensorflow-intel", "tensorflow-cpu"):
        v = ver(installed.get(name, "") or "")
        if v is not None and v.release[:2] > ver(_TF_LAST_NATIVE_WINDOWS_GPU).release[:2]:
            return installed[name]
    return None


def _rows(installed: Dict[str, str], names: Tuple[str, ...]) -> List[str]:
    return [f"{n}=={installed[n]}" if installed[n] else f"{n} (said installed)" for n in names if n in installed]


def _finding(fw: Framework, what: str, evidence, confidence: Optional[Confidence],
             severity: Optional[Severity] = None) -> Finding:
    return make(FINDING, f"{what} It runs on the CPU and never uses the NVIDIA GPU. Install the CUDA build: {fw.fix}.",
                evidence, confidence=confidence, severity=severity)


def _judge(ctx: RuleContext, fw: Framework, installed: Dict[str, str], gpu_seen: bool) -> Optional[Finding]:
    if _has_gpu_package(fw, installed) or _library_missing(ctx, fw) or _said(ctx, fw.working):
        return None
    said = _said(ctx, fw.said)
    if said:
        return _finding(fw, f"{fw.name} says itself that the build installed has no CUDA support.",
                        [quote(said[0])] + [("python.packages", r) for r in _rows(installed, fw.cpu_packages)][:1], None)
    if fw.name == "TensorFlow":
        tf = _tensorflow_on_windows(ctx, installed)
        asked = _said(ctx, ("tensorflow_gpu_list_empty",))
        if tf is not None and (asked or gpu_seen):
            return _finding(fw, f"TensorFlow {tf} runs on native Windows, where TensorFlow has had no CUDA build since "
                            "2.11 (2.10 was the last); use it in WSL2, or TensorFlow 2.10 on Windows.",
                            [("python.packages", f"tensorflow=={tf}"), ("host.os_id", "windows")]
                            + [quote(s) for s in asked[:1]], Confidence.LIKELY)
    weak = _said(ctx, fw.weak)
    if weak and gpu_seen:
        return _finding(fw, f"{fw.name} finds no GPU backend on a machine with an NVIDIA GPU: its CPU-only build is "
                        "what is installed.", [quote(weak[0])] + [("python.packages", r) for r in
                                                                  _rows(installed, fw.cpu_packages)][:1],
                        Confidence.LIKELY)
    listed = [n for n in fw.cpu_packages if installed.get(n)] if fw.listing_is_cpu else []
    weak = _said(ctx, fw.weak_with_rows)
    if weak and listed and gpu_seen:
        return _finding(fw, f"{fw.name} finds no GPU backend on a machine with an NVIDIA GPU, and {listed[0]} "
                        f"{installed[listed[0]]} is its CPU-only build.",
                        [quote(weak[0]), ("python.packages", f"{listed[0]}=={installed[listed[0]]}")], Confidence.LIKELY)
    claimed = [n for n in fw.cpu_packages if installed.get(n) == ""]
    if claimed:
        return _finding(fw, f"The text says {fw.name}'s CPU build ({claimed[0]}) is what is installed.",
                        [("python.packages", f"{claimed[0]} (said installed)")], Confidence.LIKELY)
    if listed and gpu_seen:
        # A listing alone: the CPU package, no GPU package, on an NVIDIA machine. Healthy machines list
        # CPU-only onnxruntime or faiss-cpu as some library's dependency, so this is a warning only.
        return _finding(fw, f"{listed[0]} {installed[listed[0]]} is {fw.name}'s CPU-only package and no GPU package of "
                        f"{fw.name} is listed beside it.", [("python.packages", f"{listed[0]}=={installed[listed[0]]}")],
                        Confidence.LIKELY, Severity.WARNING)
    return None


def framework_cpu_only_build(ctx: RuleContext) -> Iterator[Finding]:
    if _platform_rules_out(ctx):
        return
    installed = _installed(ctx)
    gpu_seen = ctx.facts.has_nvidia_gpu is True
    for fw in FRAMEWORKS:
        found = _judge(ctx, fw, installed, gpu_seen)
        if found is not None:
            yield found
            return


RULES = (framework_cpu_only_build,)
