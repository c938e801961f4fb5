"""Round 18 v: three ways people tell that nothing reaches the GPU, read as claims.

* The module's build retold as failed (explain/parsers/module_absent_prose.py): "the dkms build
  command would not work", "akmods failed to build kmod-nvidia", "the GCC version used to build the
  kernel is different than current version of GCC" — DKMS's "Bad return status for module build" and
  kbuild's compiler check in words: driver_kernel_module_not_loaded.
* Turning Secure Boot off said to bring the machine back ("Disabling secure boot returns function to
  normal", explain/parsers/system.py): Secure Boot was on while the module was refused. The fix denied
  ("did not bring it back to normal", "still doesn't work") claims nothing.
* CUDA lost at a resume, told as the GPU left for the CPU ("after the system enters sleep mode and
  resumes, Ollama stops using the GPU and switches to the CPU", explain/parsers/resume_cpu_switch.py):
  nvidia_uvm_stale_after_suspend.

Texts written for the test after the shapes of real reports (clearlinux/distribution#2410,
Foxboron/sbctl#506, ollama/ollama#10053); near-misses: questions, conditions, denials, another
module's DKMS build, a switch to the CPU with no resume, a working machine after the fix."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

MODULE = "driver_kernel_module_not_loaded"
SB = "driver_not_loaded_secure_boot"
STALE = "nvidia_uvm_stale_after_suspend"


@pytest.mark.parametrize("text", [
    "My system updated.  When I rebooted, the GUI no longer came up on my NVIDIA card.  When I ran the NVIDIA "
    "installation script, I received the message that the dkms build command would not work.",
    "After the update akmods failed to build kmod-nvidia for the new kernel, so the NVIDIA driver is gone.",
    "DKMS fails to build the nvidia module on 6.8.0-60-generic.",
    "The NVIDIA script told me that the GCC version used to build the kernel is different than the current "
    "version of GCC installed on my system.",
    "nvidia 驱动: dkms 编译失败，重启后黑屏。",
])
def test_the_modules_build_retold_as_failed(text):
    assert MODULE in findings(text)


@pytest.mark.parametrize("text", [
    "Does the dkms build fail for the nvidia module on this kernel?",          # a question
    "If dkms fails to build the nvidia module, reinstall the headers.",        # a condition
    "The nvidia dkms build did not fail; the module builds fine.",             # denied
    "My NVIDIA card works. The dkms build for v4l2loopback failed though.",   # another module
    "DKMS failed to build the nvidia module, but after installing the headers it works now and nvidia-smi "
    "shows the GPU.",                                                          # fixed
])
def test_no_build_failure_claimed(text):
    assert MODULE not in findings(text)


def test_secure_boot_off_said_to_bring_it_back():
    text = ("Rebooted and enabled secure boot\nOnly primary monitor works, NVtop no longer reports the RTX 4070\n"
            "Disabling secure boot returns function to normal\n")
    got = findings(text)
    assert SB in got and MODULE in got


@pytest.mark.parametrize("text", [
    "Rebooted and enabled secure boot\nDisabling secure boot did not bring it back to normal, nvidia-smi still fails\n",
    "Rebooted and enabled secure boot\nI turned off secure boot but it still doesn't work with the NVIDIA driver\n",
])
def test_secure_boot_fix_denied(text):
    got = findings(text)
    sb = got.get(SB)
    assert sb is None or "turning Secure Boot off made it work" not in str(sb.evidence)


@pytest.mark.parametrize("text", [
    "When the PC is first started, Ollama correctly utilizes the GPU. However, after the system enters sleep mode "
    "and resumes, Ollama stops using the GPU and switches to the CPU, resulting in a drop in performance.",
    "After resuming from sleep mode, Ollama no longer utilizes the GPU and instead switches to the CPU.",
    "After waking the laptop from suspend, torch switches to the CPU every time.",
])
def test_gpu_left_for_the_cpu_after_a_resume(text):
    assert STALE in findings(text)


@pytest.mark.parametrize("text", [
    "Ollama switches to the CPU when I set CUDA_VISIBLE_DEVICES=-1.",                      # no resume
    "After resuming from suspend, ollama does not switch to the CPU; it keeps the GPU.",   # denied
    "Does ollama stop using the GPU after the system resumes from sleep?",                 # a question
    "If the laptop resumes from suspend and ollama switches to the CPU, reload nvidia_uvm.",  # a condition
    "After the system resumes from sleep my second monitor switches to the CPU graphics.",  # no compute word
])
def test_no_resume_cpu_switch_claimed(text):
    assert STALE not in findings(text)
