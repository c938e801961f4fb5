"""A debug setting named as the errors that advise it ("my CUDA_LAUNCH_BLOCKING=1 errors": torch's
error footer says "For debugging consider passing CUDA_LAUNCH_BLOCKING=1") is not the variable set
(``parsers/environment.py``); a setting made is still read."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings


@pytest.mark.parametrize("text", [
    "it turns out almost 99% of my CUDA_LAUNCH_BLOCKING=1 errors on my 4090 were caused by overclocking\n",
    "I keep getting these CUDA_LAUNCH_BLOCKING=1 error messages in ComfyUI\n",
])
def test_errors_named_by_the_setting_are_not_a_setting(text):
    assert "debug_env_vars_set" not in findings(text)


@pytest.mark.parametrize("text", [
    "export CUDA_LAUNCH_BLOCKING=1\npython train.py\n",
    "I run with CUDA_LAUNCH_BLOCKING=1 python train.py and it is very slow\n",
    "I set CUDA_LAUNCH_BLOCKING=1, errors are the same\n",
])
def test_a_setting_made_is_read(text):
    assert "debug_env_vars_set" in findings(text)
