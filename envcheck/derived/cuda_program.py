"""Which program brought the CUDA runtime behind a CUDA error: PyTorch, or another one.

"CUDA driver version is insufficient for CUDA runtime version" (cudaErrorInsufficientDriver)
and "the provided PTX was compiled with an unsupported toolchain" (cudaErrorUnsupportedPtxVersion)
both say the driver is older than the CUDA that built the code. Which finding that is depends
on who built it: PyTorch's wheels bundle their CUDA runtime, so from torch it is
``driver_too_old_for_torch_cuda``; from a program built with a CUDA toolkit (nvcc, llama.cpp's
ggml, Ollama's bundled cudart, CuPy, Numba, TensorFlow/XLA, a Rust cudarc binary, ONNX Runtime,
a CUDA sample) it is ``cuda_toolkit_newer_than_driver``. The line the error is on usually names
the program: its own wording (``ggml_cuda_init``, ``DriverError(``, ``CUDA failure 35:``) or
the source file that checked the call (``at diffvg/scene.cpp:35``,
``file …/cuda_memtest.cu``); torch's own lines name torch's tree (``c10/cuda/…``,
``aten/src/THC/…``) or torch itself. The message's own form says it too: the runtime's or
the driver API's error NAMES (``cudaErrorInsufficientDriver``, ``CUDA_ERROR_…``, printed with
cudaGetErrorName / cuGetErrorName) are never torch's, nor a native program's own tagged log
line (``[ERROR] …``, ``ERROR: …``) that names nothing of torch; torch's forms are c10's
``CUDA error: …``, THC's ``cuda runtime error (35)``, torch.cuda's ``CUDA initialization:``.
A message asked about (a question mark after it) or quoted in code is no one's error.

Whose ptxas refused a GPU is read here as well (``ptxas_owner``): triton's bundled one is the
torch/triton release's, a CUDA toolkit's (XLA's, nvcc's) is the toolkit's.
"""

from __future__ import annotations

import re
from typing import Optional

from envcheck.derived.driver_program_forms import program_in_native_form, ptxas_run_outside_triton
from envcheck.derived.messages import Stated

# The CUDA runtime's messages that say "the driver is older than the CUDA of the code".
DRIVER_OLDER_MESSAGES = ("cuda_insufficient_driver", "cuda_unsupported_ptx")

# torch's own tree or name (a path under site-packages/torch, c10, aten, THC: torch 0.4-1.x
# printed "cuda runtime error (35) … at /pytorch/aten/src/THC/THCGeneral.cpp:51"). A torch
# extension's package (torch_scatter, …) is not torch: it is built with the system's nvcc.
_TORCH = re.compile(r"(?<![\w-])(?:torch|pytorch|libtorch\w*|c10|aten|THC\w*|caffe2)(?![\w-])", re.I)

