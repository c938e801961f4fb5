"""Scenario tests for the version rules: each fires on its problem and stays silent otherwise."""

from __future__ import annotations

import dataclasses

from envcheck.facts import (
    Facts,
    HostFacts,
    LibraryFile,
    LoadedLibrary,
    NvmlFacts,
    ToolkitFacts,
    TorchDevice,
    TorchFacts,
)
from envcheck.reading import Reading
from envcheck.rules import evaluate
from envcheck.rules.compat import driver_too_old_for_torch_cuda, gpu_arch_vs_torch_build, torch_cpu_only_build
from envcheck.rules.python_env import python_unsupported_by_torch
from envcheck.rules.versions import (
    conflicting_cuda_libraries_loaded,
    conflicting_cuda_wheel_packages,
    cudnn_version_mismatch,
    driver_installed_inside_container,
    known_bad_torch_build,
    ld_library_path_conflict,
    nccl_version_mismatch,
    toolkit_differs_from_torch_cuda,
)
from tests.builders import (
    env,
    gpu,
    healthy_driver,
    healthy_host,
    healthy_machine,
    machine,
    nvml,
    ok,
    python_env,
    torch_build,
)
from tests.rules import fix

RULES = (driver_too_old_for_torch_cuda, gpu_arch_vs_torch_build, torch_cpu_only_build, cudnn_version_mismatch,
         ld_library_path_conflict, conflicting_cuda_wheel_packages, conflicting_cuda_libraries_loaded,
         nccl_version_mismatch, known_bad_torch_build, python_unsupported_by_torch, driver_installed_inside_container,
         toolkit_differs_from_torch_cuda)


def run(facts: Facts):
    ev = evaluate(facts, RULES)
    assert not ev.failures, ev.failures
    return {f.id: f for f in ev.findings}


def with_torch(facts: Facts, **fields) -> Facts:
    return dataclasses.replace(facts, torch=dataclasses.replace(facts.torch, **{
        k: v if isinstance(v, Reading) else ok(v) for k, v in fields.items()}))


def box(gpu_name: str, cc, driver: str, torch: TorchFacts, py: str = "3.12", packages=None, **groups) -> Facts:
    g = gpu(gpu_name, cc)
    base = dict(host=healthy_host(), driver=healthy_driver(driver), nvml=nvml([g], driver=driver),
                python=python_env(py, packages or {}), torch=torch, env=env())
    base.update(groups)
    return Facts(**base)


def test_healthy_machine_raises_nothing():
    assert run(healthy_machine()) == {}


def test_empty_facts_stay_silent():
    assert run(Facts()) == {}


# ---------------------------------------------------------------- GPU architecture
def test_rtx5090_with_torch_26_cu126_is_unsupported_and_fix_is_cu128_or_newer():
    facts = box("NVIDIA GeForce RTX 5090", "12.0", "570.124.04",
                torch_build("2.6.0+cu126", "12.6", 90501, arch_list=("sm_50", "sm_60", "sm_70", "sm_75", "sm_80",
                                                                     "sm_86", "sm_90")))
    f = run(facts)["gpu_arch_unsupported_by_torch_build"]
    assert f.gpu == 0 and "sm_120" in f.explanation
    assert any("--index-url https://download.pytorch.org/whl/cu128" in c for c in fix(f, facts))
    assert "gpu_arch_too_old_for_torch_build" not in run(facts)


def test_rtx5090_from_pasted_report_without_cc_or_arch_list():
    # What `explain` gives: a name, a version, and torch's warning text.
    warning = ("NVIDIA GeForce RTX 5090 D with CUDA capability sm_120 is not compatible with the current PyTorch "
               "installation.\nThe current PyTorch install supports CUDA capabilities sm_50 sm_60 sm_70 sm_75 sm_80 "
               "sm_86 sm_90.")
    facts = Facts(nvml=NvmlFacts(driver_version=ok("570.124.04"),
                                 gpus=ok((dataclasses.replace(gpu("NVIDIA GeForce RTX 5090 D", None)),))),
                  torch=TorchFacts(version=ok("2.6.0+cu126"), cuda_build=ok("12.6"), warnings=ok((warning,))))
    f = run(facts)["gpu_arch_unsupported_by_torch_build"]
    assert any(e.fact == "torch messages" for e in f.evidence)
    assert any("gpu_models" in e.fact for e in f.evidence)


def test_h100_with_torch_113_cu117_is_unsupported():
    facts = box("NVIDIA H100 80GB HBM3", "9.0", "535.104.05", torch_build("1.13.1+cu117", "11.7", 8500, arch_list=()),
                py="3.10")
    facts = with_torch(facts, arch_list=Reading())  # arch list unknown: taken from the variant table
    assert "gpu_arch_unsupported_by_torch_build" in run(facts)


