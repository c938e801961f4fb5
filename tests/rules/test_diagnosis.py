"""Diagnosis on partial evidence: upstream's messages decide on their own, every rule fires on
whichever evidence is there, and each finding says how sure it is."""

from __future__ import annotations

import dataclasses

from envcheck.derived.linking import library_owner, symbol_owner
from envcheck.derived.machine import driver_cuda, driver_runs, gpus, torch_view
from envcheck.derived.messages import stated
from envcheck.facts import DriverFacts, Facts, GpuFacts, HostFacts, NvmlFacts, PciFacts, PythonFacts, TorchFacts
from envcheck.knowledge import load
from envcheck.reading import Reading
from envcheck.rules import evaluate
from envcheck.rules.finding import Confidence, Severity
from tests.builders import env, fail, gpu, ok
from tests.rules import fix

STATED = "stated in the text"  # explain's detail for a person's words (explain/partial.py)


def errors(*texts: str, **torch) -> Facts:
    return Facts(source="explain", torch=TorchFacts(errors=ok(texts), **torch))


def found(facts: Facts):
    ev = evaluate(facts)
    assert not ev.failures, ev.failures
    return {f.id: f for f in ev.findings}


# ---------------------------------------------------------------------------- messages decide
def test_torch_saying_the_driver_is_too_old_is_enough():
    f = found(errors("RuntimeError: The NVIDIA driver on your system is too old (found version 10020). "
                     "Please update your GPU driver"))["driver_too_old_for_torch_cuda"]
    assert f.confidence is Confidence.CONFIRMED and "CUDA 10.2 at most" in f.explanation
    assert ("torch messages", "The NVIDIA driver on your system is too old (found version 10020)") in [
        (e.fact, e.value) for e in f.evidence]


def test_the_driver_cuda_from_the_nvidia_smi_header_judges_a_build():
    # nvidia-smi's header says CUDA Version: 11.4 (no driver number read); torch is cu121.
    facts = Facts(source="explain", nvml=NvmlFacts(cuda_driver_version=ok("11.4")),
                  torch=TorchFacts(version=ok("2.3.1+cu121")))
    assert "driver_too_old_for_torch_cuda" in found(facts)
    same_major = dataclasses.replace(facts, nvml=NvmlFacts(cuda_driver_version=ok("12.0")))
    assert "driver_too_old_for_torch_cuda" not in found(same_major)  # minor-version compatibility


def test_minor_version_compatibility_starts_at_cuda_11():
    assert driver_runs("12.0", "12.8") and driver_runs("11.1", "11.8")
    assert not driver_runs("11.8", "12.1") and not driver_runs("10.0", "10.2")


def test_an_upstream_message_alone_gives_its_finding_confirmed():
    f = found(errors("Failed to initialize NVML: Driver/library version mismatch"))
    assert f["nvml_driver_library_mismatch"].confidence is Confidence.CONFIRMED
    assert "cudnn_version_mismatch" in found(
        errors("RuntimeError: cuDNN version mismatch: PyTorch was compiled against 7102 but linked against 7301"))


def test_a_message_and_a_rule_saying_the_same_make_one_finding():
    facts = dataclasses.replace(errors("RuntimeError: Torch not compiled with CUDA enabled"),
                                nvml=NvmlFacts(gpus=ok((gpu("NVIDIA GeForce RTX 3060", "8.6"),))))
    ev = evaluate(facts)
    assert [f.id for f in ev.findings].count("torch_cpu_only_build") == 1


def test_a_module_name_says_which_module_is_missing():
    # nvidia-uvm is not loaded, and no NVIDIA module is built for this kernel: both are so.
    f = found(errors("modprobe: FATAL: Module nvidia-uvm not found."))
    assert {"nvidia_uvm_missing", "driver_kernel_module_not_loaded"} <= set(f)
    assert "nvidia_uvm_missing" not in found(errors("modprobe: FATAL: Module nvidia not found."))


def test_pip_finding_no_pinned_torch_for_this_python():
    facts = dataclasses.replace(errors("ERROR: No matching distribution found for torch==1.9.1+cu111"),
                                python=PythonFacts(version=Reading.of("3.10", STATED)))
    f = found(facts)["python_unsupported_by_torch"]
    assert "PyTorch 1.9 has wheels for Python" in f.explanation and f.confidence is Confidence.LIKELY


# ---------------------------------------------------------------------------- partial evidence
def test_a_gpu_capability_from_torchs_warning_alone():
    warning = ("NVIDIA GeForce RTX 5090 with CUDA capability sm_120 is not compatible with the current PyTorch "
               "installation. The current PyTorch install supports CUDA capabilities sm_50 sm_60 sm_70 sm_75 sm_80 "
               "sm_86 sm_90.")
    facts = Facts(source="explain", torch=TorchFacts(warnings=ok((warning,))))
    views = gpus(facts, load(), stated(facts))
    assert [g.cc for g in views] == ["12.0"]
    assert torch_view(facts, load()).arch_list.value[0] == "sm_50"
    assert found(facts)["gpu_arch_unsupported_by_torch_build"].confidence is Confidence.CONFIRMED


