"""Round 27 b: a framework's CPU and GPU packages said to be installed together in a Markdown
heading ("## Update: it seems like onnxruntime_gpu … was installed alongside regular onnxruntime",
danielgatis/rembg#600): explain/parsers/framework_packages.py skipped every line starting with "#"
as a root prompt; a heading ("##", or "#" before a word that is no command) is the person's prose.

Near-misses: a root prompt typing the install ("# pip install onnxruntime onnxruntime-gpu"), a
heading that removes one of them or advises, a heading asking. Texts written for the test."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

ID = "cpu_and_gpu_framework_packages_both_installed"


@pytest.mark.parametrize("paste", [
    "## Update: it seems like onnxruntime_gpu was installed alongside regular onnxruntime\n## Update 2: that fixed it",
    "# Update: onnxruntime and onnxruntime-gpu were both installed in my venv",
    "### paddlepaddle and paddlepaddle-gpu are both installed",
])
def test_heading_said_both(paste):
    assert ID in findings(paste)


@pytest.mark.parametrize("paste", [
    "# pip install onnxruntime onnxruntime-gpu together",
    "## Fix: uninstall onnxruntime, keep onnxruntime-gpu alongside nothing else",
    "## Do not install onnxruntime and onnxruntime-gpu together",
    "## Are onnxruntime and onnxruntime-gpu both installed?",
])
def test_heading_near_misses(paste):
    assert ID not in findings(paste)
