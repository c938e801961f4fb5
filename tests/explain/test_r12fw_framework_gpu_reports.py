"""Round 12 (branch r12fw): the GPUs framework reports list (numba's device list, CuPy's
show_config) become GPU facts (explain/parsers/framework_gpu_reports.py), as the GPU a person
names in TensorFlow's issue template does (the prose readers), and what only looks like them
does not. Texts written for the test from what the tools print."""

from __future__ import annotations

import pytest

from envcheck.explain import explain_text
from tests.rules.test_unseen_classes import findings

NUMBA = ("$ python -c \"from numba import cuda; cuda.detect()\"\nFound 1 CUDA devices\n"
         "id 0    b'NVIDIA GeForce RTX 2070 SUPER'                              [SUPPORTED]\n"
         "                      compute capability: 7.5\n                           pci device id: 0\n"
         "                              pci bus id: 1\nSummary:\n        1/1 devices are supported")
NUMBA_OLD_GPU = ("__CUDA Information__\nCUDA Device Initialized                       : True\nFound 1 CUDA devices\n"
                 "id 0             b'Tesla K40c'                          [UNSUPPORTED]\n"
                 "                      compute capability: 3.5")
CUPY = ("CuPy Version                 : 13.0.0\nCUDA Root                    : /usr/local/cuda\n"
        "CUDA Driver Version          : 12020\nCUDA Runtime Version         : 12020 (linked to CuPy) / 12020 (locally "
        "installed)\nDevice 0 Name                : NVIDIA GeForce RTX 3090\nDevice 0 Compute Capability  : 86\n"
        "Device 0 PCI Bus ID          : 0000:01:00.0\nDevice 1 Name                : NVIDIA RTX 6000 Ada Generation\n"
        "Device 1 Compute Capability  : 89")


def _gpus(text):
    return [(g.name.value, g.compute_capability.value) for g in explain_text(text).facts.gpus]


@pytest.mark.parametrize("text, expected", [
    (NUMBA, [("NVIDIA GeForce RTX 2070 SUPER", "7.5")]),
    (NUMBA_OLD_GPU, [("Tesla K40c", "3.5")]),  # numba will not use it, but it is there
    (CUPY, [("NVIDIA GeForce RTX 3090", "8.6"), ("NVIDIA RTX 6000 Ada Generation", "8.9")]),
])
def test_framework_device_lists_give_gpus(text, expected):
    assert _gpus(text) == expected


@pytest.mark.parametrize("text", [
    "- TensorFlow version: 2.4.1\n- CUDA/cuDNN version: 11.0/8.0\n- GPU model and memory: GTX 1080 Ti, 11GB\n",
    "### TensorFlow version\n\n2.15.0\n\n### GPU model and memory\n\nNVIDIA GeForce GTX 1080 Ti 11GB\n\n### Current behavior?",
    "**GPU model and memory:** 1080 Ti",
])
def test_tensorflow_template_names_a_gpu(text):
    names = [n for n, _ in _gpus(text)]
    assert names and "1080 Ti" in names[0], names


@pytest.mark.parametrize("text", [
    # nothing named, a CPU, a heading without an answer, another field
    "- TensorFlow version: 2.15.0\n- GPU model and memory: N/A\n- CUDA/cuDNN version: N/A",
    "- GPU model and memory: none, CPU only (Intel i7-12700)",
    "### GPU model and memory\n\n### Current behavior?\n\nThe model does not converge.",
    "- Memory: 32GB\n- GPU: see below",
    # numba and CuPy without devices
    "Found 0 CUDA devices\nSummary:\n        0/0 devices are supported",
    "CuPy Version                 : 13.0.0\nCUDA Runtime Version         : CUDARuntimeError('cudaErrorNoDevice: no "
    "CUDA-capable device is detected')",
    # prose that happens to hold the words
    "Which device do you use? My device name is not important here.",
])
def test_no_gpu_claimed(text):
    assert _gpus(text) == []


def test_a_framework_gpu_report_lets_jax_cpu_only_device_list_count():
    """JAX's lone CpuDevice says the CPU build only where an NVIDIA GPU is known to be there;
    numba's device list (same environment) is such evidence, a JAX GPU device list is not the
    CPU build."""
    cpu_only = NUMBA + "\n>>> import jax\n>>> jax.devices()\n[CpuDevice(id=0)]"
    assert "framework_cpu_only_build" in findings(cpu_only)
    assert "framework_cpu_only_build" not in findings(NUMBA + "\n>>> jax.devices()\n[CudaDevice(id=0)]")
    assert "framework_cpu_only_build" not in findings(">>> import jax\n>>> jax.devices()\n[CpuDevice(id=0)]")
