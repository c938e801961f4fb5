"""NCCL's optional plugins are not a missing CUDA library (round 14, healthy pastes at scale).

NCCL dlopens libnccl-net.so (network), libnccl-tuner.so and libnccl-profiler.so at init and,
when they are absent, logs "No plugin found ..., using internal implementation" and carries
on; with NCCL_DEBUG=INFO every working multi-GPU job prints the glibc line "libnccl-net.so:
cannot open shared object file". rules/libraries.py read it as libnccl missing (an error on a
working machine). The class: only libnccl.so[.N] is NCCL itself. Texts written for the test
from the lines NCCL 2.x prints (src/plugin/net.cc, tuner.cc; NCCL_DEBUG=INFO).
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import errors, findings

FID = "cuda_library_missing"
RUNNING = "{'loss': 1.02, 'learning_rate': 2e-05, 'epoch': 0.1}\nTraining works on both nodes, only slower than expected."

BROKEN = [
    "ImportError: libnccl.so.2: cannot open shared object file: No such file or directory",
    "OSError: libnccl.so.2: cannot open shared object file: No such file or directory\n"
    "node1:2211:2211 [0] NCCL INFO NET/Plugin : No plugin found (libnccl-net.so), using internal implementation",
    "  File \"/opt/app/cupy/cuda/nccl.py\", line 12\nImportError: libnccl.so: cannot open shared object file: "
    "No such file or directory",
]


@pytest.mark.parametrize("text", BROKEN)
def test_nccl_itself_missing_is_still_a_missing_library(text):
    assert FID in findings(text)


NEAR_MISS = [
    "node1:2211:2211 [0] NCCL INFO NET/Plugin : Plugin load (libnccl-net.so) returned 2 : libnccl-net.so: cannot "
    "open shared object file: No such file or directory\nnode1:2211:2211 [0] NCCL INFO NET/Plugin : No plugin found, "
    "using internal implementation\nNCCL version 2.21.5+cuda12.4\n" + RUNNING,
    "VM-0-14:162637:162637 [6] NCCL INFO NET/Plugin : dlerror=libnccl-net.so: cannot open shared object file: No such "
    "file or directory No plugin found (libnccl-net.so), using internal implementation\n" + RUNNING,
    "gpu7:3063025:3063025 [0] NCCL INFO TUNER/Plugin: Could not find: libnccl-tuner.so. Using internal tuner plugin.\n"
    "gpu7:3063025:3063025 [0] NCCL INFO PROFILER/Plugin: Could not find: libnccl-profiler.so.\n" + RUNNING,
    "gpu7:12:12 [0] NCCL INFO TUNER/Plugin: dlerror=libnccl-tuner.so: cannot open shared object file: No such file "
    "or directory\ngpu7:12:12 [0] NCCL INFO Using network Socket\n" + RUNNING,
    "gpu7:12:12 [0] NCCL INFO PROFILER/Plugin: dlerror=libnccl-profiler.so: cannot open shared object file: No such "
    "file or directory\n$ python -c 'import torch; print(torch.cuda.is_available())'\nTrue",
]


@pytest.mark.parametrize("text", NEAR_MISS)
def test_an_absent_nccl_plugin_is_not_a_missing_library(text):
    assert FID not in findings(text)
    assert errors(text) == {}
