"""PyTorch as a given interpreter sees it, read by ``torch_worker.py`` in a subprocess.

The worker imports torch, initialises CUDA and launches two tiny GPU checks; here we
only run it with a time limit and turn what came back (or did not) into TorchFacts. A
worker that hangs is a ``timeout`` (with how far it got), one killed by a signal or
printing something unreadable is an ``error`` carrying the last line of its stderr.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any, Optional, Tuple, Type, TypeVar

from ..facts import TorchFacts
from ..reading import Reading, Status
from ..runner import Runner, RunResult, exit_text
from ..serial import SchemaError, from_data
from .torch_worker import BEGIN, END, FOUND, IMPORTED  # the script's markers; importing it runs nothing

WORKER = Path(__file__).with_name("torch_worker.py")
T = TypeVar("T")


def _tail(result: RunResult) -> str:
    lines = [ln for ln in (result.stderr or result.stdout or "").splitlines() if ln.strip()]
    return lines[-1].strip() if lines else "no output"


def run_worker(python: str, mode: str, record: Type[T], run: Runner,
               timeout: float) -> Tuple[Optional[T], RunResult, Reading]:
    """Run the worker in ``mode``: (its result as ``record`` or None, the run, why not)."""
    result = run([python, str(WORKER), mode], timeout=timeout)
    if result.status is Status.NOT_FOUND:
        return None, result, Reading.fail(Status.NOT_FOUND, f"no Python interpreter at {python}")
    if result.status is not Status.OK:
        return None, result, Reading.fail(result.status, result.detail)
    start, end = result.stdout.rfind(BEGIN), result.stdout.rfind(END)
    try:
        data = json.loads(result.stdout[start + len(BEGIN):end]) if 0 <= start < end else None
    except ValueError:
        data = None  # not JSON: reported below with the stderr tail
    if data is not None:
        try:
            return from_data(record, data), result, Reading()
        except (SchemaError, TypeError, ValueError) as exc:
            return None, result, Reading.fail(Status.ERROR, f"unreadable worker result: {exc}")
    why = f"{Path(python).name} {WORKER.name} {mode}: {exit_text(result.returncode)}: {_tail(result)}"
    return None, result, Reading.fail(Status.ERROR, why)


def _all(failure: Reading, **known: Reading) -> TorchFacts:
    fields = {f.name: failure for f in dataclasses.fields(TorchFacts)}
    fields.update(known)
    return TorchFacts(**fields)


def _with_loader_errors(facts: TorchFacts) -> TorchFacts:
    """What the dynamic loader refused, read from torch's import error by explain's loader
    reader, so a live machine and a pasted traceback give the same records."""
    if facts.loader_errors.known:
        return facts
    err = facts.import_error
    if err.ok and err.value:
        from ..explain.parsers.loader import errors_in

        found = Reading.of(errors_in(str(err.value)), "read from torch's import error")
    elif err.status is Status.NOT_FOUND:  # the import succeeded
        found = Reading.of((), err.detail)
    else:
        found = err
    return dataclasses.replace(facts, loader_errors=found)


def probe(python: str, run: Runner, timeout: float) -> TorchFacts:
    facts, result, failure = run_worker(python, "torch", TorchFacts, run, timeout)
    if facts is not None:
        return _with_loader_errors(facts)
    if failure.status is Status.TIMEOUT:
        # The worker flushes a marker once torch is found and once it is imported.
        out = result.stdout or ""
        stage = "CUDA init" if IMPORTED in out else "import torch"
        slow = Reading.fail(Status.TIMEOUT, f"{stage} did not finish within {timeout:g} s")
        known: dict[str, Any] = {}
        if FOUND in out:
            known["installed"] = Reading.of(True)
        if IMPORTED in out:
            version = out.split(IMPORTED, 1)[1].split("\n", 1)[0].strip()
            known["version"] = Reading.of(version) if version else slow
            known["import_error"] = Reading.fail(Status.NOT_FOUND, "import torch succeeded")
        return _all(slow, **known)
    return _all(failure)
