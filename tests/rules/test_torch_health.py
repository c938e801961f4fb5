"""Torch-probe rules and the environment variables that change what CUDA sees."""

from __future__ import annotations

import dataclasses
import math

import pytest

from envcheck.facts import Facts, PciFacts, TorchFacts
from envcheck.reading import Reading
from envcheck.rules import Severity
from envcheck.rules import cuda_env as ce
from envcheck.rules import torch_health as t
from tests.builders import env, fail, gpu, healthy_machine, machine, ok, pci_gpu, python_env, torch_build
from tests.rules import fix, fix_text, one, run

TORCH_RULES = [t.torch_not_installed, t.torch_import_failed, t.torch_cuda_unavailable, t.torch_gpu_check_failed,
               t.torch_probe_failed, ce.cuda_visible_devices_hides_gpus, ce.debug_env_vars_set]


@pytest.mark.parametrize("rule", TORCH_RULES, ids=lambda r: r.__name__)
def test_silent_on_unknown_and_on_a_healthy_machine(rule):
    assert run(rule, Facts()) == []
    assert run(rule, healthy_machine()) == []


# --------------------------------------------------------------------------- torch_not_installed
def test_no_torch_in_the_environment_points_at_advise():
    facts = machine(python=python_env(packages={"numpy": "2.3.0"}))
    f = one(t.torch_not_installed, facts)
    assert f.severity is Severity.INFO and "envcheck advise" in f.explanation and "/home/USER/venv" in f.explanation
    assert any(c.startswith("pip install torch") for c in fix(f, facts))  # the build advise picks
    assert one(t.torch_not_installed, machine(torch=TorchFacts(installed=ok(False))))


def test_torch_present_or_packages_unread_is_silent():
    assert run(t.torch_not_installed, machine(python=python_env(packages={"torch": "2.13.0"}))) == []
    assert run(t.torch_not_installed, machine(torch=TorchFacts(installed=fail("timeout")))) == []


# --------------------------------------------------------------------------- import / availability
def test_import_failure_shows_the_last_line():
    err = "Traceback (most recent call last):\n  ...\nImportError: libcudnn.so.9: cannot open shared object file"
    f = one(t.torch_import_failed, machine(torch=TorchFacts(installed=ok(True), version=ok("2.13.0+cu130"),
                                                           import_error=ok(err))))
    assert f.severity is Severity.ERROR and f.explanation.endswith("cannot open shared object file")


def test_cuda_unavailable_on_a_gpu_machine_quotes_torch():
    facts = healthy_machine(torch=torch_build(available=False, errors=("CUDA driver initialization failed, you might "
                                                                       "not have a CUDA gpu.",)))
    f = one(t.torch_cuda_unavailable, facts)
    assert f.severity is Severity.ERROR and "CUDA driver initialization failed" in f.explanation


def test_cuda_unavailable_is_silent_for_cpu_builds_or_without_a_gpu():
    assert run(t.torch_cuda_unavailable, healthy_machine(torch=torch_build("2.13.0+cpu", cuda=None,
                                                                           available=False))) == []
    assert run(t.torch_cuda_unavailable, machine(pci=PciFacts(ok(())), torch=torch_build(available=False))) == []
    assert run(t.torch_cuda_unavailable, machine(torch=torch_build(available=False))) == []  # GPU unknown


# --------------------------------------------------------------------------- GPU computation check
def test_failed_kernel_or_large_conv_error_is_an_error():
    bad_kernel = healthy_machine(torch=torch_build(kernel_check=False, conv_check_max_rel_err=1e-7))
    assert "tiny test kernel" in one(t.torch_gpu_check_failed, bad_kernel).explanation
    bad_conv = healthy_machine(torch=torch_build(kernel_check=True, conv_check_max_rel_err=0.25))
    assert "0.25" in one(t.torch_gpu_check_failed, bad_conv).explanation
    nan = healthy_machine(torch=torch_build(kernel_check=True, conv_check_max_rel_err=math.nan))
    assert one(t.torch_gpu_check_failed, nan).severity is Severity.ERROR


def test_failed_quick_verify_is_an_error_even_with_a_small_error():
    # e.g. a wrong output shape or a never-written buffer: the relative error alone does not show it
    detail = "envcheck verify --quick: 14 checks, 1 failed: conv2d fp32: output shape (2, 4, 7, 7) != (2, 4, 8, 8)"
    facts = healthy_machine(torch=torch_build(kernel_check=True, conv_check_max_rel_err=1e-7,
                                              conv_check_passed=Reading.of(False, detail)))
    f = one(t.torch_gpu_check_failed, facts)
    assert "float64 reference failed" in f.explanation and "output shape" in f.explanation
    assert "envcheck verify --device cuda:0 --dtype all" in fix(f, facts)
    passed = healthy_machine(torch=torch_build(kernel_check=True, conv_check_max_rel_err=1e-7, conv_check_passed=True))
    assert run(t.torch_gpu_check_failed, passed) == []


