"""Rendering one recipe for one machine: applies-checks, filled values, includes, conditions."""

from __future__ import annotations

import dataclasses

from envcheck.facts import DriverFacts, Facts, HostFacts
from envcheck.recipes import fill_recipe, machine_values
from envcheck.recipes.fill import Check, checks, fill
from envcheck.recipes.values import Value, Values
from tests.builders import gpu, healthy_host, healthy_machine, machine, ok
from tests.recipes.conftest import FakeAdvice
from tests.recipes.conftest import machine as recorded


def test_applies_checks_each_criterion(recipes):
    fresh = recorded("fresh_2404_rtx4090_nouveau")
    got = [(c.answer, c.text) for c in checks(recipes.get("driver_ubuntu_drivers"), fresh)]
    assert got == [(True, "Ubuntu 24.04 (written for 20.04, 22.04, 24.04, 26.04)"),
                   (True, "GPU architecture ada (for: maxwell, pascal, volta, turing, ampere, ada, hopper, blackwell)"),
                   (True, "not in a container (for use outside containers)"),
                   (True, "WSL: none (for use outside WSL)"), (True, "has_nvidia_gpu is true")]
    k80 = machine(host=healthy_host(), gpus=[gpu("Tesla K80", "3.7")])
    assert fill_recipe(recipes, recipes.get("driver_ubuntu_drivers"), k80, Values({})).applies is False
    docker = recorded("docker_no_gpus")
    got = {c.text: c.answer for c in checks(recipes.get("driver_ubuntu_drivers"), docker)}
    assert got["written for Ubuntu 20.04, 22.04, 24.04, 26.04; this is debian"] is False
    assert got["in a docker container (for use outside containers)"] is False


def test_applies_is_unknown_when_the_facts_do_not_say(recipes):
    rr = fill_recipe(recipes, recipes.get("nouveau_blacklist"), Facts(), Values({}))
    assert rr.applies is None
    assert [c.answer for c in rr.checks] == [None, None, None]
    assert fill_recipe(recipes, recipes.get("driver_nvidia_apt"), Facts(), Values({})).checks[1] == \
        Check(None, "GPU architecture not known (for: maxwell, pascal, volta, turing, ampere, ada, hopper, blackwell)")
    wsl1 = machine(host=HostFacts(os_id=ok("ubuntu"), os_version=ok("22.04"), wsl=ok("wsl1")))
    assert fill_recipe(recipes, recipes.get("wsl2"), wsl1, Values({})).applies is True


def test_fill_marks_unknown_values_and_uses_recipe_defaults():
    used = {}
    values = Values({"python": Value("3.12", "facts")})
    text = fill("python{python} x {driver_branch} ${PATH} {cudnn_version}", values, {"cudnn_version": "9.1"}, used)
    assert text == "python3.12 x <driver_branch> ${PATH} 9.1"
    assert [(n, v.text, v.source) for n, v in used.items()] == [
        ("python", "3.12", "facts"), ("driver_branch", None, "unknown"), ("cudnn_version", "9.1", "default")]


def test_rendered_commands_carry_this_machines_values(recipes):
    fresh = recorded("fresh_2404_rtx4090_nouveau")
    rr = fill_recipe(recipes, recipes.get("driver_nvidia_apt"), fresh, machine_values(fresh, FakeAdvice()))
    commands = [c for s in rr.steps for c in s.commands]
    assert "wget https://developer.download.nvidia.com/compute/cuda/repos/ubuntu2404/x86_64/cuda-keyring_1.1-1_all.deb" \
        in commands
    assert "sudo apt-get install -y nvidia-driver-pinning-580" in commands
    assert "sudo apt-get install -y nvidia-open" in commands
    assert rr.missing == ()
    tarball = fill_recipe(recipes, recipes.get("cudnn_tarball"), fresh, machine_values(fresh, FakeAdvice()))
    assert dict(tarball.values)["cudnn_version"] == Value("9.24.0.43", "default", "this recipe's default")


def test_includes_expand_with_their_conditions(recipes):
    fresh = recorded("fresh_2404_rtx4090_nouveau")
    rr = fill_recipe(recipes, recipes.get("fresh_to_verified"), fresh, machine_values(fresh, FakeAdvice()))
    owners = [s.recipe for s in rr.steps]
    assert owners[:3] == ["fresh_to_verified", "nouveau_blacklist", "nouveau_blacklist"]
    # A GeForce (VGA class) is no data-center GPU: the -server utilities step drops out.
    assert owners.count("driver_ubuntu_drivers") == 3 and owners.count("torch_pip_venv") == 4
    assert "Add the compute utilities (server drivers)" not in [s.title for s in rr.steps]
    assert rr.steps[-1].commands == ("envcheck verify", "envcheck burn")
    # nouveau is not loaded: its steps drop out.
    no_nouveau = dataclasses.replace(fresh, driver=dataclasses.replace(fresh.driver, loaded_modules=ok(())))
    rr = fill_recipe(recipes, recipes.get("fresh_to_verified"), no_nouveau, machine_values(no_nouveau, FakeAdvice()))
    assert "nouveau_blacklist" not in [s.recipe for s in rr.steps]
    h100 = healthy_machine()
    rr = fill_recipe(recipes, recipes.get("driver_ubuntu_drivers"), h100, machine_values(h100, FakeAdvice()))
    assert rr.steps[-1].commands == ("sudo apt-get install -y nvidia-utils-580-server",)
    assert rr.steps[2].commands == ("sudo ubuntu-drivers install --gpgpu nvidia:580-server-open",)


def test_steps_whose_condition_is_unknown_say_so(recipes):
    partial = machine(host=healthy_host(), driver=DriverFacts())
    rr = fill_recipe(recipes, recipes.get("fresh_to_verified"), partial, Values({}))
    nouveau = [s for s in rr.steps if s.recipe == "nouveau_blacklist"]
    assert nouveau and all(s.only_if == "nouveau is loaded" for s in nouveau)


def test_instead_of_reboot_steps_are_kept_for_show(recipes):
    f = healthy_machine()
    rr = fill_recipe(recipes, recipes.get("driver_mismatch_recover"), f, machine_values(f, FakeAdvice()))
    assert [(s.title, s.reboot_after, s.instead_of_reboot) for s in rr.steps][:2] == [
        ("Reboot to load the kernel module that matches the libraries", True, False),
        ("Reload the NVIDIA modules", False, True)]
