"""An unsuffixed torch version ("1.12.1": conda's builds, pip list) is PyPI's default variant only
until torch's own CUDA says otherwise (derived/machine._of_its_cuda): conda's 1.12.1 built with
CUDA 11.3 has sm_80, PyPI's default 1.12.1 (cu102) has not."""

from __future__ import annotations

from envcheck.explain import diagnose, source


def _ids(text: str):
    _, report = diagnose(source.normalise(text), collected_at="")
    return {f.id for f in report.findings}


def _collect_env(cuda_line: str, gpu: str) -> str:
    return ("Collecting environment information...\nPyTorch version: 1.12.1\nIs debug build: False\n"
            f"{cuda_line}\nROCM used to build PyTorch: N/A\n\nOS: Ubuntu 20.04.5 LTS (x86_64)\n"
            "Is CUDA available: True\nCUDA runtime version: 11.3.109\nGPU models and configuration:\n"
            f"GPU 0: {gpu}\n\nNvidia driver version: 515.65.01\n")


ARCH_IDS = {"gpu_arch_unsupported_by_torch_build", "gpu_arch_too_old_for_torch_build"}


def test_a_conda_build_with_its_cuda_shown_is_judged_by_that_cuda():
    assert not _ids(_collect_env("CUDA used to build PyTorch: 11.3", "NVIDIA A100-SXM4-40GB")) & ARCH_IDS


def test_the_same_version_built_with_cuda_10_2_still_lacks_sm_80():
    assert "gpu_arch_unsupported_by_torch_build" in _ids(
        _collect_env("CUDA used to build PyTorch: 10.2", "NVIDIA A100-SXM4-40GB"))


def test_a_gpu_newer_than_the_cuda_shown_still_gets_the_finding():
    assert "gpu_arch_unsupported_by_torch_build" in _ids(
        _collect_env("CUDA used to build PyTorch: 11.3", "NVIDIA GeForce RTX 5090"))
