"""A script's bare ``print(torch.<expr>)`` line pasted with its output on the next line, the
output often marked (">>false", "-> False", "output: False") (branch r4a). Beside each, a
paste with the same line that prints something else or is followed by more code. Texts
written for the test."""

from __future__ import annotations

import pytest

from envcheck.explain.parsers import interactive
from tests.explain.helpers import text, values


@pytest.mark.parametrize("paste", [
    "import torch\nprint(torch.cuda.is_available())\n>>false\n",
    "print(torch.cuda.is_available())\nFalse\n",
    "print(torch.cuda.is_available())\n-> False\n",
    "print(torch.cuda.is_available())\noutput: False\n",
    "print(torch.cuda.is_available())\nreturn False\n",
    "print(torch.cuda.is_available())\n返回 False\n",
])
def test_script_output_false_is_read(paste):
    assert values(interactive.parse(text(paste)))["torch.cuda_available"] is False


def test_script_output_version_is_read():
    v = values(interactive.parse(text("print(torch.__version__)\n>> 1.4.0\n")))
    assert v["torch.version"] == "1.4.0"


@pytest.mark.parametrize("paste", [
    "print(torch.cuda.is_available())\nx = torch.zeros(3).cuda()\n",  # more code, no output
    "print(torch.cuda.is_available())\n>>> print(torch.version.cuda)\n",  # the next prompt
    "print(torch.__version__)\nprint('done')\n",
])
def test_script_line_without_output_sets_nothing(paste):
    v = values(interactive.parse(text(paste)))
    assert "torch.cuda_available" not in v and "torch.version" not in v


def test_script_output_true_is_true():
    assert values(interactive.parse(text("print(torch.cuda.is_available())\n>>True\n")))["torch.cuda_available"] is True