# Programs whose wording names them (each checked in its own sources or logs, see
# docs/messages.md): ggml's "ggml_cuda_init: failed to initialize CUDA" / "CUDA error 35 at
# …/ggml-cuda.cu"; cudarc's "DriverError(CUDA_ERROR_…)" (Rust); ONNX Runtime's "CUDA failure
# 35: … onnxruntime::CudaCall"; CuPy's "cupy_backends.cuda.api.runtime.CUDARuntimeError";
# Numba's "numba.cuda.cudadrv"; TensorFlow/XLA's stream_executor and gpu_device.cc lines;
# PaddlePaddle's "(at /paddle/…/cuda_info.cc:…)" falls to the source-file rule below;
# CUDA samples' "cudaGetDeviceCount returned 35" and helper_cuda.h's "code=35(cudaError…)".
_PROGRAMS = (
    # Lua Torch7's cutorch (lib/THC/THCGeneral.c: "THCudaCheck FAIL file=…/cutorch/lib/THC/… error=35";
    # its REPL trepl and luarocks tree in the traceback): built with the machine's or image's nvcc,
    # not a PyTorch wheel, though its paths say "torch" and "THC".
    (re.compile(r"\bcutorch\b|\btrepl\b|\bluarocks\b|\bluajit\b|/torch/install/(?:bin|share|lib)/"), "Lua Torch7 (cutorch)"),
    # glog's CHECK of a CUDA call in C++ (Caffe's CUDA_CHECK in include/caffe/util/device_alternate.hpp,
    # DIGITS and OpenPose through Caffe, dmlc's CHECK in MXNet/XGBoost): "Check failed: error ==
    # cudaSuccess (35 vs. 0)  CUDA driver version is insufficient…". PyTorch never prints it.
    (re.compile(r"\bCheck failed: \w+ == cudaSuccess\b"), "a C++ program (glog CHECK, e.g. Caffe)"),
    (re.compile(r"ggml|llama[._-]?cpp|whisper[._-]cpp", re.I), "llama.cpp (ggml)"),
    # Ollama's server (llm/server.go): "llama runner process has terminated: CUDA error: …", the
    # runner's ggml line following on the next line.
    (re.compile(r"ollama|\bllama runner\b", re.I), "Ollama"),
    (re.compile(r"onnxruntime|\bCudaCall\b|\bCUDA failure \d+:", re.I), "ONNX Runtime"),
    (re.compile(r"\bcupy", re.I), "CuPy"),
    (re.compile(r"\bnumba\b", re.I), "Numba"),
    (re.compile(r"\bDriverError\(|\bcudarc\b|\bcandle\b"), "a Rust program (cudarc)"),
    # TensorFlow's gpu_device.cc: "CUDA runtime implicit initialization on GPU:0 failed. Status: …"
    (re.compile(r"tensorflow|stream_executor|gpu_device\.cc|\bxla\b|\bjaxlib\b|\bjax\b|"
                r"CUDA runtime implicit initialization on GPU", re.I), "TensorFlow/JAX (XLA)"),
    # CTranslate2 (faster-whisper) src/cuda/utils.h: "CUDA failed with error " + cudaGetErrorString
    (re.compile(r"ctranslate2|faster[_-]whisper|\bCUDA failed with error\b", re.I), "CTranslate2"),
    (re.compile(r"\bmxnet\b", re.I), "MXNet"),
    # PaddlePaddle's enforce (paddle/phi/core/enforce.h build_nvidia_error_msg(cudaError_t): "CUDA error(" << e
    # << "), " << cudaGetErrorString(e); Paddle 2.0-2.1 "Cuda error(35), …"), thrown as errors::External:
    # "OSError: (External) …", Paddle 1.8 "ExternalError:  Cuda error(35), …"; the source file that checked
    # the call ("(at /paddle/…/gpu_info.cc:78)") is on the next line.
    (re.compile(r"\bCU(?:DA|da) error\(\d+\), |\(External\)|\bExternalError:"), "PaddlePaddle"),
    # cuda-samples' vectorAdd.cu and kin: "Failed to allocate device vector A (error code %s)!".
    (re.compile(r"\bcuda\w+ returned \d+\b|\bcode=\d+\(cuda\w+\)|\(error code [^)\n]{3,200}\)!"), "a CUDA sample"),
    # A program naming the runtime call it checked ("ERROR: cudaGetDeviceCount CUDA driver
    # version is insufficient…"); torch names one only in "Unexpected error from cudaGetDeviceCount()".
    (re.compile(r"(?<!from )\bcuda(?:GetDeviceCount|SetDevice|GetDeviceProperties|Malloc\w*|Memcpy\w*|Free|"
                r"DeviceSynchronize|GetLastError|StreamCreate\w*|EventCreate\w*)\b(?!\(\)\. Did you run)"),
     "a program built with the CUDA toolkit"),
    # A C/C++ CUDA-check macro's own wording, which PyTorch never prints (c10: "CUDA error: <string>"):
    # the common CUDA_CHECK's "CUDA error %d at %s:%d: %s", nheqminer's and its forks' (equihash miners)
    # cuda_djezo "Cuda error in func '%s' at line %i : %s." and cuda_tromp "CUDA error '%s' in func '%s'
    # line %d", and the same quoted form with "at line %d" (funakoshi-miner).
    (re.compile(r"\bCUDA error \d+ at |\bCu(?:da|DA) error in func '|\bCUDA error '[^'\n]{4,160}' (?:in func '|at line \d)"),
     "a program built with the CUDA toolkit (its own CUDA check macro)"),
)

