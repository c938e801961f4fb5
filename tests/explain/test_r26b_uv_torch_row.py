"""Round 26 b: uv's install summary row for torch (explain/parsers/uv_installed.py, widened from
the nvidia-* rows): `` + torch==2.5.1`` after "Installed N packages in …" (uv
crates/uv/src/commands/pip/operations.rs report_changes) on Windows is PyPI's CPU-only wheel,
the shape of the "uvx --with … defaults to the [cpu] version" reports. Near-misses: a CUDA-labelled
row, a Linux machine (PyPI's Linux wheel has CUDA), the row removed, CUDA said available, no uv
summary (a diff line, not uv's). Texts written for the test."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

CPU = "torch_cpu_only_build"
HEAD = "Windows 11, RTX 4070 Ti\n"
UV = "Resolved 24 packages in 1.31s\nInstalled 24 packages in 8.02s\n"


def test_unlabelled_torch_row_on_windows():
    f = findings(HEAD + UV + " + numpy==2.1.3\n + torch==2.5.1\n + torchvision==0.20.1\n")
    assert CPU in f, sorted(f)


@pytest.mark.parametrize("paste", [
    HEAD + UV + " + torch==2.5.1+cu124\n + torchvision==0.20.1+cu124\n",
    "Ubuntu 22.04, RTX 4070 Ti\n" + UV + " + torch==2.5.1\n + torchvision==0.20.1\n",
    HEAD + UV + " - torch==2.5.1\n + torch==2.5.1+cu124\n",
    HEAD + UV + " + torch==2.5.1\n>>> torch.cuda.is_available()\nTrue\n",
    HEAD + "diff of requirements:\n + torch==2.5.1\n - torch==2.4.0\n",
])
def test_uv_torch_row_near_misses(paste):
    assert CPU not in findings(paste)
