"""`envcheck doctor --facts` on a fixed snapshot: JSON, text and Markdown compared exactly.

The snapshot is an H100 machine with three problems (a throttling GPU, a leftover debug
variable, a stale cuDNN on LD_LIBRARY_PATH). Regenerate the expected files after an
intended change with: ENVCHECK_REGEN=1 python -m pytest tests/core/test_doctor_output.py
"""

import dataclasses
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from envcheck import snapshot
from envcheck.cli import cli
from envcheck.facts import LibraryFile, ToolkitFacts
from tests.builders import env, healthy_machine, ok, with_gpu

HERE = Path(__file__).resolve().parents[1] / "fixtures" / "doctor"
SNAPSHOT = HERE / "h100_three_problems.snapshot.json"


def build_snapshot():
    facts = healthy_machine(
        env=env(CUDA_LAUNCH_BLOCKING="1", CUDA_VISIBLE_DEVICES="0"),
        toolkit=ToolkitFacts(nvcc_version=ok("12.4"), nvcc_path=ok("/usr/local/cuda-12.4/bin/nvcc"),
                             ld_library_path=ok(("/opt/cudnn-8.6/lib", "/usr/local/cuda-12.4/lib64")),
                             libraries=ok((LibraryFile("libcudnn.so.8", "/opt/cudnn-8.6/lib/libcudnn.so.8.6.0",
                                                       "8.6.0", "ld_library_path"),))))
    facts = with_gpu(facts, temp_c=88, utilization_gpu_pct=100, power_draw_w=690.0, clock_sm_mhz=1410,
                     clock_event_reasons=("sw_thermal_slowdown", "hw_thermal_slowdown"))
    return dataclasses.replace(facts, collected_at="2026-11-23T09:00:00+00:00", envcheck_version="0.1.0")


@pytest.mark.parametrize("fmt, suffix", [(["--json"], "json"), ([], "txt"), (["--markdown"], "md")])
def test_doctor_output_is_exactly_as_recorded(fmt, suffix):
    if os.environ.get("ENVCHECK_REGEN"):
        snapshot.save(build_snapshot(), SNAPSHOT)
    # SOURCE_DATE_EPOCH fixes the envelope's created_at (2026-11-23T09:00:00Z).
    r = CliRunner().invoke(cli, ["doctor", "--facts", str(SNAPSHOT), "--no-color", *fmt],
                           env={"SOURCE_DATE_EPOCH": "1795424400"})
    expected = HERE / f"h100_three_problems.expected.{suffix}"
    if os.environ.get("ENVCHECK_REGEN"):
        expected.write_text(r.output)
    assert r.exit_code == 0  # warnings only: exit 0 without --strict
    assert r.output == expected.read_text()


def test_strict_turns_the_warnings_into_exit_1():
    r = CliRunner().invoke(cli, ["doctor", "--facts", str(SNAPSHOT), "--json", "--strict"])
    assert r.exit_code == 1


def test_snapshot_fixture_matches_its_builder():
    assert snapshot.load(SNAPSHOT) == dataclasses.replace(build_snapshot(), source="snapshot")


def test_gpu_check_line_fails_when_the_quick_verify_failed():
    # The kernel ran, but envcheck verify's quick convolution subset did not pass: the summary
    # line once still said "passed" next to the torch_gpu_check_failed error.
    from envcheck.report.summary import torch_lines
    from tests.builders import machine, torch_build

    def line(**checks):
        return dict(torch_lines(machine(torch=torch_build(**checks))))["GPU check"]

    assert line(kernel_check=True, conv_check_max_rel_err=2e-7, conv_check_passed=True) == \
        "passed, conv max rel. error 2.0e-07"
    assert line(kernel_check=True, conv_check_max_rel_err=0.5, conv_check_passed=False).startswith("FAILED")
    assert line(kernel_check=False).startswith("FAILED")
    assert dict(torch_lines(machine(torch=torch_build(cudnn=91002))))["PyTorch"] == \
        "2.13.0+cu130 (CUDA 13.0, cuDNN 9.10.2)"


def test_markdown_is_redacted_for_pasting_into_public_issues():
    r = CliRunner().invoke(cli, ["doctor", "--facts", str(SNAPSHOT), "--markdown"])
    assert "GPU-00000000-0000" not in r.output and "GPU-REDACTED-0" in r.output
    assert '"redacted": true' in r.output


# ---------------------------------------------------------------------------- a machine without an NVIDIA GPU
def _no_gpu_snapshot(tmp_path, container="none"):
    from envcheck.facts import DriverFacts, PciFacts
    from tests.builders import fail, healthy_host, machine, nvml_failed, torch_build

    facts = machine(host=healthy_host(container=container), pci=PciFacts(ok(())), nvml=nvml_failed("library_not_found"),
                    driver=DriverFacts(kernel_module_version=fail("not_found"), userspace_library_version=fail("not_found"),
                                       nvidia_smi_path=fail("not_found"), installed_module_versions=ok(()),
                                       device_nodes=ok(())),
                    torch=torch_build("2.13.0+cpu", None, None, available=False))
    path = tmp_path / "no_gpu.json"
    snapshot.save(facts, path)
    return str(path)


def test_without_a_gpu_the_report_says_so_first_and_marks_nothing_found(tmp_path):
    r = CliRunner().invoke(cli, ["doctor", "--facts", _no_gpu_snapshot(tmp_path), "--no-color"])
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert lines[2].startswith("No NVIDIA GPU found")
    assert "– GPUs on the PCI bus" in lines and "– NVIDIA driver" in lines and "✓ NVIDIA driver" not in lines
    assert "grep -l 0x10de /sys/bus/pci/devices/*/vendor" in r.stdout and "lspci -nn" not in r.stdout


def test_in_a_container_it_points_at_the_container_toolkit_recipe(tmp_path):
    r = CliRunner().invoke(cli, ["doctor", "--facts", _no_gpu_snapshot(tmp_path, "docker"), "--no-color"])
    assert "envcheck recipe show container_toolkit" in r.stdout and r.exit_code == 0


def test_require_gpu_fails_without_a_usable_gpu(tmp_path):
    r = CliRunner().invoke(cli, ["doctor", "--facts", _no_gpu_snapshot(tmp_path), "--json", "--require-gpu"])
    assert r.exit_code == 1 and "--require-gpu: no usable NVIDIA GPU" in r.stderr
    json.loads(r.stdout)  # the report itself is unchanged
    ok_run = CliRunner().invoke(cli, ["doctor", "--facts", str(SNAPSHOT), "--json", "--require-gpu"])
    assert ok_run.exit_code == 0


def test_json_and_markdown_together_is_one_line_usage_error():
    r = CliRunner().invoke(cli, ["doctor", "--facts", str(SNAPSHOT), "--json", "--markdown"])
    assert r.exit_code == 2 and r.output.count("\n") == 1 and "--json and --markdown" in r.output


def test_the_next_step_hint_goes_to_stderr():
    r = CliRunner().invoke(cli, ["doctor", "--facts", str(SNAPSHOT), "--no-color"])
    assert "Next: `envcheck plan --facts SNAPSHOT`" in r.stderr and "Next:" not in r.stdout


def test_recipe_and_plan_offer_no_colour_switch():
    for args in (["recipe", "list"], ["recipe", "show"], ["plan"]):
        assert "--no-color" not in CliRunner().invoke(cli, [*args, "--help"]).output