# The runtime's or the driver API's enum NAME (cudaGetErrorName / cuGetErrorName):
# "cudaErrorInsufficientDriver: CUDA driver version is insufficient…" from gpufetch, CuPy's
# CUDARuntimeError, bladebit's "CUDA error: 35 (0x23) cudaErrorInsufficientDriver : …";
# "CUDA_ERROR_…" from XLA, Numba, cudarc. PyTorch never prints them (c10's
# c10_cuda_check_implementation: "CUDA error: " + cudaGetErrorString; torch.cuda's warnings
# give the number), so such a line is another program's unless it names torch itself.
_ERROR_NAME = re.compile(r"\bcudaError(?!_t\b)[A-Z]\w+|\bCUDA_ERROR_[A-Z_]{4,}\b")

# Another package's torch binding, built with the machine's nvcc: "horovod/torch/cuda_util.cc"
# (a package directory above a torch/ directory that is not an install or source root).
_BINDING = re.compile(r"(?:^|[\\/])(?!(?:site-packages|dist-packages|pytorch|src|work|lib|lib64|python[\d.]*|build)[\\/])"
                      r"[A-Za-z][\w.-]*[\\/]torch[\\/](?!csrc[\\/]|lib[\\/])")

# A C, C++, CUDA or Rust source file in the line: the code that checked the CUDA call.
_SOURCE = re.compile(r"[\w.\\/:-]{0,200}?[\w-]+\.(?:cu|cuh|cpp|cc|cxx|c|hpp|rs)\b(?![\w-])")


# torch's own wordings of a CUDA runtime error: c10's "CUDA error: <cudaGetErrorString>" (as
# "RuntimeError: CUDA error: …"), THC's "cuda runtime error (35) : …" and "THCudaCheck FAIL".
# A Python traceback's RuntimeError is torch's too (CuPy, Numba and XLA name their errors).
# torch.cuda's warning ("UserWarning: CUDA initialization: …") and c10's "Unexpected error from
# cudaGetDeviceCount()" are torch's as well.
_TORCH_FORM = re.compile(r"\bCUDA error: |\bcuda runtime error \(\d+\)|\bTHCudaCheck FAIL\b|\bRuntimeError: "
                         r"|Traceback \(most recent call last\)|\.py\"?, line \d+|CUDA initialization: "
                         r"|Unexpected error from cudaGetDeviceCount")
_TORCH_WORDS = ("torch", "c10", "aten", "thc", "caffe2")
# A native program's own log line: the message right after its "ERROR:" / "[ERROR]" / "Error:" /
# "FATAL" tag at the start of the line (a timestamp or bracketed tags before it), as C, C++ and
# Go programs log it; Python's "RuntimeError: " and a person's "I get this error: " are not.
_NATIVE_TAG = re.compile(r"^\s*(?:\[[^\]\n]{0,40}\]\s*|[\d:./ -]{8,30}\s*)*\[?(?:ERROR|Error|error|FATAL|Fatal)\]?\s*:?\s")


def _names_torch(text: str) -> bool:
    """Does the message's text name PyTorch (a substring test: a false hit keeps torch's reading)?"""
    low = text.lower()
    return any(w in low for w in _TORCH_WORDS)


def other_program(s: Stated) -> Optional[str]:
    """The program (not PyTorch) whose CUDA error ``s`` is, by what its line names; None when
    the line is torch's or names no program (then torch's reading stands)."""
    line = _around(s.text, s.match.text)
    for pattern, name in _PROGRAMS:
        if pattern.search(line):
            return name
    native = program_in_native_form(s.text, s.match.text)  # ggml's second line, [FT][ERROR] (r27k)
    if native:
        return native
    for m in _SOURCE.finditer(line):
        path = m.group(0)
        if not _TORCH.search(path) or _BINDING.search(path):
            return re.split(r"[\\/]", path)[-1]
    if _TORCH.search(line):
        return None
    if _ERROR_NAME.search(line):
        return "a program printing CUDA's error names (cudaGetErrorName)"
    if _NATIVE_TAG.search(line) and not _TORCH_FORM.search(line) and not _names_torch(s.text):
        return "a program built with the CUDA toolkit (its own error tag; nothing in its message is PyTorch's)"
    return None


def _around(text: str, matched: str, reach: int = 300) -> str:
    """The line of ``text`` that holds the match, at most ``reach`` characters either side of
    it (a joined traceback holds many programs' lines; a pasted log can be one huge line)."""
    at = text.find(matched)
    if at < 0:
        return matched
    start = max(text.rfind("\n", 0, at) + 1, at - reach)
    end = text.find("\n", at + len(matched))
    end = min(len(text) if end < 0 else end, at + len(matched) + reach)
    return text[start:end]


