"""Round 27 k: whose ptxas refused the GPU ("ptxas fatal : Value 'sm_89' is not defined for option
'gpu-name'"), by the ptxas command line in the paste (messages.toml ptxas_command_line,
derived/driver_program_forms.ptxas_run_outside_triton). Triton runs its bundled ptxas by its full
path under triton/backends/nvidia/bin (a torch/triton release older than the GPU:
gpu_arch_unsupported_by_torch_build); any other ptxas command (accelerate-llvm-ptx's "ptxas - -o
….sass -arch=sm_89 (exit 255)", a Makefile's "ptxas -arch=sm_86 …") is the CUDA toolkit's on PATH:
cuda_toolkit_too_old_for_gpu_arch. Near-misses: triton's repro command and torch inductor's
CalledProcessError (stay torch's), the refusal alone, a ptxas command that succeeded, an old GPU's
dropped architecture. Texts written for the test, in the shape of AccelerateHS/accelerate#540."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

TOOLKIT = "cuda_toolkit_too_old_for_gpu_arch"
TORCH = "gpu_arch_unsupported_by_torch_build"
REFUSED = "ptxas fatal   : Value 'sm_{sm}' is not defined for option 'gpu-name'\n"


@pytest.mark.parametrize("paste", [
    "accelerate-simple-exe:\n*** Internal error in package accelerate ***\n"
    "ptxas - -o /home/h/.cache/accelerate/accelerate-llvm-1.3.0.0/accelerate-llvm-ptx-1.3.0.0/llvm-hs-9.0.1/"
    "nvptx64-nvidia-cuda/sm89/rel/morp8b77.sass -arch=sm_89 (exit 255)\n" + REFUSED.format(sm="89"),
    "$ make\nnvcc -ptx kernel.cu -o kernel.ptx\nptxas -arch=sm_86 -m64 kernel.ptx -o kernel.cubin\n"
    + REFUSED.format(sm="86") + "make: *** [Makefile:12: kernel.cubin] Error 255\n",
    "C:\\work> ptxas.exe --gpu-name=sm_120 -O3 kernels.ptx -o kernels.cubin\n" + REFUSED.format(sm="120"),
], ids=["accelerate", "makefile", "windows-gpu-name"])
def test_a_ptxas_command_outside_triton_is_the_toolkits(paste):
    f = findings(paste)
    assert TOOLKIT in f, sorted(f)
    assert TORCH not in f, sorted(f)


@pytest.mark.parametrize("paste", [
    "triton.runtime.errors.PTXASError: PTXAS error: Internal Triton PTX codegen error\n`ptxas` stderr:\n"
    + REFUSED.format(sm="121a") + "\nRepro command: /home/x/envs/pt10/lib/python3.10/site-packages/triton/backends/"
    "nvidia/bin/ptxas -lineinfo -v --gpu-name=sm_121a /tmp/tmpkw7ug6t8.ptx -o /tmp/tmpkw7ug6t8.ptx.o\n",
    "subprocess.CalledProcessError: Command '['/home/e/anaconda3/envs/fs/lib/python3.10/site-packages/triton/backends/"
    "nvidia/bin/ptxas', '-lineinfo', '-v', '--gpu-name=sm_120', '/tmp/t.ptx', '-o', '/tmp/t.ptx.o']' returned "
    "non-zero exit status 255.\n" + REFUSED.format(sm="120"),
], ids=["triton-repro", "inductor"])
def test_tritons_ptxas_stays_torchs(paste):
    f = findings(paste)
    assert TOOLKIT not in f, sorted(f)


@pytest.mark.parametrize("paste", [
    # a ptxas command that went through, on a working machine
    "$ ptxas -arch=sm_89 -v kernel.ptx -o kernel.cubin\nptxas info    : 0 bytes gmem\n"
    "ptxas info    : Compiling entry function 'add' for 'sm_89'\nptxas info    : Used 8 registers\n",
    # asked about, before trying
    "Will `ptxas -arch=sm_90 kernel.ptx` work with CUDA 11.7, or do I need 11.8 first?\n",
], ids=["ptxas-ok", "question"])
def test_no_toolkit_finding_without_a_refusal(paste):
    f = findings(paste)
    assert TOOLKIT not in f and TORCH not in f, sorted(f)