def test_gtx960m_with_torch_29_cu128_is_too_old_and_fix_is_cu126():
    facts = box("NVIDIA GeForce GTX 960M", "5.0", "570.124.04", torch_build("2.9.1+cu128", "12.8", 91002, arch_list=(
        "sm_70", "sm_75", "sm_80", "sm_86", "sm_90", "sm_100", "sm_120")))
    f = run(facts)["gpu_arch_too_old_for_torch_build"]
    assert any("whl/cu126" in c for c in fix(f, facts))


def test_geforce_210_with_torch_12_is_too_old_from_the_cuda_window():
    facts = Facts(nvml=NvmlFacts(gpus=ok((gpu("GeForce 210", None),))),
                  torch=TorchFacts(version=ok("1.2.0"), cuda_build=ok("10.0")))
    found = run(facts)
    assert "gpu_arch_too_old_for_torch_build" in found
    assert any("cpu" in c for c in fix(found["gpu_arch_too_old_for_torch_build"], facts))


def test_arch_rules_silent_for_covered_gpu_and_unknown_gpu():
    facts = box("NVIDIA GeForce RTX 4090", "8.9", "580.95.05", torch_build("2.13.0+cu130"))
    assert not {"gpu_arch_unsupported_by_torch_build", "gpu_arch_too_old_for_torch_build"} & set(run(facts))
    unknown = box("Mystery GPU", None, "580.95.05", torch_build("2.6.0+cu126"))
    assert not {"gpu_arch_unsupported_by_torch_build", "gpu_arch_too_old_for_torch_build"} & set(run(unknown))


# ---------------------------------------------------------------- driver
def test_driver_470_with_cu121_wheel():
    facts = box("NVIDIA GeForce RTX 3090", "8.6", "470.256.02", torch_build("2.3.1+cu121", "12.1", 8902), py="3.11")
    f = run(facts)["driver_too_old_for_torch_cuda"]
    assert "525.60.13" in f.explanation
    assert "sudo ubuntu-drivers install nvidia:580-open" in fix(f, facts)
    assert "+ cu118, which it runs" in f.explanation  # or keep the driver: a CUDA 11.8 build


def test_kepler_under_a_cuda_12_build_is_told_no_driver_fits_both():
    facts = box("Tesla K80", "3.7", "470.82.01", torch_build("2.1.2+cu121", "12.1", 8902), py="3.10")
    f = run(facts)["driver_too_old_for_torch_cuda"]
    assert "No driver branch supports both this GPU and that CUDA" in f.explanation and "R?" not in f.explanation
    assert "pip install torch==2.3.1 torchvision==0.18.* --index-url https://download.pytorch.org/whl/cu118" in fix(f, facts)


def test_driver_580_runs_the_cu130_default():
    facts = box("NVIDIA H100 80GB HBM3", "9.0", "580.65.06", torch_build("2.13.0", "13.0"))
    assert "driver_too_old_for_torch_cuda" not in run(facts)


def test_driver_575_with_cu130_default_fires():
    facts = box("NVIDIA H100 80GB HBM3", "9.0", "575.57.08", torch_build("2.13.0", "13.0"))
    f = run(facts)["driver_too_old_for_torch_cuda"]
    assert ">= 580" in f.explanation


def test_driver_too_old_from_pasted_torch_13_default_and_driver_only():
    # case_05: torch 1.3.0 (PyPI default, CUDA 10.1) and driver 410.48
    facts = Facts(driver=dataclasses.replace(healthy_driver("410.48")), torch=TorchFacts(version=ok("1.3.0")))
    f = run(facts)["driver_too_old_for_torch_cuda"]
    assert "418.39" in f.explanation


def test_driver_unknown_stays_silent():
    assert "driver_too_old_for_torch_cuda" not in run(Facts(torch=torch_build("2.13.0", "13.0")))


# ---------------------------------------------------------------- CPU build
def test_cpu_wheel_on_gpu_machine():
    facts = box("NVIDIA GeForce RTX 3060 Ti", "8.6", "580.95.05", torch_build("2.1.0+cpu", None, None), py="3.10")
    f = run(facts)["torch_cpu_only_build"]
    cmds = fix(f, facts)
    assert "python -m pip uninstall -y torch torchvision" in cmds
    assert cmds[cmds.index("python -m pip uninstall -y torch torchvision") + 1].startswith("pip install torch==")


