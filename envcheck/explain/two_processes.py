"""The readers of a large paste run by two processes, on a machine with two cores or more.

Each reader (``parsers/``) is a function of the paste alone, so readers can run in any order
and anywhere: on a paste of a megabyte or more (a log, a dump, a whole thread), this process
forks once after the searches every reader shares (the paste's distinct lines, its
lowercased text and its words). The catalogue's scan of the paste (``Pasted.messages``, half
a second of 4 MiB) is read by a few readers only (:data:`MESSAGE_READERS`): this process makes
it and runs those while the child starts on the others; then both take the rest from one
queue until none is left; the child sends what its readers found back, pickled. The result
is the list the readers give one after the other, in their order (a test compares the two
ways on every development report). A reader missing from MESSAGE_READERS that reads the
messages in the child still gets them (the child scans for itself), only later: a test keeps
the list whole.

The child writes each reader's result as soon as it has it, pickled, to a file both
processes hold (:class:`_Spool`), and this process reads what has arrived between its own
readers: the pickling and the unpickling of a large paste's results (a megabyte and a half,
a tenth of a second each way) happen while the other process still reads, not after.

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
import tempfile
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Set

from envcheck import lazyre
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
    """The cores this process may use: its CPU affinity, capped by a cgroup v2 CPU quota (a
    container given one CPU of a larger machine)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    try:
        with open("/sys/fs/cgroup/cpu.max", encoding="ascii") as fh:
            quota, period = fh.read().split()[:2]
        if quota != "max":
            cores = min(cores, max(1, int(quota) // max(1, int(period))))
    except (OSError, ValueError):
        pass
    return cores


# The readers (their modules, under explain/parsers/) that read the paste's catalogued messages,
# ``Pasted.messages`` or ``Pasted.enclosed``; tests/explain/test_two_processes.py checks the list.
MESSAGE_READERS = frozenset({
    "complaint", "container_lost_prose", "container_prose", "container_runtime_prose", "driver_update_prose", "error_messages",
    "extension_prose", "failure_shapes", "failures", "gpu_less_machine", "library_missing_prose", "loader",
    "module_absent_prose", "module_load_prose", "torch_dll_prose", "torch_import_crash",
})


def reads_messages(reader: Reader) -> bool:
    return reader.__module__.rpartition(".")[2] in MESSAGE_READERS


def _shared(doc: Pasted) -> None:
    """The searches every reader makes, made once before the fork (else each process makes them)."""
    doc.distinct
    doc.offsets
    doc.words  # the distinct lines' word index with it, where the paste is long enough to have one


def _parents(here: Sequence[int], queue: int) -> Iterator[int]:
    """The readers this process runs: the message readers (``here``), then what the queue gives."""
    yield from here
    i = _take(queue)
    while i >= 0:
        yield i
        i = _take(queue)


def _take(queue: int) -> int:
    """The next reader's number from the queue, or -1 when none is left."""
    got = os.read(queue, _SIZE)
    return int.from_bytes(got, "big") if len(got) == _SIZE else -1


_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _block() -> Optional[Set[int]]:
    """SIGINT and SIGTERM held back around the fork (the mask before, to restore), so that neither
    lands between the fork and the child's own handlers, nor before the parent's clean-up is armed."""
    try:
        return signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    except (AttributeError, OSError, ValueError):  # no pthread_sigmask, or not the main thread
        return None


def _unblock(before: Optional[Set[int]]) -> None:
    if before is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)  # a signal held back is delivered here


def _child(doc: Pasted, readers: Sequence[Reader], queue: int, spool: int, out: int,
           before: Optional[Set[int]]) -> None:
    """Run readers from the queue, each result written to ``spool`` as it comes, then the patterns
    compiled here; then one byte down ``out`` says all is written; exit (never returns). A reader
    that raises is left to the parent, which raises it where the user sees it. A signal ends the
    child at once, quietly: the parent reports it."""
    code = 1
    try:
        for signum in _SIGNALS:
            if signal.getsignal(signum) is not signal.SIG_IGN:  # ignored stays ignored, as for the parent
                signal.signal(signum, signal.SIG_DFL)
        _unblock(before)
        inherited = set(lazyre.compiled_here())  # the parent's own, compiled before the fork
        i = _take(queue)
        while i >= 0:
            try:
                found = readers[i](doc)
            except Exception:
                found = None
            if found is not None:
                _write(spool, (i, found))
            i = _take(queue)
        _write(spool, (-1, {k: v for k, v in lazyre.compiled_here().items() if k not in inherited}))
        os.write(out, b"\1")
        code = 0
    finally:
        os._exit(code)  # no atexit handlers, no flushing of the parent's buffers, no unwinding into the caller


_LENGTH = 4  # bytes before each pickle in the spool: its length


def _write(fd: int, item: object) -> None:
    data = pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)
    data = len(data).to_bytes(_LENGTH, "big") + data
    while data:
        data = data[os.write(fd, data):]


