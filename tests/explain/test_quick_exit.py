"""`envcheck explain` ends its process without the interpreter's teardown (cli/common.py
quick_exit, cli/__init__.py main): what it prints and its exit code are those of a normal exit,
and click's test runner (no console entry point) is left alone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from envcheck.cli import cli

REPO = Path(__file__).resolve().parents[2]
PASTE = ("Traceback (most recent call last):\n  File \"train.py\", line 3, in <module>\n"
         "RuntimeError: CUDA error: no kernel image is available for execution on the device\n")


def _run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO), "ENVCHECK_REGEX_CACHE": "off"}
    return subprocess.run([sys.executable, "-m", "envcheck", *args], capture_output=True, text=True, env=env,
                          cwd=REPO, **kwargs)


def test_the_console_command_prints_and_exits_as_the_command_says(tmp_path):
    paste = tmp_path / "paste.txt"
    paste.write_text(PASTE)
    for args in (["explain", str(paste)], ["explain", "--json", str(paste)]):
        done = _run(*args)
        here = CliRunner().invoke(cli, args)  # the same command, returning into this process
        assert done.returncode == here.exit_code == 1, done.stderr
        if "--json" not in args:
            assert done.stdout == here.stdout
        assert done.stdout.endswith("\n") and "Traceback" not in done.stderr


def test_standard_input_and_a_refused_file_keep_their_codes(tmp_path):
    assert _run("explain", "-", input=PASTE).returncode == 1
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    refused = _run("explain", str(empty))
    assert refused.returncode == 2 and "empty" in refused.stderr


def test_a_reader_that_leaves_early_is_no_error(tmp_path):
    paste = tmp_path / "paste.txt"
    paste.write_text(PASTE * 2000)
    env = {**os.environ, "PYTHONPATH": str(REPO), "ENVCHECK_REGEX_CACHE": "off"}
    producer = subprocess.Popen([sys.executable, "-m", "envcheck", "explain", str(paste)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=env, cwd=REPO)
    producer.stdout.readline()
    producer.stdout.close()  # as `| head -1` does
    _, err = producer.communicate(timeout=120)
    assert producer.returncode in (0, 1) and b"Traceback" not in err
