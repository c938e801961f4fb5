"""Round 26 k: the toolkit and the driver's CUDA told in prose (parsers/toolkit_said.py,
parsers/cuda_said.py): "the installed CUDA Toolkit is version 12.5", "the CUDA toolkit version
installed (12.5)", "the CUDA driver is version 550.54.15 supporting CUDA Toolkit 12.4", "the
installed driver is compatible with CUDA 12.4". Texts written for the test, with near-misses: what
a driver supports is not the installed toolkit, a driver wanted, another machine, a question, and
a working machine whose versions agree.
"""

from __future__ import annotations

import pytest

from envcheck.explain import diagnose, source
from tests.rules.test_unseen_classes import errors, findings

NEWER = "cuda_toolkit_newer_than_driver"


def _facts(text: str):
    explanation, _ = diagnose(source.normalise(text), collected_at="")
    return explanation.facts


@pytest.mark.parametrize("text, release", [
    ("However, the installed CUDA Toolkit is version 12.5 which is incompatible with the driver.", "12.5"),
    ("It appears the CUDA toolkit version installed (12.5) requires driver version 555.42.02.", "12.5"),
    ("The currently installed CUDA driver is version 550.54.15 supporting CUDA Toolkit 12.4. "
     "However, the installed CUDA Toolkit is version 12.5.", "12.5"),
])
def test_toolkit_release_said(text, release):
    assert _facts(text).toolkit.nvcc_version.value == release


@pytest.mark.parametrize("text", [
    "The driver 550.54.15 is supporting CUDA Toolkit 12.4.",
    "This driver is compatible with CUDA Toolkit 12.4 and older.",
    "Is the installed CUDA Toolkit version 12.5?",
])
def test_toolkit_release_not_said(text):
    assert _facts(text).toolkit.nvcc_version.value is None


@pytest.mark.parametrize("text, cuda", [
    ("The currently installed CUDA driver is version 550.54.15 supporting CUDA Toolkit 12.4.", "12.4"),
    ("The installed driver is compatible with CUDA 12.4 while the CUDA toolkit 12.5 is installed.", "12.4"),
])
def test_driver_cuda_said(text, cuda):
    assert _facts(text).nvml.cuda_driver_version.value == cuda


@pytest.mark.parametrize("text", [
    "You need to install a driver supporting CUDA 12.4.",
    "My old laptop's driver is compatible with CUDA 12.4.",
    "Is the installed driver compatible with CUDA 12.4?",
])
def test_driver_cuda_not_said(text):
    r = _facts(text).nvml.cuda_driver_version
    assert not (r.ok and r.value == "12.4")


def test_toolkit_newer_than_the_driver_said():
    text = ("The currently installed CUDA driver is version 550.54.15 supporting CUDA Toolkit 12.4. However, the "
            "installed CUDA Toolkit is version 12.5 which is incompatible with the driver.")
    assert NEWER in findings(text)


@pytest.mark.parametrize("text", [
    # the versions agree
    "The installed CUDA driver is version 550.54.15 supporting CUDA Toolkit 12.4, and the installed CUDA Toolkit "
    "is version 12.4. Everything works; my question is about the API.",
    # an older toolkit than the driver's CUDA is fine
    "The installed driver is compatible with CUDA 12.4 and the installed CUDA Toolkit is version 12.1.",
    # a toolkit the person wants, not has
    "The installed driver is compatible with CUDA 12.4. Should I install CUDA Toolkit 12.5?",
])
def test_near_misses_get_no_error(text):
    assert NEWER not in errors(text)


@pytest.mark.parametrize("text, driver", [
    ("CUDA 12.4 requires driver version 550.54.14 or newer, my driver version is 535.104.05", "535.104.05"),
    ("It appears the CUDA toolkit version installed (12.5) requires driver version 555.42.02, wherease the script "
     "installs driver version 550.90.07.", "550.90.07"),
    ("my driver version is 535.104.05", "535.104.05"),
])
def test_the_installed_driver_not_the_required_one(text, driver):
    assert _facts(text).nvml.driver_version.value == driver


@pytest.mark.parametrize("text", [
    "The toolkit needs driver 550.54.14 or newer.",
    "CUDA 12.5 requires driver version 555.42.02.",
    "At least driver 525.60.13 is required.",
])
def test_a_required_driver_is_not_the_installed_one(text):
    assert _facts(text).nvml.driver_version.value is None
