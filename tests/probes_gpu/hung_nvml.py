"""Fake NVMLs for the worker, at the import boundary: a ``pynvml.py`` put first on the
worker's ``PYTHONPATH``, and a ``libnvidia-ml.so.1`` (built with the C compiler) that the
real pynvml loads from ``LD_LIBRARY_PATH``. Either one may never return from ``nvmlInit``,
as a wedged driver or a GPU fallen off the bus does.

A hung fake blocks every signal a handler could catch before it waits, so only SIGKILL
ends it — what envcheck must cope with (a process stuck in the driver ignores the rest).
It writes its PID first, so a test can check that nothing outlived envcheck.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
from pathlib import Path
from typing import Any, Dict, Optional

REPO = Path(__file__).resolve().parents[2]

# Prepended to every fake pynvml.py: drop this fake from the import path and build the
# FakeNvml of tests/fakes/fake_pynvml.py from the REAL pynvml (its errors and structs).
_PRELUDE = textwrap.dedent('''
    import os, signal, sys, time
    _here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _here]
    del sys.modules["pynvml"]
    import pynvml as _real  # noqa
    from tests.fakes.fake_pynvml import h100, FakeNvml

    def hang():
        pidfile = os.environ.get("FAKE_NVML_PIDFILE")
        if pidfile:
            with open(pidfile, "w") as fh:
                fh.write(str(os.getpid()))
        signal.pthread_sigmask(signal.SIG_BLOCK, set(signal.Signals) - {signal.SIGKILL, signal.SIGSTOP})
        while True:
            time.sleep(3600)
''')

SCENARIOS: Dict[str, str] = {
    "healthy": "fake = h100(2)",
    "init_hangs": "fake = h100(2)\nfake._nvmlInit = lambda: hang()",
    # GPU 1's power reading never returns; GPU 0 and everything before it answered.
    "gpu1_power_hangs": textwrap.dedent('''
        fake = h100(2)
        _call = fake._call
        def _hanging(name, args):
            if name == "nvmlDeviceGetPowerUsage" and getattr(args[0], "index", None) == 1:
                hang()
            return _call(name, args)
        fake._call = _hanging
    '''),
    "init_crashes": "fake = h100(1)\nfake._nvmlInit = lambda: os.abort()",
    # Two H100s on NVSwitches, answering the topology, P2P and NVLink calls too.
    "hgx": "from tests.interconnect.fakes import hgx\nfake = hgx(2)",
    # The GPU facts come back; the topology job hangs in its first P2P query.
    "p2p_hangs": textwrap.dedent('''
        from tests.interconnect.fakes import hgx
        fake = hgx(2)
        _call = fake._call
        def _hanging(name, args):
            if name == "nvmlDeviceGetP2PStatus":
                hang()
            return _call(name, args)
        fake._call = _hanging
    '''),
    "driver_not_loaded": "fake = h100(1, init_error=_real.NVMLError_DriverNotLoaded())",
}


def pynvml_dir(tmp_path: Path, scenario: str) -> Path:
    """A directory holding a fake ``pynvml.py`` for ``scenario``; put it first on PYTHONPATH."""
    d = tmp_path / f"fake-pynvml-{scenario}"
    d.mkdir(exist_ok=True)
    (d / "pynvml.py").write_text(_PRELUDE + SCENARIOS[scenario] + "\nsys.modules['pynvml'] = fake\n")
    return d


def worker_env(monkeypatch: Any, tmp_path: Path, scenario: str) -> Path:
    """Make the worker (a child of this process) import the fake; returns the PID file."""
    pidfile = tmp_path / "hung.pid"
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(pynvml_dir(tmp_path, scenario)), str(REPO)]))
    monkeypatch.setenv("FAKE_NVML_PIDFILE", str(pidfile))
    return pidfile


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (killed, not yet reaped by its parent) is not running
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


# --------------------------------------------------------------------------- a real fake library
_LIBRARY_C = r'''
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* nvmlInitWithFlags as a wedged driver answers it: never. Every catchable signal is
   blocked first, so only SIGKILL ends the process (as for a task stuck in the driver). */
int nvmlInitWithFlags(unsigned int flags) {
    const char *pidfile = getenv("FAKE_NVML_PIDFILE");
    if (pidfile) { FILE *f = fopen(pidfile, "w"); if (f) { fprintf(f, "%d", (int)getpid()); fclose(f); } }
    sigset_t all; sigfillset(&all); sigprocmask(SIG_BLOCK, &all, NULL);
    for (;;) pause();
    return 0;
}
int nvmlInit_v2(void) { return nvmlInitWithFlags(0); }
int nvmlInit(void) { return nvmlInitWithFlags(0); }
'''


def hung_library(tmp_path: Path) -> Optional[Path]:
    """A directory holding a ``libnvidia-ml.so.1`` whose init never returns (None without a C compiler)."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        return None
    d = tmp_path / "hung-lib"
    d.mkdir(exist_ok=True)
    (d / "fake_nvml.c").write_text(_LIBRARY_C)
    subprocess.run([cc, "-shared", "-fPIC", "-o", str(d / "libnvidia-ml.so.1"), str(d / "fake_nvml.c")],
                   check=True, capture_output=True, timeout=120)
    return d


def hang_after_call(nv: Any) -> Any:
    """A worker job that reads the driver version, then never returns (the job after nvml.probe)."""
    from envcheck.probes import nvml

    with nvml.opened(nv) as (s, _, _):
        s.reading("nvmlSystemGetDriverVersion")
        import signal
        import time

        signal.pthread_sigmask(signal.SIG_BLOCK, set(signal.Signals) - {signal.SIGKILL, signal.SIGSTOP})
        while True:
            time.sleep(3600)


def raises(nv: Any) -> Any:
    """A worker job with a bug."""
    raise RuntimeError("topology parser bug")
