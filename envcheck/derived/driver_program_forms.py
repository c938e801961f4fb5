"""Whose CUDA error it is, where the message's own line does not say: two native families.

``derived/cuda_program.other_program`` decides whether "the provided PTX was compiled with an
unsupported toolchain" / "CUDA driver version is insufficient for CUDA runtime version" came from
PyTorch (then ``driver_too_old_for_torch_cuda``) or from another program built with a CUDA
toolkit (then ``cuda_toolkit_newer_than_driver``) by what the message's line names. Two common
native families print the message in words that look like torch's or name nothing:

* ggml's CUDA check (llama.cpp, whisper.cpp, Ollama's runner, the llama.cpp builds in snaps and
  apps) prints the message on a line of its own, "CUDA error: <cudaGetErrorString>", which is
  c10's wording too; the NEXT line says whose it is: "  current device: 0, in function
  ggml_cuda_compute_forward at …/ggml-cuda.cu:2752".
* FasterTransformer's check() and its descendants throw "[FT][ERROR] CUDA runtime error: <msg>
  <file>:<line>" (lmdeploy's TurboMind "[TM][ERROR] …", TensorRT-LLM's "[TensorRT-LLM][ERROR] CUDA
  runtime error in <call>: <msg>"), often inside a docker compose prefix, after libstdc++'s
  "what():  ", or wrapped in Python's "RuntimeError: " by their bindings.

And whose ptxas refused the GPU ("Value 'sm_89' is not defined for option 'gpu-name'") when the
refusal's line does not say: a ptxas command line in the paste that is not triton's bundled ptxas
is the CUDA toolkit's on PATH (``ptxas_run_outside_triton``, used by ``cuda_program.ptxas_owner``).
"""

from __future__ import annotations

import re
from typing import Optional

# ggml/src/ggml-cuda/ggml-cuda.cu, ggml_cuda_error() (llama.cpp b1500 on; ggml-cuda.cu in older
# trees): GGML_LOG_ERROR(GGML_CUDA_NAME " error: %s\n", msg); GGML_LOG_ERROR("  current device:
# %d, in function %s at %s:%d\n", id, func, file, line). GGML_CUDA_NAME is "CUDA" (HIP: "ROCm").
# The second line, anywhere in the line after the message (journald or docker prefixes come first).
_GGML_SECOND_LINE = re.compile(r"\bcurrent device: -?\d{1,3}, in function \w{1,80} at \S")

# FasterTransformer src/fastertransformer/utils/cuda_utils.h check(): std::runtime_error(
# "[FT][ERROR] CUDA runtime error: " + _cudaGetErrorEnum(result) + " " + file + ":" + line);
# lmdeploy src/turbomind/utils/cuda_utils.h: "[TM][ERROR] CUDA runtime error: "; TensorRT-LLM
# cpp/include/tensorrt_llm/common/cudaUtils.h check(): "[TensorRT-LLM][ERROR] CUDA runtime error in
# %s: %s". A "[Name][ERROR]" tag right before "CUDA runtime error" (torch never tags its messages).
_FT_TAG = re.compile(r"\[([A-Za-z][\w.+-]{0,30})\]\s?\[ERROR\]\s?CUDA runtime error\b")
_FT_NAMES = {"FT": "FasterTransformer", "TM": "lmdeploy (TurboMind)", "TensorRT-LLM": "TensorRT-LLM"}
_TORCH_TAG = re.compile(r"^(?:py)?torch$|^c10$|^aten$", re.I)


def _line_and_next(text: str, matched: str):
    """The line of ``text`` holding ``matched`` (at most 300 characters before it) and the line after it."""
    at = text.find(matched)
    if at < 0:
        return matched, ""
    start = max(text.rfind("\n", 0, at) + 1, at - 300)
    end = text.find("\n", at + len(matched))
    if end < 0:
        return text[start:], ""
    after = text.find("\n", end + 1)
    return text[start:end], text[end + 1:(after if after >= 0 else len(text))][:400]


def program_in_native_form(text: str, matched: str) -> Optional[str]:
    """The native program whose CUDA check printed ``matched`` in ``text``, by the families above;
    None when neither family's form is there."""
    line, following = _line_and_next(text, matched)
    m = _FT_TAG.search(line)
    if m and not _TORCH_TAG.match(m.group(1)):
        return _FT_NAMES.get(m.group(1), f"a native library tagged [{m.group(1)}]") + " (its CUDA check)"
    if line.rstrip().endswith(matched.rstrip()) or line.rstrip().endswith(matched.rstrip() + "."):
        if _GGML_SECOND_LINE.search(following):
            return "llama.cpp (ggml)"
    return None


# Whose ptxas refused the GPU, by a ptxas command line in the paste (messages.toml
# ptxas_command_line): triton runs its bundled ptxas by its full path under triton/backends/nvidia/bin;
# any other ptxas command (accelerate-llvm-ptx's "ptxas - -o …sass -arch=sm_89", a Makefile's "ptxas
# -arch=sm_86 …") runs the one on PATH, the CUDA toolkit's.
_TRITON = re.compile(r"triton", re.I)


def ptxas_run_outside_triton(found) -> bool:
    """Does a message in ``found`` show a ptxas command that is not triton's bundled ptxas?"""
    return any(s.id == "ptxas_command_line" and not _TRITON.search(s.text) for s in found)
