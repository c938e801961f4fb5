"""`envcheck explain` ends its process without the interpreter's teardown (cli/common.py
quick_exit, cli/__init__.py main): what it prints and its exit code are those of a normal exit,
and click's test runner (no console entry point) is left alone."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from envcheck.cli import _quiet_closed_pipe, cli

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


def _to_a_closed_pipe(*args: str) -> subprocess.CompletedProcess:
    """envcheck with its stdout a pipe nobody reads any more (`envcheck … | true` once true has
    gone): the reader is closed before the command starts, so every run sees EPIPE."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    env = {**os.environ, "PYTHONPATH": str(REPO), "ENVCHECK_REGEX_CACHE": "off"}
    try:
        return subprocess.run([sys.executable, "-m", "envcheck", *args], stdout=write_end, stderr=subprocess.PIPE,
                              text=True, env=env, cwd=REPO, timeout=120)
    finally:
        os.close(write_end)


def test_a_closed_pipe_is_the_quiet_exit_0_for_every_command(tmp_path):
    """click's own main turns EPIPE into exit 1 ("problems found"): caught before it, any
    command's output to a reader that has gone ends with 0 and nothing on stderr."""
    paste = tmp_path / "paste.txt"
    paste.write_text(PASTE)
    for args in (["explain", str(paste)], ["explain", "--json", str(paste)], ["explain", "--markdown", str(paste)],
                 ["explain", "--help"], ["--help"], ["--version"], [], ["recipe", "list"]):
        done = _to_a_closed_pipe(*args)
        assert (done.returncode, done.stderr) == (0, ""), args


def test_an_epipe_not_from_stdout_is_still_an_error(capsys):
    """Only our own stdout gone is the quiet exit: a child's pipe breaking is an error."""
    with pytest.raises(BrokenPipeError), _quiet_closed_pipe():
        raise BrokenPipeError(errno.EPIPE, "a child's stdin")
