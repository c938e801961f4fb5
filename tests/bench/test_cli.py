"""``envcheck bench`` and ``envcheck data`` through click, on small data."""

from __future__ import annotations

import functools
import json

import pytest
from click.testing import CliRunner

from envcheck.cli import cli
from tests.dataset.idxfiles import tiny_with_specs, write

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch


@pytest.fixture
def small_synthetic(monkeypatch):
    import envcheck.dataset as ds

    real = ds.synthetic_dataset
    monkeypatch.setattr(ds, "synthetic_dataset", lambda seed=0, **sizes: real(seed=seed, n_train=384, n_test=100))


def _run(args):
    return CliRunner().invoke(cli, args, catch_exceptions=False)


def test_bench_json_document(small_synthetic, tmp_path):
    page = tmp_path / "bench.html"
    r = _run(["bench", "--synthetic", "--model", "softmax", "--epochs", "2", "--device", "cpu",
              "--compare-baseline", "--json", "--html", str(page)])
    doc = json.loads(r.stdout)
    html = page.read_text()  # the page: learning curve and throughput, SYNTHETIC labelled
    assert html.startswith("<!DOCTYPE html>") and "<script" not in html
    assert 'aria-label="Learning curve: accuracy' in html and "images/s" in html and 'class="synthetic"' in html
    assert doc["synthetic"] is True and doc["model"]["name"] == "softmax"
    assert "speedup_vs_baseline" in doc and doc["baseline"]["loop"] == "baseline"
    assert doc["passed"] is None and r.exit_code == 0  # 2 of softmax's 10 recipe epochs: timed, not judged


def test_bench_text_and_plots(small_synthetic, tmp_path):
    r = _run(["bench", "--synthetic", "--model", "lenet", "--epochs", "1", "--device", "cpu",
              "--plot", str(tmp_path / "plots")])
    assert "SYNTHETIC" in r.output and "verdict" in r.output
    pngs = sorted(p.name for p in (tmp_path / "plots").iterdir())
    assert pngs == ["lenet-synthetic-first-layer.png", "lenet-synthetic-learning-curve.png"]
    assert all((tmp_path / "plots" / p).read_bytes()[:4] == b"\x89PNG" for p in pngs)


def test_bench_bad_usage_is_one_line():
    r = CliRunner().invoke(cli, ["bench", "--model", "alexnet", "--device", "cpu"])
    assert r.exit_code == 2 and "choose one of: softmax, mlp, lenet, leaky-cnn, refcnn" in r.output
    r = CliRunner().invoke(cli, ["bench", "--synthetic", "--data-dir", "/tmp"])
    assert r.exit_code == 2 and "exclude each other" in r.output


def test_bench_bad_device_or_precision_is_refused_before_any_data_is_looked_for(monkeypatch):
    import envcheck.dataset as ds

    def no_data(*a, **kw):
        raise AssertionError("the data set was loaded (or downloaded) before the device was checked")

    monkeypatch.setattr(ds, "load", no_data)
    r = CliRunner().invoke(cli, ["bench", "--synthetic", "--html", "/nonexistent-dir/b.html"])
    assert r.exit_code == 2 and "--html /nonexistent-dir/b.html: the directory" in r.stderr  # before any training
    r = CliRunner().invoke(cli, ["bench", "--device", "tpu"])
    assert r.exit_code == 2 and "--device tpu: 'tpu' is not a device" in r.output
    r = CliRunner().invoke(cli, ["bench", "--device", "cpu", "--precision", "fp16"])
    assert r.exit_code == 2 and "--precision fp16 needs a CUDA device" in r.output


def test_bench_plot_directory_that_cannot_be_made_is_refused_before_training(monkeypatch, tmp_path):
    import envcheck.dataset as ds

    monkeypatch.setattr(ds, "synthetic_dataset", lambda seed=0: pytest.fail("trained before checking --plot"))
    (tmp_path / "file").write_text("")
    r = CliRunner().invoke(cli, ["bench", "--synthetic", "--device", "cpu", "--plot", str(tmp_path / "file" / "p")])
    assert r.exit_code == 2 and "cannot create the directory" in r.output


