"""A CUDA library missing, told by tools whose words ``rules/libraries.py`` does not read
(``cuda_library_missing``):

* GNU ld at build time: "cannot find -lcudart", "warning: libcudart.so.11.0, needed by …, not
  found (try using -rpath or -rpath-link)";
* ldd's listing: "libcublas.so.11 => not found";
* Windows' own loader box: "The code execution cannot proceed because cublas64_11.dll was not
  found", "The program can't start because cudart64_110.dll is missing from your computer"
  (and the Chinese system strings);
* cuDNN 8 on Windows: "Could not load library cudnn_cnn_infer64_8.dll. Error code 126";
* cuDNN 8's loader line without its reason ("Error: Could not load library libcudnn_cnn_infer.so.8")
  or its advice line alone ("Please make sure libcudnn_ops_infer.so.8 is in your library path!"):
  likely, and only where the line with the reason is not in the text (that reason decides: libcuda.so
  under WSL is the driver's, an undefined symbol another cuDNN copy);
* ONNX Runtime on Windows: "LoadLibrary failed with error 126 "" when trying to load
  "…onnxruntime_providers_cuda.dll"": the provider DLL is there, a CUDA or cuDNN DLL it imports
  is not (which one it does not say: likely, and the text says what ORT needs);
* PaddlePaddle's loader: "The third-party dynamic library (cudnn64_8.dll) that Paddle depends on
  is not configured correctly. (error code is 126)";
* .NET's P/Invoke: "Unable to load DLL 'cudnn64_6.dll': The specified module could not be found.
  (Exception from HRESULT: 0x8007007E)" (System.DllNotFoundException);
* Torch7's cuDNN bindings: "libcudnn (R5) not found in library path" (the release, not a file: it
  asks for libcudnn.so.5);
* the person's own words, when the tool's are not pasted: "Calling cuDNN failed, cannot find
  「cudnn64_5.dll」", "找不到 cudnn64_8.dll" (``explain/parsers/library_missing_prose.py``; a
  claim, so "likely", and only where no tool's message says it).

Each names the file, so the family (cuBLAS, the runtime, cuDNN …) and its major come from the
name as in ``rules/libraries.py``; a DLL that is not one of NVIDIA's CUDA libraries (the C++
runtime, the driver's nvcuda.dll) says nothing here. Runs after ``libraries.py``: where both
speak, the engine keeps that rule's finding and joins this evidence.
"""

from __future__ import annotations

import re
from typing import Iterator

from envcheck.derived.library_said import library_said_missing
from envcheck.derived.line_report import not_reported
from envcheck.rules.compat import quote
from envcheck.rules.engine import RuleContext, make
from envcheck.rules.finding import Confidence, Finding, Severity
from envcheck.rules.libraries import FAMILIES, PACKAGES, family, major

_IDS = ("ld_cannot_find_cuda_library", "ld_needed_cuda_library_not_found", "ldd_cuda_library_not_found",
        "windows_dll_not_found_dialog", "cudnn_could_not_load_dll", "paddle_dynamic_library_not_configured",
        "dotnet_dll_not_found", "torch7_cudnn_not_found", "tensorflow_cudnn_dso_not_loaded",
        "cudnn8_load_library_no_reason", "cudnn_make_sure_in_library_path")
# cuDNN's lines that do not say why the sub-library failed: read only without the line that does.
_NO_REASON = ("cudnn8_load_library_no_reason", "cudnn_make_sure_in_library_path")
_WITH_REASON = ("cudnn_could_not_load_library", "cudnn_could_not_load_dll", "cudnn_could_not_locate")
# The person asking about the line ("Does … mean cuDNN is not installed?"): no claim that it happened.
ASKED = re.compile(r"^\W{0,4}(?:does|do|is|are|can|could|what|why|how)\b[^\n]{0,400}\?\s*$", re.I)
# Messages that name cuDNN, not a file: Torch7's give the release ("R5"), TensorFlow 0.x/1.x's "Unable to load
# cuDNN DSO" none (the family is enough to say what to install).
_CUDNN_NAMED = {"torch7_cudnn_not_found": "libcudnn.so", "tensorflow_cudnn_dso_not_loaded": "libcudnn.so"}
# Programs that log the miss and go on (the link may survive; TensorFlow runs without cuDNN until a convolution).
_GOES_ON = ("ld_needed_cuda_library_not_found", "tensorflow_cudnn_dso_not_loaded")


