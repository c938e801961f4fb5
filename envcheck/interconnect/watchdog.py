"""A deadline per step, watched from a thread, so a hung collective ends the rank.

A rank blocked in a collective whose peer never comes cannot notice by itself (gloo and
NCCL wait inside C++ with the GIL released). The watchdog thread times the current step
and, past its deadline, calls ``on_expire(step)`` once; the rank's handler publishes what
it saw and leaves the process (``os._exit``), which unblocks nothing but ends the wait.
"""

from __future__ import annotations

import threading
import time
from typing import Callable, Optional

from .plan import Step


class Watchdog:
    def __init__(self, on_expire: Callable[[Step], None], grace_s: float = 0.0,
                 clock: Callable[[], float] = time.monotonic, poll_s: float = 0.05) -> None:
        self.on_expire, self.grace_s, self.clock, self.poll_s = on_expire, grace_s, clock, poll_s
        self._step: Optional[Step] = None
        self._since = 0.0
        self._fired = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None

    def enter(self, step: Step) -> None:
        with self._lock:
            self._step, self._since = step, self.clock()

    def clear(self) -> None:
        with self._lock:
            self._step = None

    def expired(self) -> Optional[Step]:
        """The current step when it has run past its deadline (and the grace), else None."""
        with self._lock:
            step, since = self._step, self._since
        if step is None or self._fired:
            return None
        return step if self.clock() - since > step.deadline_s + self.grace_s else None

    def check(self) -> bool:
        """One look: fire the handler when the step expired. True once fired."""
        step = self.expired()
        if step is not None:
            self._fired = True
            self.on_expire(step)
        return self._fired

    def __enter__(self) -> "Watchdog":
        self._thread = threading.Thread(target=self._run, name="envcheck-watchdog", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(1.0)

    def _run(self) -> None:
        while not self._stop.wait(self.poll_s):
            if self.check():
                return
