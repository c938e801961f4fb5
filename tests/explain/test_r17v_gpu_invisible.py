"""Round 17 (v): GPU visible to nothing, in the forms strangers paste.

* A hosted notebook (Colab) where ``!nvidia-smi`` prints "couldn't communicate with the NVIDIA
  driver": a CPU runtime (no_nvidia_gpu_found), not a kernel module that failed to load.
* "no NVIDIA GPU" given as the reason ("fails due to no Nvidia GPU") or with NVIDIA's name
  misspelt ("I don't have an NVDIA GPU").
* Secure Boot blamed with the apostrophe dropped ("my nvidia driver cant load because of secure boot").

Near-misses: the same words on a machine nvidia-smi shows, a tool reporting no GPU detected,
questions and conditions, Secure Boot turned off, a local machine (no hosted runtime).
"""

from __future__ import annotations

import pytest

from envcheck.explain import source
from envcheck.explain.parsers import gpu_absent_prose, module_load_prose
from tests.rules.test_unseen_classes import errors, findings

SMI_FAIL = ("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. "
            "Make sure that the latest NVIDIA driver is installed and running.")
NO_DRIVER = ("RuntimeError: Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU and "
             "installed a driver from http://www.nvidia.com/Download/index.aspx")
SMI_TABLE = ("| NVIDIA-SMI 535.104.05             Driver Version: 535.104.05   CUDA Version: 12.2     |\n"
             "|   0  Tesla T4                       Off | 00000000:00:04.0 Off |                    0 |\n")


# --------------------------------------------------------------------------- Colab's CPU runtime
@pytest.mark.parametrize("text", [
    "I bought Colab Pro and now every time I run the first cell it says \"" + SMI_FAIL + "\"",
    "Running the notebook on Google Colab:\n!nvidia-smi\n" + SMI_FAIL + "\n",
    "File \"/content/stable-diffusion/setup.py\", line 3\n" + SMI_FAIL + "\n",
    "在colab上运行 nvidia-smi 报错：\nNVIDIA-SMI has failed because it couldn‘t communicate with the NVIDIA driver.\n",
])
def test_colab_nvidia_smi_without_driver_is_a_cpu_runtime(text: str) -> None:
    found = findings(text)
    assert "no_nvidia_gpu_found" in found
    assert found["no_nvidia_gpu_found"].severity.value == "error"
    assert "driver_kernel_module_not_loaded" not in found
    assert "driver_not_loaded_secure_boot" not in found


@pytest.mark.parametrize("text", [
    SMI_FAIL + "\n",  # no hosted runtime named: a local machine's driver is not loaded
    "On my workstation (not Colab) nvidia-smi says: " + SMI_FAIL + "\n" + "$ lspci | grep -i nvidia\n"
    "01:00.0 VGA compatible controller: NVIDIA Corporation TU104 [GeForce RTX 2080 SUPER] (rev a1)\n",
    "Colab GPU runtime, T4 GPU selected, yet:\n" + SMI_FAIL + "\n",  # a GPU runtime said
    "Colab:\n" + SMI_TABLE + "everything works, the bug is in the tokenizer\n",  # nvidia-smi works there
])
def test_nvidia_smi_without_driver_elsewhere_is_not_a_cpu_runtime(text: str) -> None:
    assert "no_nvidia_gpu_found" not in findings(text)


# --------------------------------------------------------------------------- no NVIDIA GPU, said
def _said(text: str):
    return [c for c in gpu_absent_prose.parse(source.normalise(text)).claims if c.path == "pci.devices"]


@pytest.mark.parametrize("text", [
    "I got the docker container up and running but it fails due to no Nvidia GPU:\n> " + NO_DRIVER + "\n",
    "The error is because of no NVIDIA graphics card in this laptop.\n" + NO_DRIVER + "\n",
    "It crashes due to not having an nvidia gpu.\n" + NO_DRIVER + "\n",
    "I don't have an NVDIA GPU so I tried to run with CPU only.\n"
    "RuntimeError: CUDA failed with error CUDA driver version is insufficient for CUDA runtime version\n",
    "my laptop has no nvida card\n" + NO_DRIVER + "\n",
    "I dont have a nividia graphics card, only Intel.\n" + NO_DRIVER + "\n",
])
def test_no_nvidia_gpu_said(text: str) -> None:
    assert _said(text)
    assert "no_nvidia_gpu_found" in findings(text)


@pytest.mark.parametrize("text", [
    "CUDA fails due to no NVIDIA GPU being detected, although nvidia-smi lists my RTX 3080.\n",
    "it fails due to no nvidia gpu found\n" + NO_DRIVER + "\n",
    "Does it fail due to no NVIDIA GPU?\n",
    "If you don't have an NVDIA GPU, use the CPU image.\n",
    "I don't have an NVDIA GPU problem, my RTX 4090 works:\n" + SMI_TABLE,
    "with an nvidia gpu it works\n",
    "the run was slow due to no NVIDIA GPU memory left on GeForce RTX 3090\n",
])
def test_no_nvidia_gpu_near_misses(text: str) -> None:
    assert not _said(text)


