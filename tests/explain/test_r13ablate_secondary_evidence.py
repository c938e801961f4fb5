"""Evidence that stands when a report's decisive line is gone (round 13's evidence ablation,
``benchmarks/evidence_ablation.py``), one class per reader, each with near-misses:

* another program's own failure line (Docker's daemon error, dpkg, apt, systemd, a panic, a
  compiler or make) keeps a paste from "no problems found" (``parsers/failure_shapes.py``);
* the CPU variant of torch's companion packages (torchvision, torchaudio, pytorch-mutex) tells a
  CPU-only torch where torch's own row is not shown (``parsers/companion_variant.py``);
* the tail of the kernel module's API-mismatch refusal ("… kernel module and all NVIDIA driver
  components have the same version") tells the driver/library mismatch where its first line is
  not in the text (``messages.toml``, ``nvrm_api_mismatch_tail``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from envcheck.explain import diagnose, source
from envcheck.explain.parsers import companion_variant, failure_shapes

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "explain"
HEALTHY = (FIXTURES / "collect_env_2x_multi_gpu.txt").read_text()

SMI = """+-----------------------------------------------------------------------------------------+
| NVIDIA-SMI 550.54.14              Driver Version: 550.54.14      CUDA Version: 12.4     |
|-----------------------------------------+------------------------+----------------------+
|   0  NVIDIA GeForce RTX 3090        Off |   00000000:01:00.0  On |                  N/A |
+-----------------------------------------+------------------------+----------------------+
"""


def _report(text: str):
    return diagnose(source.normalise(text), collected_at="")[1]


def _errors(report):
    return {f.id for f in report.findings if f.severity.value == "error"}


# ------------------------------------------------------------------ other programs' failure lines
@pytest.mark.parametrize("line", [
    "docker: Error response from daemon: failed to create task for container: failed to create shim task: "
    "OCI runtime create failed: runc create failed: unable to start container process: error during container init",
    "Error response from daemon: could not select device driver \"\" with capabilities: [[gpu]]",
    "ERRO[0003] error waiting for container: context canceled",
    "dpkg: error processing package nvidia-dkms-535 (--configure):",
    "dpkg: error processing archive /var/cache/apt/archives/cuda-drivers_550.54.15-1_amd64.deb (--unpack):",
    "E: Sub-process /usr/bin/dpkg returned an error code (1)",
    "Jun 11 08:11:04 host systemd[1]: Failed to start NVIDIA Persistence Daemon.",
    "Job for nvidia-fabricmanager.service failed because the control process exited with error code.",
    "start: Job failed to start",
    "thread 'main' panicked at 'called Result::unwrap() on an Err value: DriverError(CUDA_ERROR_NO_DEVICE)'",
    "panic: runtime error: invalid memory address or nil pointer dereference",
    "src/kernel.cu:3:10: fatal error: cuda_runtime.h: No such file or directory",
    "kernel.cu(12): error: identifier \"__hadd2\" is undefined",
    "CMake Error at CMakeLists.txt:12 (find_package):",
    "make[2]: *** [CMakeFiles/app.dir/build.make:76: app] Error 1",
    "ninja: build stopped: subcommand failed.",
    "Error! Bad return status for module build on kernel: 6.8.0-45-generic (x86_64)",
])
def test_another_programs_failure_line_is_recorded(line):
    found = failure_shapes.parse(source.normalise(f"some output\n{line}\nmore output\n"))
    # as normalised: a syslog stamp and host go (source.normalise), the line stays whole
    assert [it.value for it in found.items] == [source.normalise(line).lines[0].strip()]


@pytest.mark.parametrize("line", [
    "W: Possible missing firmware /lib/firmware/nvidia/ad102/gsp/booter_load-ad102.bin for module nvidia",
    "I got an error response from the daemon when I started the container",
    "Setting up nvidia-docker (1.0.0~rc.3-1) ...",
    "Jun 11 08:11:04 host systemd[1]: Started NVIDIA Persistence Daemon.",
    "Don't panic: it works after a reboot",
    "make[2]: Leaving directory '/build'",
    "-- The CUDA compiler identification is NVIDIA 12.4.131",
    "Name: nvidia-smi",
    "the error: was that I forgot --gpus all",
    "Error! is what I got, no details",
    "DKMS: install completed.",
])
def test_lines_that_only_look_like_a_failure_are_not_one(line):
    assert failure_shapes.parse(source.normalise(line)).items == []


def test_a_working_machine_with_a_daemon_error_is_unexplained_never_ok_nor_an_error():
    assert _report(HEALTHY).verdict == "ok"
    report = _report(HEALTHY + "\n$ docker run --rm myimage\ndocker: Error response from daemon: "
                               "failed to create task for container: exec format error\n")
    assert report.verdict == "unexplained"
    assert not _errors(report)


# ------------------------------------------------------------------ companions' CPU variant
CONDA_NEW = """The following NEW packages will be INSTALLED:

  cudatoolkit        pkgs/main/win-64::cudatoolkit-10.2.89-h74a9793_1
  pytorch-mutex      pytorch/noarch::pytorch-mutex-1.0-cpu
  torchaudio         pytorch/win-64::torchaudio-0.10.0-py38_cpu
  torchvision        pytorch/win-64::torchvision-0.11.1-py38_cpu
