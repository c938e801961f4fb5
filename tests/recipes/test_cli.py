"""`envcheck recipe list|show` and `envcheck plan` through click's CliRunner.

The advisor is replaced by a fake through the one adapter (values.advice_for), and the
rules by a fixed evaluation where a test needs findings, so outputs are exact.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from envcheck.cli import cli
from envcheck.recipes import values as values_mod
from envcheck.rules import Evaluation, make
from tests.recipes.conftest import FakeAdvice
from tests.recipes.machines import path_of

EXPECTED = Path(__file__).parent / "expected"
FRESH = str(path_of("fresh_2404_rtx4090_nouveau"))
DOCKER = str(path_of("docker_no_gpus"))


@pytest.fixture
def fake_advisor(monkeypatch):
    monkeypatch.setattr(values_mod, "advice_for", lambda facts: (FakeAdvice(), ""))


@pytest.fixture
def fake_rules(monkeypatch):
    """envcheck.rules.evaluate answering with fixed findings (the rules are other issues' work)."""
    import envcheck.rules

    findings = (make("container_missing_gpus_flag", "no /dev/nvidia* in this docker container"),
                make("torch_cuda_unavailable", "torch.cuda.is_available() is False"),
                make("shm_too_small", "/dev/shm is 64 MiB", recipe="shm_size"),
                make("low_disk_space", "5 GiB free", recipe=None))  # a finding without a recipe
    monkeypatch.setattr(envcheck.rules, "evaluate", lambda facts: Evaluation(findings, ()))


def run(*args):
    return CliRunner().invoke(cli, list(args))


def test_recipe_show_text_is_exact(fake_advisor):
    r = run("recipe", "show", "fresh_to_verified", "--facts", FRESH)
    assert r.exit_code == 0, r.output
    assert r.output == (EXPECTED / "show_fresh_to_verified.txt").read_text(encoding="utf-8")


def test_recipe_show_json_and_markdown(fake_advisor):
    doc = json.loads(run("recipe", "show", "driver_ubuntu_drivers", "--facts", FRESH, "--json").output)
    rec = doc["recipe"]
    assert (doc["command"], rec["id"], rec["applies"]) == ("recipe show", "driver_ubuntu_drivers", "yes")
    assert rec["values"]["driver_branch"] == {"value": "580", "source": "advice", "detail": None}
    assert rec["values"]["driver_flavour"]["source"] == "facts" and rec["missing_values"] == []
    assert [s["commands"] for s in rec["steps"]][2] == ["sudo ubuntu-drivers install nvidia:580-open"]
    assert rec["steps"][2]["reboot_after"] is True and rec["checked"] == "2026-11-23"
    md = run("recipe", "show", "driver_ubuntu_drivers", "--facts", FRESH, "--markdown").output
    assert md.startswith("### Install the NVIDIA driver with ubuntu-drivers (`driver_ubuntu_drivers`)")
    assert "   sudo ubuntu-drivers install nvidia:580-open" in md and "| `driver_branch` | `580` | advice |" in md


def test_recipe_list_says_what_applies(fake_advisor, recipes):
    r = run("recipe", "list", "--facts", DOCKER)
    assert r.exit_code == 0
    rows = {line.split()[0]: line.split()[1] for line in r.output.splitlines()[1:] if line and " " in line
            and not line.startswith(("applies:", "Details:"))}
    assert rows["container_toolkit"] == "yes" and rows["driver_ubuntu_drivers"] == "no"
    assert rows["torch_pip_venv"] == "yes" and len(rows) == len(recipes)
    doc = json.loads(run("recipe", "list", "--facts", DOCKER, "--json").output)
    assert {d["id"]: d["applies"] for d in doc["recipes"]}["nouveau_blacklist"] == "no"
    assert run("recipe", "list", "--facts", DOCKER, "--markdown").output.startswith("| Recipe | Applies here |")


def test_unknown_recipe_is_one_line_with_close_matches():
    r = run("recipe", "show", "nouveau_blacklst")
    assert r.exit_code == 2
    assert r.output == "envcheck: error: unknown recipe 'nouveau_blacklst': did you mean nouveau_blacklist?\n"


def test_bad_snapshot_is_one_line(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    r = run("recipe", "show", "wsl2", "--facts", str(bad))
    assert r.exit_code == 2 and r.output.startswith("envcheck: error: ") and r.output.count("\n") == 1
    r = run("plan", "--facts", str(tmp_path / "missing.json"))
    assert r.exit_code == 2 and "no such file" in r.output


def test_plan_rejects_probe_options_with_a_snapshot():
    r = run("plan", "--facts", DOCKER, "--no-torch")
    assert r.exit_code == 2 and "--python/--no-torch only apply to a live probe" in r.output


def test_plan_text_for_the_container(fake_advisor, fake_rules):
    r = run("plan", "--facts", DOCKER)
    assert r.exit_code == 0, r.output
    out = r.output
    assert out.startswith("envcheck plan: snapshot taken 2026-11-20T09:30:00+00:00\n")
    assert " 4. Start the container with the GPUs and enough shared memory  (container_toolkit)\n" in out
    assert "     (on the host, not in the container)\n" in out
    assert "  - torch_cuda_unavailable: PyTorch usually sees the GPU once the problem below it" in out
    assert "  - low_disk_space (warning): Little free disk space\n" in out
    assert out.endswith("envcheck prints these steps; it never runs them.\n")


def test_plan_json_and_markdown(fake_advisor, fake_rules):
    doc = json.loads(run("plan", "--facts", DOCKER, "--json").output)
    assert doc["command"] == "plan" and doc["schema_version"] == 1
    assert doc["findings"] == ["container_missing_gpus_flag", "torch_cuda_unavailable", "shm_too_small",
                               "low_disk_space"]
    assert [s["title"] for s in doc["steps"]][0] == "On the host: check the driver works there"
    assert [s["where"] for s in doc["steps"]] == ["host"] * 4 + ["machine"]
    assert doc["deferred"] == [{"finding": "torch_cuda_unavailable", "recipe": "torch_pip_venv",
                                "reason": "PyTorch usually sees the GPU once the problem below it (driver, container) "
                                          "is fixed"}]
    assert doc["uncovered"][0]["finding"] == "low_disk_space"
    md = run("plan", "--facts", DOCKER, "--markdown").output
    assert md.startswith("### envcheck plan: snapshot taken") and "**Then verify**" in md


def test_without_facts_the_commands_probe_this_machine(fake_advisor, monkeypatch):
    """Without --facts: plan probes like the doctor (torch probe on unless --no-torch), recipe
    commands probe without torch. The probes are replaced by a recorded machine here."""
    import envcheck.probes
    from envcheck.probes import Collection
    from tests.recipes.conftest import machine

    calls = []
    failures = [[], [], ["probe pci: KeyError: 'x'"]]
    monkeypatch.setattr(envcheck.probes, "collect", lambda options: calls.append(options.torch) or
                        Collection(machine("docker_no_gpus"), failures=failures.pop(0)))
    r = run("plan", "--no-torch")
    assert r.exit_code == 0 and r.output.startswith("envcheck plan: snapshot taken")
    assert run("plan").exit_code == 0
    r = run("recipe", "list")
    assert r.exit_code == 3  # a probe bug is reported by the exit code, the list still prints
    # plan --no-torch: no torch probe; plan: the torch probe; recipe list: never the torch probe
    assert "container_toolkit" in r.output and calls == [False, True, False]


def test_plan_json_is_exact(fake_advisor, fake_rules):
    from envcheck import __version__

    got = json.loads(run("plan", "--facts", DOCKER, "--json").output)
    want = json.loads((EXPECTED / "plan_docker_no_gpus.json").read_text(encoding="utf-8"))
    assert got == {**want, "envcheck_version": __version__, "created_at": got["created_at"]}