def test_nan_conv_error_fires_the_same_after_a_snapshot_round_trip(tmp_path):
    from envcheck import snapshot

    live = healthy_machine(torch=torch_build(kernel_check=True, conv_check_max_rel_err=math.nan))
    stored = snapshot.load(snapshot.save(live, tmp_path / "s.json"))
    assert stored.torch.conv_check_max_rel_err.status.value == "error"
    f = one(t.torch_gpu_check_failed, stored)
    assert "no usable result (not a finite number (nan))" in f.explanation


def test_tf32_sized_error_passes():
    # TF32 rounds inputs to a 10-bit mantissa: ~2 * 2**-11 worst case, under the tolerance.
    assert 2 * 2**-11 < t.CONV_REL_TOLERANCE
    ok_tf32 = healthy_machine(torch=torch_build(kernel_check=True, conv_check_max_rel_err=6e-4))
    assert run(t.torch_gpu_check_failed, ok_tf32) == []


def test_probe_timeout_is_a_warning():
    facts = machine(torch=TorchFacts(installed=fail("timeout", "killed after 90 s")))
    f = one(t.torch_probe_failed, facts)
    assert f.severity is Severity.WARNING and "did not finish in time" in f.explanation and "90 s" in f.explanation
    assert "crashed" in one(t.torch_probe_failed, machine(torch=TorchFacts(
        cuda_available=fail("error", "exit code -11")))).explanation


def test_skipped_probe_is_not_a_failure():
    skipped = machine(torch=TorchFacts(installed=fail("unknown", "torch probe skipped (--no-torch)")))
    assert run(t.torch_probe_failed, skipped) == []


# --------------------------------------------------------------------------- CUDA_VISIBLE_DEVICES
def cvd(value: str, n_gpus: int = 1, **groups) -> Facts:
    return machine(gpus=[gpu(index=i) for i in range(n_gpus)], env=env(CUDA_VISIBLE_DEVICES=value), **groups)


def test_index_past_the_last_gpu_hides_everything():
    # CUDA_VISIBLE_DEVICES=2 on a one-GPU machine (shared/realcases case_26)
    facts = cvd("2")
    f = one(ce.cuda_visible_devices_hides_gpus, facts)
    assert f.severity is Severity.ERROR and "'2' names no GPU" in f.explanation
    assert "unset CUDA_VISIBLE_DEVICES" in fix(f, facts) and "export CUDA_VISIBLE_DEVICES=0" in fix_text(f, facts)


@pytest.mark.parametrize("value", ["", "-1", "NoDevFiles", "0,0", "all", "GPU-ffffffff"])
def test_values_that_leave_no_gpu(value):
    assert one(ce.cuda_visible_devices_hides_gpus, cvd(value, 2)).severity is Severity.ERROR


def test_repeated_entry_is_explained():
    assert "listed twice" in one(ce.cuda_visible_devices_hides_gpus, cvd("1,1", 2)).explanation


def test_invalid_entry_cuts_the_list_short():
    f = one(ce.cuda_visible_devices_hides_gpus, cvd("0,5,1", 2))
    assert f.severity is Severity.WARNING and "only GPU(s) 0 are visible" in f.explanation


@pytest.mark.parametrize("value", ["0", "1", "1,0", " 0 , 1", "GPU-00000001", "GPU-00000000,GPU-00000001", "1gpu"])
def test_valid_values_are_silent(value):
    assert run(ce.cuda_visible_devices_hides_gpus, cvd(value, 2)) == []


def test_pci_count_is_used_without_nvml():
    facts = machine(pci=PciFacts(ok((pci_gpu(),))), env=env(CUDA_VISIBLE_DEVICES="3"))
    assert one(ce.cuda_visible_devices_hides_gpus, facts).severity is Severity.ERROR


def test_uuids_are_not_judged_on_redacted_facts_or_mig():
    redacted = dataclasses.replace(cvd("GPU-ffffffff"), redacted=True)
    assert run(ce.cuda_visible_devices_hides_gpus, redacted) == []
    assert run(ce.cuda_visible_devices_hides_gpus, cvd("MIG-abc")) == []


def test_torch_seeing_nothing_while_nvml_sees_gpus_warns_when_the_value_cannot_be_judged():
    facts = cvd("MIG-abc", torch=torch_build(available=False))
    f = one(ce.cuda_visible_devices_hides_gpus, facts)
    assert f.severity is Severity.WARNING and "PyTorch sees no GPU while NVML sees 1" in f.explanation