"""
CONDA_TABLE = """The following packages will be downloaded:

    package                    |            build
    ---------------------------|-----------------
    pytorch-mutex-1.0          |              cpu           3 KB  pytorch
    torchaudio-0.12.1          |         py38_cpu         3.5 MB  pytorch
    torchvision-0.13.1         |         py38_cpu         6.2 MB  pytorch
"""
CONDA_LIST = "# Name                    Version                   Build  Channel\ntorchvision               0.13.1                 py39_cpu    pytorch\n"
PIP_FREEZE = "numpy==1.26.4\ntorchaudio==2.3.1+cpu\ntorchvision==0.18.1+cpu\n"
PIP_LIST = "Package      Version\n------------ ----------\ntorchvision  0.18.1+cpu\n"


def _variant(text: str):
    return [(c.path, c.reading.status.value) for c in companion_variant.parse(source.normalise(text)).claims]


@pytest.mark.parametrize("text", [CONDA_NEW, CONDA_TABLE, CONDA_LIST, PIP_FREEZE, PIP_LIST])
def test_a_companions_cpu_variant_tells_a_cpu_only_torch(text):
    assert _variant(text) == [("torch.cuda_build", "not_found")]


@pytest.mark.parametrize("text", [
    "torchvision        pytorch/linux-64::torchvision-0.13.1-py38_cu113",
    "    torchvision-0.13.1         |         py38_cu113        30.4 MB  pytorch",
    "pytorch-mutex             1.0                        cuda    pytorch",
    "torchvision==0.18.1+cu121\ntorchaudio==2.3.1+cu121",
    # torch's own CUDA build beside a CPU companion: not this reader's to judge
    "torch==2.3.1+cu121\ntorchvision==0.18.1+cpu",
    CONDA_TABLE + "    pytorch-1.12.1             |py3.8_cuda11.3_cudnn8.3.2_0       1.21 GB  pytorch\n",
    "I uninstalled the cpu torchvision and installed torchvision==0.18.1 from the cu121 index",
    "pip install torchvision --index-url https://download.pytorch.org/whl/cpu",
])
def test_near_misses_make_no_cpu_claim(text):
    assert _variant(text) == []


def test_the_cpu_only_build_is_found_from_companions_with_a_gpu_and_not_with_a_cuda_torch():
    assert "torch_cpu_only_build" in {f.id for f in _report(SMI + "\n" + PIP_FREEZE).findings}
    asked = "conda install pytorch torchvision torchaudio cudatoolkit=10.2 -c pytorch\n" + CONDA_TABLE
    assert "torch_cpu_only_build" in {f.id for f in _report(asked).findings}
    cuda = SMI + "\ntorch==2.3.1+cu121\ntorchvision==0.18.1+cu121\n>>> torch.cuda.is_available()\nTrue\n"
    assert "torch_cpu_only_build" not in {f.id for f in _report(cuda).findings}


# ------------------------------------------------------------------ the API mismatch's tail
@pytest.mark.parametrize("tail", [
    "[  145.699678] NVRM: make sure that this kernel module and all NVIDIA driver\n"
    "[  145.699813] NVRM: components have the same version.",
    "Jun 11 08:11:04 host kernel: NVRM: kernel module and all NVIDIA driver components\n"
    "Jun 11 08:11:04 host kernel: NVRM: have the same version.",
])
def test_the_refusals_tail_alone_tells_the_mismatch(tail):
    report = _report(f"$ nvidia-smi\nFailed to initialize NVML: Unknown Error\n$ dmesg | tail -2\n{tail}\n")
    assert "nvml_driver_library_mismatch" in _errors(report)


def test_a_working_driver_with_the_same_words_in_a_question_is_not_a_mismatch():
    text = SMI + ("\nThe docs say to make sure the kernel module and the user-space driver match. "
                  "Do I need to reboot after every update?\n")
    assert "nvml_driver_library_mismatch" not in {f.id for f in _report(text).findings}


def test_a_long_build_log_keeps_its_last_failure_lines_only():
    log = "\n".join(f"make[{k}]: *** [Makefile:{k}: all] Error 1" for k in range(100))
    found = failure_shapes.parse(source.normalise(log))
    assert len(found.items) == failure_shapes.MAX_LINES
    assert found.items[-1].value == "make[99]: *** [Makefile:99: all] Error 1"


# ------------------------------------------------------------------ torch's report without torch
NO_TORCH = (FIXTURES / "collect_env_no_torch.txt").read_text()


def test_torchs_own_report_without_torch_is_a_warning_never_ok():
    report = _report(NO_TORCH)
    found = {f.id: f.severity.value for f in report.findings}
    assert found.get("torch_not_installed") == "warning"
    assert report.verdict == "warning"


@pytest.mark.parametrize("text", [
    NO_TORCH.replace("[pip3] numpy==2.0.0", "[pip3] numpy==2.0.0\n[pip3] torch==2.3.0"),  # a row says it is there
    NO_TORCH.replace("PyTorch version: N/A", "PyTorch version: 2.3.0+cu121"),  # torch imported
    "I do not use PyTorch here, only TensorFlow.\n" + SMI,
])
def test_near_misses_give_no_warning_for_a_missing_torch(text):
    assert {f.id: f.severity.value for f in _report(text).findings}.get("torch_not_installed") != "warning"


# ------------------------------------------------------------------ the NGC no-driver banner's tail
@pytest.mark.parametrize("tail", [
    "   Use the NVIDIA Container Toolkit to start this container with GPU support; see\n"
    "   https://docs.nvidia.com/datacenter/cloud-native/ .",
    "   Use 'nvidia-docker run' to start this container; see\n   https://github.com/NVIDIA/nvidia-docker/wiki/nvidia-docker",
])
def test_the_ngc_banners_tail_alone_tells_a_container_without_gpus(tail):
    text = f"$ docker run --rm -it nvcr.io/nvidia/pytorch:24.01-py3\n{tail}\n>>> torch.cuda.is_available()\nFalse\n"
    assert "container_missing_gpus_flag" in {f.id for f in _report(text).findings}


def test_a_container_started_with_gpus_that_works_is_not_told_to_add_them():
    # NGC's banner on a working GPU, and the same words in a person's account of a setup that works
    text = ("$ docker run --rm --gpus all nvcr.io/nvidia/pytorch:24.01-py3 nvidia-smi\n"
            "NVIDIA Release 24.01 (build 80741402)\nPyTorch Version 2.2.0a0+81ea7a4\n" + SMI +
            "\nI used the NVIDIA Container Toolkit to start this container with GPU support (--gpus all).\n")
    assert "container_missing_gpus_flag" not in {f.id for f in _report(text).findings}


# ------------------------------------------------------------------ torch's capability warning, quoted
def test_torchs_capability_warning_quoted_without_its_period_is_read():
    text = ("GPU: NVIDIA GeForce RTX 5090\nPyTorch warns, then crashes:\n"
            "- NVIDIA GeForce RTX 5090 with CUDA capability sm_120 is not compatible with the current PyTorch installation\n")
    assert "gpu_arch_unsupported_by_torch_build" in _errors(_report(text))


def test_the_warning_told_as_a_past_state_is_no_error():
    text = (SMI + "\nBefore, torch warned: NVIDIA GeForce RTX 3090 with CUDA capability sm_86 is not compatible with "
            "the current PyTorch installation\nUpdate: solved by installing torch 2.7.0+cu128, it works now.\n")
    assert "gpu_arch_unsupported_by_torch_build" not in _errors(_report(text))
