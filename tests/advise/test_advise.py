"""envcheck advise: the choice, the commands, the CLI, and that a new release is a data edit."""

from __future__ import annotations

import dataclasses
import json
import shutil

import pytest
from click.testing import CliRunner

from envcheck import __version__, snapshot
from envcheck.advise import Target, advise, facts_of, target_from_facts
from envcheck.cli import cli
from envcheck.knowledge import DATA_DIR, load, load_dir
from envcheck.recipes import install_driver, load_all, machine_values
from tests.builders import healthy_machine, python_env

KB = load()


def target(names=(), driver=None, python="3.12", os_id=None, container=False):
    ccs = tuple(KB.gpu_model(n).cc for n in names)
    return Target(tuple(names), ccs, driver, python, os_id, container)


def driver_install(t, a):
    """The driver recipe's install step for the described machine (what advise prints)."""
    facts = facts_of(t)
    return install_driver(load_all(), facts, machine_values(facts, a), a.driver_branch)


def test_rtx5090_on_driver_570_gets_cu128_not_cuda13():
    a = advise(target(["RTX 5090"], "570.124.04", "3.12"))
    assert a.ok and a.torch_version == "2.11.0" and a.variant == "cu128" and a.cuda == "12.8"
    assert a.pip_command == "pip install torch==2.11.0 torchvision==0.26.* --index-url https://download.pytorch.org/whl/cu128"
    assert a.uv_command.startswith("uv pip install torch==2.11.0") and a.driver_branch is None
    assert any("needs driver >= 580" in r for r in a.reasons)


def test_h100_on_r535_gets_cu126_and_hears_about_cu130():
    a = advise(target(["NVIDIA H100 80GB HBM3"], "535.104.05", "3.11"))
    assert (a.torch_version, a.variant) == ("2.14.1", "cu126")
    assert any(r.startswith("with driver >= 580") for r in a.reasons)


def test_driver_580_gets_the_pypi_default_with_a_plain_pip_command():
    a = advise(target(["NVIDIA H100 80GB HBM3"], "580.95.05", "3.12"))
    # No torchvision is built for 2.15 yet: an older one would install beside it (0.29.2 asks
    # only torch>=2.14.0) and fail at its compiled ops, so it is left out and the newest
    # release that has one is named too.
    assert (a.variant, a.pip_command) == ("cu132", "pip install torch==2.15.0")
    assert any("operator torchvision::nms does not exist" in r for r in a.reasons)
    assert "with torchvision: torch 2.14.1 + cu130: pip install torch==2.14.1 torchvision==0.29.*" in a.reasons


def test_python_3_10_stops_at_2_14_which_is_the_last_release_with_its_wheels():
    a = advise(target(["NVIDIA H100 80GB HBM3"], "580.95.05", "3.10"))
    assert (a.variant, a.pip_command) == ("cu130", "pip install torch==2.14.1 torchvision==0.29.*")


def test_old_driver_for_blackwell_means_driver_first():
    t = target(["RTX 5090"], "470.256.02", "3.12", os_id="ubuntu")
    a = advise(t)
    assert not a.ok and a.driver_branch == "580"
    assert driver_install(t, a).commands == ("sudo ubuntu-drivers install nvidia:580-open",)  # Blackwell: -open
    assert a.variant == "cu132"


def test_driver_advice_in_a_container_points_at_the_host(tmp_path):
    t = target(["RTX 5090"], "470.256.02", "3.12", container=True)
    assert driver_install(t, advise(t)).applies is False  # the driver recipe is for the host
    snapshot.save(facts_of(t), tmp_path / "container.json")
    r = invoke("advise", "--facts", str(tmp_path / "container.json"))
    assert "First install driver R580 on the host (a container uses the host's driver):" in r.output


def test_maxwell_laptop_gets_cu126_on_a_new_driver():
    a = advise(target(["GTX 960M"], "580.95.05", "3.12"))
    assert (a.torch_version, a.variant) == ("2.14.1", "cu126")


