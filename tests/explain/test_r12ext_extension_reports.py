"""explain/parsers/extension_reports.py (branch r12ext): DeepSpeed's ds_report rows,
``python -m xformers.info`` rows and a person's "torch.version.cuda is X" / "nvcc --version
is Y", into the facts the version and GPU rules read. Texts written for the test from the
tools' format strings (deepspeed/env_report.py, xformers/info.py)."""

from __future__ import annotations

import pytest

from envcheck.explain.parsers import extension_reports
from envcheck.explain.partial import STATED
from tests.explain.helpers import gpu_fields, text, values


def test_ds_report_rows_give_torch_its_cuda_and_nvcc():
    f = extension_reports.parse(text(
        "DeepSpeed general environment info:\n"
        "torch install path ............... ['/usr/lib/python3/dist-packages/torch']\n"
        "torch version .................... 2.1.2+cu121\n"
        "torch cuda version ............... 12.1\n"
        "torch hip version ................ None\n"
        "nvcc version ..................... 11.8\n"
        "deepspeed wheel compiled w. ...... torch 2.1, cuda 12.1\n"))
    assert values(f) == {"torch.version": "2.1.2+cu121", "torch.cuda_build": "12.1", "toolkit.nvcc_version": "11.8"}


def test_ds_report_without_nvcc_or_cuda_claims_nothing_for_them():
    f = extension_reports.parse(text(
        "torch version .................... 2.2.0+cpu\n"
        "torch cuda version ............... None\n"
        "nvcc version ..................... [FAIL] nvcc missing\n"))
    assert values(f) == {"torch.version": "2.2.0+cpu"}


def test_xformers_info_rows_give_torch_and_gpu_zero():
    f = extension_reports.parse(text(
        "xFormers 0.0.16\n"
        "pytorch.version:                                   1.13.1+cu117\n"
        "pytorch.cuda:                                      available\n"
        "gpu.compute_capability:                            8.6\n"
        "gpu.name:                                          NVIDIA GeForce RTX 3090\n"
        "build.torch_version:                               1.13.1+cu117\n"))
    assert values(f) == {"torch.version": "1.13.1+cu117", "torch.cuda_available": True}
    assert gpu_fields(f) == [{"index": 0, "name": "NVIDIA GeForce RTX 3090", "compute_capability": "8.6"}]


def test_xformers_info_without_cuda():
    f = extension_reports.parse(text("pytorch.version:   2.2.0+cpu\npytorch.cuda:      not available\n"
                                     "gpu.compute_capability:     None\n"))
    assert values(f) == {"torch.version": "2.2.0+cpu", "torch.cuda_available": False}
    assert gpu_fields(f) == []


@pytest.mark.parametrize("said, path, version", [
    ("my torch.version.cuda is 9.0.176, but my nvcc --version is 10.0", "torch.cuda_build", "9.0"),
    ("my torch.version.cuda is 9.0.176, but my nvcc --version is 10.0", "toolkit.nvcc_version", "10.0"),
    (">>> torch.version.cuda returns '11.8' here", "torch.cuda_build", "11.8"),
    ("and nvcc -V shows release 12.4", "toolkit.nvcc_version", "12.4"),
    ("torch.version.cuda是11.3", "torch.cuda_build", "11.3"),
])
def test_a_persons_words_for_torch_cuda_and_nvcc(said, path, version):
    f = extension_reports.parse(text(said))
    claims = {c.path: c for c in f.claims}
    assert claims[path].reading.value == version
    assert claims[path].rank == STATED


@pytest.mark.parametrize("said", [
    "Should torch.version.cuda be 11.8 when nvcc --version is 12.1?",
    "torch.version.cuda should be 11.7 and nvcc --version must be 11.7 too",
    "print(torch.version.cuda)",
    "I changed nvcc --version is 11.3 to nvcc --version is 12.1 by switching CUDA_HOME",  # two releases: a change
])
def test_questions_wishes_code_and_changes_claim_nothing(said):
    assert extension_reports.parse(text(said)).claims == []