def test_cpu_wheel_without_gpu_is_fine():
    facts = Facts(pci=dataclasses.replace(healthy_machine().pci, devices=ok(())),
                  torch=torch_build("2.13.0+cpu", None, None))
    assert "torch_cpu_only_build" not in run(facts)


# ---------------------------------------------------------------- cuDNN and libraries
def test_system_cudnn_86_on_ld_library_path_under_torch_built_with_87():
    cudnn_dir = "/opt/cudnn-8.6/lib"
    facts = box("NVIDIA A100-SXM4-40GB", "8.0", "535.104.05", torch_build("2.0.1+cu118", "11.8", 8600,
                                                                       cudnn_compiled_version=8700), py="3.10",
                toolkit=ToolkitFacts(ld_library_path=ok((cudnn_dir, "/usr/local/lib")),
                                     libraries=ok((LibraryFile("libcudnn.so.8", f"{cudnn_dir}/libcudnn.so.8.6.0",
                                                               "8.6.0", "ld_library_path"),))))
    found = run(facts)
    assert "cuDNN 8.7.0 but loaded cuDNN 8.6.0" in found["cudnn_version_mismatch"].explanation
    assert "export LD_LIBRARY_PATH=/usr/local/lib" in fix(found["cudnn_version_mismatch"], facts)
    assert "export LD_LIBRARY_PATH=/usr/local/lib" in fix(found["ld_library_path_conflict"], facts)


def test_cudnn_mismatch_from_error_text_and_cudnn_dir():
    # case_04: only the LD_LIBRARY_PATH echo and the RuntimeError are known
    err = "RuntimeError: cuDNN version incompatibility: PyTorch was compiled against (8, 3, 2) but linked against (8, 0, 3)"
    ld = "/public/apps/cudnn/v8.0.3.33-cuda.11.0/cuda/lib64:/public/apps/cuda/11.0/lib64:/usr/local/cuda/lib64::"
    facts = Facts(torch=TorchFacts(errors=ok((err,))), env=env(LD_LIBRARY_PATH=ld))
    found = run(facts)
    assert {"cudnn_version_mismatch", "ld_library_path_conflict"} <= set(found)
    assert "export LD_LIBRARY_PATH=/public/apps/cuda/11.0/lib64:/usr/local/cuda/lib64" in \
        fix(found["ld_library_path_conflict"], facts)


def test_cudnn_same_version_and_clean_path_are_silent():
    facts = box("NVIDIA A100-SXM4-40GB", "8.0", "580.95.05", torch_build("2.13.0+cu130", "13.0", 92000,
                                                                       cudnn_compiled_version=92000),
                toolkit=ToolkitFacts(ld_library_path=ok(("/usr/local/lib",)), libraries=ok(())))
    assert not {"cudnn_version_mismatch", "ld_library_path_conflict"} & set(run(facts))


def test_nccl_cu12_and_cu13_side_by_side():
    facts = Facts(python=python_env(packages={"nvidia-nccl-cu12": "2.29.3", "nvidia-nccl-cu13": "2.29.7"}),
                  torch=TorchFacts(errors=ok(("undefined symbol ncclCommResume",))))
    f = run(facts)["conflicting_cuda_wheel_packages"]
    assert "the ones that do not belong: nvidia-nccl-cu12." in f.explanation
    assert "python -m pip uninstall -y nvidia-nccl-cu12 nvidia-nccl-cu13" in fix(f, facts)


def test_cu12_wheels_under_a_cuda13_torch():
    facts = box("NVIDIA H100 80GB HBM3", "9.0", "580.95.05", torch_build("2.13.0", "13.0"),
                packages={"torch": "2.13.0", "nvidia-nccl-cu13": "2.29.7", "nvidia-cublas-cu12": "12.8.4.1"})
    assert "do not belong: nvidia-cublas-cu12." in run(facts)["conflicting_cuda_wheel_packages"].explanation


def test_matching_wheels_are_silent():
    facts = box("NVIDIA H100 80GB HBM3", "9.0", "580.95.05", torch_build("2.13.0", "13.0"),
                packages={"torch": "2.13.0", "nvidia-nccl-cu13": "2.29.7", "nvidia-cudnn-cu13": "9.20.0.48"})
    assert "conflicting_cuda_wheel_packages" not in run(facts)


def test_same_library_loaded_from_two_places():
    libs = (LoadedLibrary("libcudnn.so.9", "/venv/lib/python3.12/site-packages/nvidia/cudnn/lib/libcudnn.so.9"),
            LoadedLibrary("libcudnn.so.8", "/usr/lib/x86_64-linux-gnu/libcudnn.so.8"))
    facts = with_torch(healthy_machine(), loaded_libraries=libs)
    assert "conflicting_cuda_libraries_loaded" in run(facts)