def test_kepler_k80_is_capped_at_cu118_with_a_cudnn_8_that_still_has_kepler_kernels():
    # 2.4-2.7 cu118 still compile sm_37, but bundle cuDNN 9.1, which starts at sm_50.
    a = advise(target(["Tesla K80"], "470.256.02", "3.10"))
    assert (a.torch_version, a.variant) == ("2.3.1", "cu118") and a.ok
    from envcheck.advise.choose import _arch_gap

    assert _arch_gap(KB, KB.variant("2.7", "cu118"), ["3.7"]) == "cu118's cuDNN 9.1 has no kernels for sm_37"
    assert _arch_gap(KB, KB.variant("2.3", "cu118"), ["3.7"]) is None


def test_tesla_arch_gpu_has_no_build_and_gets_the_cpu_wheel():
    a = advise(target(["GeForce 210"], "342.01", "3.7"))
    assert not a.ok and a.variant == "cpu" and a.pip_command.endswith("--index-url https://download.pytorch.org/whl/cpu")
    assert a.conda_command == "conda install pytorch==1.13.1 torchvision cpuonly -c pytorch"


def test_no_gpu_gets_the_cpu_wheel():
    a = advise(target([], None, "3.12"))
    assert a.ok and a.variant == "cpu" and a.conda_command is None


def test_gpu_of_unknown_capability_still_gets_a_cuda_build_for_the_driver():
    a = advise(Target(("Mystery GPU",), ("",), "570.124.04", "3.12", None, False))
    assert (a.ok, a.torch_version, a.variant) == (True, "2.14.1", "cu126")
    assert "compute capability unknown" in a.reasons[1]


def test_python_without_a_build_for_the_gpu_is_told_which_python_to_use():
    # Python 3.4 has 1.x wheels only, none with Blackwell kernels: not the CPU wheel, but a
    # working build and the Python it needs.
    a = advise(target(["RTX 5090"], "580.95.05", "3.4"))
    assert not a.ok and (a.torch_version, a.variant) == ("2.15.0", "cu132")
    assert a.reasons[0] == "Python 3.4: no PyTorch release in the tables has wheels for it"
    assert a.reasons[-1].startswith("not with Python 3.4: create an environment with Python 3.15 first")


def test_two_gpu_generations_without_a_common_build_get_the_newest_gpus_build():
    a = advise(target(["GTX 1080 Ti", "RTX 5090"], "580.95.05", "3.12"))
    assert not a.ok and (a.torch_version, a.variant) == ("2.15.0", "cu132")
    assert "this one runs on RTX 5090, not on GTX 1080 Ti" in a.reasons[-1]
    assert "CUDA_VISIBLE_DEVICES" in a.reasons[-1]


def test_two_gpu_generations_with_a_common_build_get_it():
    a = advise(target(["GTX 1080 Ti", "RTX 2080"], "580.95.05", "3.12"))
    assert a.ok and (a.torch_version, a.variant) == ("2.14.1", "cu126")


def test_jetson_gets_no_desktop_driver_or_pypi_wheel():
    a = advise(target(["Jetson AGX Orin"], None, "3.10"))
    assert not a.ok and a.pip_command is None and a.driver_branch is None
    assert "JetPack" in a.reasons[-1] and "install-pytorch-jetson-platform" in a.reasons[-1]


def test_debian_driver_advice_names_the_nvidia_repository_pinning_package():
    t = target(["RTX 5090"], "470.256.02", "3.12", os_id="debian")
    install = driver_install(t, advise(t))
    assert install.recipe == "driver_other_distros" and install.commands == ("sudo apt install -y linux-headers-amd64 nvidia-driver",)
    assert "nvidia-driver-pinning-580" in load_all().get("driver_other_distros").steps[1].explain.replace(
        "{driver_branch}", "580")