# The message asked about or quoted in code, not printed: a question, a C comparison or case label.
# (glog's "Check failed: e == cudaSuccess || e == cudaErrorCudartUnloading …" is printed.)
# A question mark after the message asks about it (torch's own "Did you run some cuda functions
# before calling NumCudaDevices() …?" comes before it).
_NOT_PRINTED = re.compile(r"\bcase\s+cudaError\w*\s*:|\bif\s*\(\s*\w+\s*[=!]=\s*cudaError")
_ASKED = re.compile(r"\?(?:\s|$)")


def printed(s: Stated) -> bool:
    line = _around(s.text, s.match.text)
    after = line[line.find(s.match.text) + len(s.match.text):] if s.match.text in line else ""
    return "Check failed" in line or not (_NOT_PRINTED.search(line) or _ASKED.search(after))


def torchs_own(s: Stated, found) -> bool:
    """Is ``s`` torch's? Not where its line names another program, nor where the runtime's
    message is unattributed and another program in the same paste printed one (CUDA samples
    print "cudaGetDeviceCount returned 35" and "-> CUDA driver version is insufficient…" on
    two lines; a log repeats the bare message)."""
    if s.id not in DRIVER_OLDER_MESSAGES:
        return True
    if not printed(s):
        return False
    if other_program(s):
        return False
    return not driver_older_elsewhere(found) or bool(_TORCH.search(_around(s.text, s.match.text)))


def driver_older_elsewhere(found) -> list:
    """The CUDA errors in ``found`` saying the driver is older than another program's CUDA."""
    return [s for s in found if s.id in DRIVER_OLDER_MESSAGES and printed(s) and other_program(s)]


# Whose ptxas refused the GPU ("ptxas fatal : Value 'sm_121a' is not defined for option
# 'gpu-name'"). Triton runs the ptxas its wheel bundles (triton/backends/nvidia/bin/ptxas,
# raising triton.runtime.errors.PTXASError; TRITON_PTXAS_PATH overrides it): a torch/triton
# release older than the GPU. XLA (JAX, TensorFlow) and nvcc run the CUDA toolkit's
# (/usr/local/cuda-X.Y/bin/ptxas, "Used ptxas at …", asm_compiler.cc's "Your CUDA software
# stack is old", nvcc's "#$ ptxas -arch=…" build lines): a toolkit older than the GPU.
_TRITON_PTXAS = re.compile(r"triton|PTXASError", re.I)
_TOOLKIT_PTXAS = re.compile(r"cuda[-\w.]*[/\\]bin[/\\]ptxas|CUDA[/\\]v\d+\.\d+[/\\]bin[/\\]ptxas|Used ptxas at|asm_compiler"
                            r"|stream_executor|\bxla\b|jaxlib|Your CUDA software stack is old|\bnvcc\b|#\$ ptxas", re.I)
# Other messages in the text that say who ran it: XLA's own, or an nvcc build's.
_TOOLKIT_RUNS = ("xla_ptxas_lacks_cc", "tf_cuda_stack_old_ptxas", "xla_driver_older_than_ptxas", "nvcc_versioned_path",
                 "setuptools_nvcc_command_failed", "msbuild_cuda_compile_failed", "cmake_cuda_architectures_unusable",
                 "nvcc_unsupported_gpu_arch", "nvcc_gpu_arch_value_not_defined")


def ptxas_owner(s: Stated, found=()) -> Optional[str]:
    """"triton" or "toolkit" for a ptxas message, by its own text (a repro command, XLA's
    warning around it), else by the other messages in the paste; None when nothing says."""
    if _TRITON_PTXAS.search(s.text):
        return "triton"
    if _TOOLKIT_PTXAS.search(s.text):
        return "toolkit"
    ids = {o.id for o in found if o is not s}
    if any(i.startswith("triton") for i in ids):
        return "triton"
    if ids & set(_TOOLKIT_RUNS):
        return "toolkit"
    if ptxas_run_outside_triton(found):  # a ptxas command on PATH, not triton's (r27k)
        return "toolkit"
    return None
