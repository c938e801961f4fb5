"""MXNet's start-up cuDNN check (exact equality of cudnnGetVersion and CUDNN_VERSION) is a
mismatch that breaks only across majors or with an older runtime minor; a newer minor of the
same major is the check's harmless case (cuDNN keeps compatibility within a major)."""

from __future__ import annotations

import pytest

from envcheck.explain import diagnose
from envcheck.explain.source import normalise

BROKEN = [
    # MXNet 0.x, fatal, another major
    "[12:01:02] src/operator/cudnn_algoreg.cc:29: cuDNN library mismatch: linked-against version 7605 "
    "!= compiled-against version 8101",
    # 1.x warning, older runtime minor
    "[08:32:10] ../src/base.cc:80: cuDNN lib mismatch: linked-against version 8100 != compiled-against version "
    "8200.  Set MXNET_CUDNN_LIB_CHECKING=0 to quiet this warning.",
    # cuDNN 9's encoding at run time, a cuDNN 8 build
    ">>> import mxnet as mx\ncuDNN library mismatch: linked-against version 90100 != compiled-against version 8907.  "
    "Set MXNET_CUDNN_VERSION_CHECKING=0 to quiet this warning.",
]

HEALTHY = [
    # newer minor of the same major: MXNet warns, cuDNN stays compatible
    "[08:32:10] ../src/base.cc:80: cuDNN lib mismatch: linked-against version 8200 != compiled-against version "
    "8100.  Set MXNET_CUDNN_LIB_CHECKING=0 to quiet this warning.\n>>> mx.nd.ones((2,), ctx=mx.gpu()).asnumpy()\n"
    "array([1., 1.], dtype=float32)",
    "cuDNN lib mismatch: linked-against version 8907 != compiled-against version 8101.  Set "
    "MXNET_CUDNN_LIB_CHECKING=0 to quiet this warning.",
    # a question naming the variable, no versions
    "Is it safe to set MXNET_CUDNN_LIB_CHECKING=0 to hide the cuDNN lib mismatch warning?",
]


def _ids(text: str):
    return {f.id for f in diagnose(normalise(text))[1].findings}


@pytest.mark.parametrize("text", BROKEN)
def test_mxnet_cudnn_across_majors_or_older_is_a_mismatch(text):
    assert "cudnn_version_mismatch" in _ids(text)


@pytest.mark.parametrize("text", HEALTHY)
def test_mxnet_cudnn_newer_minor_or_a_question_is_no_mismatch(text):
    assert "cudnn_version_mismatch" not in _ids(text)
