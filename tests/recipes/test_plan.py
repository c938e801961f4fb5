"""The plan builder, fed with findings built directly (envcheck.rules.make), so these tests
do not depend on the rules of issues 2 and 3. test_e2e.py runs the same machines through
the real evaluate()."""

from __future__ import annotations

import dataclasses

from envcheck.facts import PythonFacts
from envcheck.recipes import build_plan, machine_values
from envcheck.rules import make
from tests.builders import gpu, healthy_host, healthy_machine, machine, ok
from tests.recipes.conftest import FakeAdvice
from tests.recipes.conftest import machine as recorded
from tests.recipes.expected_plans import DOCKER_PLAN, FRESH_PLAN, MISMATCH_PLAN, outline


def plan_for(recipes, facts, *findings, advice=FakeAdvice()):
    found = [f if not isinstance(f, str) else make(f, "test") for f in findings]
    return build_plan(recipes, facts, found, machine_values(facts, advice))


def test_fresh_ubuntu_with_nouveau(recipes):
    p = plan_for(recipes, recorded("fresh_2404_rtx4090_nouveau"), "nouveau_bound", "torch_not_installed")
    assert outline(p) == FRESH_PLAN
    assert [r.id for r in p.recipes] == ["nouveau_blacklist", "driver_ubuntu_drivers", "torch_pip_venv"]
    assert p.recipes[1].because == ("needed with nouveau_blacklist: with nouveau gone the GPU needs the NVIDIA "
                                    "driver, and none is installed",)
    reboot = p.steps[5]
    assert reboot.for_recipes == ("nouveau_blacklist", "driver_ubuntu_drivers") and reboot.number == 6
    assert reboot.alternatives == () and "MOK manager" in reboot.at_reboot[0]
    assert [s.needs_root for s in p.steps] == [True] * 7 + [False] * 3
    assert p.steps[4].commands == ("sudo ubuntu-drivers install nvidia:580-open",)
    assert p.verify_commands[0] == "envcheck doctor" and "`envcheck doctor` no longer reports nouveau_bound" in \
        p.verify_expect
    assert p.deferred == () and p.uncovered == ()


def test_driver_library_mismatch(recipes):
    p = plan_for(recipes, recorded("ubuntu2204_driver_mismatch"), "nvml_driver_library_mismatch",
                 "torch_cuda_unavailable")
    assert outline(p) == MISMATCH_PLAN
    reboot = p.steps[-1]
    assert reboot.for_recipes == ("driver_mismatch_recover",)
    # The module reload stands in for the reboot, since only this recipe asked for one.
    assert [t for t, _ in reboot.alternatives] == ["Reload the NVIDIA modules"]
    assert reboot.alternatives[0][1][2] == "sudo rmmod nvidia_uvm nvidia_drm nvidia_modeset nvidia"
    # PyTorch is not reinstalled for a symptom of the driver problem; it is re-checked afterwards.
    assert [(d.finding, d.recipe) for d in p.deferred] == [("torch_cuda_unavailable", "torch_pip_venv")]
    assert "nvidia-smi prints the GPU table with driver 550.107.02" in p.verify_expect


def test_container_without_gpus(recipes):
    # (The catalogue of this branch's base still sends shm_too_small to container_toolkit.)
    shm = make("shm_too_small", "/dev/shm is 64 MiB", recipe="shm_size")
    p = plan_for(recipes, recorded("docker_no_gpus"), "container_missing_gpus_flag", "torch_cuda_unavailable", shm)
    assert outline(p) == DOCKER_PLAN
    assert [(r.id, r.because) for r in p.recipes] == [("container_toolkit", ("container_missing_gpus_flag",)),
                                                      ("shm_size", ("shm_too_small",))]
    assert [s.where for s in p.steps] == ["host"] * 4 + ["machine"] and p.reboots == 0
    # One docker run line serves both recipes: the GPUs and --ipc=host.
    assert p.steps[3].commands[-1] == "docker run --rm -it --gpus all --ipc=host python:3.12 bash"
    assert p.steps[3].shared_with == ("shm_size",)
    assert [d.finding for d in p.deferred] == ["torch_cuda_unavailable"]


def test_no_findings_no_steps(recipes):
    p = plan_for(recipes, healthy_machine())
    assert (p.steps, p.recipes, p.verify_commands, p.deferred, p.uncovered) == ((), (), (), (), ())


def test_findings_without_a_recipe_are_listed_without_steps(recipes):
    f = make("toolkit_differs_from_torch_cuda", "nvcc 12.4, torch 13.0")
    p = plan_for(recipes, healthy_machine(), f)
    assert p.steps == () and [(u.finding, u.missing) for u in p.uncovered] == [("toolkit_differs_from_torch_cuda", None)]


def test_a_finding_naming_a_missing_recipe_says_which(recipes):
    f = make("nouveau_bound", "x", recipe="not_shipped")
    p = plan_for(recipes, healthy_machine(), f)
    assert p.steps == () and [(u.finding, u.missing) for u in p.uncovered] == [("nouveau_bound", "not_shipped")]


def test_a_finding_fills_the_recipe_with_its_own_values(recipes):
    f = make("debug_env_vars_set", "x", [], {"debug_vars": "CUDA_LAUNCH_BLOCKING NCCL_DEBUG"})
    p = plan_for(recipes, healthy_machine(), f)
    assert p.steps[0].commands == ("unset CUDA_LAUNCH_BLOCKING NCCL_DEBUG",)
    assert ("debug_vars", "finding") in [(n, v.source) for n, v in p.values]


