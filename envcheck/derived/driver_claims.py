"""A person saying the NVIDIA driver is too old (``explain/parsers/driver_prose.py``): the
detail the reader writes on the claim, so a rule knows the failed driver-CUDA reading is that
sentence and not a tool's. Findings on it are "likely"."""

from __future__ import annotations

from envcheck.derived.messages import STATED_DETAIL
from envcheck.reading import Reading

# "the msg is that my Nvidia version is too old", "驱动太老"
DRIVER_OLD_DETAIL = f"{STATED_DETAIL}: the NVIDIA driver said to be too old"


def said_too_old(reading: Reading) -> bool:
    return not reading.ok and str(reading.detail or "").startswith(DRIVER_OLD_DETAIL)


# "after waking the laptop from suspend, ollama only uses the CPU" (explain/parsers/resume_failure_prose.py):
# CUDA unusable, said of the time after a resume.
RESUME_FAILURE_DETAIL = f"{STATED_DETAIL}: CUDA fails after a suspend and resume"


def said_failed_after_resume(reading: Reading) -> bool:
    return reading.ok and reading.value is False and str(reading.detail or "").startswith(RESUME_FAILURE_DETAIL)


# "CUDA version: 10.0", "my cuda is 11.2" (explain/parsers/cuda_said.py): a CUDA number a person
# gave for the machine, without saying whether nvidia-smi or nvcc printed it.
CUDA_SAID_DETAIL = f"{STATED_DETAIL}: the machine's CUDA said to be"


def said_cuda(reading: Reading):
    """The CUDA version a person gave for the machine ("10.0"), else None."""
    detail = str(reading.detail or "")
    if reading.ok or not detail.startswith(CUDA_SAID_DETAIL):
        return None
    return detail[len(CUDA_SAID_DETAIL):].split()[0]


# "the driver and library versions don't match", "驱动和库版本不一致" (explain/parsers/mismatch_prose.py):
# a person retelling NVML's "Driver/library version mismatch" in their own words.
MISMATCH_SAID_DETAIL = f"{STATED_DETAIL}: the kernel module and the driver libraries said to differ"


def said_mismatch(reading: Reading) -> bool:
    return not reading.ok and str(reading.detail or "").startswith(MISMATCH_SAID_DETAIL)
