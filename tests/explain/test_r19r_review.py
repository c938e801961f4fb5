"""Round 19 review of rounds 17/18's prose readers: near-misses that made findings, each beside a
broken text of the same class that must still fire. Reviewer's texts, after the shapes of the
readers' own tests (resume_cpu_switch, nouveau_signals' blocked-then-fixed, gpu_absent_prose,
rules/wsl_windows)."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import errors, findings

UVM = "nvidia_uvm_stale_after_suspend"
SMI_TABLE = ("+-----------------------------------------------------------------------------+\n"
             "| NVIDIA-SMI 525.60.11    Driver Version: 528.02       CUDA Version: 12.0     |\n"
             "|-------------------------------+----------------------+----------------------+\n"
             "|   0  NVIDIA GeForce ...  On   | 00000000:01:00.0  On |                  N/A |\n")


# --- resume_cpu_switch: the switch told as over -------------------------------------------
@pytest.mark.parametrize("text", [
    "Ollama used to switch to the CPU after resume, but since 0.1.30 it stays on the GPU after sleep.",
    "Ollama doesn't switch to the CPU after resume anymore since the update.",
    "Before the 0.5 release, ollama switched to CPU after resume from sleep; now it's fine.",
])
def test_a_switch_to_the_cpu_after_resume_told_as_over_claims_nothing(text):
    assert UVM not in findings(text)


@pytest.mark.parametrize("text", [
    "After resuming from suspend, ollama switches to CPU.",
    "I used to run ollama happily on my RTX 3060 but now after resume from suspend it switches to the CPU every time.",
])
def test_a_switch_to_the_cpu_after_resume_still_fires(text):
    assert UVM in errors(text)


def test_a_switch_told_fixed_by_its_cure_still_fires_as_it_was():
    # the cure names the cause: reloading nvidia_uvm; told over after its "but", the error is a
    # warning (explain/resolved.py since session 13)
    text = "After resuming from suspend, ollama switched to CPU, but that was fixed by reloading nvidia_uvm, it works now."
    assert UVM in findings(text)


# --- nouveau blocked long ago, as set-up ---------------------------------------------------
@pytest.mark.parametrize("text", [
    "I blacklisted nouveau years ago and the nvidia driver works; my question is about the dataloader speed.",
    "Of course I blacklisted nouveau and everything works, the issue is the dataloader.",
])
def test_nouveau_blocked_long_ago_is_no_finding(text):
    assert "nouveau_bound" not in findings(text)


@pytest.mark.parametrize("text", [
    "After blacklisting nouveau it works now, thanks!",
    "nvidia-smi failed for two days. Yesterday I blacklisted nouveau and then it worked.",
])
def test_nouveau_blocked_as_the_fix_still_fires(text):
    assert "nouveau_bound" in findings(text)


# --- no NVIDIA GPU as the cause, on another machine or in the past ------------------------
@pytest.mark.parametrize("text", [
    "The tests fail due to no NVIDIA GPU on the GitHub runner; locally on my 3090 they pass.",
    "Previously it failed because of no nvidia gpu, now I moved to a machine with one and it works.",
    "Tests are skipped due to no NVIDIA GPU in the CI container.",
])
def test_no_nvidia_gpu_elsewhere_or_before_claims_nothing(text):
    assert "no_nvidia_gpu_found" not in findings(text)


@pytest.mark.parametrize("text", [
    "It crashes due to no NVIDIA GPU on my laptop.",
    "I think the error is because of no nvidia gpu in this machine.",
])
def test_no_nvidia_gpu_as_the_cause_still_fires(text):
    assert "no_nvidia_gpu_found" in findings(text)


# --- an old Windows banner beside a GPU that works under WSL ------------------------------
@pytest.mark.parametrize("text", [
    "Microsoft Windows [Version 10.0.19041.1415]\nwsl --status: Default Version: 2\n$ nvidia-smi\n" + SMI_TABLE
    + "$ python -c \"import torch; print(torch.cuda.is_available())\"\nTrue\n",
    "Microsoft Windows [Version 10.0.19041.1415]\nI use WSL2 (Ubuntu 22.04).\n"
    "$ python -c \"import torch; print(torch.cuda.is_available())\"\nTrue\n",
])
def test_an_old_windows_banner_beside_a_working_gpu_is_no_finding(text):
    assert "windows_too_old_for_wsl_gpu" not in findings(text)


def test_windows_nvidia_smi_listing_the_gpu_while_wsl_fails_still_fires():
    text = ("Microsoft Windows [Version 10.0.19041.1415]\nPS C:\\> nvidia-smi\n" + SMI_TABLE
            + "In WSL2:\n$ nvidia-smi\nNVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. "
              "Make sure that the latest NVIDIA driver is installed and running.\n")
    assert "windows_too_old_for_wsl_gpu" in findings(text)


# --- Secure Boot: its state now is not the act of turning it off --------------------------
@pytest.mark.parametrize("text", [
    "I have secure boot disabled and the nvidia module loads fine.",
    "Secure boot is disabled in BIOS, the driver works.",
])
def test_secure_boot_said_off_beside_a_working_driver_is_no_finding(text):
    got = findings(text)
    assert "driver_not_loaded_secure_boot" not in got and "driver_kernel_module_not_loaded" not in got


@pytest.mark.parametrize("text", [
    "Turning Secure Boot off brought it back to normal.",
    "The nvidia module did not load. I disabled secure boot and now it works.",
    "Secure boot was disabled and then nvidia-smi worked.",
])
def test_secure_boot_turned_off_as_the_fix_still_fires(text):
    assert "driver_not_loaded_secure_boot" in findings(text)


@pytest.mark.parametrize("text", ["Disabling secure boot did not bring it back to normal.",
                                  "Turning Secure Boot off did not help."])
def test_secure_boot_off_without_effect_claims_nothing(text):
    assert "driver_not_loaded_secure_boot" not in findings(text)


# --- a CUDA library said missing, then said to load again ---------------------------------
@pytest.mark.parametrize("text", [
    "libcudnn.so.8 was lost after the upgrade, but I reinstalled cudnn and now it loads fine.",
    "cublas64_11.dll is missing after the update, I copied it from the toolkit and it works again.",
])
def test_a_library_missing_then_loading_again_is_no_error(text):
    assert "cuda_library_missing" not in errors(text)


@pytest.mark.parametrize("text", ["libcudnn.so.8 was lost after the upgrade and now nothing runs.",
                                  "It can't find cublas64_11.dll, so the program exits."])
def test_a_library_said_missing_still_fires(text):
    assert "cuda_library_missing" in errors(text)


# --- a full disk denied after the words (ja, ko) or before them (zh) ----------------------
@pytest.mark.parametrize("text", ["ディスクがいっぱいではありません。空き容量は十分あります。",
                                  "디스크 공간이 부족하지 않습니다.", "不是磁盘满了，是驱动的问题。",
                                  "Disk alanı yetersiz değil, 200 GB boş."])
def test_a_full_disk_denied_in_cjk_is_no_finding(text):
    assert "low_disk_space" not in findings(text)


@pytest.mark.parametrize("text", ["ディスクがいっぱいで、モデルを保存できません。", "디스크 공간이 부족합니다.",
                                  "磁盘空间不足，无法保存模型。", "Disk alanı yetersiz, model indirilemiyor."])
def test_a_full_disk_said_in_cjk_still_fires(text):
    assert "low_disk_space" in findings(text)


# --- Fabric Manager said stopped, in the present ------------------------------------------
H100S = ("$ nvidia-smi -L\nGPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-1b2c3d4e-0000-0000-0000-000000000000)\n"
         "GPU 1: NVIDIA H100 80GB HBM3 (UUID: GPU-1b2c3d4e-0000-0000-0000-000000000001)\n")


def test_fabric_manager_said_stopped_on_an_hgx_fires():
    assert "fabric_manager_not_running" in errors(H100S + "Fabric manager is stopped and torch.cuda.is_available() "
                                                           "returns False.\n")


@pytest.mark.parametrize("said", [
    "nvidia-fabricmanager was stopped and then restarted after the driver upgrade; all GPUs work.",
    "Is fabric manager stopped? no, it's running.",
    "The fabric manager is stopped on purpose during the maintenance window, the GPUs are drained.",
])
def test_fabric_manager_stopped_then_restarted_asked_or_on_purpose_is_no_finding(said):
    assert "fabric_manager_not_running" not in findings(H100S + said + "\n")


def test_secure_boot_off_fixing_another_driver_is_no_finding():
    # linuxmint/mintdrivers#103, a commenter's Broadcom Wi-Fi (verbatim): not the NVIDIA module
    text = ("I encountered the same issue with a broadcom driver: driver manager suggested installing "
            "broadcom-sta-dkms, although wifi was already working fine. But as it came, I installed it anyway and "
            "ended up with broken wifi. Only after disabling secure boot wifi was working again (or after removing "
            "the package).")
    got = findings(text)
    assert "driver_not_loaded_secure_boot" not in got and "driver_kernel_module_not_loaded" not in got


# --- "nouveau was loaded, after blacklisting it everything works": the past, fixed ---------
@pytest.mark.parametrize("text", ["nouveau was loaded, after blacklisting it everything works.",
                                  "nouveau was loaded. After blacklisting it everything works."])
def test_nouveau_loaded_then_blocked_with_a_pronoun_is_the_fixed_warning(text):
    got = findings(text)
    assert "nouveau_bound" in got and "nouveau_bound" not in errors(text)


@pytest.mark.parametrize("text", ["lsmod shows nouveau loaded, nvidia-smi fails.",
                                  "nouveau is loaded and nvidia-smi fails. I blacklisted nouveau but it still doesn't work."])
def test_nouveau_loaded_and_not_fixed_stays_an_error(text):
    assert "nouveau_bound" in errors(text)


def test_it_for_secure_boot_is_not_nouveau_blocked():
    text = "nouveau is not loaded; the nvidia module was refused because of secure boot, disabling it fixed it."
    assert "nouveau_bound" not in findings(text)


# --- "no NVIDIA GPU <noun>": something else missing than the GPU -----------------------------
@pytest.mark.parametrize("text", [
    "The error is because of no NVIDIA GPU support in the Docker image; I pulled the cpu tag by mistake.",
    "It fails due to no NVIDIA GPU driver installed in the VM.",
    "It failed because of no nvidia gpu access inside the container (I forgot --gpus all).",
    "The crash is due to no nvidia card memory left.",
    "I don't have an NVDIA GPU driver installed yet.",
])
def test_no_nvidia_gpu_support_driver_access_is_not_no_gpu(text):
    assert "no_nvidia_gpu_found" not in findings(text)


def test_no_nvidia_gpu_on_a_laptop_with_intel_graphics_still_fires():
    assert "no_nvidia_gpu_found" in findings("It fails due to no NVIDIA GPU on this laptop (Intel Iris Xe only).")


# --- the NVIDIA module said absent elsewhere or as expected --------------------------------
@pytest.mark.parametrize("text", [
    "The nvidia module isn't loaded on the login node, which is expected; on the compute nodes it is.",
    "lsmod | grep nvidia shows nothing on my Mac, of course.",
])
def test_the_module_absent_on_another_node_or_as_expected_is_no_finding(text):
    assert "driver_kernel_module_not_loaded" not in findings(text)


@pytest.mark.parametrize("text", [
    "lsmod | grep nvidia shows nothing, and nvidia-smi fails.",
    "The nvidia module isn't loaded on the compute node where the job runs.",
    "The nvidia module isn't loaded. Of course I rebooted twice.",
])
def test_the_module_absent_here_still_fires(text):
    assert "driver_kernel_module_not_loaded" in errors(text)
