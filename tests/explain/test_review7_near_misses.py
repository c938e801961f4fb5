"""Working machines' pastes a review of session 7 found given an error finding, one per reader fixed:
another machine's driver told beside this one's nvidia-smi (cuda_said), a GPU package said to be
"already" enough for the CPU one that was skipped (framework_packages), an optional NVIDIA module
systemd could not find (the catalogue's systemd entries name the driver's own modules only)."""

import pytest

from envcheck.explain import diagnose, source


def _errors(text):
    _, report = diagnose(source.normalise(text), collected_at="")
    return {f.id for f in report.findings if f.severity.value == "error"}


@pytest.mark.parametrize("text", [
    "My old laptop's driver only supports up to CUDA 10.2 so I moved to the new workstation; here nvidia-smi "
    "shows CUDA Version: 12.4 and torch 2.3.0+cu121 works\n",
    "I only have onnxruntime-gpu; I skipped onnxruntime because onnxruntime-gpu already includes the CPU "
    "provider. CUDAExecutionProvider is listed.\n",
    "I got an error because the driver was too old; after updating it everything works, cuDF runs on the GPU.\n",
    "systemd-modules-load[512]: Failed to find module 'nvidia-peermem'\n>>> torch.__version__, "
    "torch.cuda.is_available()\n('2.4.0+cu124', True)\n",
])
def test_no_error_on_a_working_machine(text):
    assert not _errors(text)


@pytest.mark.parametrize("text, fid", [
    ("my driver only supports up to CUDA 11.4\n>>> torch.__version__\n'2.3.0+cu121'\n>>> torch.cuda.is_available()\n"
     "False\n", "driver_too_old_for_torch_cuda"),
    ("systemd-modules-load[312]: Failed to find module 'nvidia'\n", "driver_kernel_module_not_loaded"),
])
def test_the_broken_forms_still_read(text, fid):
    assert fid in _errors(text)
