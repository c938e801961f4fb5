"""The one sampling thread: the burn and the bench watch their devices with it.

The thread asks its :class:`~envcheck.telemetry.TelemetrySource` for samples about once
a second and stamps them with the caller's clock (so the burn's worker events and the
samples share one time axis). :meth:`Sampler.stop` joins the thread *before* closing the
source, so NVML is never shut down under a sample in flight — and when a sample never
comes back (NVML wedged mid-run), stop gives up on the thread after a deadline, leaves
the source alone (closing it would wait on the same driver) and says so in ``errors``.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import replace
from typing import Callable, Dict, List, Optional

from .sample import TelemetrySample, TelemetrySource

STOP_TIMEOUT_S = 10.0


class Sampler:
    def __init__(self, source: TelemetrySource, interval_s: float = 1.0,
                 clock: Callable[[], float] = time.monotonic, t0: Optional[float] = None) -> None:
        self.source, self.interval_s, self.clock = source, interval_s, clock
        self.t0 = clock() if t0 is None else t0
        self._samples: List[TelemetrySample] = []
        self._latest: Dict[str, TelemetrySample] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self.errors: Counter = Counter()  # exceptions the source raised (never fatal to the burn)
        self._closed = False

    def sample_once(self) -> List[TelemetrySample]:
        try:
            got = self.source.sample()
        except Exception as exc:  # a sampler must outlive a bad read; the count goes in the report
            self.errors[f"{type(exc).__name__}: {exc}"[:200]] += 1
            return []
        t = round(self.clock() - self.t0, 3)
        got = [replace(s, t_s=t) for s in got]
        with self._lock:
            self._samples.extend(got)
            for s in got:
                self._latest[s.device] = s
        return got

    def _loop(self) -> None:
        while not self._stop.is_set():
            started = self.clock()
            self.sample_once()
            self._stop.wait(max(0.0, self.interval_s - (self.clock() - started)))

    def start(self) -> "Sampler":
        self._thread = threading.Thread(target=self._loop, name="envcheck-telemetry", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> List[TelemetrySample]:
        """Stop the thread, wait for it, then close the source (idempotent); the samples."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=STOP_TIMEOUT_S)
            if self._thread.is_alive():  # a sample stuck in the driver: abandon the (daemon) thread
                self.errors[f"the telemetry source stopped answering (no sample back within {STOP_TIMEOUT_S:g} s)"] += 1
                self._closed = True
        if not self._closed:
            self._closed = True
            try:
                self.source.close()
            except Exception as exc:  # the samples taken are kept whatever the source does now
                self.errors[f"close: {type(exc).__name__}: {exc}"[:200]] += 1
        return self.samples()

    def samples(self) -> List[TelemetrySample]:
        with self._lock:
            return list(self._samples)

    def latest(self) -> Dict[str, TelemetrySample]:
        with self._lock:
            return dict(self._latest)
