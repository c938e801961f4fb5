"""A build envcheck only guesses is not a finding on a working machine (sweep 24's healthy reports):
PyPI's default variant guessed for a version written without its build, a CUDA build older than the
GPU that may carry an earlier cubin of its major, a message quoted as what happens otherwise. With a
failure in the text, the same guesses stand."""

import pytest

from envcheck.explain import diagnose
from envcheck.explain.source import normalise

_ARCH = {"gpu_arch_unsupported_by_torch_build", "gpu_arch_too_old_for_torch_build", "extension_built_without_gpu_arch"}


def _errors(text):
    _, report = diagnose(normalise(text))
    return {f.id for f in report.findings if f.severity.value == "error"}


@pytest.mark.parametrize("text", [
    # a version without its build, another variant of that release runs the GPU, nothing fails
    "Is it okay for training? as follows:\n- gpu 3090\n- cuda 11.3\n- pytorch==1.12.1\n- torchvision==0.13.1\n"
    "It says 22G is needed for training, but I only use 9G.",
    "Environment: Cuda-11.0; PyTorch: 1.7.0; RTX 3090; the validation results are close to the paper's.",
    "I run the project on an RTX3090 with cuda 11.6 and torch version 1.8.1; the scores differ from the paper by 2%.",
    # a CUDA 11.0 build (sm_80 cubins) on an sm_86 card, training; the message quoted as what happens otherwise
    "As the 3090 needs CUDA 11, I've installed like this:\npip install torch==1.7.1+cu110 torchvision==0.8.2+cu110 -f "
    "https://download.pytorch.org/whl/torch_stable.html\n(The error is \"RuntimeError: CUDA error: no kernel image is "
    "available for execution on the device\" if not using CUDA 11).\nTraining works but is slower than on my GTX 1070.",
    # an RTX 4090 (sm_89) under a CUDA 11.3 build: sm_86 cubins run on it
    "torch 1.12.1+cu113 on an RTX 4090, training runs fine, just asking about mixed precision speed.",
])
def test_a_guessed_build_on_a_working_machine_gives_no_arch_error(text):
    assert not _errors(text) & _ARCH


@pytest.mark.parametrize("text", [
    # the same guesses beside a failure
    "gpu 3090, pytorch==1.12.1: RuntimeError: CUDA error: no kernel image is available for execution on the device",
    "torch 1.7.1+cu110 on my RTX 3090: RuntimeError: CUDA error: no kernel image is available for execution on the device",
    # the build written in full, no failure needed: a tool's line of the wheel
    "torch 1.12.1+cu102 on an RTX 3090",
])
def test_with_a_failure_or_the_build_known_the_arch_finding_stands(text):
    assert _errors(text) & {"gpu_arch_unsupported_by_torch_build"}


def test_a_message_quoted_as_what_happens_otherwise_is_not_this_machines():
    text = ("Use the cu118 wheel: \"RuntimeError: CUDA error: no kernel image is available for execution on the "
            "device\" if you don't. Mine works with it on an RTX 4090.")
    assert not _errors(text)
    assert _errors("I get \"RuntimeError: CUDA error: no kernel image is available for execution on the device\" if "
                   "I use the GPU, on an RTX 5090 with torch 2.5.1+cu124")