class _Spool:
    """This process's side of the file the child writes its results to: the whole ones that have
    arrived are read (``os.pread``: the file's offset is the child's), each once."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.at = 0  # where the first result not yet read starts
        self.done: Dict[int, Found] = {}
        self.broken = False  # something unreadable: the rest runs here

    def read(self) -> None:
        if self.broken:
            return
        try:
            size = os.fstat(self.fd).st_size
            while self.at + _LENGTH <= size:
                n = int.from_bytes(_pread(self.fd, _LENGTH, self.at), "big")
                if self.at + _LENGTH + n > size:
                    return  # being written
                i, item = pickle.loads(_pread(self.fd, n, self.at + _LENGTH))
                self.at += _LENGTH + n
                if i >= 0:
                    self.done[i] = item
                elif isinstance(item, dict):  # the patterns the child compiled, for the per-user store
                    lazyre.compiled_here().update(item)
        except Exception:  # a child killed while writing, or a result that does not unpickle
            self.broken = True


def _pread(fd: int, n: int, at: int) -> bytes:
    parts = []
    while n > 0:
        got = os.pread(fd, n, at)
        if not got:
            raise EOFError("the spool ended early")
        parts.append(got)
        n -= len(got)
        at += len(got)
    return b"".join(parts)


def _spool_file() -> int:
    """A file with no name for the child's results: in memory where the system has memfd_create."""
    try:
        return os.memfd_create("envcheck-readers", os.MFD_CLOEXEC)
    except (AttributeError, OSError):
        fd, path = tempfile.mkstemp(prefix="envcheck-readers-")
        os.unlink(path)
        return fd


def _one_way(readers: Sequence[Reader], doc: Pasted) -> List[Found]:
    return [reader(doc) for reader in readers]


def read_all(doc: Pasted, readers: Sequence[Reader], meanwhile: Optional[Callable[[], None]] = None) -> List[Found]:
    """``[reader(doc) for reader in readers]``, in two processes for a large paste. ``meanwhile``:
    what the caller does next that needs none of the readers' results (imports, say): with two
    processes, called in this one while the child reads (the queue evens the load out)."""
    if (len(doc.text) < SPLIT_AT or len(readers) >= 1 << (8 * _SIZE) or not hasattr(os, "fork") or _cores() < 2
            or _one_process()):
        return _one_way(readers, doc)
    _shared(doc)
    fds: List[int] = []
    try:
        queue, fill = os.pipe()
        fds += [queue, fill]
        back, out = os.pipe()
        fds += [back, out]
        spool = _spool_file()
        fds.append(spool)
        # The numbers fit the pipe's buffer (at least 4 KiB; 2 bytes x under a hundred readers).
        here = [i for i, reader in enumerate(readers) if reads_messages(reader)]
        queued = sorted(set(range(len(readers))).difference(here))
        os.write(fill, b"".join(i.to_bytes(_SIZE, "big") for i in queued))
    except OSError:
        _close(fds)
        return _one_way(readers, doc)
    before = _block()
    try:
        pid = os.fork()
    except OSError:
        pid = -1
    if pid == 0:
        try:
            os.close(fill)
            os.close(back)
            _child(doc, readers, queue, spool, out, before)
        finally:
            os._exit(1)
    done: Dict[int, Found] = {}
    failed: Dict[int, Exception] = {}
    delivered = False
    try:
        _unblock(before)
        _close([fill, out])
        fds = [queue, back, spool]
        if pid > 0:
            arrived = _Spool(spool)
            if meanwhile is not None:
                meanwhile()
            for i in _parents(here, queue):
                try:
                    done[i] = readers[i](doc)
                except Exception as exc:  # raised below in the readers' order, as one process would
                    failed[i] = exc
                    break
                arrived.read()
            _wait(back)  # the child's byte, or the end of the pipe where it died first
            arrived.read()
            done.update(arrived.done)
            delivered = True
    finally:
        try:
            _close(fds)
        finally:
            if pid > 0:
                _reap(pid, delivered)
    out_list: List[Found] = []
    for i, reader in enumerate(readers):  # what the child did not deliver (or all, without a child) runs here
        if i in done:
            out_list.append(done[i])
        elif i in failed:
            raise failed[i]
        else:
            out_list.append(reader(doc))
    return out_list


def _close(fds: List[int]) -> None:
    for fd in fds:
        try:
            os.close(fd)
        except OSError:
            pass


def _wait(back: int) -> None:
    """Until the child has written all (its byte arrives) or has ended (the pipe's end)."""
    os.read(back, 1)


def _reap(pid: int, delivered: bool) -> None:
    """Wait for the child, which has sent its part (``delivered``) or is ended first (a reader
    here raised, or this process was interrupted)."""
    if not delivered:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
    except BaseException:  # a signal handler that raised while waiting: the child is ended first
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except OSError:
            pass
        raise
