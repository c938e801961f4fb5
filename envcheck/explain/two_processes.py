"""The readers of a large paste run by two processes, on a machine with two cores or more.

Each reader (``parsers/``) is a function of the paste alone, so readers can run in any order
and anywhere: on a paste of a megabyte or more (a log, a dump, a whole thread), this process
forks once after the searches every reader shares (the paste's distinct lines, its
lowercased text, its catalogued messages) and both processes take readers from one queue
until none is left; the child sends what its readers found back, pickled. The result is the
list the readers give one after the other, in their order (a test compares the two ways on
every development report).

The queue is a pipe holding the readers' numbers, two bytes each: a read of two bytes from a
pipe is atomic, so each number goes to exactly one process, and a process that is done
takes the next (the readers' costs differ a hundredfold on the same text, so no split fixed
in advance is even).

Anything out of the ordinary (no ``os.fork``, one core, a fork or pipe refused, a child that
dies, sends something unreadable, or has a reader raise) ends in this process running the
readers the child did not deliver: the same result, one process's time. A reader that
raises raises here, as it would have without the child.
"""

from __future__ import annotations

import os
import pickle
import signal
from typing import Callable, Dict, List, Sequence

from envcheck.explain.partial import Found
from envcheck.explain.pasted import Pasted

Reader = Callable[[Pasted], Found]

# From this many characters on, a paste's readers run in two processes. Below it a fork costs
# more than it saves (a fork and the pickling back are ~0.05 s; the readers of 1 MiB of
# distinct text take ~0.5 s of one core).
SPLIT_AT = 1 << 20

_SIZE = 2  # bytes per reader number in the queue


def _one_process() -> bool:
    """ENVCHECK_PROCESSES=1 asks for one process (to time the two against it, or where a fork is unwelcome)."""
    return os.environ.get("ENVCHECK_PROCESSES", "").strip() == "1"


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _shared(doc: Pasted) -> None:
    """The searches most readers make, made once before the fork (else each process makes them)."""
    doc.messages
    doc.enclosed


def _take(queue: int) -> int:
    """The next reader's number from the queue, or -1 when none is left."""
    got = os.read(queue, _SIZE)
    return int.from_bytes(got, "big") if len(got) == _SIZE else -1


def _child(doc: Pasted, readers: Sequence[Reader], queue: int, out: int) -> None:
    """Run readers from the queue, send {number: Found} down ``out``, and exit (never returns)."""
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # a Ctrl-C ends the child quietly; the parent reports it
        done: Dict[int, Found] = {}
        i = _take(queue)
        while i >= 0:
            try:
                done[i] = readers[i](doc)
            except Exception:  # left to the parent, which raises it where the user sees it
                pass
            i = _take(queue)
        data = pickle.dumps(done, protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(out, "wb") as fh:
            fh.write(data)
    except BaseException:
        code = 1
    finally:
        os._exit(code)  # no atexit handlers, no flushing of the parent's buffers


def read_all(doc: Pasted, readers: Sequence[Reader]) -> List[Found]:
    """``[reader(doc) for reader in readers]``, in two processes for a large paste."""
    if (len(doc.text) < SPLIT_AT or len(readers) >= 1 << (8 * _SIZE) or not hasattr(os, "fork") or _cores() < 2
            or _one_process()):
        return [reader(doc) for reader in readers]
    _shared(doc)
    try:
        queue, fill = os.pipe()
        back, out = os.pipe()
    except OSError:
        return [reader(doc) for reader in readers]
    # The numbers fit the pipe's buffer (64 KiB on Linux; 2 bytes x under a hundred readers).
    os.write(fill, b"".join(i.to_bytes(_SIZE, "big") for i in range(len(readers))))
    os.close(fill)
    try:
        pid = os.fork()
    except OSError:
        pid = -1
    if pid == 0:
        os.close(back)
        _child(doc, readers, queue, out)
    os.close(out)
    done: Dict[int, Found] = {}
    delivered = False
    try:
        if pid > 0:
            i = _take(queue)
            while i >= 0:
                done[i] = readers[i](doc)
                i = _take(queue)
            done.update(_received(back))
            delivered = True
    finally:
        os.close(queue)
        os.close(back)
        if pid > 0:
            _reap(pid, delivered)
    # What the child did not deliver (or all, without a child), run here.
    return [done[i] if i in done else readers[i](doc) for i in range(len(readers))]


def _received(back: int) -> Dict[int, Found]:
    """What the child sent, read to its end (the child has exited or is exiting then)."""
    with os.fdopen(os.dup(back), "rb") as fh:
        data = fh.read()
    try:
        got = pickle.loads(data) if data else {}
    except Exception:  # a child killed while writing: its readers run here
        return {}
    return got if isinstance(got, dict) else {}


def _reap(pid: int, delivered: bool) -> None:
    """Wait for the child, which has sent its part (``delivered``) or is ended first (a reader
    here raised, or this process was interrupted)."""
    try:
        if not delivered:
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except OSError:
        pass
