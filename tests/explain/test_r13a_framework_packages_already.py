"""A person saying a framework's GPU package was already there when its CPU package came in
("the installation of onnxruntime is unnecessary as onnxruntime-gpu already contains the CPU
provider"): both packages installed (explain/parsers/framework_packages.py, "already"). Texts
written for the test; near-misses keep the words with a removal, advice or a question."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

FID = "cpu_and_gpu_framework_packages_both_installed"
PROVIDERS = ("UserWarning: Specified provider 'CUDAExecutionProvider' is not in available provider names.Available "
             "providers: 'AzureExecutionProvider, CPUExecutionProvider'\n")

BROKEN = [
    PROVIDERS + "The installation of onnxruntime (non-gpu) is unnecessary here as onnxruntime-gpu already contains "
                "the CPUExecutionProvider.",
    "I already had onnxruntime-gpu installed when pip pulled in onnxruntime as a dependency.\n" + PROVIDERS,
    "paddlepaddle-gpu was already installed, then the requirements installed paddlepaddle 2.5.1.",
]


@pytest.mark.parametrize("text", BROKEN)
def test_the_gpu_package_already_there_when_the_cpu_one_came_is_both_installed(text):
    assert FID in findings(text)


NEAR_MISS = [
    PROVIDERS + "onnxruntime-gpu already contains the CPUExecutionProvider, so I uninstalled onnxruntime.",
    "onnxruntime-gpu already contains the CPU provider: you don't need onnxruntime at all.",
    "Do I need onnxruntime when onnxruntime-gpu is already installed?",
    "I had already removed onnxruntime before installing onnxruntime-gpu; the CUDA provider works now.",
]


@pytest.mark.parametrize("text", NEAR_MISS)
def test_a_removal_advice_or_question_is_not_both_installed(text):
    assert FID not in findings(text)
