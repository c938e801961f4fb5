"""A whole bench run on the CPU with small synthetic data, and every GPU-only piece with fakes."""

from __future__ import annotations

import dataclasses
import datetime
import json

import pytest

torch = pytest.importorskip("torch")

import sample_models  # noqa: E402
from envcheck.bench import reference  # noqa: E402
from envcheck.bench.device import resolve_device, resolve_precision  # noqa: E402
from envcheck.bench.fastpath import DeviceData, FastTrainer, graph_supported, make_train_step  # noqa: E402
from envcheck.bench.hyperparams import lr_schedule, make_optimizer  # noqa: E402
from envcheck.bench.peak import device_peak_tflops  # noqa: E402
from envcheck.bench.results import to_document  # noqa: E402
from envcheck.bench.run import BenchConfig, Hooks, run_bench, start_telemetry  # noqa: E402
from envcheck.bench.text import render_text  # noqa: E402
from envcheck.dataset import synthetic_dataset  # noqa: E402
from envcheck.errors import EnvcheckError, SetupError  # noqa: E402
from envcheck.reading import Reading, Status  # noqa: E402

pytestmark = pytest.mark.torch
CPU = torch.device("cpu")


@pytest.fixture(scope="module")
def small():
    return synthetic_dataset(seed=0, n_train=512, n_test=200)


def _no_reference(**kw):
    return reference.compare(**kw, table={"result": [], "pending": []})


def test_run_bench_end_to_end_with_baseline(small):
    events = []
    hooks = Hooks(progress=events.append, compare_fn=_no_reference)
    called = datetime.datetime.now(datetime.timezone.utc)
    result, art = run_bench(BenchConfig(model="softmax", epochs=2, device="cpu", compare_baseline=True), small, hooks)
    doc = to_document(result)
    assert datetime.datetime.fromisoformat(doc["started_at"]) <= called  # when it started, not when it ended
    for key in ("schema_version", "dataset", "model", "device", "test_accuracy", "train_images_per_s", "epoch_seconds"):
        assert key in doc
        assert key in doc["baseline"] or key in ("schema_version", "dataset", "model", "device")
    assert doc["schema_version"] == 1 and doc["synthetic"] is True and doc["dataset"]["kind"] == "synthetic"
    assert len(doc["epoch_seconds"]) == 2 and len(doc["baseline"]["epoch_seconds"]) == 2
    assert doc["speedup_vs_baseline"] == pytest.approx(result.fast.train_images_per_s / result.baseline.train_images_per_s, rel=1e-2)
    assert result.fast.train_images_per_s == pytest.approx(512 / result.fast.epoch_seconds[1], rel=2e-2)
    assert doc["device"]["peak_tflops"]["status"] == "not_supported"  # CPUs: no invented peak
    assert doc["fraction_of_peak"]["status"] == "not_supported"
    assert doc["model"]["hyperparameters"]["lr"] == 0.1 and doc["seed"] == 0 and doc["versions"]["torch"]
    assert doc["options"]["dropped_per_epoch"] == 0 and doc["images_per_epoch"] == 512
    assert json.loads(json.dumps(doc)) == doc
    assert [e.epoch for e in events if e.loop == "fast" and e.record] == [1, 2]
    assert [e.epoch for e in events if e.loop == "baseline"] == [1, 2]
    assert art.first_layer.shape == (10, 28, 28) and art.first_layer_kind == "linear"
    text = render_text(result)
    assert "SYNTHETIC" in text and "naive loop" in text and "speed-up" in text
    assert "peak        unknown: n/a (no peak table for CPUs; envcheck does not guess one)" in text


def test_gate_fails_when_accuracy_is_below_target(small):
    spec = sample_models.get("softmax")
    strict = dataclasses.replace(spec, epochs=1, target_accuracy={"full": 0.99, "subset": 0.99, "synthetic": 0.999})
    real = sample_models.REGISTRY["softmax"]
    sample_models.REGISTRY["softmax"] = strict
    try:
        result, _ = run_bench(BenchConfig(model="softmax", epochs=1, device="cpu"), small,
                              Hooks(compare_fn=_no_reference))
    finally:
        sample_models.REGISTRY["softmax"] = real
    assert not result.passed and not result.fast.gate.passed
    assert to_document(result)["gate"]["passed"] is False
    assert "FAIL" in render_text(result)


