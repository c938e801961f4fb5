"""Every kind of JSON document envcheck writes, checked against its schema (envcheck/schemas/).

The documents come from envcheck's own writers: the CLI on the recorded machines and
pastes (doctor, explain, snapshot, advise, recipe, plan; explain also on a person's words:
verdict unexplained, a likely finding, the facts only prose gives), verify and a small
bench on the CPU, interconnect over gloo, one short real ``validate`` run on the CPU (its
doctor, verify, bench and burn stages are those commands' own documents, the burn a real
4-second CPU burn), and the writers fed by the fakes the burn, interconnect and fleet
tests use (GPU-shaped burns, a two-GPU burn with its all-reduce phase through the burn's
own orchestration, an 8-GPU interconnect run with a hang, a validate run whose stages
hold those, a fleet with drift and outliers). Each is checked twice: valid against its
schema, and every key it holds named by the schema (a key a writer adds must be
documented: docs/schemas.md); a failure lists each such key by its path.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime
import itertools
import json
import signal
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Tuple

import pytest
from click.testing import CliRunner

from envcheck import schemas, snapshot
from envcheck.bench.results import interrupted_document
from envcheck.burn import report as burn_report
from envcheck.burn.deps import Deps
from envcheck.burn.options import BurnOptions
from envcheck.burn.orchestrate import DeviceState, Run
from envcheck.burn.records import CheckResult, DeviceInfo, GemmCounter, WorkCounters
from envcheck.burn.session import burn as burn_session
from envcheck.cli import cli
from envcheck.envelope import ENVELOPE_KEYS, SCHEMA_VERSIONS
from envcheck.facts import TorchDevice
from envcheck.fleet import build, find_reports, load
from envcheck.interconnect import node as interconnect_node
from envcheck.interconnect.burn_phase import PhaseConfig, PhaseResult, PhaseStatus
from envcheck.interconnect.records import Hang
from envcheck.interconnect.text import document as interconnect_document
from envcheck.interconnect.verdict import judge as judge_interconnect
from envcheck.reading import Reading
from envcheck.telemetry import Sampler
from envcheck.telemetry.cpu import PsutilTelemetry
from envcheck.validate import Events, ValidateOptions
from envcheck.validate import document as validate_document
from envcheck.validate import run as validate_run
from envcheck.validate import stages as validate_stages
from envcheck.validate.stages import StageResult
from envcheck.validate.verdicts import Verdict
from tests import builders as b
from tests.burn import fakes as burn_fakes
from tests.burn.fakes import FakePsutil
from tests.fleet import synth
from tests.interconnect.scenarios import hgx_facts, hgx_outcome

jsonschema = pytest.importorskip("jsonschema")
referencing = pytest.importorskip("referencing")

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
MACHINES = sorted((FIXTURES / "machines").glob("*.json")) + [FIXTURES / "doctor" / "h100_three_problems.snapshot.json"]
PASTES = ("torch_errors", "collect_env_2x_multi_gpu", "nvidia_smi_r550_two_gpus", "dmesg_mismatch_xid",
          "collect_env_no_torch",
          "conda_list",  # verdict insufficient
          "collect_env_1x_old")  # two torch versions in one paste: facts.disagreements
# Texts a person writes: explain's verdict unexplained, a finding of confidence likely, and
# the facts only prose gives (host.resumed_from_suspend, driver.modules_not_loaded).
SAID = {
    "said-unexplained": "ncclUnhandledCudaError: Call to CUDA function failed.\n",
    "said-suspend": ("After my laptop resumed from suspend, the nvidia_uvm module is not loaded anymore.\n"
                     "UserWarning: CUDA initialization: CUDA unknown error - this may be due to an incorrectly set "
                     "up environment, e.g. changing env variable CUDA_VISIBLE_DEVICES after program start.\n"),
}
MISMATCH = FIXTURES / "machines" / "ubuntu2204_driver_mismatch.json"
H100 = FIXTURES / "doctor" / "h100_three_problems.snapshot.json"


# ----------------------------------------------------------------------------- producers
def cli_json(*args: str, env: Dict[str, str] = None) -> Dict[str, Any]:
    r = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    assert r.stdout.lstrip().startswith("{"), (args, r.exit_code, r.output[-2000:])
    return json.loads(r.stdout)


def cpu_burn_run() -> Run:
    """A finished one-CPU burn over a scripted psutil (the burn report tests' run)."""
    ticks = itertools.count(0.0, 1.0)
    sampler = Sampler(PsutilTelemetry(FakePsutil(percents=(0.0, 99.0, 100.0))), clock=lambda: next(ticks))
    d = DeviceState(DeviceInfo("cpu", "cpu", Reading.of("Test CPU"), temp_max_c=Reading.of(95)))
    d.state = "done"
    d.work = WorkCounters({"fp32": GemmCounter("fp32", 512, 4, None, 100, 100 * 2 * 512 ** 3, 2.0)},
                          10, 1.5e9, 0.5, 20, 640, 2.0e9, 1.0, 4.0)
    d.checks = [CheckResult("reference", "fp32", True, -0.2, 1e-7, 4e-6),
                CheckResult("repeat", "fp32", False, 2.0, 1e-3, 4e-6, False, detail="differs")]
    run = Run(BurnOptions(duration_s=4.0, devices=("cpu",), inject="mismatch"), {"cpu": d}, sampler, "psutil",
              Reading.of(True), started="2026-11-23T10:00:00+00:00")
    for _ in range(5):
        sampler.sample_once()
    run.go_s, run.end_s, run.ended, run.phase = 1.0, 5.0, "2026-11-23T10:00:06+00:00", "done"
    return run


GPUS = ("cuda:0", "cuda:1")


class ScriptedAllReduce:
    """The cross-GPU all-reduce phase as the burn drives it (start / ready / poll / stop),
    without its processes: live counts while the run goes, then a result that found two
    wrong elements, a hang and a broken rank (every reason the report can hold)."""

    def __init__(self, devices, duration_s: float) -> None:
        self.cfg = PhaseConfig(tuple(devices), duration_s)
        self.polls = 0

    def start(self) -> None:
        pass

    def ready(self) -> bool:
        return True

    def poll(self) -> PhaseStatus:
        self.polls += 1
        return PhaseStatus(self.polls, 0, 180.5)

    def stop(self) -> PhaseResult:
        return PhaseResult(self.cfg.devices, self.cfg.size_bytes, iterations=self.polls, wrong=2, busbw_gb_s=175.25,
                           seconds=2.5, hung=True, errors=("rank 1: NCCL error: unhandled system error",))


def gpu_burn_with_allreduce() -> Tuple[Dict[str, Any], Dict[str, Any]]:
    """``burn --device all`` on two GPUs: the burn's own orchestration over torch-free
    workers and a scripted telemetry source (tests/burn/fakes.py), with the all-reduce
    phase; the final report and one written while the run went."""
    running: List[Dict[str, Any]] = []

    def on_tick(run) -> None:
        if run.allreduce_status is not None and not running:
            running.append(burn_report.document(run, final=False))

    infos = [DeviceInfo(d, "cuda", Reading.of("Fake GPU"), nvml_index=i, temp_max_c=Reading.of(90),
                        power_limit_w=Reading.of(350.0), pcie_gen_max=Reading.of(4), pcie_width_max=Reading.of(16))
             for i, d in enumerate(GPUS)]
    deps = Deps(worker_target=burn_fakes.fake_worker, gpu_telemetry=lambda i: burn_fakes.ScriptedSource(list(GPUS)),
                xid_text=lambda x: f"Xid {x}", allreduce_phase=ScriptedAllReduce)
    options = BurnOptions(duration_s=2.0, devices=GPUS, telemetry_interval_s=0.25, report_interval_s=0.5)
    outcome = burn_session(options, infos, deps, on_tick=on_tick)
    assert running, "no report was written while the all-reduce phase ran"
    return json.loads(json.dumps(outcome.document)), running[0]


def hgx_interconnect() -> Dict[str, Any]:
    """8 H100s over NCCL with a hang and P2P blocked by ACS: copies, matrix, findings."""
    ok = b.ok
    facts = hgx_facts(acs_redirect_bridges=ok(("0000:02:08.0",)),
                      pairs=ok(tuple(dataclasses.replace(p, path=ok("SYS"), nvlinks=ok(0))
                                     for p in hgx_facts().interconnect.pairs.value)))
    hang = Hang(9, "all_reduce 1 GiB", 60.0, (), tuple(range(8)), "envcheck")
    return interconnect_document(judge_interconnect(hgx_outcome(hang=hang, facts=facts)))


def interrupted_validate() -> Dict[str, Any]:
    """A validate run stopped by SIGTERM during the bench: status interrupted, later stages skipped."""
    class Stop(KeyboardInterrupt):
        signum = signal.SIGTERM

    def doctor(ctx, tick):
        return StageResult("doctor", Verdict.PASS, "ok", document=synth.doctor_doc(1)), ctx_facts

    def verify(ctx, tick):
        return StageResult("verify", Verdict.PASS, "ok", devices=ctx.devices, document=synth.verify_doc(1))

    def bench(ctx, tick):
        raise Stop()

    ctx_facts = b.healthy_machine()
    runners = {"doctor": doctor, "verify": verify, "bench": bench}
    runners.update({name: (lambda ctx, tick: pytest.fail("ran after the interruption")) for name in
                    ("burn", "interconnect")})
    seen: List[Dict[str, Any]] = []
    vrun = validate_run(ValidateOptions(device="cpu"), runners=runners, environ={"ENVCHECK_HOST": "n1"},
                        events=Events(checkpoint=lambda r: seen.append(validate_document(r))))
    assert vrun.status == "interrupted"
    return seen[-1]


def two_gpu_interconnect_outcome():
    """Two H100s over NCCL that hang in the sweep, P2P blocked by ACS (what ``measure`` returns)."""
    ok = b.ok
    pairs = tuple(dataclasses.replace(p, path=ok("SYS"), nvlinks=ok(0)) for p in hgx_facts(2).interconnect.pairs.value)
    facts = hgx_facts(2, acs_redirect_bridges=ok(("0000:02:08.0",)), pairs=ok(pairs))
    return hgx_outcome(n=2, hang=Hang(5, "all_reduce 1 GiB", 60.0, (), (0, 1), "envcheck"), facts=facts)


def validate_two_gpus(burn_doc: Dict[str, Any]) -> Dict[str, Any]:
    """A finished ``validate --device all`` on two GPUs through validate's own writer, each
    stage holding its document: the burn with its all-reduce phase, and validate's real
    interconnect stage (envcheck/validate/stages.py) whose measurement, the one call that
    starts NCCL processes, returns the two-GPU outcome above."""
    facts = b.healthy_machine(torch=b.torch_build(devices=[TorchDevice(i, "NVIDIA H100 80GB HBM3", "9.0",
                                                                         80 * 2**30, 132) for i in (0, 1)]))

    def doctor(ctx, tick):
        return StageResult("doctor", Verdict.PASS, "ok", document=synth.doctor_doc(2)), facts

    def stage(name, doc, verdict=Verdict.PASS):
        return lambda ctx, tick: StageResult(name, verdict, "scripted", devices=ctx.devices, document=doc)

    def measure(plan, world, visible=None, strict=False, on_step=lambda s, d: None):
        assert (plan.backend, world) == ("nccl", 2)
        return judge_interconnect(two_gpu_interconnect_outcome(), strict)

    runners = {"doctor": doctor, "verify": stage("verify", synth.verify_doc(2)),
               "bench": stage("bench", synth.bench_doc(20700.0)), "burn": stage("burn", burn_doc, Verdict.FAIL),
               "interconnect": validate_stages.interconnect}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(interconnect_node, "measure", measure)
        vrun = validate_run(ValidateOptions(device="all"), runners=runners, environ={"ENVCHECK_HOST": "n2"})
    assert vrun.status == "complete" and [r.devices for r in vrun.results][1:] == [GPUS] * 4
    assert vrun.results[-1].verdict == Verdict.FAIL and vrun.results[-1].document["hang"]
    return validate_document(vrun)


def fleet_doc(tmp: Path) -> Dict[str, Any]:
    """Six machines of the synthetic fleet, each with its interconnect stage's document: one of
    them slow, one drifted (driver, NCCL, route), one with ECC errors and a slow all-reduce
    (a machine-level outlier), one stale, one whose interconnect run hung with wrong results
    and saw a GPU the burn did not; plus a doctor-only report, an unreadable file and a host
    that never reported."""
    d = tmp / "fleet"
    synth.make_fleet(d, 6, gpus=4, burn_s=10.0, templates=1)
    doctor = json.loads((d / "node0000.json").read_text())["stages"][0]["document"]
    (d / "doctor-only.json").write_text(json.dumps(doctor))
    (d / "broken.json").write_text("{not json")
    summaries = load(find_reports([str(d)]), workers=1)
    by_host = {s.get("host"): s for s in summaries}
    by_host["node0001"]["versions"]["driver"] = "550.90.07"
    by_host["node0002"]["burn"]["cuda:3"]["figures"]["burn_cnn_images_per_s"] *= 0.7
    by_host["node0003"]["gpus"][1]["ecc_uncorrected"] = 2
    by_host["node0004"]["created_at"] = synth.STALE_CREATED
    for s in summaries:
        if s.get("versions"):
            s["versions"]["nccl"] = "2.27.3"
    by_host["node0001"]["versions"].update(nccl="2.21.5", route="PCIe through the CPU")
    by_host["node0003"]["interconnect"]["figures"]["ic_all_reduce_busbw_gb_s"] *= 0.7
    by_host["node0005"]["interconnect"].update(hang="all_reduce 1 GiB", wrong=3)
    del by_host["node0005"]["burn"]["cuda:1"]
    now = datetime.datetime(2026, 12, 6, 7, 0, tzinfo=datetime.timezone.utc)
    return build(summaries, now=now, max_age_s=7 * 86400.0, expected=["node0000", "node0099"])


# ----------------------------------------------------------------------------- the documents
@pytest.fixture(scope="module")
def tmp(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("schemas")


@pytest.fixture(scope="module")
def validate_cli() -> Dict[str, Any]:
    pytest.importorskip("torch")
    return cli_json("validate", "--device", "cpu", "--burn", "4s", "--synthetic", "--bench-model", "softmax",
                    "--threads", "1", "--interconnect", "on", "--json", env={"ENVCHECK_HOST": "box-7", "SLURM_JOB_ID": "77"})


@pytest.fixture(scope="module")
def gpu_burn() -> Tuple[Dict[str, Any], Dict[str, Any]]:
    return gpu_burn_with_allreduce()


def _stage(doc: Dict[str, Any], name: str) -> Dict[str, Any]:
    (stage,) = [s for s in doc["stages"] if s["name"] == name]
    assert stage["document"] is not None, stage
    return stage["document"]


@pytest.fixture
def small_synthetic(monkeypatch):
    import envcheck.dataset as ds

    real = ds.synthetic_dataset
    monkeypatch.setattr(ds, "synthetic_dataset", lambda seed=0, **sizes: real(seed=seed, n_train=384, n_test=100))


def _cases() -> Iterator[Tuple[str, str, Callable[[Any], Dict[str, Any]], bool]]:
    """(id, kind, producer(request), needs torch)."""
    for m in MACHINES:
        yield f"doctor-{m.stem}", "envcheck.report", lambda r, m=m: cli_json("doctor", "--facts", str(m), "--json"), False
        yield f"snapshot-{m.stem}", "envcheck.facts", lambda r, m=m: snapshot.to_document(snapshot.load(m)), False
    yield "doctor-live", "envcheck.report", lambda r: cli_json("doctor", "--no-torch", "--json"), False
    yield "snapshot-live", "envcheck.facts", lambda r: cli_json("snapshot", "--no-torch", "--redact"), False
    for p in PASTES:
        yield (f"explain-{p}", "envcheck.report",
               lambda r, p=p: cli_json("explain", str(FIXTURES / "explain" / f"{p}.txt"), "--json"), False)
    for name, text in SAID.items():
        yield f"explain-{name}", "envcheck.report", lambda r, text=text: _explain_text(r, text), False
    yield ("advise-described", "envcheck.advice", lambda r: cli_json(
        "advise", "--gpu", "RTX 5090", "--driver", "550.54.14", "--python", "3.12", "--os", "ubuntu", "--json"), False)
    yield "advise-snapshot", "envcheck.advice", lambda r: cli_json("advise", "--facts", str(H100), "--json"), False
    yield "recipe-list", "envcheck.recipes", lambda r: cli_json("recipe", "list", "--facts", str(MISMATCH), "--json"), False
    yield ("recipe-show", "envcheck.recipe",
           lambda r: cli_json("recipe", "show", "driver_mismatch_recover", "--facts", str(MISMATCH), "--json"), False)
    yield ("recipe-show-unfilled", "envcheck.recipe",
           lambda r: cli_json("recipe", "show", "driver_ubuntu_drivers", "--facts", str(H100), "--json"), False)
    yield "plan-mismatch", "envcheck.plan", lambda r: cli_json("plan", "--facts", str(MISMATCH), "--json"), False
    yield "plan-h100", "envcheck.plan", lambda r: cli_json("plan", "--facts", str(H100), "--json"), False
    yield "verify-quick-cpu", "envcheck.verify", lambda r: cli_json("verify", "--quick", "--device", "cpu", "--json"), True
    yield ("verify-cannot-start", "envcheck.verify",
           lambda r: cli_json("verify", "--quick", "--device", "cuda:99", "--json"), True)
    yield "verify-synth-gpus", "envcheck.verify", lambda r: synth.verify_doc(2), False
    yield "bench-synthetic-cpu", "envcheck.bench", _bench_cli, True
    yield "bench-synth-gpu", "envcheck.bench", lambda r: synth.bench_doc(20700.0), False
    yield ("bench-interrupted", "envcheck.bench",
           lambda r: interrupted_document("softmax", "cpu", "SIGINT", "while loading the data"), False)
    yield "burn-cpu-real", "envcheck.burn", lambda r: _stage(r.getfixturevalue("validate_cli"), "burn"), True
    yield "burn-cpu-finished", "envcheck.burn", lambda r: burn_report.document(cpu_burn_run()), False
    yield "burn-cpu-running", "envcheck.burn", lambda r: burn_report.document(cpu_burn_run(), final=False), False
    yield "burn-gpus-synth", "envcheck.burn", lambda r: synth.burn_doc(2, 10.0, 0), False
    yield "burn-gpus-allreduce", "envcheck.burn", lambda r: r.getfixturevalue("gpu_burn")[0], False
    yield "burn-gpus-allreduce-running", "envcheck.burn", lambda r: r.getfixturevalue("gpu_burn")[1], False
    yield "burn-skipped", "envcheck.burn", lambda r: burn_report.skipped_document(BurnOptions(), "no GPU"), False
    yield "burn-setup", "envcheck.burn", lambda r: burn_report.setup_document(BurnOptions(devices=("cuda:0",))), False
    yield ("burn-failed-setup", "envcheck.burn",
           lambda r: burn_report.failed_setup_document(BurnOptions(), "torch is not installed", 4), False)
    yield ("burn-aborted-setup", "envcheck.burn",
           lambda r: burn_report.aborted_document(BurnOptions(), signal.SIGINT), False)
    yield ("interconnect-gloo", "envcheck.interconnect", lambda r: cli_json(
        "interconnect", "--device", "cpu", "--nproc", "2", "--max-bytes", "4K", "--factor", "8", "--budget", "0.05",
        "--collectives", "all_reduce", "--inject", "wrong:0", "--json"), True)
    yield "interconnect-hgx-hang", "envcheck.interconnect", lambda r: hgx_interconnect(), False
    yield "validate-cpu-real", "envcheck.validate", lambda r: r.getfixturevalue("validate_cli"), True
    for name, kind in (("doctor", "envcheck.report"), ("verify", "envcheck.verify"), ("bench", "envcheck.bench"),
                       ("interconnect", "envcheck.interconnect")):
        yield (f"validate-cpu-real-{name}", kind,
               lambda r, name=name: _stage(r.getfixturevalue("validate_cli"), name), True)
    yield "validate-interrupted", "envcheck.validate", lambda r: interrupted_validate(), False
    yield ("validate-2gpu-interconnect", "envcheck.validate",
           lambda r: validate_two_gpus(r.getfixturevalue("gpu_burn")[0]), False)
    yield ("validate-synth-8gpu", "envcheck.validate",
           lambda r: _read_one(synth.make_fleet(r.getfixturevalue("tmp") / "v8", 1, gpus=8, burn_s=20.0,
                                                   templates=1)), False)
    yield "fleet", "envcheck.fleet", lambda r: fleet_doc(r.getfixturevalue("tmp")), False


def _explain_text(request, text: str) -> Dict[str, Any]:
    path = request.getfixturevalue("tmp") / f"said-{abs(hash(text))}.txt"
    path.write_text(text)
    return cli_json("explain", str(path), "--json")


def _read_one(paths: List[Path]) -> Dict[str, Any]:
    return json.loads(paths[0].read_text())


def _bench_cli(request) -> Dict[str, Any]:
    request.getfixturevalue("small_synthetic")
    return cli_json("bench", "--synthetic", "--model", "softmax", "--epochs", "2", "--device", "cpu",
                    "--compare-baseline", "--threads", "1", "--json")


CASES = {case_id: (kind, produce, torch) for case_id, kind, produce, torch in _cases()}


@pytest.fixture(scope="module")
def produced() -> Dict[str, Dict[str, Any]]:
    return {}  # case id -> document: the negative tests reuse what the positive ones made


def document(request, produced, case_id: str) -> Dict[str, Any]:
    kind, produce, needs_torch = CASES[case_id]
    if needs_torch:
        pytest.importorskip("torch")
    if case_id not in produced:
        produced[case_id] = produce(request)
    doc = produced[case_id]
    assert doc["kind"] == kind, (case_id, doc.get("kind"))
    return copy.deepcopy(doc)


# ----------------------------------------------------------------------------- what is documented
def _flatten(schema: Any, resolver) -> Iterator[Tuple[Dict[str, Any], Any]]:
    """``schema`` and every subschema that applies to the same instance ($ref, allOf, and
    each branch of anyOf/oneOf/then/else: a key named in any branch counts as documented)."""
    if not isinstance(schema, dict):
        return
    yield schema, resolver
    if "$ref" in schema:
        resolved = resolver.lookup(schema["$ref"])
        yield from _flatten(resolved.contents, resolved.resolver)
    for key in ("allOf", "anyOf", "oneOf"):
        for sub in schema.get(key, ()):
            yield from _flatten(sub, resolver)
    for key in ("then", "else"):
        yield from _flatten(schema.get(key), resolver)


def undocumented(instance: Any, pairs: List[Tuple[Dict[str, Any], Any]], path: str = "$") -> List[str]:
    """Keys of ``instance`` that no applicable schema names (where none leaves the object open)."""
    flat = [f for s, r in pairs for f in _flatten(s, r)]
    out: List[str] = []
    if isinstance(instance, dict):
        named = {k for s, _ in flat for k in s.get("properties", {})}
        open_ = any(s.get("additionalProperties") not in (None, False) for s, _ in flat)
        closed = bool(named) and not open_
        for key, value in instance.items():
            if closed and key not in named:
                out.append(f"{path}.{key}")
                continue
            children = [(s["properties"][key], r) for s, r in flat if key in s.get("properties", {})]
            children += [(s["additionalProperties"], r) for s, r in flat
                         if isinstance(s.get("additionalProperties"), dict) and key not in s.get("properties", {})]
            out += undocumented(value, children, f"{path}.{key}")
    elif isinstance(instance, list):
        for n, value in enumerate(instance):
            children = [(s["prefixItems"][n], r) for s, r in flat if n < len(s.get("prefixItems", ()))]
            children += [(s["items"], r) for s, r in flat if isinstance(s.get("items"), dict)]
            out += undocumented(value, children, f"{path}[{n}]")
    return out


def _undocumented(doc: Dict[str, Any]) -> List[str]:
    name = schemas.file_name(doc["kind"])
    resolver = schemas.registry().resolver(base_uri=name)
    return undocumented(doc, [(schemas.schema_for(doc["kind"]), resolver)])


# ----------------------------------------------------------------------------- the tests
@pytest.mark.parametrize("case_id", list(CASES))
def test_each_document_envcheck_writes_matches_its_schema(request, produced, case_id):
    doc = document(request, produced, case_id)
    assert list(doc)[:5] == list(ENVELOPE_KEYS)
    problems = schemas.validate(doc)
    assert not problems, f"{case_id}: invalid against {schemas.file_name(doc['kind'])}:\n  " + "\n  ".join(problems)
    missing = _undocumented(doc)
    assert not missing, (f"{case_id}: keys {schemas.file_name(doc['kind'])} does not name (add them to the "
                         "schema, docs/schemas.md):\n  " + "\n  ".join(missing))


def test_an_added_key_is_valid_but_reported_as_undocumented(request, produced):
    doc = document(request, produced, "burn-gpus-synth")
    doc["devices"][0]["info"]["fan_pct"] = {"value": 40, "status": "ok"}
    doc["devices"][0]["work"]["throughput"]["watts"] = 1.0
    doc["versions"]["nccl"] = "2.27.3"  # a map: any name
    doc["devices"][0]["micro"]["items"][0]["repeats"] = 9
    assert schemas.validate(doc) == []  # adding keys does not bump schema_version: readers take them
    assert _undocumented(doc) == ["$.devices[0].info.fan_pct", "$.devices[0].work.throughput.watts"]


def test_every_kind_has_a_schema_and_every_schema_a_kind():
    files = set(schemas.names())
    kinds = {name[: -len(".schema.json")] for name in files} - {"envelope", "defs"}
    assert kinds == set(SCHEMA_VERSIONS)
    assert {"envelope.schema.json", "defs.schema.json"} <= files
    for name in files:
        schema = json.loads((REPO / "envcheck" / "schemas" / name).read_text())
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        # No $id: a relative one is resolved against the working directory by some validators
        # (check-jsonschema), so the relative $ref would miss the sibling files; without it
        # every validator resolves them against the schema file's own location.
        assert "$id" not in schema
    for kind, version in SCHEMA_VERSIONS.items():
        schema = schemas.schema_for(kind)
        assert schema["$ref"] == "envelope.schema.json"
        assert schema["properties"]["kind"] == {"const": kind}
        assert schema["properties"]["schema_version"] == {"const": version}


def test_every_kind_is_produced_here():
    assert {kind for kind, _, _ in CASES.values()} == set(SCHEMA_VERSIONS)


def test_the_documents_checked_here_reach_the_rarer_shapes(request, produced):
    """The cases above are chosen to reach what a schema may get wrong: every report verdict
    and both confidences, the facts only a paste gives, the burn's all-reduce phase live and
    finished, validate runs whose real interconnect stage holds its document (gloo on the
    CPU, NCCL on two GPUs that hang), and a fleet that reads interconnect documents."""
    reports = [document(request, produced, c) for c, (kind, _, _) in CASES.items()
               if kind == "envcheck.report" and not c.endswith("-live")]
    assert {d["verdict"] for d in reports} >= {"error", "unexplained", "insufficient", "ok"}
    assert {f["confidence"] for d in reports for f in d["findings"]} == {"confirmed", "likely"}
    assert any(d["facts"]["disagreements"] for d in reports)
    said = document(request, produced, "explain-said-suspend")["facts"]
    assert said["host"]["resumed_from_suspend"]["value"] is True
    assert said["driver"]["modules_not_loaded"]["value"] == ["nvidia_uvm"]
    final = document(request, produced, "burn-gpus-allreduce")["allreduce"]
    assert final["verdict"] == "fail" and final["hung"] and final["errors"] and final["seconds"] is not None
    assert {r["code"] for r in final["reasons"]} == {"allreduce_wrong", "allreduce_hang", "allreduce_error"}
    live = document(request, produced, "burn-gpus-allreduce-running")
    assert live["status"] == "running" and live["allreduce"]["verdict"] is None
    stages = {s["name"]: s for s in document(request, produced, "validate-2gpu-interconnect")["stages"]}
    assert stages["interconnect"]["document"]["kind"] == "envcheck.interconnect"
    assert stages["interconnect"]["verdict"] == "FAIL" and "HANG" in stages["interconnect"]["summary"]
    assert stages["burn"]["document"]["allreduce"]["verdict"] == "fail"
    fleet = document(request, produced, "fleet")
    assert all(m["interconnect"] for m in fleet["machines"] if m["kind"] == "envcheck.validate")
    assert {d["key"] for d in fleet["drift"]} >= {"driver", "nccl", "route"}
    assert any(o["device"] == "" and o["figure"] == "ic_all_reduce_busbw_gb_s" for o in fleet["outliers"])
    assert {h["code"] for h in fleet["health"]} >= {"interconnect_hang", "interconnect_wrong_results"}
    only_ic = [d for m in fleet["machines"] for d in m["devices"].values() if d["verdict"] is None]
    assert only_ic and all("ic_h2d_pinned_gb_s" in d["figures"] for d in only_ic)


@pytest.mark.torch
def test_the_real_cpu_validate_ran_its_interconnect_stage_over_gloo(request, produced):
    doc = document(request, produced, "validate-cpu-real")
    (stage,) = [s for s in doc["stages"] if s["name"] == "interconnect"]
    assert doc["options"]["interconnect"] == "on" and stage["verdict"] in ("PASS", "WARN"), stage["summary"]
    assert stage["document"]["run"]["backend"] == "gloo"


def _set(doc: Dict[str, Any], path: Tuple, value: Any) -> None:
    *parents, last = path
    for p in parents:
        doc = doc[p]
    doc[last] = value


# kind -> (a case to break, a required key to remove, (path to a field, a value outside its vocabulary))
BROKEN = {
    "envcheck.report": ("doctor-h100_three_problems.snapshot", ("findings", 0, "confidence"),
                        (("findings", 0, "severity"), "fatal")),
    "envcheck.facts": ("snapshot-ubuntu2204_driver_mismatch", ("nvml",), (("host", "kernel", "status"), "fine")),
    "envcheck.advice": ("advise-described", ("driver_install",), (("advice", "ok"), "yes")),
    "envcheck.recipes": ("recipe-list", ("recipes", 0, "applies"), (("recipes", 0, "stage"), "later")),
    "envcheck.recipe": ("recipe-show", ("recipe", "steps"), (("recipe", "steps", 0, "where"), "cloud")),
    "envcheck.plan": ("plan-mismatch", ("uncovered",), (("steps", 0, "kind"), "task")),
    "envcheck.bench": ("bench-synth-gpu", ("dataset",), (("loop",), "fastest")),
    "envcheck.burn": ("burn-gpus-synth", ("devices", 0, "series"), (("devices", 0, "verdict"), "ok")),
    "envcheck.verify": ("verify-synth-gpus", ("cases",), (("cases", 0, "passed"), "yes")),
    "envcheck.interconnect": ("interconnect-hgx-hang", ("hang",), (("verdict",), "OK")),
    "envcheck.validate": ("validate-interrupted", ("machine",), (("stages", 0, "verdict"), "GOOD")),
    "envcheck.fleet": ("fleet", ("health", 0, "level"), (("verdict",), "GREEN")),
}


@pytest.mark.parametrize("kind", sorted(SCHEMA_VERSIONS))
def test_a_missing_required_key_or_a_value_outside_the_vocabulary_is_rejected(request, produced, kind):
    case_id, required, (path, bad) = BROKEN[kind]
    doc = document(request, produced, case_id)
    assert schemas.validate(doc) == []
    missing = copy.deepcopy(doc)
    *parents, last = required
    target = missing
    for p in parents:
        target = target[p]
    del target[last]
    problems = schemas.validate(missing)
    assert any(f"'{last}' is a required property" in p for p in problems), problems
    wrong = copy.deepcopy(doc)
    _set(wrong, path, bad)
    assert schemas.validate(wrong), f"{kind}: {path} = {bad!r} passed"


@pytest.mark.parametrize("change", [
    ("tool", "pip-audit"), ("kind", "envcheck.other"), ("schema_version", 2), ("created_at", "yesterday"),
    ("envcheck_version", 1), ("created_at", None),
])
def test_the_envelope_is_strict(request, produced, change):
    doc = document(request, produced, "burn-skipped")
    key, value = change
    doc[key] = value
    assert schemas.validate(doc)
    del doc[key]
    assert schemas.validate(doc)


def test_a_nested_stage_document_is_checked_against_its_own_kind(request, produced):
    doc = document(request, produced, "validate-interrupted")
    doc["stages"][0]["document"]["findings"] = [{"id": "x"}]
    assert any(p.startswith("$.stages[0].document.findings[0]") for p in schemas.validate(doc))
    doc = document(request, produced, "validate-interrupted")
    doc["stages"][0]["document"]["kind"] = "envcheck.plan"
    assert schemas.validate(doc)
    # A key wrong under a choice (the all-reduce: its object or null) is named, not the whole object.
    doc = document(request, produced, "validate-2gpu-interconnect")
    doc["stages"][3]["document"]["allreduce"]["backend"] = "mpi"
    assert schemas.validate(doc) == ["$.stages[3].document.allreduce.backend: 'mpi' is not one of ['nccl', 'gloo']"]


def test_a_reading_carries_no_value_unless_it_is_ok(request, produced):
    doc = document(request, produced, "snapshot-ubuntu2204_driver_mismatch")
    doc["host"]["kernel"] = {"value": "6.8.0", "status": "timeout"}
    assert schemas.validate(doc) == ["$.host.kernel.value: '6.8.0' is not of type 'null'"]
    doc["host"]["kernel"] = {"value": 6, "status": "ok"}
    assert schemas.validate(doc) == ["$.host.kernel.value: 6 is not of type 'string', 'null'"]


def test_what_is_not_an_envcheck_document():
    assert schemas.validate([]) == ['not an envcheck document (no tool "envcheck" and kind)']
    assert schemas.validate({"tool": "envcheck", "kind": "envcheck.nope"}) == ["unknown document kind 'envcheck.nope'"]
    with pytest.raises(schemas.EnvcheckError, match="unknown document kind 'nope'"):
        schemas.schema_for("nope")


def test_without_jsonschema_validate_is_one_line(monkeypatch):
    import builtins

    real = builtins.__import__

    def no_jsonschema(name, *args, **kwargs):
        if name.split(".")[0] in ("jsonschema", "referencing"):
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_jsonschema)
    with pytest.raises(schemas.SetupError, match=r"^validating a document needs jsonschema \(pip install"):
        schemas.validate({"tool": "envcheck", "kind": "envcheck.burn"})
    with pytest.raises(schemas.SetupError, match=r"^validating a document needs jsonschema"):
        schemas.registry()
