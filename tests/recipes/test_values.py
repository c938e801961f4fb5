"""Placeholder values: where each comes from, and the one adapter to the advisor."""

from __future__ import annotations

import dataclasses

from envcheck.errors import EnvcheckError
from envcheck.facts import Facts, PciFacts
from envcheck.recipes import values as values_mod
from envcheck.recipes.values import PLACEHOLDERS, advice_for, machine_values, runfiles
from tests.builders import gpu, machine, ok, pci_gpu, python_env
from tests.recipes.conftest import FakeAdvice
from tests.recipes.conftest import machine as recorded


def texts(values):
    return {name: (v.text, v.source) for name, v in values.items.items()}


def test_values_for_the_fresh_machine_with_advice():
    got = texts(machine_values(recorded("fresh_2404_rtx4090_nouveau"), FakeAdvice()))
    assert got == {
        "distro": ("ubuntu", "facts"), "os_version": ("24.04", "facts"), "ubuntu_version": ("2404", "facts"),
        "kernel": ("6.8.0-45-generic", "facts"), "repo_arch": ("x86_64", "facts"), "python": ("3.12", "facts"),
        "venv": ("$HOME/venvs/torch", "default"), "conda_env": ("torch", "default"),
        "ld_library_path_cuda": ("(none)", "facts"), "driver_branch": ("580", "advice"),
        "driver_flavour": ("-open", "facts"), "nvidia_apt_driver": ("nvidia-open", "facts"),
        "driver_package": ("nvidia-driver-580-open", "advice"), "ubuntu_drivers_args": ("nvidia:580-open", "advice"),
        "cuda_variant": ("cu130", "advice"), "cuda_version": ("13.0", "advice"),
        "index_url": ("https://download.pytorch.org/whl/cu130", "advice"),
        "torch_pip": (FakeAdvice.pip_command, "advice"), "torch_uv": (FakeAdvice.uv_command, "advice"),
        "cuda_pkg_version": ("13-0", "advice"), "cuda_major": ("13", "advice"),
        "cuda_runfile": ("cuda_13.0.2_580.95.05_linux.run", "advice"),
        "cuda_runfile_url": ("https://developer.download.nvidia.com/compute/cuda/13.0.2/local_installers/"
                             "cuda_13.0.2_580.95.05_linux.run", "advice"),
        "gpu_index": (None, "unknown"), "nvidia_wheels": (None, "unknown"),
        "blacklist_lines": ("blacklist nouveau\\noptions nouveau modeset=0", "facts"),
        "cache_dir": ("/home/USER/.cache/envcheck", "facts"), "container_image": ("<image>", "default"),
        "container_name": ("<container>", "default"), "visible_devices": ("0", "facts"),
        "ld_library_path_keep": ("", "facts"), "wsl_distro": ("Ubuntu-24.04", "default"),
    }
    assert set(got) <= set(PLACEHOLDERS)


def test_without_advice_the_driver_branch_comes_from_the_installed_driver():
    v = machine_values(recorded("ubuntu2204_driver_mismatch"), None, "no advisor here")
    assert (v.get("driver_branch").text, v.get("driver_branch").source) == ("550", "facts")
    assert v.get("installed_driver_version").text == "550.107.02"
    assert v.get("venv").text == "/home/USER/venvs/torch" and v.get("venv").source == "facts"
    assert v.get("nvidia_wheels").text.startswith("nvidia-cublas-cu12 nvidia-cuda-cupti-cu12")
    assert not v.get("cuda_variant").known and v.notes == ("no advisor here",)
    fresh = machine_values(recorded("fresh_2404_rtx4090_nouveau"), None, "")
    assert not fresh.get("driver_branch").known and not fresh.get("driver_package").known


def test_driver_flavour_follows_architecture_and_data_center():
    def flavour(facts):
        v = machine_values(facts, FakeAdvice())
        return v.get("driver_flavour").text, v.get("nvidia_apt_driver").text, v.get("ubuntu_drivers_args").text

    assert flavour(machine(gpus=[gpu("NVIDIA GeForce GTX 1080 Ti", "6.1")])) == ("", "cuda-drivers", "nvidia:580")
    assert flavour(machine(gpus=[gpu("Tesla V100-SXM2-16GB", "7.0")])) == ("-server", "cuda-drivers",
                                                                            "--gpgpu nvidia:580-server")
    assert flavour(machine(gpus=[gpu("NVIDIA B200", "10.0")])) == ("-server-open", "nvidia-open",
                                                                   "--gpgpu nvidia:580-server-open")
    assert flavour(machine(gpus=[gpu("NVIDIA GeForce RTX 5090", "12.0")])) == ("-open", "nvidia-open",
                                                                               "nvidia:580-open")
    unknown = machine_values(Facts(), FakeAdvice()).get("driver_flavour")
    assert (unknown.text, unknown.source) == ("-open", "default") and "Maxwell" in unknown.detail


