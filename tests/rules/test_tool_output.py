"""rules/tool_output.py on built facts: each finding fires on its state, stays silent on a
healthy machine and when what it needs is unknown."""

from __future__ import annotations

import dataclasses

import pytest

from envcheck.explain import smi_values
from envcheck.facts import NvmlFacts, PciFacts, ToolkitFacts, TorchFacts
from envcheck.rules import compat, evaluate, tool_output
from envcheck.rules.finding import Confidence, Severity
from tests.builders import fail, gpu, healthy_host, healthy_machine, machine, ok, pci_gpu, torch_build, with_gpu
from tests.rules import fix, fix_text


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
    # deviceQuery brought its own runtime: its failure says nothing of torch's (no driver version here)
    assert findings(with_torch, tool_output.cuda_toolkit_newer_than_driver) == [
        ("cuda_toolkit_newer_than_driver", Severity.ERROR, None)]
    assert findings(with_torch, compat.driver_too_old_for_torch_cuda) == []
    f = machine(torch=TorchFacts(errors=ok(("deviceQuery: cudaGetDeviceCount returned 100 -> no CUDA-capable device",))))
    [finding] = evaluate(f, rules=[tool_output.cuda_init_failed]).findings
    assert "cudaErrorNoDevice" in finding.explanation and any("CUDA_VISIBLE_DEVICES" in c for c in fix(finding, f))


# --------------------------------------------------------------------------- the recipes they name
def _one(facts, rule):
    [found] = evaluate(facts, rules=[rule]).findings
    return found


def test_gpu_findings_fill_their_recipe_with_the_gpu():
    facts = with_gpu(healthy_machine(), power_draw_w=fail("error", "nvidia-smi, line 3: nvidia-smi printed ERR!"),
                     uuid=fail("error", "nvidia-smi printed an empty UUID"))
    err = _one(facts, tool_output.nvml_query_errors)
    assert err.recipe == "nvml_errors_check" and dict(err.values) == {"gpu_index": "0"}
    assert "nvidia-smi -q -i 0" in fix(err, facts)
    uuid = _one(facts, tool_output.gpu_uuid_missing)
    assert uuid.recipe == "gpu_identity_check" and "nvidia-smi -q -i 0 | grep -i -E 'UUID|Inforom|VBIOS'" in fix(uuid, facts)
    hot = with_gpu(healthy_machine(), power_draw_w=fail("error", "implausible reading: 588 W drawn against a 35 W limit"))
    odd = _one(hot, tool_output.gpu_reading_implausible)
    assert odd.recipe == "gpu_sensor_check" and odd.confidence is Confidence.LIKELY  # envcheck's judgement
    assert "nvidia-smi -q -d POWER,TEMPERATURE -i 0" in fix(odd, hot)
    assert err.confidence is Confidence.CONFIRMED and uuid.confidence is Confidence.CONFIRMED


def test_cuda_err_names_libcuda_with_the_steps_for_wsl_or_the_distribution():
    def cuda_err(**host):
        base = healthy_machine(host=healthy_host(**host))
        return dataclasses.replace(base, nvml=dataclasses.replace(
            base.nvml, cuda_driver_version=fail("error", "nvidia-smi printed CUDA Version: ERR!")))

    wsl = cuda_err(wsl="wsl2")
    f = _one(wsl, tool_output.nvml_query_errors)
    assert f.recipe == "libcuda_check" and f.gpu is None
    cmds = fix(f, wsl)
    assert "ldconfig -p | grep libcuda" in cmds and "wsl --shutdown" in cmds and "ls -l /usr/lib/wsl/lib/" in cmds
    assert not any(c.startswith(("dpkg -S", "rpm -qf")) for c in cmds)
    ubuntu = cuda_err()
    assert "dpkg -S libcuda.so.1" in fix(f, ubuntu) and "wsl --shutdown" not in fix(f, ubuntu)
    assert "rpm -qf /usr/lib64/libcuda.so.1" in fix(f, cuda_err(os_id="fedora", os_version="41"))


def test_no_gpu_initialised_is_likely_until_the_bus_shows_one():
    none = machine(nvml=NvmlFacts(init=ok(True), gpus=ok(())))
    assert _one(none, tool_output.driver_found_no_gpu).confidence is Confidence.LIKELY
    on_bus = machine(nvml=NvmlFacts(init=ok(True), gpus=ok(())), pci=PciFacts(ok((pci_gpu(),))))
    f = _one(on_bus, tool_output.driver_found_no_gpu)
    assert f.confidence is Confidence.CONFIRMED and f.recipe == "gpu_init_triage"
    assert {"sudo dmesg -T | grep -i -E 'NVRM|nvidia' | tail -n 40", "lspci -nnk -d 10de:"} <= set(fix(f, on_bus))


def test_cuda_init_failure_steps_and_the_container_toolkit_inside_a_container():
    text = "deviceQuery: cudaGetDeviceCount returned 999 -> unknown error"
    bare = healthy_machine(torch=TorchFacts(errors=ok((text,))))
    f = _one(bare, tool_output.cuda_init_failed)
    assert {"sudo rmmod nvidia_uvm", "sudo modprobe nvidia-uvm", "nvidia-smi"} <= set(fix(f, bare))
    assert not any("--gpus all" in c for c in fix(f, bare))
    boxed = healthy_machine(torch=TorchFacts(errors=ok((text,))), host=healthy_host(container="docker"))
    assert any("docker run --rm --gpus all" in c for c in fix(f, boxed))


def test_toolkit_newer_than_the_driver_points_at_the_driver_recipe_for_the_distribution():
    f = machine(nvml=NvmlFacts(cuda_driver_version=ok("12.2")), toolkit=ToolkitFacts(nvcc_version=ok("12.8")),
                host=healthy_host())
    found = _one(f, tool_output.cuda_toolkit_newer_than_driver)
    assert found.recipe == "cuda_toolkit_for_driver" and "nvcc --version" in fix(found, f)
    assert "driver_ubuntu_drivers" in fix_text(found, f) and "driver_other_distros" not in fix_text(found, f)
    rhel = dataclasses.replace(f, host=healthy_host(os_id="rocky", os_version="9.4"))
    assert "driver_other_distros" in fix_text(found, rhel)
