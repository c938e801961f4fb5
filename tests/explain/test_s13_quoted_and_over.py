"""Two readings of prose around a quoted message (session 13):

* torch's capability warning is ``"{device_name} with CUDA capability sm_XY is not compatible …"``
  (torch/cuda/__init__.py, _check_capability): the words before it are the GPU's name only in
  that form; a sentence quoting "sm_XY is not compatible …" has no name before it.
* "X failed, but I upgraded and now it works": what precedes the "but" is the past the
  statement contrasts with; a "not"/"still" after it still blocks (explain/resolved.py).
"""

import pytest

from envcheck.explain import diagnose
from envcheck.explain.resolved import said_over
from envcheck.explain.source import normalise
from envcheck.rules.finding import Severity


def _gpu_names(text):
    explanation, _ = diagnose(normalise(text))
    gpus = explanation.facts.nvml.gpus.value or ()
    return [g.name.value for g in gpus if g.name.ok]


def test_a_sentence_before_a_quoted_capability_message_is_not_a_gpu_name():
    names = _gpu_names("Last year torch 1.7 did not support my RTX 3090 (sm_86 is not compatible with the "
                       "current PyTorch installation), so I asked here.")
    assert names == ["NVIDIA GeForce RTX 3090"]


def test_torchs_own_warning_still_names_the_gpu():
    names = _gpu_names("UserWarning: NVIDIA GeForce RTX 5090 with CUDA capability sm_120 is not compatible with "
                       "the current PyTorch installation.")
    assert names == ["NVIDIA GeForce RTX 5090"]


@pytest.mark.parametrize("line", [
    "Last year torch 1.7 did not support my RTX 3090, but I upgraded and now everything works.",
    "It did not work at first, however after a reboot it works again",
    "The driver was not loaded but now it works",
])
def test_over_after_a_contrast(line):
    assert said_over(normalise(line))


@pytest.mark.parametrize("line", [
    "It works now, but not on GPU 1.",
    "I reinstalled torch but it still works now only on CPU",
    "I tried a reboot but would it work now?",
    "It did not work, but I hope it works now",
    "It is not fixed yet, it works now only on the CPU",
])
def test_not_over_when_the_words_after_the_contrast_say_so(line):
    assert said_over(normalise(line)) is None


def test_a_paste_said_over_after_a_contrast_keeps_its_finding_as_a_warning():
    text = ("RuntimeError: CUDA error: no kernel image is available for execution on the device\n"
            "torch 1.7 did not support my RTX 3090, but I upgraded torch and now it works.")
    _, report = diagnose(normalise(text))
    ids = {f.id: f.severity for f in report.findings}
    assert "gpu_arch_unsupported_by_torch_build" in ids
    assert ids["gpu_arch_unsupported_by_torch_build"] is Severity.WARNING


@pytest.mark.parametrize("text", [
    "Driver crashes were an issue on my old PC. Now everything runs fine.",
    "The driver on my old laptop was 470, this one has 550.",
    "I kept the driver from the old install and it works.",
])
def test_old_before_a_noun_is_not_the_driver_said_too_old(text):
    # driver_prose: "old" said of the driver ("is old", "too old", "outdated."), not of another thing
    _, report = diagnose(normalise(text))
    assert not [f for f in report.findings if f.severity is Severity.ERROR]


@pytest.mark.parametrize("text", [
    "my nvidia driver is too old",
    "the error says my driver outdated.",
    "Driver version too old, please update",
])
def test_the_driver_said_too_old_still_counts(text):
    from envcheck.explain.parsers.driver_prose import _old_said

    assert _old_said(text)


@pytest.mark.parametrize("text", [
    'The only solution that works for us is to set `CUDA_VISIBLE_DEVICES=""`. Is there another way to disable CUDA?',
    "We export CUDA_VISIBLE_DEVICES=-1 to run the data workers on the CPU.",
    "def main():\n    # import os\n    # os.environ[\"CUDA_VISIBLE_DEVICES\"] = \"\"\n    print(torch.cuda.is_available())",
])
def test_gpus_hidden_on_purpose_or_in_commented_code_are_no_fault(text):
    # environment: a setting made to keep the GPU out, said so, or Python code commented out
    _, report = diagnose(normalise(text))
    assert "cuda_visible_devices_hides_gpus" not in {f.id for f in report.findings}


@pytest.mark.parametrize("text", [
    'os.environ["CUDA_VISIBLE_DEVICES"] = ""\nimport torch\nprint(torch.cuda.is_available())\nFalse',
    "$ CUDA_VISIBLE_DEVICES= python train.py\nRuntimeError: No CUDA GPUs are available",
])
def test_gpus_hidden_by_a_setting_in_effect_still_found(text):
    _, report = diagnose(normalise(text))
    assert "cuda_visible_devices_hides_gpus" in {f.id for f in report.findings}


def test_a_failure_said_of_another_cuda_is_not_this_builds():
    # derived.machine.fails_with: the CUDA window's strict reading needs a failure of this build
    text = ("- RTX 3090 + PyTorch 1.8.0 + CUDA 11.1 = 0.94 ms\n"
            "- RTX 3090 + PyTorch 1.7.0 + CUDA 11.0 = 1.12 ms\n"
            "Since RTX 3090 cannot use PyTorch with CUDA 10.2, it is a pity.")
    _, report = diagnose(normalise(text))
    assert not [f for f in report.findings if f.severity is Severity.ERROR]


def test_a_failure_of_this_build_still_judged_strictly():
    from envcheck.derived.machine import fails_with

    explanation, _ = diagnose(normalise("RTX 3090, torch 1.7.0: with CUDA 11.0 the training fails with an error."))
    assert fails_with(explanation.facts, "11.0") and not fails_with(explanation.facts, "10.2")
    explanation, _ = diagnose(normalise("RTX 3090, torch 1.7.0+cu110: training fails with an error."))
    assert fails_with(explanation.facts, "11.0")