def _library(s) -> str:
    """The file a message names; Torch7's cuDNN bindings name the release ("R5"): libcudnn.so.5; TensorFlow's
    "Unable to load cuDNN DSO" only the family: libcudnn.so."""
    if s.id in _CUDNN_NAMED:
        release = str(s.fact("detail") or "")
        stem = _CUDNN_NAMED[s.id]
        return f"{stem}.{release}" if release.isdigit() else "" if s.id == "torch7_cudnn_not_found" else stem
    return str(s.fact("loader.library") or "")


def _ort_provider(ctx: RuleContext) -> Iterator[Finding]:
    said = next((s for s in ctx.stated if s.id == "onnxruntime_cuda_provider_dll_not_loaded"), None)
    if said is not None:
        yield make("cuda_library_missing",
                   "ONNX Runtime's CUDA provider (onnxruntime_providers_cuda.dll) is there but Windows could not load "
                   "a DLL it needs (error 126): the CUDA runtime, cuBLAS or cuDNN of the CUDA major this "
                   "onnxruntime-gpu was built for is not on the PATH. Install those (onnxruntime's CUDA "
                   "ExecutionProvider requirements page lists them per release; pip's nvidia-cublas-cu12 and "
                   "nvidia-cudnn-cu12 serve a CUDA 12 build) or the onnxruntime-gpu build for the CUDA you have.",
                   [quote(said)], confidence=Confidence.LIKELY)


def cuda_library_missing_by_tool(ctx: RuleContext) -> Iterator[Finding]:
    said = [(s, _library(s)) for s in ctx.stated if s.id in _IDS]
    said = [(s, name) for s, name in said if name and family(name) is not None]
    if any(s.id in _WITH_REASON for s in ctx.stated):
        said = [(s, name) for s, name in said if s.id not in _NO_REASON]
    said = [(s, name) for s, name in said if s.id not in _NO_REASON
            or not (ASKED.search(s.text) or not_reported(s.text, s.match.text))]
    said.sort(key=lambda x: x[0].id in _NO_REASON)  # a line with the reason speaks first
    if not said:
        yield from _ort_provider(ctx)
        yield from _said_by_person(ctx)
        return
    s, name = said[0]
    fam = family(name)
    label = dict(FAMILIES)[fam]
    want = major(name)
    pip_stem, conda_pkg, apt_stem = PACKAGES[fam]
    linking = s.id.startswith("ld_")
    where = ("the PATH (Windows looks for DLLs there and in the program's folder)" if name.lower().endswith(".dll")
             else "the link path (-L, CUDA's lib64)" if linking else "the loader path (ldconfig's cache, LD_LIBRARY_PATH)")
    version = f" {want}" if want and fam in ("cudnn", "nccl") else f" for CUDA {want}" if want else ""
    text = (f"{name} could not be found: {label}{version} is not installed, or not on {where}. Install it "
            f"(pip: {pip_stem}-cu{want or 'XX'}, conda: {conda_pkg}, apt: {apt_stem}…, or the CUDA toolkit / cuDNN "
            "archive) and put its directory on that path, or use the program's build for the CUDA you have.")
    # ld's 'needed by … not found' is a warning the link may survive; the others stop the program.
    severity = Severity.WARNING if all(x.id in _GOES_ON for x, _ in said) else None
    yield make("cuda_library_missing", text, [quote(x) for x, _ in said[:3]], {"cuda_library": name},
               severity=severity, confidence=Confidence.LIKELY if all(x.id in _NO_REASON for x, _ in said) else None)


def _said_by_person(ctx: RuleContext) -> Iterator[Finding]:
    """The person says a CUDA library file is missing, and no tool's message in the text says it."""
    said = library_said_missing(ctx.facts)
    if said is None or family(said[0]) is None or any(s.supports("cuda_library_missing") for s in ctx.stated):
        return
    name, words = said
    fam = family(name)
    want = major(name)
    pip_stem, conda_pkg, apt_stem = PACKAGES[fam]
    version = f" {want}" if want and fam in ("cudnn", "nccl") else f" for CUDA {want}" if want else ""
    where = ("the PATH (Windows looks for DLLs there and in the program's folder)" if name.lower().endswith(".dll")
             else "the loader path (ldconfig's cache, LD_LIBRARY_PATH)")
    yield make("cuda_library_missing",
               f"The text says {name} cannot be found: {dict(FAMILIES)[fam]}{version} is not installed, or not on "
               f"{where}. Install it (pip: {pip_stem}-cu{want if want and fam not in ('cudnn', 'nccl') else 'XX'}, "
               f"conda: {conda_pkg}, apt: {apt_stem}…, or the CUDA toolkit / cuDNN archive) and put its directory on "
               "that path, or use the program's build for the CUDA you have.",
               [("the person's words", words)], {"cuda_library": name}, confidence=Confidence.LIKELY)


RULES = (cuda_library_missing_by_tool,)
