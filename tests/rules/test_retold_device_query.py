"""deviceQuery's "cudaGetDeviceCount returned N" retold in a sentence as advice, a definition or another
machine's is no failure of this one (rules/tool_output.cuda_init_failed, derived/line_report.not_reported);
deviceQuery's own output still is."""

from __future__ import annotations

import pytest

from envcheck.explain import diagnose, source


def _ids(text: str):
    return {f.id for f in diagnose(source.normalise(text), collected_at="")[1].findings}


@pytest.mark.parametrize("text", [
    "FAQ: cudaGetDeviceCount returned 803 usually means you need to reboot after a driver upgrade.",
    "On my colleague's server deviceQuery says cudaGetDeviceCount returned 100, mine is fine.",
    "If you see cudaGetDeviceCount returned 999, reload nvidia_uvm.",
])
def test_retold_is_not_this_machines(text):
    assert "cuda_init_failed" not in _ids(text)


def test_device_querys_own_output_is():
    text = ("./deviceQuery Starting...\n CUDA Device Query (Runtime API) version (CUDART static linking)\n"
            "cudaGetDeviceCount returned 100\n-> no CUDA-capable device is detected\nResult = FAIL\n")
    assert "cuda_init_failed" in _ids(text)