def test_a_diverged_run_still_gives_strict_json(small, monkeypatch):
    # A device that trains to NaN is what the bench exists to catch; its --json must still parse.
    spec = sample_models.get("softmax")
    monkeypatch.setitem(sample_models.REGISTRY, "softmax", dataclasses.replace(spec, lr=1e38, epochs=1))
    result, _ = run_bench(BenchConfig(model="softmax", epochs=1, device="cpu"), small, Hooks(compare_fn=_no_reference))
    assert result.fast.test_loss != result.fast.test_loss  # NaN in the record...
    doc = to_document(result)
    json.dumps(doc, allow_nan=False)  # ...but no NaN or Infinity in the document
    assert doc["test_loss"] is None and doc["curve"][0]["train_loss"] is None
    assert doc["passed"] is False and "FAIL" in render_text(result)


def test_fewer_epochs_than_the_recipe_are_timed_not_judged(small):
    # softmax's recipe is 10 epochs; one epoch far below every gate must not read as a broken machine
    result, _ = run_bench(BenchConfig(model="softmax", epochs=1, device="cpu"), small, Hooks(compare_fn=_no_reference))
    assert not result.fast.gate.judged and result.passed and not result.judged
    doc = to_document(result)
    assert doc["passed"] is None and doc["gate"]["passed"] is None
    assert "not judged: 1 of the recipe's 10 epochs" in render_text(result)
    assert "NOT JUDGED" in render_text(result)


def test_peak_fraction_and_time_to_target_with_a_fake_spec_table(small):
    hooks = Hooks(peak_fn=lambda kind, name, key: Reading.of(2.0), compare_fn=_no_reference)
    result, _ = run_bench(BenchConfig(model="softmax", epochs=2, device="cpu"), small, hooks)
    f = result.fast
    assert f.fraction_of_peak.ok
    # Both figures are stored rounded (5 and 6 decimals): compare within that rounding,
    # whatever speed this machine reached (small values make a relative bound flaky).
    assert f.fraction_of_peak.value == pytest.approx(f.achieved_tflops / 2.0, rel=1e-3, abs=1e-5)
    expected_tflops = sample_models.get("softmax").train_flops_per_image * f.train_images_per_s / 1e12
    assert f.achieved_tflops == pytest.approx(expected_tflops, rel=1e-3, abs=1e-6)
    if f.epochs_to_target is not None:
        assert f.time_to_target_s == pytest.approx(f.setup_seconds + sum(f.epoch_seconds[:f.epochs_to_target]), abs=1e-3)


def test_unknown_model_and_bad_epochs(small):
    with pytest.raises(EnvcheckError, match="choose one of: softmax, mlp"):
        run_bench(BenchConfig(model="vgg"), small)
    with pytest.raises(EnvcheckError, match="at least 1"):
        run_bench(BenchConfig(model="softmax", epochs=0), small)


def test_warm_up_is_undone_exactly():
    """Graph capture and compilation warm up on real steps; the model must not keep them."""
    spec = dataclasses.replace(sample_models.get("refcnn"), augment="none")
    prec = resolve_precision("fp32", CPU)
    x = torch.randint(0, 256, (16, 28, 28), dtype=torch.uint8)
    y = torch.randint(0, 10, (16,))

    def trajectory(warm: bool, backend=None):
        torch.manual_seed(0)
        model = spec.build()
        opt = make_optimizer(spec, model.parameters(), fused=True)
        step = make_train_step(model, opt, CPU, prec, example_batch=(x, y), compile=backend is not None,
                               compile_backend=backend or "inductor")
        if warm:
            step.warm_up(x, y, steps=3)
        assert step.loss_sum.item() == 0.0
        return [step(x, y).item() for _ in range(4)], step

    plain, _ = trajectory(False)
    warmed, step = trajectory(True)
    assert warmed == pytest.approx(plain, rel=1e-5) and step.setup_seconds > 0
    compiled, cstep = trajectory(False, backend="eager")  # torch.compile's plumbing, no C++ compiler needed
    assert compiled == pytest.approx(plain, rel=1e-4) and cstep.setup_seconds > 0