def test_a_gpu_left_out_between_older_and_newer_archs_is_too_old():
    warning = ("GeForce GTX 1070 Ti with CUDA capability sm_61 is not compatible with the current PyTorch installation. "
               "The current PyTorch install supports CUDA capabilities sm_50 sm_70 sm_80 sm_86.")
    f = found(Facts(source="explain", torch=TorchFacts(warnings=ok((warning,)))))
    assert "gpu_arch_too_old_for_torch_build" in f and "gpu_arch_unsupported_by_torch_build" not in f


def test_no_kernel_image_with_only_the_gpu_known_is_judged_by_the_wheels_and_likely():
    msg = "RuntimeError: CUDA error: no kernel image is available for execution on the device"
    rtx3090 = dataclasses.replace(errors(msg), nvml=NvmlFacts(gpus=ok((GpuFacts(0, name=Reading.of(
        "NVIDIA GeForce RTX 3090", STATED)),))))
    f = found(rtx3090)["gpu_arch_unsupported_by_torch_build"]  # every wheel without sm_86 is older than it
    assert f.confidence is Confidence.LIKELY
    kepler = dataclasses.replace(rtx3090, nvml=NvmlFacts(gpus=ok((gpu("Tesla K40m", "3.5"),))))
    assert "gpu_arch_too_old_for_torch_build" in found(kepler)
    turing = dataclasses.replace(rtx3090, nvml=NvmlFacts(gpus=ok((gpu("NVIDIA GeForce RTX 2080", "7.5"),))),
                                 torch=TorchFacts(errors=ok((msg,)), version=ok("2.13.0+cu130")))
    # torch 2.13 has sm_75: the kernel without an image is an extension's
    assert "extension_built_without_gpu_arch" in found(turing)


def test_a_cpu_build_named_by_torch_needs_no_gpu_in_the_text():
    f = found(errors("AssertionError: Torch not compiled with CUDA enabled"))["torch_cpu_only_build"]
    assert f.confidence is Confidence.CONFIRMED
    no_gpu = dataclasses.replace(errors("AssertionError: Torch not compiled with CUDA enabled"), pci=PciFacts(ok(())))
    assert "torch_cpu_only_build" not in found(no_gpu)  # the PCI bus holds no NVIDIA GPU


def test_facts_a_person_stated_make_a_finding_likely():
    said = NvmlFacts(driver_version=Reading.of("470.82.01", STATED),
                     gpus=ok((GpuFacts(0, name=Reading.of("NVIDIA GeForce RTX 3090", STATED)),)))
    f = found(Facts(source="explain", nvml=said, torch=TorchFacts(version=ok("2.3.1+cu121"))))
    assert f["driver_too_old_for_torch_cuda"].confidence is Confidence.LIKELY
    read = Facts(source="explain", nvml=NvmlFacts(driver_version=ok("470.82.01")),
                 torch=TorchFacts(version=ok("2.3.1+cu121")))
    assert found(read)["driver_too_old_for_torch_cuda"].confidence is Confidence.CONFIRMED


def test_driver_cuda_sources_in_order():
    kb = load()
    assert driver_cuda(Facts(nvml=NvmlFacts(cuda_driver_version=ok("12.4"))), kb).value == "12.4"
    facts = errors("The NVIDIA driver on your system is too old (found version 11040)")
    assert driver_cuda(facts, kb, stated(facts)).value == "11.4"
    assert driver_cuda(Facts(nvml=NvmlFacts(driver_version=ok("470.82.01"))), kb).value == "11.4"


# ---------------------------------------------------------------------------- the loader
def test_undefined_symbols_name_their_library():
    assert symbol_owner("_ZNK3c104Type14isSubtypeOfExtESt10shared_ptrIS0_EPSo") == "torch"
    assert symbol_owner("_ZTIN2at10TensorImplE") == "torch"
    assert symbol_owner("_ZN5cudnn3cnn34layerNormFwd_execute_internal_impl") == "cudnn"
    assert symbol_owner("__nvJitLinkComplete_12_4") == "nvjitlink"
    assert symbol_owner("iJIT_NotifyEvent") == "mkl" and symbol_owner("ncclCommRegister") == "nccl"
    assert library_owner("libtorch_cpu.so", "") == "torch"
    assert library_owner("_C.cpython-36m-x86_64-linux-gnu.so", "/env/site-packages/torch/_C.cpython-36m.so") == "torch"
    assert library_owner("_C.cpython-37m-x86_64-linux-gnu.so", "/maskrcnn_benchmark/_C.cpython-37m.so") == "other"


