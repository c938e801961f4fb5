"""A synthetic fleet of validate reports made by the real writers.

Each report goes through the code a real run uses: the doctor's document is
``envcheck.report.jsonfmt.document`` over facts (built with ``tests/builders.py``) and
the real rules; verify's is ``envcheck.verify.text.to_document``; the bench's
``envcheck.bench.results.to_document``; the burn's ``envcheck.burn.report.document``
over a :class:`~envcheck.burn.orchestrate.Run` whose sampler read a scripted NVML-like
source once a second for the whole burn; the envelope is ``envcheck.validate.document``
and the file is written by ``envcheck.validate.document.write``.

Building a long 8-GPU burn document costs about a second (7,000+ samples judged and
serialised), so ``templates`` distinct burns are built and each machine gets one with
its own throughput figures written into its devices (the figures fleet compares).
Anomalies are planted at known places so tests (and the benchmark) can check that
fleet finds them: see :data:`PLANTED`.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any, Dict, List, Optional

from envcheck.bench.results import BenchResult, DatasetInfo, EpochRecord, Gate, LoopResult
from envcheck.bench.results import DeviceInfo as BenchDevice
from envcheck.bench.results import to_document as bench_document
from envcheck.burn import report as burn_report
from envcheck.burn.options import BurnOptions
from envcheck.burn.orchestrate import DeviceState, Run
from envcheck.burn.records import CheckResult, DeviceInfo, GemmCounter, MicroItem, MicroResult, WorkCounters
from envcheck.reading import Reading
from envcheck.report import Report
from envcheck.report.jsonfmt import document as doctor_document
from envcheck.rules import evaluate
from envcheck.telemetry import Sampler, TelemetrySample
from envcheck.validate.document import document as validate_document
from envcheck.validate.document import write
from envcheck.validate.pipeline import ValidateOptions, ValidateRun
from envcheck.validate.stages import StageResult
from envcheck.validate.verdicts import Verdict
from envcheck.verify.results import CaseResult, VerifyResult
from envcheck.verify.text import to_document as verify_document
from tests import builders as b

MODEL = "NVIDIA H100 80GB HBM3"
DRIVER, CUDA, TORCH, CUDNN, VBIOS, KERNEL = "570.124.06", "12.8", "2.7.1+cu128", 90100, "96.00.99.00.01", "6.8.0-60-generic"
BASE = {"cnn": 21000.0, "bw": 2900.0, "bf16": 610.0, "fp16": 615.0, "tf32": 340.0, "fp32": 52.0}
CREATED = "2026-12-06T06:00:00+00:00"
STALE_CREATED = "2026-11-01T06:00:00+00:00"

# host index -> what is wrong with it (fleet must find each)
PLANTED = {
    17: "GPU 3 is 18 % slow in the burn's CNN training",
    42: "driver 550.90.07 (the others 570.124.06)",
    99: "GPU 5 (the last, on smaller machines) has 2 uncorrectable ECC errors",
    123: "report is stale (a month old)",
    64: "all_reduce bus bandwidth 20 % below the other machines' (interconnect stage)",
    88: "GPU 2's slowest direct link to another GPU 40 % slow (interconnect stage)",
}


def host_name(i: int) -> str:
    return f"node{i:04d}"


class _Source:
    """NVML-like samples for ``gpus`` devices: warm-up, then full load."""

    def __init__(self, gpus: int, seed: int) -> None:
        self.gpus, self.rng, self.n = gpus, random.Random(seed), 0

    def sample(self) -> List[TelemetrySample]:
        self.n += 1
        load = self.n > 30
        out = []
        for i in range(self.gpus):
            r = self.rng.random()
            out.append(TelemetrySample(
                t_s=0.0, device=f"cuda:{i}", temp_c=Reading.of(int(40 + (35 if load else 0) + 4 * r)),
                memory_temp_c=Reading.of(int(45 + (30 if load else 0) + 3 * r)),
                power_draw_w=Reading.of(round((650 if load else 90) + 40 * r, 2)), power_limit_w=Reading.of(700.0),
                clock_sm_mhz=Reading.of(1980 - int(60 * r) if load else 345), clock_mem_mhz=Reading.of(2619),
                clock_event_reasons=Reading.of(("sw_power_cap",) if load and r > 0.8 else ()),
                utilization_pct=Reading.of(100 if load else 0), memory_utilization_pct=Reading.of(60 if load else 0),
                ecc_volatile_corrected=Reading.of(0), ecc_volatile_uncorrected=Reading.of(0),
                retired_pages_pending=Reading.of(False), remapped_rows_pending=Reading.of(False),
                remapped_rows_failed=Reading.of(False), remapped_rows_uncorrectable=Reading.of(0),
                pcie_gen_current=Reading.of(5), pcie_width_current=Reading.of(16), pcie_replay_count=Reading.of(0)))
        return out

    def close(self) -> None:
        return None


def burn_doc(gpus: int, burn_s: float, seed: int) -> Dict[str, Any]:
    """A finished burn of ``gpus`` H100s for ``burn_s`` seconds, through burn's own writer."""
    clock = iter(float(t) for t in range(0, 10 ** 7))
    sampler = Sampler(_Source(gpus, seed), clock=lambda: next(clock), t0=0.0)
    labels = tuple(f"cuda:{i}" for i in range(gpus))
    states = {}
    for i, label in enumerate(labels):
        info = DeviceInfo(label, "cuda", Reading.of(MODEL), nvml_index=i, temp_max_c=Reading.of(87),
                          temp_max_source="GPU max operating", power_limit_w=Reading.of(700.0),
                          clock_sm_max_mhz=Reading.of(1980), pcie_gen_max=Reading.of(5), pcie_width_max=Reading.of(16),
                          memory_total_bytes=Reading.of(80 * 2 ** 30))
        d = DeviceState(info)
        d.state = "done"
        busy = burn_s / 4
        d.work = WorkCounters({dt: GemmCounter(dt, 8192, 100, 0.9, 1000, BASE[dt] * 1e12 * busy / 4, busy / 4)
                               for dt in ("fp32", "tf32", "bf16", "fp16")},
                              1000, BASE["bw"] * 1e9 * busy, busy, 5000, int(BASE["cnn"] * busy), 1e15, busy, burn_s)
        d.checks = [CheckResult("reference", dt, True, -1.0, 1e-6, 1e-2) for dt in ("fp32", "bf16")] + \
                   [CheckResult("repeat", "bf16", True, 100.0, 0.0, 1e-2, True)]
        d.versions = {"torch": TORCH, "cuda": CUDA, "cudnn": str(CUDNN)}
        d.micro = MicroResult(label, (MicroItem("device_copy", "fp32", 2950.0, "GB/s", "1024 MiB", 7, 0.01, 3350.0,
                                                "spec: H100 SXM5 80GB (V)", 0.88),
                                      MicroItem("h2d", "pinned", 52.0, "GB/s", "1024 MiB", 7, 0.02, 63.0,
                                                "PCIe gen5 x16", 0.83)))
        states[label] = d
    run = Run(BurnOptions(duration_s=burn_s, devices=labels), states, sampler, "nvml", Reading.of(True),
              started=CREATED)
    for _ in range(int(burn_s) + 30):
        sampler.sample_once()
    run.go_s, run.end_s, run.ended, run.phase = 30.0, 30.0 + burn_s, CREATED, "done"
    return burn_report.document(run, final=True)