def test_valid_value_with_a_cpu_only_torch_is_not_blamed():
    # shared/realcases case_07: CUDA_VISIBLE_DEVICES=0 with torch 2.1.0+cpu; the build is the cause.
    facts = cvd("0", torch=torch_build("2.1.0+cpu", cuda=None, available=False))
    assert run(ce.cuda_visible_devices_hides_gpus, facts) == []


def test_unset_variable_or_no_gpu_known_is_silent():
    assert run(ce.cuda_visible_devices_hides_gpus, machine(gpus=[gpu()], env=env())) == []
    assert run(ce.cuda_visible_devices_hides_gpus, machine(env=env(CUDA_VISIBLE_DEVICES="2"))) == []


def test_a_pasted_gpu_list_does_not_prove_an_index_missing_without_a_failure():
    # nvidia-smi inside a container, or a cut paste, lists fewer GPUs than the run had: an
    # index past that list in a working run's env dump is a warning, beside a no-device failure an error.
    pasted = dataclasses.replace(cvd("2,3"), source="explain")
    f = one(ce.cuda_visible_devices_hides_gpus, pasted)
    assert f.severity is Severity.WARNING and f.confidence.value == "likely"
    failed = dataclasses.replace(cvd("2,3", torch=torch_build(available=False)), source="explain")
    assert one(ce.cuda_visible_devices_hides_gpus, failed).severity is Severity.ERROR
    # a value that hides every GPU whatever the count stays an error in a paste
    assert one(ce.cuda_visible_devices_hides_gpus,
               dataclasses.replace(cvd("-1"), source="explain")).severity is Severity.ERROR


def test_torch_seeing_a_gpu_clears_any_value():
    assert run(ce.cuda_visible_devices_hides_gpus, cvd("-1", torch=torch_build(available=True))) == []
    assert run(ce.cuda_visible_devices_hides_gpus, machine(env=env(CUDA_VISIBLE_DEVICES="3"),
                                                          torch=torch_build(available=True))) == []


@pytest.mark.parametrize("value, severity", [("1", Severity.WARNING), ("-1", Severity.ERROR), ("", Severity.ERROR),
                                             ("NoDevFiles", Severity.ERROR)])
def test_without_a_gpu_count_an_ordinary_index_is_only_a_warning(value, severity):
    # No GPU count in the text: -1, empty or NoDevFiles hide every GPU; an index above 0 only may.
    facts = machine(env=env(CUDA_VISIBLE_DEVICES=value), torch=torch_build(available=False))
    f = one(ce.cuda_visible_devices_hides_gpus, facts)
    assert f.severity is severity and f.confidence.value == "likely"
    assert run(ce.cuda_visible_devices_hides_gpus, machine(env=env(CUDA_VISIBLE_DEVICES="0"),
                                                          torch=torch_build(available=False))) == []


# --------------------------------------------------------------------------- debug variables
def test_launch_blocking_is_a_warning():
    facts = machine(env=env(CUDA_LAUNCH_BLOCKING="1", TORCH_SHOW_CPP_STACKTRACES="1"))
    f = one(ce.debug_env_vars_set, facts)
    assert f.severity is Severity.WARNING
    assert fix(f, facts)[0] == "unset CUDA_LAUNCH_BLOCKING TORCH_SHOW_CPP_STACKTRACES"


def test_no_cuda_memory_caching_counts_even_as_zero():
    # The allocator only checks that the variable exists (c10/cuda/CUDACachingAllocator.cpp).
    assert one(ce.debug_env_vars_set, machine(env=env(PYTORCH_NO_CUDA_MEMORY_CACHING="0"))).severity is Severity.WARNING


def test_cheap_debug_variables_are_info():
    f = one(ce.debug_env_vars_set, machine(env=env(NCCL_DEBUG="INFO", TORCH_USE_CUDA_DSA="1")))
    assert f.severity is Severity.INFO and "no effect on prebuilt PyTorch wheels" in f.explanation


def test_switched_off_or_unrelated_variables_are_silent():
    facts = machine(env=env(CUDA_LAUNCH_BLOCKING="0", CUDNN_LOGLEVEL_DBG="0", NCCL_DEBUG="", HOME="/home/u"))
    assert run(ce.debug_env_vars_set, facts) == []


def test_kernel_launch_that_raised_after_cuda_came_up_is_a_failed_check_not_a_probe_failure():
    facts = healthy_machine(torch=torch_build(kernel_check=fail("error", "CUDA error: an illegal memory access"),
                                              conv_check_max_rel_err=fail("unknown")))
    assert "illegal memory access" in one(t.torch_gpu_check_failed, facts).explanation
    assert run(t.torch_probe_failed, facts) == []
    no_cuda = healthy_machine(torch=torch_build(available=False, kernel_check=fail("error", "no device")))
    assert run(t.torch_gpu_check_failed, no_cuda) == []