def test_graph_capture_is_chosen_only_where_it_can_work():
    bf16 = dataclasses.replace(resolve_precision("fp32", CPU), name="bf16", autocast_dtype=torch.bfloat16, tf32=True)
    fp16 = dataclasses.replace(bf16, name="fp16", autocast_dtype=torch.float16, use_scaler=True)
    cuda = torch.device("cuda", 0)
    assert graph_supported(cuda, bf16, compile=False) is None
    assert "GradScaler" in graph_supported(cuda, fp16, compile=False)
    assert "compile" in graph_supported(cuda, bf16, compile=True)
    assert "CUDA device" in graph_supported(CPU, bf16, compile=False)


def test_one_cycle_schedule_shape():
    spec = sample_models.get("refcnn")
    lrs = lr_schedule(spec, 100)
    assert len(lrs) == 100 and lrs[0] == pytest.approx(spec.lr / 25)
    assert max(lrs) == pytest.approx(spec.lr) and lrs.index(max(lrs)) == 25
    assert lrs[-1] == pytest.approx(spec.lr / 1e4) and lrs[30] > lrs[60] > lrs[90]
    assert lr_schedule(sample_models.get("lenet"), 7) == [0.9] * 7


def test_device_and_precision_resolution(monkeypatch):
    assert resolve_device("cpu") == CPU
    with pytest.raises(EnvcheckError, match="is not a device"):
        resolve_device("gpu0")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device("auto") == CPU
    with pytest.raises(SetupError, match="sees no CUDA device.*envcheck doctor"):
        resolve_device("cuda:1")
    assert resolve_precision("auto", CPU).name == "fp32"
    assert resolve_precision("bf16", CPU).autocast_dtype is torch.bfloat16
    with pytest.raises(EnvcheckError, match="fp16 needs a CUDA device"):
        resolve_precision("fp16", CPU)
    with pytest.raises(EnvcheckError, match="choose one of"):
        resolve_precision("int8", CPU)


def test_peak_lookup_from_the_spec_table():
    r = device_peak_tflops("cpu", "AMD EPYC", "fp32")
    assert r.status is Status.NOT_SUPPORTED and "does not guess" in r.detail
    r = device_peak_tflops("cuda", "NVIDIA H100 80GB HBM3", "bf16")
    assert r.ok and r.value == pytest.approx(989.4)  # SXM5 dense bf16, NVIDIA datasheet (sparse / 2)
    assert device_peak_tflops("cuda", "NVIDIA H100 80GB HBM3", "fp32").value == pytest.approx(67.0, abs=0.5)
    assert device_peak_tflops("cuda", "Some Future GPU 9000", "bf16").status is Status.NOT_FOUND


def test_bf16_on_cpu_trains(small):
    result, _ = run_bench(BenchConfig(model="softmax", epochs=1, device="cpu", precision="bf16"), small,
                          Hooks(compare_fn=_no_reference))
    assert result.device.precision == "bf16" and result.fast.options["precision"] == "bf16"
    assert 0.0 <= result.fast.test_accuracy <= 1.0


def test_start_telemetry_paths():
    class Source:
        def sample(self):
            return []

        def close(self):
            pass

    asked = []
    hooks = Hooks(telemetry_fn=lambda dev: (asked.append(dev) or Source(), Reading.of("sampled")),
                  telemetry_interval_s=0.01)
    sampler, status = start_telemetry(torch.device("cuda", 1), hooks)
    assert status.ok and asked == [torch.device("cuda", 1)]
    sampler.stop()
    why = Reading.fail(Status.NOT_FOUND, "no NVML here")
    rec, status = start_telemetry(torch.device("cuda", 0), Hooks(telemetry_fn=lambda dev: (None, why)))
    assert rec is None and status == why
    rec, status = start_telemetry(CPU, hooks)
    assert rec is None and status.status is Status.NOT_SUPPORTED


