"""Windows told by its paths (explain/parsers/windows_paths.py), and what an unsuffixed torch is there:
PyPI's CPU wheel where pip installed a 2.x, or a 1.x with CUDA said unavailable
(rules/compat.py); never Linux's default CUDA wheel and its architecture list (derived/machine.py)."""

from __future__ import annotations

import pytest

from envcheck.explain import diagnose, source

PIP_171 = ("Requirement already satisfied: torch in c:\\users\\jesse\\appdata\\local\\programs\\python\\python39"
           "\\lib\\site-packages (1.7.1)\n")


def _report(text: str):
    return diagnose(source.normalise(text), collected_at="")[1]


def _ids(text: str):
    return {f.id for f in _report(text).findings}


@pytest.mark.parametrize("text", [
    # pip's path, the code, and the person's "it prints False" on the next line
    "Hi, I am having trouble getting my Nvidia GPU used.\n\n" + PIP_171 + "\nprint(torch.cuda.is_available())\n\n"
    "it prints False so clearly I am doing something wrong here.\n",
    PIP_171 + "torch.cuda.is_available() gives me False on my RTX 3060\n",
    # a venv's path in a traceback, a 2.x without its label
    'File "C:\\proj\\venv\\Lib\\site-packages\\ultralytics\\utils\\torch_utils.py", line 12, in select_device\n'
    "torch 2.2.0\nI have an RTX 4060 laptop. torch.cuda.is_available() returns False\n",
])
def test_pips_unsuffixed_torch_on_windows_is_the_cpu_wheel(text):
    report = _report(text)
    assert report.facts.host.os_id.value == "windows"
    found = [f for f in report.findings if f.id == "torch_cpu_only_build"]
    assert found and found[0].confidence.value == "likely", [f.id for f in report.findings]


@pytest.mark.parametrize("text", [
    # a conda environment: its unsuffixed 1.x may be a CUDA build
    "Requirement already satisfied: torch in c:\\users\\me\\anaconda3\\envs\\rife\\lib\\site-packages (1.7.1)\n"
    "print(torch.cuda.is_available())\nit prints False\n",
    # CUDA available: the wheel has CUDA
    PIP_171 + ">>> torch.cuda.is_available()\nTrue\nI have an RTX 3060.\n",
    # a 1.x with nothing failing
    PIP_171 + "I have an RTX 3060 and training is fine, this is about the docs.\n",
    # a question whose answer is a choice
    PIP_171 + "print(torch.cuda.is_available())\nis it supposed to return True or False?\n",
])
def test_no_cpu_wheel_where_windows_pip_does_not_say_so(text):
    assert "torch_cpu_only_build" not in _ids(text)


def test_a_windows_torch_is_not_judged_by_linuxs_default_wheel():
    """1.7.1 on Windows is not PyPI's Linux cu102 wheel (no sm_86): no architecture finding."""
    text = "OS: Microsoft Windows 10 Pro\n" + PIP_171 + "I have an RTX 3060.\n"
    assert not {"gpu_arch_unsupported_by_torch_build", "gpu_arch_too_old_for_torch_build"} & _ids(text)


@pytest.mark.parametrize("text, os_id", [
    (PIP_171, "windows"),
    ('  File "C:\\Users\\me\\AppData\\Roaming\\Python\\Python310\\site-packages\\torch\\__init__.py", line 1\n', "windows"),
    # WSL: the Windows host's path beside a Linux run
    ("I run it in WSL2.\n" + PIP_171, None),
    # a container: the host's folder mounted
    ("docker run --gpus all -v C:\\Users\\me\\data:/data pytorch/pytorch python train.py\n", None),
    # two machines' Pythons in one text
    (PIP_171 + "on the server: /usr/lib/python3/dist-packages/torch/__init__.py\n", None),
    # a path with no Windows Python layout in it
    ("I saved the images to C:\\temp\\images\\out.png\n", None),
])
def test_windows_is_told_by_its_python_paths_only(text, os_id):
    assert _report(text).facts.host.os_id.value == os_id