def doctor_doc(gpus: int, driver: str = DRIVER, ecc_gpu: Optional[int] = None) -> Dict[str, Any]:
    gs = [b.gpu(MODEL, "9.0", i, vbios_version=VBIOS, uuid=f"GPU-{i:08d}",
                **({"ecc_aggregate_uncorrected": 2, "ecc_volatile_uncorrected": 2} if i == ecc_gpu else {}))
          for i in range(gpus)]
    facts = b.healthy_machine(host=b.healthy_host(kernel=KERNEL), driver=b.healthy_driver(driver),
                              nvml=b.nvml(gs, driver=driver, cuda=CUDA),
                              torch=b.torch_build(TORCH, CUDA, CUDNN, devices=[]))
    ev = evaluate(facts)
    return doctor_document(Report("doctor", facts, ev.findings, ev.failures))


def verify_doc(gpus: int) -> Dict[str, Any]:
    cases = tuple(CaseResult(op, {"n": 2}, dt, f"cuda:{i}", 1e-6, 1e-2, True)
                  for i in range(gpus) for dt in ("fp32", "bf16") for op in ("conv2d", "max_pool2d"))
    return verify_document(VerifyResult(cases, (), tuple(f"cuda:{i}" for i in range(gpus)), ("fp32", "bf16"),
                                        2, 0, False, TORCH, 12.0))


