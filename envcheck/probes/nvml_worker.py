"""NVML in a worker process, where a deadline can end it.

A wedged driver or a GPU that fell off the bus makes ``nvmlInit`` (or any later call)
block inside the driver, where no Python code and no signal handler runs: done in
envcheck's own process, ``doctor``, ``snapshot``, ``advise`` and ``plan`` hung for ever
and Ctrl-C could not stop them. So every NVML read that may be the first of a session
runs here, in ``python -m envcheck.probes.nvml_worker``, through :func:`envcheck.runner.run`
(own process group, killed at the deadline, abandoned if the kernel holds it): the
caller gets ``timeout`` facts after :data:`DEADLINE_S` seconds, whatever NVML does.

A *job* is a module-level function taking the NVML module as its first argument
(``nvml.probe(nvml_module)``, ``topology.probe(nvml, ...)``) and returning a record
:mod:`envcheck.serial` can write; several jobs share one worker, one after the other.
The worker prints a marker before each NVML call (``nvmlInit``, ``nvmlDeviceGetPowerUsage``
on GPU 3…) so a timeout says which call never returned, and each job's result as soon
as it is done, so a job that hangs does not lose the ones before it. When a test hands
in a module (a fake pynvml) the jobs run in-process: the deadline protects against real
drivers, and the fakes that hang are tested through the worker (a fake ``pynvml`` first
on ``PYTHONPATH``, a fake ``libnvidia-ml.so.1`` on ``LD_LIBRARY_PATH``).
"""

from __future__ import annotations

import importlib
import inspect
import json
import os
import signal
import sys
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

from ..reading import Reading, Status
from ..runner import Runner, RunResult, exit_text
from ..runner import run as default_run
from ..serial import SchemaError, from_data, to_data

DEADLINE_S = 10.0  # the whole worker: start, nvmlInit, every job
CALL = "@@ENVCHECK-NVML-CALL@@"
DONE = "@@ENVCHECK-NVML-DONE@@"
RESULT = "@@ENVCHECK-NVML-RESULT@@"
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])


@dataclass(frozen=True)
class Job:
    """``fn(nvml_module, *args)`` in the worker; ``failed(reason)`` is its record when the
    worker could not deliver one (NVML hung: ``timeout``; the worker died: ``error``)."""

    fn: Callable[..., Any]
    failed: Callable[[Reading], Any]
    args: tuple = ()


def _name(fn: Callable[..., Any]) -> str:
    if "<" in fn.__qualname__ or "." in fn.__qualname__:
        raise ValueError(f"{fn!r}: a worker job must be a module-level function")
    return f"{fn.__module__}:{fn.__qualname__}"


def _stage(stdout: str) -> Optional[str]:
    """Where the worker was: "nvmlDeviceGetPowerUsage on GPU 1 never returned", or busy
    after its last NVML call had returned; None before the first call."""
    last: Optional[str] = None
    pending = False
    for line in stdout.splitlines():
        if line.startswith(CALL):
            last, pending = line[len(CALL):].strip(), True
        elif line.startswith(DONE):
            pending = False
    if last is None:
        return None
    return f"{last} never returned" if pending else f"the worker was still busy after {last} returned"


def _why(result: RunResult, timeout: float) -> Reading:
    stage = _stage(result.stdout)
    if result.status is Status.TIMEOUT:
        where = stage or "the worker never got to nvmlInit (a slow start?)"
        return Reading.fail(Status.TIMEOUT, f"NVML did not answer within {timeout:g} s: {where}")
    if result.status is not Status.OK:
        return Reading.fail(result.status, f"NVML worker: {result.detail}")
    tail = [ln for ln in result.stderr.splitlines() if ln.strip()]
    return Reading.fail(Status.ERROR, f"NVML worker {exit_text(result.returncode)}"
                        + (f" ({stage})" if stage else "") + (f": {tail[-1].strip()}" if tail else ""))


def _record(job: Job, data: Any) -> Any:
    tp = typing.get_type_hints(job.fn).get("return", Any)
    try:
        return from_data(tp, data) if tp is not Any else data
    except (SchemaError, TypeError, ValueError) as exc:
        return job.failed(Reading.fail(Status.ERROR, f"unreadable NVML worker result: {exc}"))


