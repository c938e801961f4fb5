"""CUDA 13's library wheels dropped the -cu13 suffix for the libraries numbered like CUDA
(nvidia-cublas 13.x, nvidia-cuda-runtime 13.x; cuDNN and NCCL keep it): a cu12 set beside them is
still two sets (derived/libraries.wheels)."""

from __future__ import annotations

from envcheck.derived.libraries import wheels
from envcheck.explain import explain_text
from tests.rules.test_unseen_classes import findings

CU130 = """torch                     2.9.0+cu130
nvidia-cublas             13.0.0.19
nvidia-cuda-runtime       13.0.48
nvidia-cuda-nvrtc         13.0.48
nvidia-cudnn-cu13         9.13.0.50
nvidia-nccl-cu13          2.27.7
nvidia-cufft              12.0.0.15
nvidia-curand             10.4.0.35
"""
CU12_SET = """nvidia-cublas-cu12        12.8.4.1
nvidia-cuda-runtime-cu12  12.8.90
nvidia-cudnn-cu12         9.10.2.21
"""


def test_unsuffixed_wheels_are_read_by_their_version():
    w = wheels(explain_text(CU130).facts)
    assert w["cublas"] == {13: ("nvidia-cublas", "13.0.0.19")}
    assert w["cudnn"] == {13: ("nvidia-cudnn-cu13", "9.13.0.50")}
    # cuFFT 12.x and cuRAND 10.x number themselves: no CUDA major from them
    assert "cufft" not in w and "curand" not in w


def test_a_cu12_set_beside_cuda13_wheels_is_two_sets():
    f = findings(CU130 + CU12_SET)
    assert "conflicting_cuda_wheel_packages" in f
    text = f["conflicting_cuda_wheel_packages"].explanation
    assert "nvidia-cublas-cu12" in text and "nvidia-cublas-cu13" not in text


def test_cuda13_wheels_alone_are_one_set():
    assert "conflicting_cuda_wheel_packages" not in findings(CU130)
