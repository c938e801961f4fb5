"""Round 17 d: whose CUDA is newer than the driver.

* PaddlePaddle's own wording of cudaErrorInsufficientDriver ("OSError: (External)  Cuda error(35), …",
  Paddle 1.8 "ExternalError:  Cuda error(35), …", Paddle 2.x "CUDA error(35), …": enforce.h's
  build_nvidia_error_msg) is Paddle's CUDA runtime, so cuda_toolkit_newer_than_driver, not torch's
  driver_too_old_for_torch_cuda (derived/cuda_program.py).
* torch's "The NVIDIA driver on your system is too old" quoted without "(found version N)"
  (messages.toml torch_driver_too_old_unversioned) is still torch's verdict.

Texts written for the test after the shapes of real reports (PaddlePaddle/Paddle#30933 on AI Studio,
a Vertex AI notebook thread); near-misses: torch's own "CUDA error:" form of the same runtime message,
the sentence denied or told as what may come, and the full message with its version (one entry)."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

TORCH = "driver_too_old_for_torch_cuda"
NEWER = "cuda_toolkit_newer_than_driver"
ADVISE = ("  [Advise: This indicates that the installed NVIDIA CUDA driver is older than the CUDA runtime library. This "
          "is not a supported configuration.Users should install an updated NVIDIA display driver to allow the "
          "application to run.] (at /paddle/paddle/fluid/platform/gpu_info.cc:78)")


@pytest.mark.parametrize("line", [
    "OSError: (External)  Cuda error(35), CUDA driver version is insufficient for CUDA runtime version.",
    "ExternalError:  Cuda error(35), CUDA driver version is insufficient for CUDA runtime version.",
    "OSError: (External) CUDA error(35), CUDA driver version is insufficient for CUDA runtime version.",
])
def test_paddles_cuda_error_is_its_own_runtime(line):
    text = ("  File \"/opt/conda/lib/python3.7/site-packages/paddle/device.py\", line 134, in set_device\n"
            "    place = core.CUDAPlace(ParallelEnv().dev_id)\n" + line + "\n" + ADVISE + "\n")
    got = findings(text)
    assert NEWER in got and TORCH not in got


def test_torchs_cuda_error_form_stays_torchs():
    text = ("  File \"/usr/lib/python3/site-packages/torch/cuda/__init__.py\", line 172, in _lazy_init\n"
            "    torch._C._cuda_init()\n"
            "RuntimeError: CUDA error: CUDA driver version is insufficient for CUDA runtime version\n")
    got = findings(text)
    assert TORCH in got and NEWER not in got


@pytest.mark.parametrize("text", [
    "The default version was cu121, which didn't work and failed (RuntimeError: The NVIDIA driver on your system "
    "is too old) in this cell:",
    "RuntimeError: The NVIDIA driver on your system is too old. Please update your GPU driver",
    "torch 报错 The NVIDIA driver on your system is too old，怎么办",
])
def test_torchs_driver_too_old_quoted_without_its_version(text):
    got = findings(text)
    assert TORCH in got and got[TORCH].severity.value == "error"


@pytest.mark.parametrize("text", [
    "I no longer get 'The NVIDIA driver on your system is too old' after updating the driver.",
    "If you see 'The NVIDIA driver on your system is too old', update the driver.",
])
def test_the_sentence_denied_or_told_as_what_may_come_is_no_finding(text):
    assert TORCH not in findings(text)


def test_the_full_message_is_read_once_with_its_version():
    from envcheck.explain import diagnose, source
    from envcheck.rules.engine import RuleContext

    text = ("RuntimeError: The NVIDIA driver on your system is too old (found version 10010). Please update your "
            "GPU driver by downloading and installing a new version from the URL: http://www.nvidia.com/Download/"
            "index.aspx Alternatively, go to: https://pytorch.org to install a PyTorch version that has been "
            "compiled with your version of the CUDA driver.")
    explanation, _ = diagnose(source.normalise(text), collected_at="")
    ids = [s.id for s in RuleContext(explanation.facts).stated]
    assert "torch_driver_too_old_unversioned" not in ids and "torch_driver_too_old" in ids