def test_fast_trainer_uses_device_generator_for_shuffling():
    spec = sample_models.get("softmax")
    data = DeviceData(torch.zeros(300, 28, 28, dtype=torch.uint8), torch.zeros(300, dtype=torch.int64), CPU)
    a = FastTrainer(spec, spec.build(), data, CPU, resolve_precision("fp32", CPU), seed=5, epochs=1, graph=False)
    b = FastTrainer(spec, spec.build(), data, CPU, resolve_precision("fp32", CPU), seed=5, epochs=1, graph=False)
    assert torch.equal(a.permutation(0), b.permutation(0))
    assert not torch.equal(a.permutation(1), a.permutation(0))


def test_reference_train_step_for_the_burn_in():
    from envcheck.bench.fastpath import reference_train_step

    step = reference_train_step(CPU, resolve_precision("fp32", CPU), batch_size=32)
    assert step.graph is None and step.channels_last  # CPU: no graph; the reference CNN is NHWC
    gen = torch.Generator().manual_seed(1)
    x = torch.randint(0, 256, (32, 28, 28), dtype=torch.uint8, generator=gen)
    y = torch.randint(0, 10, (32,), generator=gen)
    losses = [step(x, y).item() for _ in range(8)]
    assert losses[-1] < losses[0]  # it trains (memorises one batch)
    assert int(step.correct) <= 8 * 32


def test_gpu_shaped_result_renders_peak_and_telemetry(small):
    from envcheck.telemetry import TelemetrySample, summarise

    result, _ = run_bench(BenchConfig(model="softmax", epochs=1, device="cpu"), small, Hooks(compare_fn=_no_reference))
    samples = [TelemetrySample(t_s=0, device="cuda:0", temp_c=Reading.of(71), power_draw_w=Reading.of(512.0),
                               power_limit_w=Reading.of(700.0), clock_sm_mhz=Reading.of(1980),
                               clock_event_reasons=Reading.of(("sw_power_cap",)))]
    gpu = dataclasses.replace(
        result,
        device=dataclasses.replace(result.device, type="cuda", index=0, name="NVIDIA H100 80GB HBM3",
                                   precision="bf16", peak_tflops=Reading.of(989.4), threads=None),
        telemetry=summarise(samples), telemetry_status=Reading.of("sampled"))
    text = render_text(gpu)
    assert "peak        989.4 TFLOP/s dense bf16 (spec table)" in text
    assert "telemetry   1 sample: max 71 °C, mean power 512.0 W (limit 700.0 W)" in text
    assert "clock-event reasons: sw_power_cap" in text
    doc = to_document(gpu)
    assert doc["telemetry"]["temp_peak_c"] == {"value": 71, "status": "ok"}
    no_tel = dataclasses.replace(gpu, telemetry=None, telemetry_status=Reading.fail(Status.NOT_FOUND, "no NVML"))
    assert "telemetry   none: not found (no NVML)" in render_text(no_tel)