def test_no_nvidia_gpu_said_is_no_error_on_a_report_without_failure() -> None:
    # A working CPU setup told in passing: the finding may note it, never as an error.
    assert "no_nvidia_gpu_found" not in errors("I don't have an NVDIA GPU, so I run the model on the CPU; "
                                               "the output is wrong for long prompts.\n")


# --------------------------------------------------------------------------- Secure Boot blamed
def _sb(text: str):
    return [c for c in module_load_prose.parse(source.normalise(text)).claims if c.path == "host.secure_boot"]


@pytest.mark.parametrize("text", [
    "Now the system boots but my nvidia driver cant load because of secure boot.\n",
    "the nvidia module wont load because secure boot is on\n",
    "My nvidia driver doesnt work since secure boot got enabled again.\n",
])
def test_secure_boot_blamed_without_apostrophe(text: str) -> None:
    assert _sb(text)
    assert "driver_not_loaded_secure_boot" in findings(text)


@pytest.mark.parametrize("text", [
    "I disabled secure boot and the nvidia driver still cant load.\n",
    "the nvidia driver cant load because of secure boot?\n",
    "Secure boot is not the problem: the nvidia driver cant load because the kernel was updated.\n",
])
def test_secure_boot_without_apostrophe_near_misses(text: str) -> None:
    assert not _sb(text)


# --------------------------------------------------------------------------- nouveau blocked, then it worked
@pytest.mark.parametrize("text", [
    "The gpu-operator driver pod made the machine crash, dmesg shows many errors about `nouveau`.\n"
    "Ok, thanks, i exec blacklist nouveau after, `k8s-driver-manager` can exec success,\n",
    "Update:\n\nInstallation has been successfully completed after disabling nouveau and updating initramfs as root\n",
    "After blacklisting nouveau the NVIDIA driver works.\n",
    "nvidia-smi 一直报错，禁用nouveau后驱动安装成功了\n",
])
def test_nouveau_blocked_then_working(text: str) -> None:
    found = findings(text)
    assert "nouveau_bound" in found
    assert found["nouveau_bound"].severity.value == "warning"  # the machine was fixed: the cause, not its state


@pytest.mark.parametrize("text", [
    "blacklist nouveau\noptions nouveau modeset=0\n",  # modprobe.d lines: configuration
    "I blacklisted nouveau but it still doesn't work.\n",
    "Should I blacklist nouveau so that the driver works?\n",
    "echo \"blacklist nouveau\" | sudo tee /etc/modprobe.d/blacklist-nouveau.conf && sudo update-initramfs -u\n",
    "Blacklisting nouveau did not help, nvidia-smi still fails.\n",
])
def test_nouveau_blocked_near_misses(text: str) -> None:
    assert "nouveau_bound" not in findings(text)


def test_nouveau_unloaded_by_hand_is_a_test_not_a_fix() -> None:
    from envcheck.explain.parsers import nouveau_signals
    text = ("The logs indicate that Nouveau wasn't disabled. Manually unloading the nouveau driver and loading the "
            "nvidia driver seems to work.\n")
    assert not nouveau_signals.parse(source.normalise(text)).claims


def test_nouveau_state_outranks_the_fix_told() -> None:
    # lsmod shows nouveau loaded now: the error stands, whatever fixed it elsewhere.
    text = ("$ lsmod | grep nouveau\nnouveau              2433024  3\n"
            "On my other box, after blacklisting nouveau the NVIDIA driver works.\n")
    assert findings(text)["nouveau_bound"].severity.value == "error"


# --------------------------------------------------------------------------- Paddle found no GPU
PADDLE_NO_GPU = "W0226 22:01:12.924293  6132 init.cc:127] Compiled with WITH_GPU, but no GPU found in runtime.\n"
PADDLE_NOT_SET = ("paddle/fluid/framework.py:634: UserWarning: You are using GPU version Paddle, but your CUDA device is "
                  "not set properly. CPU device will be used by default.\n")


@pytest.mark.parametrize("text", [
    "export CUDA_VISIBLE_DEVICES=3\nsh run.sh\n" + PADDLE_NO_GPU,
    "C:\\Users\\me>set CUDA_VISIBLE_DEVICES=1\n" + PADDLE_NO_GPU,
    "export CUDA_VISIBLE_DEVICES=\"\"\n" + PADDLE_NOT_SET,
])
def test_paddle_no_device_beside_a_mask(text: str) -> None:
    assert "cuda_visible_devices_hides_gpus" in findings(text)


@pytest.mark.parametrize("text", [
    PADDLE_NO_GPU,  # no mask in the text: nothing to blame on it
    PADDLE_NOT_SET,
    "export CUDA_VISIBLE_DEVICES=0\n" + PADDLE_NO_GPU,  # GPU 0 exists wherever there is one
])
def test_paddle_no_device_without_a_mask(text: str) -> None:
    assert "cuda_visible_devices_hides_gpus" not in findings(text)
    assert not errors(text)