def test_conda_only_up_to_25():
    a = advise(target(["Tesla V100-SXM2-16GB"], "450.80.02", "3.8"))
    assert a.torch_version == "2.4.1" and a.variant == "cu118"
    assert a.conda_command == "conda install pytorch==2.4.1 torchvision pytorch-cuda=11.8 -c pytorch -c nvidia"


@pytest.mark.parametrize("release, variant, expected", [
    ("1.12", "cu116", "pip install torch==1.12.1+cu116 torchvision==0.13.* "
                      "--extra-index-url https://download.pytorch.org/whl/cu116"),
    ("1.10", "cu113", "pip install torch==1.10.2+cu113 torchvision==0.11.* "
                      "-f https://download.pytorch.org/whl/cu113/torch_stable.html"),
])
def test_1x_commands_pin_the_local_variant_and_stay_valid_requirements(release, variant, expected):
    from packaging.requirements import Requirement

    from envcheck.advise import install_command

    rel, var = KB.release(release), KB.variant(release, variant)
    cmd = install_command(rel, variant, var.index_url)
    assert cmd == expected
    for word in cmd.split()[2:4]:  # 'torchvision==0.13.*+cu116' is not a valid requirement
        Requirement(word)


def test_target_from_facts_resolves_names_and_versions():
    facts = healthy_machine(python=python_env("3.12.3"))
    t = target_from_facts(facts)
    assert t.compute_capabilities == ("9.0",) and t.driver_version == "580.95.05" and t.python_version == "3.12"
    assert t.os_id == "ubuntu" and not t.in_container


