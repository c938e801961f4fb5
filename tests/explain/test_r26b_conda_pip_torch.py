"""Round 26 b: conda's pytorch and pip's torch in one conda listing at the same version
(explain/parsers/packages.py, _two_installs): ``torch  2.0.0  pypi_0  pypi`` is what pip put into
the environment (conda list shows pip's packages so), beside conda's own ``pytorch  2.0.0
py3.10_cpu_0  pytorch``: two installs in one site-packages, the shape of chemprop/chemprop#377's
listing. Near-misses: pip's torch alone in a conda env, conda's pytorch alone (with pytorch-cuda /
pytorch-mutex beside it), collect_env's [pip3] and [conda] sections naming one conda install, two
listings of two environments. Texts written for the test."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

ID = "mixed_torch_installations"


def test_conda_pytorch_beside_pip_torch():
    paste = ("(chemprop) $ conda list | grep torch\n"
             "pytorch                   2.0.0              py3.10_cpu_0    pytorch\n"
             "pytorch-cuda              11.8                 h7e8668a_3    pytorch\n"
             "pytorch-mutex             1.0                         cpu    pytorch\n"
             "torch                     2.0.0                    pypi_0    pypi\n"
             "torchaudio                2.0.0               py310_cpu    pytorch\n")
    f = findings(paste)
    assert ID in f, sorted(f)


@pytest.mark.parametrize("paste", [
    "$ conda list | grep torch\n"
    "pytorch-mutex             1.0                        cuda    pytorch\n"
    "torch                     2.1.0                    pypi_0    pypi\n"
    "torchvision               0.16.0                   pypi_0    pypi\n",
    "$ conda list | grep torch\n"
    "pytorch                   2.0.0           py3.10_cuda11.8_cudnn8.7.0_0    pytorch\n"
    "pytorch-cuda              11.8                 h7e8668a_3    pytorch\n"
    "pytorch-mutex             1.0                        cuda    pytorch\n",
    "Versions of relevant libraries:\n[pip3] numpy==1.24.3\n[pip3] torch==2.0.0\n"
    "[conda] pytorch                   2.0.0           py3.10_cuda11.8_cudnn8.7.0_0    pytorch\n"
    "[conda] pytorch-cuda              11.8                 h7e8668a_3    pytorch\n",
    "env a:\ntorch                     2.0.0                    pypi_0    pypi\n\nenv b (another machine):\n"
    "pytorch                   2.0.0           py3.10_cuda11.8_cudnn8.7.0_0    pytorch\n",
])
def test_one_install_near_misses(paste):
    assert ID not in findings(paste)


@pytest.mark.parametrize("paste", [
    "I have both the pip torch and the conda pytorch installed in the same environment, RTX 3090.",
    "我同时用pip和conda装了torch，两个版本冲突了",
    "同时用pip和conda安装了pytorch，现在import报错。",
])
def test_both_tools_said(paste):
    f = findings(paste)
    assert ID in f, sorted(f)


@pytest.mark.parametrize("paste", [
    "I have both the pip torch and the conda pytorch, each in its own conda env, RTX 3090.",
    "Should I keep both the pip torch and the conda pytorch? RTX 3090.",
    "I don't have both the pip torch and the conda pytorch installed, only the conda one.",
    "不要同时用pip和conda装torch，我只用了conda。",
])
def test_both_tools_near_misses(paste):
    assert ID not in findings(paste)