def test_system_copy_loaded_although_wheel_provides_it():
    libs = (LoadedLibrary("libcudnn.so.9", "/usr/local/cuda/lib64/libcudnn.so.9"),)
    facts = with_torch(box("NVIDIA H100 80GB HBM3", "9.0", "580.95.05", torch_build("2.13.0", "13.0"),
                           packages={"nvidia-cudnn-cu13": "9.20.0.48"}), loaded_libraries=libs)
    assert "conflicting_cuda_libraries_loaded" in run(facts)
    clean = (LoadedLibrary("libcudnn.so.9", "/venv/lib/python3.12/site-packages/nvidia/cudnn/lib/libcudnn.so.9"),)
    assert "conflicting_cuda_libraries_loaded" not in run(with_torch(facts, loaded_libraries=clean))


def test_nccl_runtime_differs_from_the_pin():
    facts = box("NVIDIA H100 80GB HBM3", "9.0", "580.95.05", torch_build("2.13.0", "13.0", nccl_version="2.21.5"),
                packages={"nvidia-nccl-cu13": "2.21.5"})
    f = run(facts)["nccl_version_mismatch"]
    assert "nvidia-nccl-cu13==2.29.7" in f.explanation and any("--force-reinstall" in c for c in fix(f, facts))
    same = with_torch(facts, nccl_version="2.29.7")
    same = dataclasses.replace(same, python=python_env(packages={"nvidia-nccl-cu13": "2.29.7"}))
    assert "nccl_version_mismatch" not in run(same)


# ---------------------------------------------------------------- builds, Python, containers, toolkit
def test_known_bad_build_needs_its_machine_condition():
    text = "OSError: libcudart.so.12: cannot open shared object file: No such file or directory"
    facts = Facts(torch=TorchFacts(version=ok("2.5.0"), import_error=ok(text)))
    f = run(facts)["known_bad_torch_build"]
    assert f.links == ("https://github.com/pytorch/pytorch/issues/138324",)
    assert "known_bad_torch_build" not in run(Facts(torch=TorchFacts(version=ok("2.5.0"))))
    rhel = Facts(host=HostFacts(os_id=ok("rocky")), torch=TorchFacts(version=ok("2.5.0")))
    assert "known_bad_torch_build" in run(rhel)


def test_python_too_new_for_the_installed_torch():
    facts = box("NVIDIA H100 80GB HBM3", "9.0", "580.95.05", torch_build("2.1.2", "12.1"), py="3.12.3")
    f = run(facts)["python_unsupported_by_torch"]
    assert "3.8, 3.9, 3.10, 3.11" in f.explanation
    assert "python_unsupported_by_torch" not in run(box("NVIDIA H100 80GB HBM3", "9.0", "580.95.05",
                                                        torch_build("2.13.0", "13.0"), py="3.12.3"))


def test_driver_inside_container():
    facts = dataclasses.replace(healthy_machine(), host=healthy_host(container="docker"),
                                driver=healthy_driver("580.95.05", userspace_library_version="570.124.04",
                                                      installed_module_versions=("570.124.04",)))
    f = run(facts)["driver_installed_inside_container"]
    assert any(c.startswith("apt-get purge -y") for c in fix(f, facts))
    clean = dataclasses.replace(facts, driver=healthy_driver("580.95.05", installed_module_versions=()))
    assert "driver_installed_inside_container" not in run(clean)
    host = dataclasses.replace(facts, host=healthy_host())
    assert "driver_installed_inside_container" not in run(host)


def test_nvcc_differs_from_torch_cuda_is_info():
    facts = dataclasses.replace(healthy_machine(), toolkit=ToolkitFacts(nvcc_version=ok("12.4")))
    f = run(facts)["toolkit_differs_from_torch_cuda"]
    assert f.severity.value == "info" and f.recipe is None
    same = dataclasses.replace(healthy_machine(), toolkit=ToolkitFacts(nvcc_version=ok("13.0")))
    assert "toolkit_differs_from_torch_cuda" not in run(same)


def test_torch_devices_alone_give_the_gpu():
    cu126 = ("sm_50", "sm_60", "sm_70", "sm_75", "sm_80", "sm_86", "sm_90")
    tf = torch_build("2.6.0+cu126", "12.6", 90501, arch_list=cu126,
                     devices=[TorchDevice(0, "NVIDIA GeForce RTX 5090", "12.0")])
    assert set(run(machine(torch=tf))) == {"gpu_arch_unsupported_by_torch_build"}
