"""Known torch kernel defects: the bf16 weight gradient oneDNN gets wrong
on AVX-512 CPUs is reported as skipped, naming the defect; any other mismatch still fails.

The defect is simulated deterministically through the ``ops=`` hook (garbage written
into the filter taps that only meet padding, as oneDNN leaves them); the real kernel's
failures come and go with the memory it reads, so the real-torch test only asserts that
verify never fails on it.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from envcheck.knowledge import kernel_defects
from envcheck.knowledge.kernel_defects import DefectTable, parse
from envcheck.verify import TorchOps
from envcheck.verify.cases import ConvCase
from envcheck.verify.known_defects import padding_only_taps

ID = "onednn_bf16_conv_bwd_weights_padding_taps"
AVX512 = ("fpu", "avx2", "avx512f", "avx512dq", "avx512bw", "avx512vl", "avx512_bf16")
# The sweep case that failed on this CPU: width 1, padding 2, kernel width 3, stride 2 —
# kernel column 1 meets padding at both output columns.
REPRO = ConvCase(1, 64, 1, 7, 1, (7, 3), (1, 2), (2, 2), origin="pairs #19 (the defect's reproduction)")
NO_PADDING_TAP = ConvCase(2, 8, 4, 9, 9, (3, 3), (1, 1), (1, 1), origin="every tap meets the input")


def test_the_table_loads_and_says_where_it_applies():
    table = kernel_defects.load()
    [d] = [d for d in table.defects if d.id == ID]
    assert table.checked and table.sources and d.evidence and d.upstream and d.summary
    assert d.applies("2.13.0+cpu", "cpu", AVX512, "conv2d_grad_weight", "bf16")
    assert not d.applies("2.12.1", "cpu", AVX512, "conv2d_grad_weight", "bf16")  # other releases: not verified
    assert not d.applies("2.13.0+cpu", "cpu", ("avx2", "avx512f"), "conv2d_grad_weight", "bf16")  # no AVX-512 BW/VL
    assert not d.applies("2.13.0+cpu", "cpu", AVX512, "conv2d_grad_weight", "fp16")
    assert not d.applies("2.13.0+cpu", "cpu", AVX512, "conv2d_grad_input", "bf16")
    assert not d.applies("2.13.0", "cuda:0", AVX512, "conv2d_grad_weight", "bf16")
    assert not d.applies("not-a-version", "cpu", AVX512, "conv2d_grad_weight", "bf16")


@pytest.mark.parametrize("text, message", [
    ("[[defect]]\nid = 'x'\n", "[meta] needs checked and source"),
    ("[meta]\nchecked = '2026-12-06'\nsource = ['s']\n[[defect]]\nid = 'x'\n", "defect 1 lacks"),
])
def test_a_malformed_table_is_one_line(text, message):
    from envcheck.datafile import parse_toml
    from envcheck.errors import SetupError

    with pytest.raises(SetupError, match=re.escape(message)):
        parse(parse_toml(text, "t.toml"), "t.toml")


def test_padding_only_taps_of_the_reproduction():
    mask = padding_only_taps(REPRO)
    assert mask.shape == (7, 3) and mask[:, 1].all() and not mask[:, 0].any() and not mask[:, 2].any()
    assert not padding_only_taps(NO_PADDING_TAP).any()
    # Uneven "same" padding reaches the kernel as an input padded beforehand: no padding taps there.
    assert not padding_only_taps(ConvCase(1, 1, 1, 1, 1, (4, 4), padding="same")).any()


torch = pytest.importorskip("torch")
pytestmark = pytest.mark.usefixtures("torch_one_thread")


class PaddingTapGarbage(TorchOps):
    """oneDNN's defect, on purpose: the weight gradient of the padding-only taps left as
    whatever memory held (here 1e35 and NaN); ``also`` spoils one tap that meets the input."""

    def __init__(self, also: bool = False) -> None:
        self.also = also

    def conv2d_backward(self, grad_out, x, w, stride, padding, dilation, groups, gi, gw, gb):
        gi, gw, gb = super().conv2d_backward(grad_out, x, w, stride, padding, dilation, groups, gi, gw, gb)
        gw[..., 1] = float("nan")
        gw[..., 0, 1] = 1e35
        if self.also:
            gw[0, 0, 0, 0] += 1e3
        return gi, gw, gb


@pytest.fixture
def avx512_cpu(monkeypatch):
    table = kernel_defects.load()
    # Whatever torch runs the tests: the entry as written, for every release.
    any_torch = [d.__class__(**{**d.__dict__, "torch": kernel_defects.SpecifierSet(">=0")}) for d in table.defects]
    monkeypatch.setattr(kernel_defects, "load", lambda: DefectTable(tuple(any_torch), table.checked, table.sources))


def _run(ops, dtypes=("bf16",), cases=(REPRO,), flags=AVX512):
    from envcheck.verify import run

    return run("cpu", dtypes, seed=0, ops=ops, cases=cases, cpu_flags=flags)


def test_the_defect_is_skipped_by_name_and_the_run_passes(avx512_cpu):
    r = _run(PaddingTapGarbage())
    [skipped] = [c for c in r.cases if c.passed is None]
    assert skipped.op == "conv2d_grad_weight" and ID in skipped.reason and "known torch kernel defect" in skipped.reason
    assert "known_kernel_defects.toml" in skipped.reason
    assert r.passed and not r.failures and r.checked == 3  # forward, input and bias gradients still judged


def test_any_other_mismatch_still_fails(avx512_cpu):
    r = _run(PaddingTapGarbage(also=True))  # one tap that meets the input is wrong too
    assert [c.op for c in r.failures] == ["conv2d_grad_weight"] and not r.passed


def test_another_dtype_still_fails(avx512_cpu):
    r = _run(PaddingTapGarbage(), dtypes=("fp16",))
    assert [c.op for c in r.failures] == ["conv2d_grad_weight"]


def test_a_cpu_without_avx512_still_fails(avx512_cpu):
    assert [c.op for c in _run(PaddingTapGarbage(), flags=("fpu", "avx2")).failures] == ["conv2d_grad_weight"]


def test_a_case_without_padding_taps_still_fails(avx512_cpu):
    class Wrong(TorchOps):
        def conv2d_backward(self, *args):
            gi, gw, gb = super().conv2d_backward(*args)
            gw[..., 1] = float("nan")
            return gi, gw, gb

    assert [c.op for c in _run(Wrong(), cases=(NO_PADDING_TAP,)).failures] == ["conv2d_grad_weight"]


def test_the_real_kernel_never_fails_the_reproduction():
    # On an AVX-512 CPU with this torch, oneDNN returns garbage in most runs (skipped by
    # name); elsewhere it is right (passed). Never a failure.
    from envcheck.probes.host import cpu_flags

    r = _run(None, flags=cpu_flags().get(()))
    assert r.passed, [c.reason for c in r.failures]
    for c in r.cases:
        assert c.passed is True or ID in (c.reason or "")
    assert np.isfinite([c.rel_err for c in r.cases if c.passed]).all()