def bench_doc(images_per_s: float) -> Dict[str, Any]:
    curve = tuple(EpochRecord(e, 2.9, 1.0 / e, 0.8 + e / 100, 1.1 / e, 0.82 + e / 100, 0.2) for e in range(1, 7))
    gate = Gate("full", 0.90, 0.93)
    loop = LoopResult("fast", 0.93, 0.3, images_per_s, 150000.0, tuple(r.seconds for r in curve), 3.1, 2.9, 4.0,
                      17.4, 60000, 20.0, 5, 120.0, Reading.of(0.3), {"precision": "bf16"}, curve, gate)
    return bench_document(BenchResult(
        DatasetInfo("full", False, "Fashion-MNIST (60,000 train / 10,000 test)", "cache", "/data", "checksums ok",
                    60000, 10000, 0.4),
        {"name": "refcnn"}, BenchDevice("cuda", 0, MODEL, "bf16", Reading.of(989.0)), 0,
        {"torch": TORCH}, loop, wall_seconds=30.0, started_at=CREATED))


def interconnect_doc(gpus: int) -> Dict[str, Any]:
    """The interconnect stage's document, by the real writer (``envcheck.interconnect.text``)
    over the synthetic HGX outcome of tests/interconnect/scenarios.py."""
    from envcheck.interconnect import text
    from envcheck.interconnect.verdict import judge
    from tests.interconnect.scenarios import hgx_outcome

    return text.document(judge(hgx_outcome(470.0, n=gpus)))


def _interconnect_figures(doc: Dict[str, Any], i: int, rng: random.Random) -> Dict[str, Any]:
    """A copy of ``doc`` with this machine's own figures (what fleet compares)."""
    import copy

    out = copy.deepcopy(doc)
    slow = 0.8 if i == 64 else 1.0
    out["peak_busbw_gb_s"] = {c: round(v * slow * rng.gauss(1.0, 0.01), 3) for c, v in doc["peak_busbw_gb_s"].items()}
    for m in out["matrices"]:
        for cell in m["cells"]:
            if cell["via"] == "p2p":
                planted = 0.6 if (i == 88 and cell["src"] == 2) else 1.0
                cell["bandwidth_gb_s"] = round(390.0 * planted * rng.gauss(1.0, 0.01), 2)
    return out


def make_fleet(directory: Path, machines: int, gpus: int = 8, burn_s: float = 900.0, templates: int = 8,
               seed: int = 0) -> List[Path]:
    """Write ``machines`` validate reports into ``directory``; returns their paths."""
    rng = random.Random(seed)
    burns = [burn_doc(gpus, burn_s, seed + t) for t in range(templates)]
    verify = verify_doc(gpus)
    interconnect = interconnect_doc(gpus)
    doctors = {"ok": doctor_doc(gpus), "drift": doctor_doc(gpus, driver="550.90.07"), "ecc": doctor_doc(gpus, ecc_gpu=min(5, gpus - 1))}
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(machines):
        burn = burns[i % templates]
        for dev in burn["devices"]:  # this machine's own figures (what fleet compares)
            k = int(dev["device"].partition(":")[2])
            slow = 0.82 if (i == 17 and k == 3) else 1.0
            tp = dev["work"]["throughput"]
            tp["cnn_images_per_s"] = round(BASE["cnn"] * slow * rng.gauss(1.0, 0.015), 1)
            tp["bandwidth_gb_s"] = round(BASE["bw"] * rng.gauss(1.0, 0.01), 2)
            tp["gemm_tflops"] = {dt: round(BASE[dt] * rng.gauss(1.0, 0.02), 6) for dt in ("fp32", "tf32", "bf16", "fp16")}
        doctor = doctors["drift" if i == 42 else "ecc" if i == 99 else "ok"]
        options = ValidateOptions(level="long", device="all")
        machine = {"hostname": host_name(i), "redacted": False,
                   "slurm": {"job_id": "4242", "node": host_name(i), "nnodes": str(machines)}, "kubernetes": None}
        created = STALE_CREATED if i == 123 else CREATED
        vrun = ValidateRun(options, machine, created, status="complete", ended=created)
        doctor_verdict = Verdict.FAIL if i == 99 else Verdict.PASS
        vrun.results = [
            StageResult("doctor", doctor_verdict, "", seconds=8.0, document=doctor),
            StageResult("verify", Verdict.PASS, "", seconds=12.0, devices=tuple(f"cuda:{k}" for k in range(gpus)),
                        document=verify),
            StageResult("bench", Verdict.PASS, "", seconds=30.0, devices=("cuda:0",),
                        document=bench_doc(round(rng.gauss(20700.0, 200.0), 1))),
            StageResult("burn", Verdict.PASS, "", seconds=burn_s + 30, document=burn),
            StageResult("interconnect", Verdict.PASS, "", seconds=60.0, devices=tuple(f"cuda:{k}" for k in range(gpus)),
                        document=_interconnect_figures(interconnect, i, rng)),
        ]
        doc = validate_document(vrun)
        doc["elapsed_s"] = burn_s + 90.0
        path = directory / f"{host_name(i)}.json"
        write(str(path), doc)
        paths.append(path)
    return paths