def test_bench_offline_without_data(tmp_path, monkeypatch):
    monkeypatch.setenv("ENVCHECK_DATA", str(tmp_path / "none"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    r = CliRunner().invoke(cli, ["bench", "--offline", "--device", "cpu"])
    assert r.exit_code == 4
    assert "envcheck data fetch --to DIR" in r.output and "--synthetic" in r.output
    assert r.output.count("\n") == 1


def test_bench_missing_matplotlib_is_one_line(monkeypatch, tmp_path):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "matplotlib" else real(name, *a))
    r = CliRunner().invoke(cli, ["bench", "--synthetic", "--plot", str(tmp_path)])
    assert r.exit_code == 4 and "pip install 'envcheck[plot]'" in r.output


def test_data_fetch_verify_path(tmp_path, monkeypatch):
    import envcheck.dataset as ds

    files, specs = tiny_with_specs()
    mirror = write(tmp_path / "mirror", files)
    monkeypatch.setattr(ds, "fetch", functools.partial(ds.fetch, mirrors=[mirror.as_uri()], files=specs))
    dest = tmp_path / "dest"
    r = _run(["data", "fetch", "--to", str(dest)])
    assert r.exit_code == 0 and "downloaded from file:" in r.output and f"--data-dir {dest}" in r.output
    r = _run(["data", "path", "--data-dir", str(dest)])
    assert r.exit_code == 0 and r.output.splitlines()[0] == str(dest)
    r = _run(["data", "verify", "--data-dir", str(dest), "--json"])
    doc = json.loads(r.stdout)
    # tiny files: valid IDX, but not the official counts — reported, not failed
    assert r.exit_code == 0 and doc["ok"] and len(doc["files"]) == 4


def test_data_verify_real_subset(shared):
    r = _run(["data", "verify", "--data-dir", str(shared / "data" / "fashion-mnist" / "subset")])
    assert r.exit_code == 0 and r.output.count("ok ") == 4 and "subset" in r.output


def test_data_path_when_nothing_is_there(tmp_path, monkeypatch):
    monkeypatch.setenv("ENVCHECK_DATA", str(tmp_path / "none"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    r = CliRunner().invoke(cli, ["data", "path"])
    assert r.exit_code == 4 and "would download them to" in r.output


def test_off_a_terminal_the_plan_then_one_line_per_epoch_on_stderr(small_synthetic):
    # In a CI log, 140 s of silence; now the plan first, then each epoch.
    r = CliRunner().invoke(cli, ["bench", "--synthetic", "--model", "softmax", "--epochs", "2", "--device", "cpu",
                                 "--compare-baseline", "--json"])
    assert r.exit_code == 0, r.stderr
    lines = r.stderr.strip().splitlines()
    assert lines[0].startswith("envcheck bench: softmax on SYNTHETIC data (384 training / 100 test images), cpu ")
    assert "fast path 2 epochs, then the naive loop 2 epochs" in lines[0]
    epochs = [ln.split(":")[1].strip() for ln in lines[1:]]
    assert epochs == ["fast path epoch 1/2", "fast path epoch 2/2", "naive loop epoch 1/2", "naive loop epoch 2/2"]
    assert all("test accuracy" in ln and "[SYNTHETIC data]" in ln for ln in lines[1:])
    json.loads(r.stdout)  # stdout keeps the document alone


def test_synthetic_uses_the_models_quick_set(monkeypatch):
    import envcheck.dataset as ds

    asked = []
    real = ds.synthetic_dataset

    def spy(seed=0, **sizes):
        asked.append(sizes)
        return real(seed=seed, n_train=384, n_test=100)

    monkeypatch.setattr(ds, "synthetic_dataset", spy)
    r = CliRunner().invoke(cli, ["bench", "--synthetic", "--epochs", "1", "--device", "cpu", "--json"])
    assert r.exit_code == 0, r.stderr
    assert asked == [{"n_train": 6_000, "n_test": 1_000}]  # refcnn, the default: ~30 s on two CPU cores


def test_filter_images_carry_one_colour_scale(monkeypatch, tmp_path):
    # Filter images had no colour scale (and one scale per panel).
    import numpy as np

    from envcheck.bench import plots

    figures = []
    monkeypatch.setattr(plots, "_save", lambda fig, path: figures.append(fig) or path)
    w = np.random.default_rng(0).standard_normal((6, 1, 5, 5))
    w[2] *= 10
    plots.filters(w, "conv", "lenet", False, tmp_path / "f.png")
    [fig] = figures
    bars = [ax for ax in fig.axes if ax.get_label() == "<colorbar>"]
    assert len(bars) == 1 and bars[0].get_ylabel() == "weight (blue −, red +)"
    limits = {im.get_clim() for ax in fig.axes for im in ax.get_images()}
    assert limits == {(-float(np.abs(w).max()), float(np.abs(w).max()))}
