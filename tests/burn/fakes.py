"""Fakes for the burn's outside world: telemetry sources, psutil, workers, the CNN step.

Worker-side fakes are module-level functions: a spawned worker process imports them by
name, exactly as it imports the real ones.
"""

from __future__ import annotations

import os
import threading
import time
from collections import namedtuple
from typing import List, Sequence

from envcheck.burn.records import CheckResult, GemmCounter, WorkCounters
from envcheck.reading import Reading
from envcheck.telemetry import TelemetrySample

ok = Reading.of


class ScriptedSource:
    """Yields a healthy sample per device each call; a device in ``lose_after`` reads lost
    after that many calls. Records the order of sample/close calls."""

    def __init__(self, devices: Sequence[str], lose_after: dict = None, fail_on: int = -1) -> None:
        self.devices, self.lose_after, self.fail_on = list(devices), dict(lose_after or {}), fail_on
        self.calls = 0
        self.closed = False
        self.sampled_after_close = False
        self.lock = threading.Lock()

    def sample(self) -> List[TelemetrySample]:
        with self.lock:
            if self.closed:
                self.sampled_after_close = True
            self.calls += 1
            if self.calls == self.fail_on:
                raise RuntimeError("sensor read failed")
            out = []
            for d in self.devices:
                if self.calls > self.lose_after.get(d, 10 ** 9):
                    out.append(TelemetrySample(t_s=0.0, device=d, lost=True))
                    continue
                out.append(TelemetrySample(t_s=0.0, device=d, temp_c=ok(60), power_draw_w=ok(300.0),
                                           power_limit_w=ok(350.0), clock_sm_mhz=ok(1755), utilization_pct=ok(100),
                                           clock_event_reasons=ok(("sw_power_cap",)), pcie_gen_current=ok(4),
                                           pcie_width_current=ok(16), ecc_volatile_uncorrected=ok(0)))
            return out

    def close(self) -> None:
        with self.lock:
            self.closed = True


_Temp = namedtuple("_Temp", "label current high critical")
_Freq = namedtuple("_Freq", "current min max")


class FakePsutil:
    def __init__(self, temps=None, freq=2400.0, percents=(0.0, 97.4, 100.0)) -> None:
        self.temps = temps if temps is not None else {"k10temp": [_Temp("Tctl", 61.5, 90.0, 95.0),
                                                                  _Temp("Tccd1", 66.4, None, None)]}
        self.freq, self.percents, self.i = freq, list(percents), 0

    def cpu_percent(self, interval=None):
        v = self.percents[min(self.i, len(self.percents) - 1)]
        self.i += 1
        return v

    def cpu_freq(self):
        return _Freq(self.freq, 0.0, 0.0) if self.freq else None

    def sensors_temperatures(self):
        return self.temps


def fake_worker(cfg, queue, go, stop):
    """A torch-free worker: healthy counters and checks; with inject "die" the worker of
    cuda:1 exits mid-run (as a process does when its GPU falls off the bus)."""
    def send(kind, payload):
        queue.put((cfg.device, kind, payload))

    send("check", CheckResult("reference", "fp32", True, -0.1, 1e-7, 5.7e-6))
    send("ready", {"torch": "fake"})
    while not go.wait(0.05):
        if stop.is_set():
            return
    t0 = time.perf_counter()
    n = 0
    gemm = {}
    while not stop.is_set():
        time.sleep(0.1)
        n += 1
        load = time.perf_counter() - t0
        gemm = {"fp32": GemmCounter("fp32", 64, 4, None, n, n * 2 * 64 ** 3, load)}
        send("counters", WorkCounters(gemm, load_s=load))
        if n % 5 == 0:
            send("check", CheckResult("repeat", "fp32", True, load, 0.0, 5.7e-6, True))
        if cfg.inject == "die" and cfg.device == "cuda:1" and n == 3:
            os._exit(3)
    send("done", WorkCounters(gemm, load_s=time.perf_counter() - t0))


def slow_setup_worker(cfg, queue, go, stop):
    """A fake worker whose set-up takes a second (as torch's import and CUDA init do)."""
    time.sleep(1.0)
    fake_worker(cfg, queue, go, stop)


def tiny_cnn_step(torch, device):
    """A stand-in for the bench's reference CNN step (same contract: CnnStep)."""
    from envcheck.burn.deps import CnnStep

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                                torch.nn.Flatten(), torch.nn.Linear(8 * 14 * 14, 10)).to(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    x = torch.rand(32, 1, 28, 28, device=device)
    y = torch.randint(0, 10, (32,), device=device)
    loss_fn = torch.nn.CrossEntropyLoss()

    def run():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss.detach()

    flops = 3 * 32 * 2 * (8 * 9 * 28 * 28 + 8 * 14 * 14 * 10)
    return CnnStep(run=run, images_per_step=32, flops_per_step=float(flops), name="tiny test CNN")