def test_a_new_release_is_a_data_edit(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    with (data / "torch_releases.toml").open("a") as f:
        f.write('\n[[release]]\nversion = "2.99"\nreleased = "2030-01-01"\nlatest = "2.99.0"\n'
                'python = ["3.12", "3.13"]\nvariants = ["cu126", "cu139"]\npypi_default = "cu139"\n'
                'torchvision = "0.99"\nstatus = "verified"\n')
    with (data / "torch_variants.toml").open("a") as f:
        for var, cuda, arch in (("cu126", "12.6", "5.0;6.0;7.0;7.5;8.0;8.6;9.0"),
                                ("cu139", "13.9", "7.5;8.0;8.6;9.0;10.0;12.0+PTX")):
            f.write(f'\n[[variant]]\ntorch = "2.99"\nvariant = "{var}"\ncuda = "{cuda}"\narch_list = "{arch}"\n'
                    f'index_url = "https://download.pytorch.org/whl/{var}"\nstatus = "verified"\n')
    kb = load_dir(data)
    a = advise(target(["RTX 5090"], "580.95.05", "3.12"), kb)
    assert (a.torch_version, a.variant, a.pip_command) == ("2.99.0", "cu139", "pip install torch==2.99.0 torchvision==0.99.*")
    # the new CUDA is covered by the CUDA 13 compatibility floor: no driver row needed
    assert kb.min_driver_for_cuda("13.9") == "580"


# ---------------------------------------------------------------- CLI
def invoke(*args):
    return CliRunner().invoke(cli, list(args))


def test_cli_described_machine_text():
    r = invoke("advise", "--gpu", "RTX 5090", "--driver", "570.124.04", "--python", "3.12")
    assert r.exit_code == 0, r.output
    assert "torch 2.11.0 + cu128 (CUDA 12.8) - works now" in r.output
    assert "pip install torch==2.11.0 torchvision==0.26.* --index-url https://download.pytorch.org/whl/cu128" in r.output


def test_cli_exact_json():
    r = invoke("advise", "--gpu", "RTX 5090", "--driver", "570.124.04", "--python", "3.12", "--json")
    assert r.exit_code == 0
    expected = {
        "kind": "envcheck.advice",
        "target": {"gpu_names": ["RTX 5090"], "compute_capabilities": ["12.0"], "driver_version": "570.124.04",
                   "python_version": "3.12", "os_id": None, "in_container": False, "arch": "x86_64"},
        "advice": {
            "ok": True, "torch_version": "2.11.0", "variant": "cu128", "cuda": "12.8",
            "index_url": "https://download.pytorch.org/whl/cu128",
            "pip_command": "pip install torch==2.11.0 torchvision==0.26.* --index-url https://download.pytorch.org/whl/cu128",
            "uv_command": "uv pip install torch==2.11.0 torchvision==0.26.* --index-url https://download.pytorch.org/whl/cu128",
            "conda_command": None, "driver_branch": None,
            "reasons": [
                "Python 3.12: wheels in PyTorch 2.2 to 2.15",
                "GPU RTX 5090: compute capability 12.0 (Blackwell) needs sm_120 kernels or older PTX",
                "driver 570.124.04 (R570): native CUDA 12.8; runs any CUDA 12.x build through minor-version compatibility",
                "not 2.15: cu132 (CUDA 13.2) needs driver >= 580",
                "with driver >= 580: torch 2.15.0 + cu132 would work",
                "chosen: torch 2.11.0 + cu128 (CUDA 12.8), the newest build meeting all of the above",
                "conda: not offered - PyTorch stopped publishing to its conda channel after 2.5 "
                "(https://github.com/pytorch/pytorch/issues/138506); use pip or uv inside the conda environment",
            ],
        },
    }
    doc = json.loads(r.stdout)
    assert (doc.pop("schema_version"), doc.pop("tool"), doc.pop("envcheck_version")) == (1, "envcheck", __version__)
    assert doc.pop("created_at")
    assert doc == {**expected, "driver_install": None}


def test_cli_driver_needed_exits_1():
    r = invoke("advise", "--gpu", "RTX 5090", "--driver", "470.256.02", "--python", "3.12")
    assert r.exit_code == 1 and "  sudo ubuntu-drivers install nvidia:580-open\n" in r.output


@pytest.mark.parametrize("args, message", [
    (("--gpu", "Radeon RX 7900"), "unknown GPU name 'Radeon RX 7900'"),
    (("--cc", "banana"), "--cc 'banana'"),
    (("--cc", "99.9"), "compute capability 99.9 is not in envcheck's tables"),
    (("--gpu", "RTX 5090", "--driver", "latest"), "--driver 'latest'"),
    (("--gpu", "RTX 5090", "--python", "three"), "--python 'three'"),
])
def test_cli_bad_input_is_one_line(args, message):
    r = invoke("advise", *args)
    assert r.exit_code == 2 and message in r.output and "Traceback" not in r.output


def test_cli_from_snapshot(tmp_path):
    path = tmp_path / "host.json"
    snapshot.save(healthy_machine(python=python_env("3.12.3")), path)
    r = invoke("advise", "--facts", str(path), "--json")
    assert r.exit_code == 0
    data = json.loads(r.stdout)
    assert data["advice"]["variant"] == "cu132" and data["target"]["driver_version"] == "580.95.05"


def test_cli_facts_and_description_conflict(tmp_path):
    r = invoke("advise", "--facts", str(tmp_path / "x.json"), "--gpu", "RTX 5090")
    assert r.exit_code == 2


def test_cli_cc_option():
    r = invoke("advise", "--cc", "sm_86", "--driver", "580.95.05", "--python", "3.12", "--json")
    assert json.loads(r.stdout)["advice"]["variant"] == "cu132"


def test_cli_live_machine_uses_the_probes_without_torch(monkeypatch):
    import envcheck.probes as probes

    seen = {}

    def fake_collect(options):
        seen["torch"] = options.torch
        return probes.Collection(dataclasses.replace(healthy_machine(python=python_env("3.12.3"))))

    monkeypatch.setattr(probes, "collect", fake_collect)
    r = invoke("advise", "--json")
    assert r.exit_code == 0 and seen == {"torch": False}
    assert json.loads(r.stdout)["advice"]["variant"] == "cu132"
