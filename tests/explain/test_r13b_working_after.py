"""A failure claimed in prose and the machine said to work after it (``explain.sentences.working_after``):
the session 7 reviewer's texts, each an error finding on a working machine before, now none. The
same words without the working state still claim (the readers' own tests hold the rest)."""

from __future__ import annotations

import pytest

from envcheck.explain.sentences import working_after
from tests.rules.test_unseen_classes import errors, findings

_TORCH_OK = ">>> torch.__version__, torch.cuda.is_available()\n('2.3.1+cu121', True)\n"

# (text, the error finding it gave)
REVIEWED = [
    ("I updated the nvidia driver to 550 and didn't reboot, and everything still works fine: nvidia-smi shows both "
     "GPUs.\n", "nvml_driver_library_mismatch"),
    ("Last week I updated the driver without rebooting and got a mismatch error; after a reboot it has been fine ever "
     "since.\n", "nvml_driver_library_mismatch"),
    ("After upgrading the kernel the nvidia driver stopped working, so I ran sudo dkms autoinstall and rebooted. Now "
     "nvidia-smi shows the GPU and torch sees it.\n", "driver_kernel_module_not_loaded"),
    ("Running `dmesg | grep NVRM` shows nothing, and nvidia-smi works, all 8 GPUs are visible. Is that normal?\n",
     "driver_kernel_module_not_loaded"),
    ("The old kernel works fine with the nvidia driver and so does the new kernel 6.8\n",
     "driver_kernel_module_not_loaded"),
    ("The old kernel works fine and so does the new kernel 6.8, nvidia-smi lists the GPU on both.\n",
     "driver_kernel_module_not_loaded"),
    ("lsmod | grep nvidia returns nothing inside the container, which is expected\n", "driver_kernel_module_not_loaded"),
    ("I haven't installed the nvidia container toolkit because I don't use docker at all\n",
     "nvidia_container_toolkit_missing"),
    ("I haven't installed the nvidia container toolkit because I don't use docker at all\n" + _TORCH_OK,
     "nvidia_container_toolkit_missing"),
    ("I never installed nvidia-container-toolkit since I only use Singularity with --nv on the cluster.\n",
     "nvidia_container_toolkit_missing"),
    ("Docker didn't recognize the nvidia runtime at first, but after I ran nvidia-ctk runtime configure and restart "
     "docker it does\n", "nvidia_container_toolkit_missing"),
    ("The old error was caused by the nvidia driver being too old; after updating it everything works, cuDF runs on "
     "the GPU\n", "cuda_toolkit_newer_than_driver"),
]


@pytest.mark.parametrize("text, fid", REVIEWED)
def test_a_failure_said_over_gives_no_error(text, fid):
    assert fid not in findings(text)
    assert not errors(text)


# The same claims with the machine still failing: each reader still claims.
STILL_BROKEN = [
    ("I updated the nvidia driver to 550 and didn't reboot, and now nvidia-smi fails.\n", "nvml_driver_library_mismatch"),
    ("After upgrading the kernel the nvidia driver stopped working; not everything works fine since.\n",
     "driver_kernel_module_not_loaded"),
    ("Docker doesn't recognize the nvidia runtime. nvidia-smi works fine on the host.\n",
     "nvidia_container_toolkit_missing"),
    ("I haven't installed the nvidia container toolkit, CUDA is not available in the container.\n",
     "nvidia_container_toolkit_missing"),
]


@pytest.mark.parametrize("text, fid", STILL_BROKEN)
def test_the_claim_without_the_working_state_holds(text, fid):
    assert fid in findings(text)


@pytest.mark.parametrize("lines, at, said", [
    (["I updated it without rebooting, and everything still works fine"], 0, True),
    (["I updated it without rebooting.", "Since then it has been fine."], 0, True),
    (["dmesg shows nothing", "torch.cuda.is_available() returns True"], 0, True),
    (["it fails", "all 4 GPUs are visible"], 0, True),
    (["at first it did not, but after a restart of the daemon it does"], 0, True),
    (["I updated it without rebooting, and nothing works fine now"], 0, False),
    (["it fails.", "nvidia-smi doesn't work fine either"], 0, False),
    (["it fails, does it work fine after a reboot?"], 0, False),
    (["it fails; I will check if it works now"], 0, False),
    (["docker cannot find it, nvidia-smi works on the host"], 0, False),
    (["it fails", "", "", "everything works fine on my other machine"], 0, False),  # past the next two lines
])
def test_working_after_reads_the_sentence_and_the_next_two_lines(lines, at, said):
    assert working_after(lines, 0, at) is said


def test_a_working_state_before_the_claim_counts_only_in_its_sentence():
    line = "Everything works fine. Then I updated the driver without rebooting"
    assert working_after([line], 0, line.index("Then"), sentence=True) is False
    assert working_after([line], 0, 0) is True
