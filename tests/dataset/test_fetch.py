"""Downloads: verified, atomic, shared by concurrent processes, falling over between mirrors.

Mirrors are file:// URLs or a local http.server on 127.0.0.1 — never the network.
"""

from __future__ import annotations

import functools
import http.client
import http.server
import multiprocessing
import os
import socket
import stat
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path

import pytest

from envcheck.dataset import FetchError, fetch
from envcheck.dataset.download import LOCK_NAME, checksum_problem
from envcheck.dataset.files import FILES
from envcheck.errors import SetupError

from .idxfiles import tiny_with_specs, write


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass

    def do_GET(self):
        srv = self.server
        with srv.lock:
            srv.hits[self.path] += 1
        if srv.mode == "500":
            self.send_error(500, "broken mirror")
            return
        if srv.mode == "slow":
            time.sleep(0.3)  # long enough for the other processes to reach the lock
        if srv.mode == "truncate":
            data = (Path(srv.root) / self.path.lstrip("/")).read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            return
        super().do_GET()


@pytest.fixture
def server(tmp_path):
    """Serves tmp_path/www on 127.0.0.1; .hits counts GETs per path, .mode injects faults."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(_Handler, directory=str(root))
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    srv.root, srv.hits, srv.lock, srv.mode = str(root), Counter(), threading.Lock(), "ok"
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    srv.url = f"http://127.0.0.1:{srv.server_address[1]}/"
    yield srv
    srv.shutdown()
    srv.server_close()


def _closed_port_url() -> str:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now: connection refused, as when offline
    return f"http://127.0.0.1:{port}/"


def _no_sleep(record=None):
    def sleep(s):
        if record is not None:
            record.append(s)
    return sleep


def test_fetch_from_file_mirror_then_nothing_to_do(tmp_path):
    files, specs = tiny_with_specs()
    mirror = write(tmp_path / "mirror", files)
    dest = tmp_path / "cache"
    result = fetch(dest, mirrors=[mirror.as_uri()], files=specs, sleep=_no_sleep())
    assert [f.action for f in result.files] == ["downloaded"] * 4
    for s in specs:
        assert checksum_problem(dest / s.name, s) is None
    again = fetch(dest, mirrors=["http://127.0.0.1:9/never-used/"], files=specs, sleep=_no_sleep())
    assert [f.action for f in again.files] == ["present"] * 4 and again.downloaded == 0
    assert not list(dest.glob("*.part"))


def test_real_label_files_verify_against_published_checksums(shared, tmp_path):
    labels = [s for s in FILES if s.content == "labels"]
    mirror = shared / "data" / "fashion-mnist"
    result = fetch(tmp_path / "d", mirrors=[mirror.as_uri()], files=labels, sleep=_no_sleep())
    assert {f.action for f in result.files} == {"downloaded"}


def test_checksum_mismatch_leaves_no_file(tmp_path):
    files, specs = tiny_with_specs()
    other, _ = tiny_with_specs(seed=1)  # same names and sizes, different bytes
    mirror = write(tmp_path / "mirror", other)
    dest = tmp_path / "cache"
    with pytest.raises(FetchError) as exc:
        fetch(dest, mirrors=[mirror.as_uri()], files=specs, attempts=2, sleep=_no_sleep())
    assert "checksum mismatch" in str(exc.value) and "\n" not in str(exc.value)
    assert not (dest / specs[0].name).exists()
    assert not [p for p in dest.iterdir() if p.name != LOCK_NAME]


def test_corrupt_file_in_cache_is_replaced(tmp_path):
    files, specs = tiny_with_specs()
    mirror = write(tmp_path / "mirror", files)
    dest = write(tmp_path / "cache", files)
    name = specs[0].name
    (dest / name).write_bytes(files[name][:-10])  # a truncated earlier download
    result = fetch(dest, mirrors=[mirror.as_uri()], files=specs, sleep=_no_sleep())
    by = {f.name: f for f in result.files}
    assert by[name].action == "replaced" and "truncated" in by[name].detail
    assert checksum_problem(dest / name, specs[0]) is None


def test_failing_mirror_falls_over_to_the_next(tmp_path, server):
    files, specs = tiny_with_specs()
    write(Path(server.root), files)
    server.mode = "500"
    good = write(tmp_path / "good", files)
    sleeps = []
    result = fetch(tmp_path / "cache", mirrors=[server.url, good.as_uri()], files=specs,
                   attempts=3, backoff_s=0.5, sleep=_no_sleep(sleeps))
    assert all(f.url.startswith("file:") for f in result.files)
    assert all(f.attempts == 4 for f in result.files)  # 3 on the broken mirror, 1 on the good one
    assert server.hits[f"/{specs[0].name}"] == 3
    assert sleeps[:2] == [0.5, 1.0]  # exponential back-off between attempts


def test_missing_on_a_mirror_is_not_retried(tmp_path, server):
    files, specs = tiny_with_specs()  # the server's directory stays empty: 404s
    good = write(tmp_path / "good", files)
    fetch(tmp_path / "cache", mirrors=[server.url, good.as_uri()], files=specs, attempts=3, sleep=_no_sleep())
    assert server.hits[f"/{specs[0].name}"] == 1


def test_cut_connection_is_retried_then_reported(tmp_path, server):
    files, specs = tiny_with_specs()
    write(Path(server.root), files)
    server.mode = "truncate"
    with pytest.raises(FetchError, match="connection cut short|IncompleteRead|bytes"):
        fetch(tmp_path / "cache", mirrors=[server.url], files=specs[:1], attempts=2, sleep=_no_sleep())
    assert server.hits[f"/{specs[0].name}"] == 2


def test_http_protocol_errors_are_retried_like_network_errors(tmp_path):
    """A chunked response cut short raises http.client.IncompleteRead (an HTTPException,
    not an OSError): it is one more failed attempt, never a traceback."""
    files, specs = tiny_with_specs()
    mirror = write(tmp_path / "mirror", files)

    class Cut:
        def __init__(self):
            self.reads = 0

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def read(self, n):
            self.reads += 1
            if self.reads > 1:
                raise http.client.IncompleteRead(b"", 100)
            return b"\x1f\x8b"

    def opener(url, timeout):
        if url.startswith("http://broken.invalid/"):
            return Cut()
        return urllib.request.urlopen(url, timeout=timeout)

    dest = tmp_path / "cache"
    result = fetch(dest, mirrors=["http://broken.invalid/", mirror.as_uri()], files=specs, opener=opener,
                   attempts=2, sleep=_no_sleep())
    assert [f.action for f in result.files] == ["downloaded"] * 4
    assert {f.attempts for f in result.files} == {3} and not list(dest.glob("*.part"))
    with pytest.raises(FetchError) as exc:
        fetch(tmp_path / "other", mirrors=["http://broken.invalid/"], files=specs, opener=opener, attempts=1,
              sleep=_no_sleep())
    assert "http://broken.invalid/train-images-idx3-ubyte.gz: IncompleteRead(0 bytes read" in str(exc.value)


def test_no_network_gives_instructions(tmp_path):
    _, specs = tiny_with_specs()
    with pytest.raises(FetchError) as exc:
        fetch(tmp_path / "cache", mirrors=[_closed_port_url(), _closed_port_url()], files=specs,
              attempts=2, sleep=_no_sleep(), timeout_s=5)
    msg = str(exc.value)
    assert "refused" in msg.lower()
    assert "envcheck data fetch --to DIR" in msg and "--data-dir DIR" in msg and "--synthetic" in msg
    assert "\n" not in msg


def test_unwritable_destination(tmp_path):
    _, specs = tiny_with_specs()
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(Exception, match="cannot create the data directory"):
        fetch(target / "sub", mirrors=["file:///nonexistent/"], files=specs, sleep=_no_sleep())


def _fetch_worker(dest: str, url: str, specs, queue) -> None:
    try:
        result = fetch(Path(dest), mirrors=[url], files=specs, sleep=lambda s: None)
        queue.put(("ok", [f.action for f in result.files]))
    except Exception as exc:  # report, do not hang the parent
        queue.put(("error", repr(exc)))


def test_concurrent_processes_share_one_download(tmp_path, server):
    files, specs = tiny_with_specs()
    write(Path(server.root), files)
    server.mode = "slow"
    dest = tmp_path / "cache"
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_fetch_worker, args=(str(dest), server.url, specs, queue)) for _ in range(4)]
    for p in procs:
        p.start()
    outcomes = [queue.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    assert all(status == "ok" for status, _ in outcomes), outcomes
    # Each file crossed the wire once: one process downloaded it, the others found it verified.
    assert all(server.hits[f"/{s.name}"] == 1 for s in specs), server.hits
    downloaded = [actions for _, actions in outcomes if "downloaded" in actions]
    assert len(downloaded) == 1
    for s in specs:
        assert checksum_problem(dest / s.name, s) is None
    assert not list(dest.glob("*.part"))


# ---------------------------------------------------------- planted files
@pytest.mark.parametrize("plant", ["lock_directory", "lock_symlink", "data_directory"])
def test_something_planted_in_the_cache_is_one_line_and_leaves_no_part(tmp_path, plant):
    files, specs = tiny_with_specs()
    mirror = write(tmp_path / "mirror", files)
    dest = tmp_path / "cache"
    dest.mkdir()
    victim = tmp_path / "victim"
    victim.write_text("not yours")
    {"lock_directory": lambda: (dest / LOCK_NAME).mkdir(),
     "lock_symlink": lambda: (dest / LOCK_NAME).symlink_to(victim),
     "data_directory": lambda: (dest / specs[0].name).mkdir()}[plant]()
    with pytest.raises(SetupError) as info:
        fetch(dest, mirrors=[mirror.as_uri()], files=specs, sleep=_no_sleep())
    assert "remove it and run again" in str(info.value) and "\n" not in str(info.value)
    assert not list(dest.glob(".*.part")) and victim.read_text() == "not yours"


def test_downloaded_files_honour_the_umask(tmp_path):
    files, specs = tiny_with_specs()
    mirror = write(tmp_path / "mirror", files)
    old = os.umask(0o022)
    try:
        fetch(tmp_path / "cache", mirrors=[mirror.as_uri()], files=specs, sleep=_no_sleep())
    finally:
        os.umask(old)
    assert {stat.S_IMODE((tmp_path / "cache" / s.name).stat().st_mode) for s in specs} == {0o644}


def test_a_data_file_linked_to_a_verified_copy_is_kept(tmp_path):
    files, specs = tiny_with_specs()
    elsewhere = write(tmp_path / "elsewhere", files)
    dest = tmp_path / "cache"
    dest.mkdir()
    for s in specs:
        (dest / s.name).symlink_to(elsewhere / s.name)
    result = fetch(dest, mirrors=["http://127.0.0.1:9/never-used/"], files=specs, sleep=_no_sleep())
    assert [f.action for f in result.files] == ["present"] * 4


def test_fetch_progress_on_a_terminal_is_one_line_per_percent(monkeypatch, capsys):
    import sys

    from envcheck.cli.data import _progress_printer

    assert _progress_printer() is None or sys.stderr.isatty()  # off a terminal: no progress
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    show = _progress_printer()
    for done in (0, 1, 50, 100):
        show("t10k-labels-idx1-ubyte.gz", done, 100)
    show("t10k-labels-idx1-ubyte.gz", 100, 100)  # the same percentage again: nothing new
    err = capsys.readouterr().err
    assert err.count("t10k-labels-idx1-ubyte.gz: 100%") == 1 and err.endswith("100%\n")