def test_loader_failures_become_specific_findings():
    ext = "OSError: /env/site-packages/torch_cluster/_grid_cuda.so: undefined symbol: _ZNK3c104Type14isSubtypeOfExtE"
    assert found(errors(ext))["extension_built_for_other_torch"].confidence is Confidence.CONFIRMED
    mixed = "ImportError: /env/site-packages/torch/lib/libtorch.so.1: undefined symbol: _ZTIN2at10TensorImplE"
    assert "mixed_torch_installations" in found(errors(mixed))
    mkl = "ImportError: /env/site-packages/torch/lib/libtorch_cpu.so: undefined symbol: iJIT_NotifyEvent"
    assert "mkl_incompatible_with_torch" in found(errors(mkl))
    cudnn = ("libcudnn_cnn_train.so.8: undefined symbol: _ZN5cudnn3cnn5infer22queryClusterPoolingERK, "
             "version libcudnn_cnn_infer.so.8")
    f = found(errors(cudnn))["ld_library_path_conflict"]  # LD_LIBRARY_PATH not in the text: the usual way in
    assert f.severity is Severity.ERROR and f.confidence is Confidence.LIKELY
    clean = dataclasses.replace(errors(cudnn), env=env(LD_LIBRARY_PATH="/usr/local/lib"))
    assert "conflicting_cuda_libraries_loaded" in found(clean)


# ---------------------------------------------------------------------------- failures in context
def test_no_driver_inside_a_container_is_a_container_started_without_gpus():
    facts = dataclasses.replace(errors("RuntimeError: Found no NVIDIA driver on your system."),
                                host=HostFacts(container=ok("docker")))
    assert found(facts)["container_missing_gpus_flag"].confidence is Confidence.LIKELY
    no_gpu_on_host = dataclasses.replace(facts, pci=PciFacts(ok(())))
    assert "container_missing_gpus_flag" not in found(no_gpu_on_host)


def test_nvml_unknown_error_inside_a_container():
    facts = dataclasses.replace(errors("Failed to initialize NVML: Unknown Error"), host=HostFacts(container=ok("docker")))
    assert "container_gpu_lost_after_daemon_reload" in found(facts)
    assert "container_gpu_lost_after_daemon_reload" not in found(errors("Failed to initialize NVML: Unknown Error"))


def test_cuda_unknown_error_at_start_points_at_nvidia_uvm():
    msg = ("UserWarning: CUDA initialization: CUDA unknown error - this may be due to an incorrectly set up "
           "environment, e.g. changing env variable CUDA_VISIBLE_DEVICES after program start.")
    # Nothing known about the modules: nvidia_uvm not loaded, the classic cause.
    alone = found(errors(msg))
    assert alone["nvidia_uvm_missing"].confidence is Confidence.LIKELY and "nvidia_uvm_stale_after_suspend" not in alone
    # A suspend said to come first, or nvidia_uvm seen loaded: left broken by the suspend.
    slept = dataclasses.replace(errors(msg), host=HostFacts(resumed_from_suspend=Reading.of(True, STATED)))
    assert "nvidia_uvm_stale_after_suspend" in found(slept)
    loaded = dataclasses.replace(errors(msg), driver=DriverFacts(loaded_modules=ok(("nvidia", "nvidia_uvm"))))
    assert "nvidia_uvm_stale_after_suspend" in found(loaded)
    unloaded = dataclasses.replace(errors(msg), driver=DriverFacts(loaded_modules=ok(("nvidia",))))
    assert "nvidia_uvm_stale_after_suspend" not in found(unloaded)


def test_nvml_without_permission_is_the_device_nodes():
    facts = Facts(source="explain", nvml=NvmlFacts(init=fail("no_permission", "Insufficient Permissions"),
                                                    init_error="no_permission"))
    assert "device_node_permissions" in found(facts)


def test_a_cuda_visible_devices_that_torch_saw_through_is_not_an_error():
    facts = Facts(source="explain", nvml=NvmlFacts(gpus=ok((gpu(), gpu(index=1)))), env=env(CUDA_VISIBLE_DEVICES=""),
                  torch=TorchFacts(cuda_available=ok(True)))
    assert "cuda_visible_devices_hides_gpus" not in found(facts)


def test_new_findings_name_recipes_with_sources():
    facts = errors("ImportError: /env/torch/lib/libtorch_cpu.so: undefined symbol: iJIT_NotifyEvent")
    f = found(facts)["mkl_incompatible_with_torch"]
    assert "conda install -y 'mkl=2024.0'" in fix(f, facts)