# --------------------------------------------------------------- first-run wording
def _with_epochs(result, seconds, accuracy=None):
    fast = dataclasses.replace(result.fast, epoch_seconds=tuple(seconds), first_epoch_seconds=seconds[0],
                               steady_epoch_seconds=sorted(seconds[1:])[len(seconds[1:]) // 2] if seconds[1:] else None,
                               warm_spread=max(seconds[1:]) / min(seconds[1:]) if len(seconds) > 2 else None)
    if accuracy is not None:
        fast = dataclasses.replace(fast, test_accuracy=accuracy)
    return dataclasses.replace(result, fast=fast)


def test_the_epoch_line_never_says_median_over_one(small):
    result, _ = run_bench(BenchConfig(model="softmax", epochs=1, device="cpu"), small, Hooks(compare_fn=_no_reference))
    two = render_text(_with_epochs(result, [0.5, 0.25]))
    assert "epochs: first 500.0 ms (warm-up), second 250.0 ms" in two and "over 1" not in two
    assert "then median 250.0 ms of 3" in render_text(_with_epochs(result, [0.5, 0.25, 0.26, 0.24]))
    assert ", 1 epoch," in render_text(result) and "1 epochs" not in render_text(result)  # the recipe line
    ten = dataclasses.replace(result, model={**result.model, "hyperparameters": {
        **result.model["hyperparameters"], "epochs": 10}})
    assert ", 10 epochs," in render_text(ten)


def test_warm_epochs_far_apart_mean_disturbed_figures(small):
    result, _ = run_bench(BenchConfig(model="softmax", epochs=1, device="cpu"), small, Hooks(compare_fn=_no_reference))
    calm = _with_epochs(result, [0.5, 0.25, 0.26, 0.27])
    busy = _with_epochs(result, [0.5, 0.25, 0.9, 0.26])
    assert not calm.fast.disturbed and "DISTURBED" not in render_text(calm)
    assert busy.fast.disturbed and "DISTURBED: warm epochs took 250.0 ms to 900.0 ms (3.6x apart)" in render_text(busy)
    assert to_document(busy)["warm_spread"] == pytest.approx(3.6)


def test_a_short_run_at_chance_says_it_has_not_learnt_yet(small):
    # The README's 2-epoch LeNet on synthetic data sits at chance: it must say so.
    result, _ = run_bench(BenchConfig(model="softmax", epochs=1, device="cpu"), small, Hooks(compare_fn=_no_reference))
    text = render_text(_with_epochs(result, [0.5], accuracy=0.101))
    assert "CHANCE LEVEL: test accuracy 10.1% is what guessing gives (10 classes): the model has not learnt yet " \
           "after 1 epoch; run the recipe's epochs to judge it" in text
    assert "CHANCE LEVEL" not in render_text(_with_epochs(result, [0.5], accuracy=0.6))


def test_the_plan_comes_first_with_an_estimate_where_the_device_was_measured(small, monkeypatch):
    events = []
    run_bench(BenchConfig(model="softmax", epochs=2, device="cpu"), small,
              Hooks(progress=events.append, compare_fn=_no_reference))
    plan = events[0]
    assert plan.phase == "plan" and plan.message.startswith(
        "envcheck bench: softmax on SYNTHETIC data (512 training / 200 test images), cpu ")
    assert "fp32; fast path 2 epochs; time per epoch shown as each finishes" in plan.message
    from envcheck.bench import run as bench_run

    monkeypatch.setattr(reference, "expected_images_per_s", lambda **kw: 1024.0)
    assert bench_run._estimate("softmax", CPU, "x", "fp32", 2, 512, True) == pytest.approx(2 * 2.2 * 0.5)
    events.clear()
    run_bench(BenchConfig(model="softmax", epochs=2, device="cpu"), small,
              Hooks(progress=events.append, compare_fn=_no_reference))
    assert "about 1.10 s of training" in events[0].message


def test_expected_throughput_is_the_newest_reference_row_for_any_data_set():
    table = {"result": [
        {"device_type": "cpu", "device": "AMD EPYC", "threads": 2, "model": "refcnn", "dataset": "subset",
         "precision": "fp32", "loop": "fast", "train_images_per_s": 2000.0, "date": "2026-01-01"},
        {"device_type": "cpu", "device": "AMD EPYC", "threads": 2, "model": "refcnn", "dataset": "full",
         "precision": "fp32", "loop": "fast", "train_images_per_s": 2500.0, "date": "2026-02-01"}]}
    kw = dict(device_type="cpu", device_name="AMD EPYC", model="refcnn", precision="fp32", loop="fast", table=table)
    assert reference.expected_images_per_s(threads=2, **kw) == 2500.0
    assert reference.expected_images_per_s(threads=1, **kw) is None
