"""Catalogue entries of detectron2, mmcv, flash-attn and tiny-cuda-nn (written on branch r12ext while
their projects were not yet in ``messages.PROJECTS``; merged since), and the rules of
rules/extension_builds.py that read them. Texts written for the test from the tools' format
strings (detectron2/utils/collect_env.py, mmcv/utils/env.py, flash-attn's setup.py)."""

from __future__ import annotations

import pytest

from envcheck.explain import diagnose, source
from envcheck.knowledge import messages
from tests.rules.test_unseen_classes import errors, findings

WITHOUT_ARCH = "extension_built_without_gpu_arch"
DIFFERS = "toolkit_differs_from_torch_cuda"


@pytest.fixture
def catalogue():
    return messages.catalogue()


D2_TABLE = """----------------------  ----------------------------------------------------------------
sys.platform            linux
Python                  3.8.2 (default, Mar 26 2020, 15:53:00) [GCC 7.3.0]
detectron2              0.1.3 @/home/u/detectron2/detectron2
Compiler                GCC 5.4
CUDA compiler           {compiler}
detectron2 arch flags   {flags}
DETECTRON2_ENV_MODULE   <not set>
PyTorch                 {torch} @/home/u/envs/d2/lib/python3.8/site-packages/torch
PyTorch debug build     False
GPU available           True
GPU 0                   {gpu}
CUDA_HOME               /usr/local/cuda
"""

MMCV_ENV = """sys.platform: linux
Python: 3.7.13 (default, Mar 29 2022, 02:18:16) [GCC 7.5.0]
CUDA available: {available}
GPU 0: NVIDIA GeForce RTX 3090
PyTorch: 1.11.0+cu113
MMCV: 1.5.3
MMCV Compiler: GCC 7.3
MMCV CUDA Compiler: {compiler}
"""

FLASH = ("      RuntimeError: FlashAttention is only supported on CUDA 11.7 and above.  Note: make sure nvcc has a "
         "supported version by running nvcc -V.\n\n\n      torch.__version__  = {torch}\n\n\n      [end of output]")


@pytest.mark.parametrize("text, fid", [
    (D2_TABLE.format(compiler="10.0", flags="sm_37", gpu="Tesla V100-SXM2-16GB (arch=7.0)", torch="1.4.0"), WITHOUT_ARCH),
    (D2_TABLE.format(compiler="CUDA 11.1", flags="6.1", gpu="NVIDIA GeForce RTX 3090 (arch=8.6)", torch="1.8.1+cu111"), WITHOUT_ARCH),
    (D2_TABLE.format(compiler="not available", flags="sm_75", gpu="Tesla T4 (arch=7.5)", torch="1.10.0+cu113"), WITHOUT_ARCH),
    (MMCV_ENV.format(available="True", compiler="not available"), WITHOUT_ARCH),
    (FLASH.format(torch="2.3.1+cu121"), DIFFERS),
    ("RuntimeError: FlashAttention is only supported on CUDA 11.6 and above.", DIFFERS),
    ("  File \"/venv/lib/python3.10/site-packages/tinycudann/modules.py\", line 51, in <module>\n"
     "    raise EnvironmentError(f\"Could not find compatible tinycudann extension for compute capability \"\n"
     "OSError: Could not find compatible tinycudann extension for compute capability 86.", WITHOUT_ARCH),
])
def test_extension_reports_and_build_checks(catalogue, text, fid):
    assert fid in findings(text)


@pytest.mark.parametrize("text", [
    # the arch flags cover the GPU (an older cubin of the same major runs too)
    D2_TABLE.format(compiler="10.0", flags="sm_70", gpu="Tesla V100-SXM2-32GB (arch=7.0)", torch="1.4.0"),
    D2_TABLE.format(compiler="CUDA 11.3", flags="8.0", gpu="NVIDIA GeForce RTX 3090 (arch=8.6)", torch="1.10.0+cu113"),
    D2_TABLE.format(compiler="CUDA 11.3", flags="7.5, 8.6", gpu="NVIDIA GeForce RTX 3090 (arch=8.6)",
                    torch="1.10.0+cu113"),
    # mmcv with its CUDA ops, and mmcv without CUDA on a machine where torch has no GPU either
    MMCV_ENV.format(available="True", compiler="11.3"),
    MMCV_ENV.format(available="False", compiler="not available").replace("GPU 0: NVIDIA GeForce RTX 3090\n", ""),
    # flash-attn asking for a newer CUDA than torch's own: an older flash-attn, not another nvcc
    FLASH.format(torch="1.9.0+cu111"),
    # tiny-cuda-nn running an older build on a newer GPU: slower, not broken
    "UserWarning: tinycudann was built for lower compute capability (75) than the system's (86). Performance may be "
    "suboptimal.",
])
def test_covered_gpus_cuda_builds_and_old_torch_are_not_flagged(catalogue, text):
    found = findings(text)
    assert WITHOUT_ARCH not in found
    assert DIFFERS not in found
    assert not errors(text)


def test_flash_attn_refusing_a_gpu_not_shown_is_likely_not_confirmed(catalogue):
    """flash-attn 2 releases that predate Blackwell print the same for an RTX 50xx (is_sm8x || is_sm90)."""
    text = "pip install flash-attn==2.5.8\nRuntimeError: FlashAttention only supports Ampere GPUs or newer."
    _, report = diagnose(source.normalise(text), collected_at="")
    assert report.verdict != "ok"
    assert errors(text)["gpu_too_old_for_library"].confidence.value == "likely"


def test_flash_attn_refusing_a_t4_shown_is_confirmed(catalogue):
    text = "GPU: Tesla T4\nRuntimeError: FlashAttention only supports Ampere GPUs or newer."
    assert errors(text)["gpu_too_old_for_library"].confidence.value == "confirmed"


def test_flash_attn_refusing_a_blackwell_gpu_is_not_the_gpu_too_old(catalogue):
    text = ("GPU: NVIDIA GeForce RTX 5090\ntorch 2.7.0+cu128\n"
            "RuntimeError: FlashAttention only supports Ampere GPUs or newer.")
    assert "gpu_too_old_for_library" not in findings(text)


