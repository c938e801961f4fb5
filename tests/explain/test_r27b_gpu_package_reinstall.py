"""Round 27 b: a framework's CPU and GPU packages both installed, told by what fixed it: reinstalling
the GPU package made the framework use the GPU (explain/parsers/framework_reinstall_said.py: "To run
on the GPU you need to uninstall and re-install onnxruntime-gpu", danielgatis/rembg#483). A reinstall
changes nothing unless the CPU package, which unpacks the same module, wrote over it.

Near-misses: advice and conditions, a question, a reinstall that did not help, a reinstall for a
version, a CUDA or an upgrade, a guide quoted, a reinstall of a package with no CPU twin
(tensorflow-gpu), the reinstall with no result. Texts written for the test."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

ID = "cpu_and_gpu_framework_packages_both_installed"


@pytest.mark.parametrize("paste", [
    "To run on the GPU you need to uninstall and re-install onnxruntime-gpu.",
    "RTX 3060. pip install --force-reinstall onnxruntime-gpu fixed it, now it runs on the GPU.",
    "After I reinstalled paddlepaddle-gpu it uses the GPU again.",
    "重新安装onnxruntime-gpu后就能用GPU了。",
    "I uninstalled onnxruntime_gpu and installed it again, then get_device() returns 'GPU'.",
])
def test_reinstall_said(paste):
    assert ID in findings(paste)


@pytest.mark.parametrize("paste", [
    "If it still runs on the CPU, try reinstalling onnxruntime-gpu.",
    "Should I reinstall onnxruntime-gpu to use the GPU?",
    "Reinstalling onnxruntime-gpu did not help, it still uses the CPU.",
    "pip install --force-reinstall onnxruntime-gpu==1.17.1 for CUDA 11.8 fixed the cuDNN error.",
    "I reinstalled onnxruntime-gpu to upgrade it; the GPU works as before.",
    "The README says you need to uninstall and re-install onnxruntime-gpu to run on the GPU.",
    "Reinstalling tensorflow-gpu fixed it and TensorFlow uses the GPU.",
    "I reinstalled onnxruntime-gpu yesterday.",
])
def test_reinstall_near_misses(paste):
    assert ID not in findings(paste)