def test_a_symptom_alone_is_fixed_directly(recipes):
    p = plan_for(recipes, healthy_machine(), "torch_cuda_unavailable")
    assert [r.id for r in p.recipes] == ["torch_pip_venv"] and p.deferred == ()


def test_shared_steps_appear_once(recipes):
    p = plan_for(recipes, healthy_machine(), make("cudnn_version_mismatch", "x", recipe="cudnn_apt"),
                 make("toolkit_differs_from_torch_cuda", "x", recipe="cuda_toolkit_apt"))
    keyring = [s for s in p.steps if s.title == "Add NVIDIA's CUDA repository"]
    assert len(keyring) == 1 and keyring[0].recipe == "cuda_toolkit_apt" and keyring[0].shared_with == ("cudnn_apt",)
    assert [r.id for r in p.recipes] == ["cuda_toolkit_apt", "cudnn_apt"]  # cudnn_apt comes after the toolkit


def test_dependency_order_beats_finding_order(recipes):
    f = healthy_machine(host=healthy_host(secure_boot=True))
    p = plan_for(recipes, f, "driver_not_loaded_secure_boot", "driver_kernel_module_not_loaded", "nouveau_bound")
    assert [r.id for r in p.recipes] == ["nouveau_blacklist", "dkms_rebuild", "secure_boot_mok"]
    reboots = [s for s in p.steps if s.kind == "reboot"]
    assert len(reboots) == 1 and p.steps[-1] is reboots[0]
    assert reboots[0].for_recipes == ("nouveau_blacklist", "secure_boot_mok")  # dkms_rebuild loads the module
    assert any("Perform MOK management" in n for n in reboots[0].at_reboot)


def test_reboot_comes_before_the_first_step_that_needs_it(recipes):
    p = plan_for(recipes, healthy_machine(), "nvml_driver_library_mismatch", "nvidia_uvm_missing")
    kinds = [(s.kind, s.recipe) for s in p.steps]
    assert kinds.index(("reboot", "")) < kinds.index(("step", "nvidia_uvm_load"))


def test_conda_environment_gets_the_conda_recipe(recipes):
    conda = PythonFacts(executable=ok("/opt/conda/envs/ml/bin/python"), version=ok("3.12.7"), env_kind=ok("conda"),
                        env_path=ok("/opt/conda/envs/ml"), packages=ok(()))
    p = plan_for(recipes, healthy_machine(python=conda), "torch_cpu_only_build")
    assert [r.id for r in p.recipes] == ["torch_conda"]
    assert p.recipes[0].because == ("torch_cpu_only_build", "instead of torch_pip_venv: the Python envcheck probed is "
                                                            "a conda environment")
    assert p.steps[0].commands == ("conda create -y -n ml -c conda-forge python=3.12 pip", "conda activate ml")


def test_wsl2_gets_the_windows_driver_instead_of_a_linux_one(recipes):
    wsl = healthy_machine(host=healthy_host(wsl="wsl2"))
    p = plan_for(recipes, wsl, "driver_too_old_for_torch_cuda")
    assert [r.id for r in p.recipes] == ["wsl2"] and p.steps[0].where == "windows"


def test_per_gpu_recipes_are_planned_once_per_gpu(recipes):
    f = machine(host=healthy_host(), gpus=[gpu(index=0), gpu(index=1, retired_pages_pending=True),
                                            gpu(index=2, remapped_rows_pending=True)])
    p = plan_for(recipes, f, make("retired_pages_pending", "x", gpu=1), make("row_remap_pending", "x", gpu=2))
    assert [(r.id, r.gpu) for r in p.recipes] == [("gpu_memory_repair", 1), ("gpu_memory_repair", 2)]
    looks = [s.commands[0] for s in p.steps if s.title.startswith("Look at")]
    assert looks == ["nvidia-smi -q -d PAGE_RETIREMENT,ROW_REMAPPER -i 1",
                     "nvidia-smi -q -d PAGE_RETIREMENT,ROW_REMAPPER -i 2"]
    # One reboot repairs both GPUs; without it, each GPU is reset on its own.
    reboots = [s for s in p.steps if s.kind == "reboot"]
    assert len(reboots) == 1 and p.steps[-1] is reboots[0]
    assert [cmds[0] for _, cmds in reboots[0].alternatives] == ["sudo nvidia-smi -r -i 1", "sudo nvidia-smi -r -i 2"]


def test_unknown_values_are_reported_not_guessed(recipes):
    fresh = recorded("fresh_2404_rtx4090_nouveau")
    p = build_plan(recipes, fresh, [make("nouveau_bound", "x")], machine_values(fresh, None, "no advisor"))
    install = [s for s in p.steps if s.title.startswith("Install driver")][0]
    assert install.commands == ("sudo ubuntu-drivers install <ubuntu_drivers_args>",)
    assert {n for n, v in p.values if not v.known} == {"driver_package", "driver_branch", "ubuntu_drivers_args"}
    assert p.notes == ("no advisor",)


def test_a_recipe_that_does_not_fit_is_flagged(recipes):
    docker = recorded("docker_no_gpus")
    p = plan_for(recipes, docker, "nvidia_uvm_missing")
    assert p.recipes[0].applies is False
    assert p.notes[-1] == "nvidia_uvm_load does not fit this machine as written (see `envcheck recipe show " \
                          "nvidia_uvm_load`)"


def test_plan_is_a_pure_function_of_its_inputs(recipes):
    facts = recorded("fresh_2404_rtx4090_nouveau")
    a = plan_for(recipes, facts, "nouveau_bound", "torch_not_installed")
    b = plan_for(recipes, dataclasses.replace(facts), "nouveau_bound", "torch_not_installed")
    assert a == b