def _results(jobs: Sequence[Job], result: RunResult, timeout: float) -> List[Any]:
    got: Dict[int, Any] = {}
    for line in result.stdout.splitlines():
        if line.startswith(RESULT):
            try:
                msg = json.loads(line[len(RESULT):])
            except ValueError:
                continue  # a line cut by the kill: that job did not finish
            got[int(msg["index"])] = msg
    out = []
    why: Optional[Reading] = None
    for i, job in enumerate(jobs):
        msg = got.get(i)
        if msg is not None and "error" not in msg:
            out.append(_record(job, msg["data"]))
        elif msg is not None:  # the job raised: an envcheck bug, reported as the job's error
            out.append(job.failed(Reading.fail(Status.ERROR, f"NVML worker: {msg['error']}")))
        else:
            why = why or _why(result, timeout)
            out.append(job.failed(why))
    return out


def _env() -> Dict[str, str]:
    env = dict(os.environ)
    # The worker imports envcheck the way this process did; appended, so a fake pynvml that
    # a test puts first on PYTHONPATH stays first.
    env["PYTHONPATH"] = os.pathsep.join(p for p in (env.get("PYTHONPATH"), _PACKAGE_ROOT) if p)
    return env


def run_jobs(jobs: Sequence[Job], *, timeout: float = DEADLINE_S, nvml_module: Any = None,
             run: Runner = default_run) -> List[Any]:
    """Each job's record, in order: from the worker, or ``job.failed(why)`` past the deadline."""
    if nvml_module is not None:
        return [job.fn(nvml_module, *job.args) for job in jobs]
    request = json.dumps([{"fn": _name(j.fn), "args": list(j.args)} for j in jobs])
    result = run([sys.executable, "-m", __name__], timeout=timeout, env=_env(), input=request)
    return _results(jobs, result, timeout)


# --------------------------------------------------------------------------- the worker side
class _Traced:
    """The pynvml module, saying before each NVML function call which one (and on which GPU)."""

    def __init__(self, module: Any, out: Any) -> None:
        self._module, self._out, self._gpu = module, out, {}

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._module, name)
        if not (name.startswith("nvml") and inspect.isfunction(value)):
            return value  # constants, error classes, structs: untouched

        def call(*args: Any) -> Any:
            from .nvml import handle_key

            gpu = self._gpu.get(handle_key(args[0])) if args else None
            self._out.write(f"\n{CALL} {name}" + (f" on GPU {gpu}" if gpu is not None else "") + "\n")
            self._out.flush()
            result = value(*args)
            self._out.write(f"\n{DONE}\n")
            if name == "nvmlDeviceGetHandleByIndex" and args:
                self._gpu[handle_key(result)] = args[0]
            return result

        return call


def main() -> int:
    # Ctrl-C at a terminal reaches only envcheck (the worker has its own process group);
    # envcheck then kills the worker, which must not linger in a Python-level handler.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    request = json.loads(sys.stdin.read() or "[]")
    from .nvml import import_pynvml

    module = import_pynvml()
    nv = _Traced(module, sys.stdout) if module is not None else None
    held = _hold(nv) if len(request) > 1 else False
    for i, job in enumerate(request):
        module_name, _, attr = job["fn"].partition(":")
        try:
            fn = getattr(importlib.import_module(module_name), attr)
            msg = {"index": i, "data": to_data(fn(nv, *job["args"]))}
        except Exception as exc:  # reported as that job's error; the next job still runs
            msg = {"index": i, "error": f"{type(exc).__name__}: {exc}"}
        sys.stdout.write(f"\n{RESULT}{json.dumps(msg)}\n")
        sys.stdout.flush()
    if held:
        try:
            nv.nvmlShutdown()
        except Exception:  # the jobs' results are out already; nothing left to report
            pass
    return 0


def _hold(nv: Any) -> bool:
    """One ``nvmlInit`` held across the jobs. NVML counts its initialisations and tears
    its state down only when the count returns to zero, so the jobs' own init/shutdown
    pairs (each job is a complete session: ``nvml.probe``, ``topology.probe``) cost the
    driver's set-up once, not once per job — on a machine without persistence mode that
    set-up is the slow part of NVML. A failure here is left to the jobs, which meet it
    again and report it as their own record."""
    if nv is None:
        return False
    try:
        nv.nvmlInit()
    except Exception:
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
