"""rules/tool_output.py on built facts: each finding fires on its state, stays silent on a
healthy machine and when what it needs is unknown."""

from __future__ import annotations

import dataclasses

import pytest

from envcheck.explain import smi_values
from envcheck.facts import NvmlFacts, ToolkitFacts, TorchFacts
from envcheck.rules import evaluate, tool_output
from envcheck.rules.finding import Severity
from tests.builders import fail, gpu, healthy_machine, machine, ok, torch_build, with_gpu


def findings(facts, rule):
    return [(f.id, f.severity, f.gpu) for f in evaluate(facts, rules=[rule]).findings]


def test_a_healthy_machine_gives_none_of_them():
    assert [f for f in evaluate(healthy_machine(toolkit=ToolkitFacts(nvcc_version=ok("13.0"))),
                                rules=tool_output.RULES).findings] == []


def test_the_implausible_marker_is_one_phrase_on_both_sides():
    assert smi_values.IMPLAUSIBLE == tool_output.IMPLAUSIBLE
    draw = smi_values.plausible_power(ok(588.0), ok(35.0))
    assert draw.status.value == "error" and draw.detail.startswith(tool_output.IMPLAUSIBLE)
    assert smi_values.plausible_power(ok(90.0), ok(80.0)).value == 90.0  # over the limit, but a measurement


def test_err_and_implausible_readings():
    f = with_gpu(healthy_machine(), power_draw_w=fail("error", "nvidia-smi, line 3: nvidia-smi printed ERR!"),
                 temp_c=fail("error", "implausible reading: 900 C"))
    assert findings(f, tool_output.nvml_query_errors) == [("nvml_query_errors", Severity.WARNING, 0)]
    assert findings(f, tool_output.gpu_reading_implausible) == [("gpu_reading_implausible", Severity.WARNING, 0)]
    cuda_err = dataclasses.replace(healthy_machine(), nvml=dataclasses.replace(
        healthy_machine().nvml, cuda_driver_version=fail("error", "nvidia-smi printed CUDA Version: ERR!")))
    assert findings(cuda_err, tool_output.nvml_query_errors) == [("nvml_query_errors", Severity.WARNING, None)]


def test_missing_uuid():
    f = with_gpu(healthy_machine(), uuid=fail("error", "nvidia-smi printed an empty UUID"))
    assert findings(f, tool_output.gpu_uuid_missing) == [("gpu_uuid_missing", Severity.WARNING, 0)]


def test_driver_found_no_gpu_only_when_nvml_ran_and_listed_none():
    none = machine(nvml=NvmlFacts(init=ok(True), gpus=ok(())))
    assert findings(none, tool_output.driver_found_no_gpu) == [("driver_found_no_gpu", Severity.ERROR, None)]
    assert findings(machine(nvml=NvmlFacts(init=ok(True))), tool_output.driver_found_no_gpu) == []
    assert findings(machine(gpus=[gpu()]), tool_output.driver_found_no_gpu) == []


@pytest.mark.parametrize("nvcc, cuda, expected", [
    ("12.8", "12.2", [("cuda_toolkit_newer_than_driver", Severity.WARNING, None)]),  # minor version compatibility
    ("13.0", "12.9", [("cuda_toolkit_newer_than_driver", Severity.ERROR, None)]),
    ("12.2", "12.2", []),
    ("11.8", "12.4", []),
])
def test_nvcc_against_the_drivers_cuda(nvcc, cuda, expected):
    f = machine(nvml=NvmlFacts(cuda_driver_version=ok(cuda)), toolkit=ToolkitFacts(nvcc_version=ok(nvcc)))
    assert findings(f, tool_output.cuda_toolkit_newer_than_driver) == expected
    assert findings(machine(toolkit=ToolkitFacts(nvcc_version=ok(nvcc))), tool_output.cuda_toolkit_newer_than_driver) == []


def test_device_query_error_35_and_others():
    text = "deviceQuery: cudaGetDeviceCount returned 35 -> CUDA driver version is insufficient for CUDA runtime version"
    f = machine(torch=TorchFacts(errors=ok((text,))))
    assert findings(f, tool_output.cuda_toolkit_newer_than_driver) == [
        ("cuda_toolkit_newer_than_driver", Severity.ERROR, None)]
    assert findings(f, tool_output.cuda_init_failed) == []
    with_torch = machine(torch=dataclasses.replace(torch_build("2.13.0+cu130"), errors=ok((text,))))
    assert findings(with_torch, tool_output.cuda_toolkit_newer_than_driver) == []  # driver_too_old_for_torch_cuda's
    f = machine(torch=TorchFacts(errors=ok(("deviceQuery: cudaGetDeviceCount returned 100 -> no CUDA-capable device",))))
    [finding] = evaluate(f, rules=[tool_output.cuda_init_failed]).findings
    assert "cudaErrorNoDevice" in finding.explanation and any("CUDA_VISIBLE_DEVICES" in c for c in finding.fix)
