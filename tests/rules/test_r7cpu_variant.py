"""A CPU-only torch picked by a package manager's variant (branch r7cpu): mamba's transaction
rows, the ``cpuonly`` / ``pytorch-cpu`` selectors in ``conda list`` or environment.yml, and a
poetry.lock source on download.pytorch.org/whl/cpu (explain/parsers/torch_cpu_variant.py).
Each broken paste stands beside a healthy one with the same words. Texts written for the test,
none taken from the diagnosis corpus."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import errors, findings

SMI = """\
+-----------------------------------------------------------------------------------------+
| NVIDIA-SMI 550.54.15              Driver Version: 550.54.15      CUDA Version: 12.4     |
|-----------------------------------------+------------------------+----------------------+
|   0  NVIDIA GeForce RTX 3090        Off |   00000000:01:00.0  On |                  N/A |
+-----------------------------------------+------------------------+----------------------+
"""

MAMBA = """\
  Package            Version  Build                         Channel           Size
──────────────────────────────────────────────────────────────────────────────────
  Install:
──────────────────────────────────────────────────────────────────────────────────

  + libtorch           2.1.2  {build}   conda-forge       50MB
  + pytorch            2.1.2  {build}   conda-forge       25MB
"""

YML = """\
name: proj
channels:
  - pytorch
  - conda-forge
dependencies:
  - python=3.10
  - pytorch=2.0.1
  - torchvision
{selector}
"""

POETRY = """\
[[package]]
name = "torch"
version = "2.2.1"
description = "Tensors and Dynamic neural networks in Python with strong GPU acceleration"
optional = false
python-versions = ">=3.8.0"
files = [
    {{file = "torch-2.2.1-cp311-cp311-linux_x86_64.whl", hash = "sha256:0123"}},
]

[package.source]
type = "legacy"
url = "https://download.pytorch.org/whl/{index}"
reference = "pytorch"
"""


@pytest.mark.parametrize("text", [
    MAMBA.format(build="cpu_generic_py311h1234567_0") + SMI,
    MAMBA.format(build="cpu_mkl_py311h89abcde_101") + SMI,
    "  + pytorch        2.0.1  py3.10_cpu_0        pytorch/linux-64     Cached\n" + SMI,
    "  + cpuonly          2.0  0                  pytorch/noarch       Cached\n" + SMI,
    "  + pytorch-mutex    1.0  cpu                pytorch/noarch       Cached\n" + SMI,
    YML.format(selector="  - cpuonly") + SMI,
    YML.format(selector="  - pytorch::cpuonly=2.0") + SMI,
    YML.format(selector="  - pytorch-cpu") + "torch.cuda.is_available() returns False on my RTX 4090",
    "$ conda list | grep torch\ncpuonly                   2.0                           0    pytorch\n" + SMI,
    POETRY.format(index="cpu") + SMI,
])
def test_cpu_variant_chosen_by_the_package_manager(text):
    assert "torch_cpu_only_build" in findings(text)


@pytest.mark.parametrize("text", [
    MAMBA.format(build="cuda118_py311h1234567_300") + SMI,  # the CUDA variant
    "  + pytorch-mutex    1.0  cuda               pytorch/noarch       Cached\n" + SMI,
    YML.format(selector="  # - cpuonly   (only on laptops)") + SMI,  # commented out
    "Should I remove cpuonly from environment.yml?\n" + SMI,  # a question, not a dependency
    YML.format(selector="  - cpuonly") + "This laptop has no GPU; everything runs on the CPU as intended.\n",
    YML.format(selector="  - cpuonly") + SMI + ">>> torch.cuda.is_available()\nTrue\n",  # the env in use is CUDA
    POETRY.format(index="cu121") + SMI,
    POETRY.replace('name = "torch"', 'name = "torchvision"').format(index="cpu") + SMI,  # not torch's source
])
def test_same_words_without_a_cpu_torch_on_a_gpu(text):
    assert "torch_cpu_only_build" not in findings(text)
    assert not errors(text)


REQS = """\
$ cat requirements.txt
{index}
torch{pin}
torchvision
numpy
"""


@pytest.mark.parametrize("index,pin", [
    ("--index-url https://download.pytorch.org/whl/cpu", ""),
    ("--extra-index-url https://download.pytorch.org/whl/cpu", "==2.1.0"),
    ("-i https://download.pytorch.org/whl/cpu/", ">=2.0"),
])
def test_requirements_on_the_cpu_index(index, pin):
    assert "torch_cpu_only_build" in findings(REQS.format(index=index, pin=pin) + SMI)


@pytest.mark.parametrize("text", [
    REQS.format(index="--extra-index-url https://download.pytorch.org/whl/cu121", pin="==2.1.0") + SMI,
    REQS.format(index="# --index-url https://download.pytorch.org/whl/cpu", pin="") + SMI,  # commented out
    REQS.format(index="--index-url https://download.pytorch.org/whl/cpu", pin="")
    + "CI runner without a GPU; the CPU wheel keeps the image small.\n",
    REQS.format(index="--index-url https://download.pytorch.org/whl/cpu", pin="").replace("torch\n", "")
    + SMI,  # no torch requirement in the file
    REQS.format(index="--index-url https://download.pytorch.org/whl/cpu", pin="") + SMI
    + "Successfully installed torch-2.3.1+cu121\n>>> torch.cuda.is_available()\nTrue\n",  # what pip got wins
])
def test_requirements_near_misses(text):
    assert "torch_cpu_only_build" not in findings(text)
    assert not errors(text)