def test_python_and_environment_values():
    conda = machine(python=dataclasses.replace(python_env(env_kind="conda"),
                                               env_path=ok("/home/USER/miniforge3/envs/ml")))
    v = machine_values(conda)
    assert v.get("conda_env").text == "ml" and v.get("venv").source == "default"
    assert machine_values(Facts()).get("python").text == "3"
    ld = machine_values(recorded("docker_no_gpus")).get("ld_library_path_cuda")
    assert ld.text == "(none)"


def test_gpu_index_points_at_the_gpu_with_a_pending_repair():
    two = machine(gpus=[gpu(index=0), gpu(index=1, remapped_rows_pending=True)])
    assert machine_values(two).get("gpu_index").text == "1"
    assert machine_values(machine(gpus=[gpu(index=0)])).get("gpu_index").text == "0"
    assert not machine_values(machine(gpus=[gpu(index=0), gpu(index=1)])).get("gpu_index").known


def test_runfile_table_covers_the_pytorch_cuda_variants():
    assert set(runfiles()) >= {"11.8", "12.4", "12.6", "12.8", "12.9", "13.0", "13.2"}
    for mm, path in runfiles().items():
        version, name = path.split("/")
        assert version.startswith(mm + ".") and name == f"cuda_{version}_{name.split('_')[2]}_linux.run"


def test_an_advisor_that_found_nothing_says_why():
    adv = FakeAdvice(ok=False, variant=None, cuda=None, index_url=None, pip_command=None, uv_command=None,
                     reasons=("driver 470 is older than every current PyTorch build needs",))
    v = machine_values(machine(pci=PciFacts(ok((pci_gpu(),)))), adv)
    assert not v.get("torch_pip").known and v.get("driver_branch").text == "580"
    assert v.notes == ("the advisor found no PyTorch build that works here yet: driver 470 is older than every "
                       "current PyTorch build needs",)


def test_advice_for_asks_envcheck_advise(monkeypatch):
    seen = []
    monkeypatch.setattr(values_mod, "target_from_facts", lambda facts: seen.append(facts) or "target")
    monkeypatch.setattr(values_mod, "advise", lambda target: FakeAdvice(variant="cu128") if target == "target" else None)
    facts = Facts()
    advice, note = advice_for(facts)
    assert advice.variant == "cu128" and note == "" and seen == [facts]

    def refuse(target):
        raise EnvcheckError("no GPU described")

    monkeypatch.setattr(values_mod, "advise", refuse)
    assert advice_for(facts) == (None, "the advisor could not decide: no GPU described")


def test_a_cpu_wheel_for_a_gpu_machine_is_called_out():
    cpu = FakeAdvice(variant="cpu", cuda=None, index_url="https://download.pytorch.org/whl/cpu")
    v = machine_values(recorded("fresh_2404_rtx4090_nouveau"), cpu)
    assert v.warnings_for(["python", "torch_pip", "torch_uv"]) == (
        "the advisor chose the CPU-only PyTorch although this machine has an NVIDIA GPU (it could not tell which "
        "GPU); re-run once the driver works",)
    assert v.warnings_for(["driver_branch"]) == ()
    assert machine_values(machine(pci=PciFacts(ok(()))), cpu).warnings == {}


def test_warnings_reach_the_plan_even_without_missing_values(recipes):
    from envcheck.recipes import build_plan
    from envcheck.rules import make

    facts = recorded("fresh_2404_rtx4090_nouveau")
    cpu = FakeAdvice(variant="cpu", cuda=None, index_url="https://download.pytorch.org/whl/cpu")
    plan = build_plan(recipes, facts, [make("torch_not_installed", "x")], machine_values(facts, cpu))
    assert plan.notes[0].startswith("the advisor chose the CPU-only PyTorch")
    # A plan without a PyTorch step does not carry the doubt about the PyTorch build.
    plan = build_plan(recipes, facts, [make("nouveau_bound", "x")], machine_values(facts, cpu))
    assert plan.notes == ()


def test_blackwell_next_to_a_pascal_gpu_is_called_out():
    # No driver flavour serves both: Blackwell requires the open modules, Pascal the proprietary ones.
    facts = machine(gpus=[gpu("NVIDIA GeForce GTX 1080 Ti", "6.1"), gpu("NVIDIA GeForce RTX 5090", "12.0", index=1)])
    v = machine_values(facts, FakeAdvice())
    assert v.get("driver_flavour").text == ""
    (warning,) = v.warnings_for(["ubuntu_drivers_args", "driver_package"])
    assert warning.startswith("this machine mixes Blackwell with Pascal GPUs")
    assert machine_values(machine(gpus=[gpu("NVIDIA GeForce RTX 5090", "12.0")]), FakeAdvice()).warnings == {}
