"""Run cases through torch on a device and compare with the float64 reference.

For every case and dtype: draw fresh random inputs (seeded by ``(seed, case index)``),
round them to the precision the kernel multiplies in, compute the reference from the
rounded values, hand torch NaN-filled output buffers, and judge the result:

* the output shape must be the one the formula predicts;
* every element must be finite (a NaN left from the poison, or produced, never passes);
* an output torch allocated itself (``padding="same"``) must not share memory with an input;
* ``||out - ref|| / max(||ref||, ||rss||)`` (see :func:`_reference`) must be within the
  dtype's tolerance (``tolerances.py``).

torch saying it has no kernel for the dtype on the device ("not implemented for
'Half'") makes the check *skipped* with torch's message; any other exception is a
failure of that check. A failure that a known torch kernel defect accounts for, value by
value (``knowledge/data/known_kernel_defects.toml``, applied by ``known_defects.py``), is
*skipped* naming the defect: the machine is not at fault, and any other mismatch still fails.
"""

from __future__ import annotations

import contextlib
import math
import time
from typing import Any, Callable, List, Optional, Sequence, Tuple

import numpy as np

from envcheck import devices
from envcheck.errors import EnvcheckError, SetupError
from envcheck.knowledge import kernel_defects
from envcheck.knowledge.kernel_defects import KernelDefect
from envcheck.verify import known_defects
from envcheck.verify import reference as ref
from envcheck.verify.cases import QUICK_CASES, Case, ConvCase, PoolCase, TransposedCase, sweep
from envcheck.verify.results import CaseResult, Skipped, VerifyResult
from envcheck.verify.tolerances import DTYPES, tolerance
from envcheck.verify.torch_ops import TorchOps, fp32_math


def import_torch() -> Any:
    try:
        import torch
    except ImportError as exc:
        raise SetupError(f"envcheck verify needs torch ({exc}); install it, e.g. pip install 'envcheck[bench]'") \
            from None
    return torch


def resolve_devices(torch: Any, spec: str) -> Tuple[str, ...]:
    """``--device`` (the ``envcheck.devices`` vocabulary) -> device names; SetupError (exit 4)
    when a device is not there, EnvcheckError (exit 2) when the spelling is wrong."""
    count = torch.cuda.device_count() if torch.cuda.is_available() else 0
    return devices.resolve(devices.parse(spec), count, devices.no_gpu_reason(torch.__version__, torch.version.cuda))


def not_applicable(torch: Any, device: str, dtype: str) -> Optional[str]:
    """Why ``dtype`` cannot be checked on ``device`` at all, or None."""
    if dtype != "tf32":
        return None
    if device == "cpu":
        return "TF32 is a tensor-core mode of NVIDIA GPUs (Ampere and newer); CPUs have none"
    major, minor = torch.cuda.get_device_capability(device)
    if major < 8:
        return f"{device} has compute capability {major}.{minor}; TF32 tensor cores need 8.0 or newer"
    return None


# ----------------------------------------------------------------------------- data
def round_to_tf32(a: np.ndarray) -> np.ndarray:
    """``a`` as float32 holding only TF32 values: the 23-bit mantissa rounded to its top
    10 bits, to nearest with ties to even (finite values; the sweep has no others)."""
    bits = np.ascontiguousarray(a, dtype=np.float32).view(np.uint32)
    dropped = np.uint32(13)  # 23 - 10 mantissa bits
    half = np.uint32((1 << 12) - 1)  # just under half of the last kept bit; the odd bit adds the rest
    odd = (bits >> dropped) & np.uint32(1)
    kept = (bits + half + odd) & ~np.uint32((1 << 13) - 1)
    return kept.view(np.float32)


def _operands(torch: Any, a: np.ndarray, dtype: str, device: str, nhwc: bool = False) -> Tuple[Any, np.ndarray]:
    """(tensor for torch, float64 copy for the reference) holding the same values:
    ``a`` rounded to the precision the kernel multiplies in; 4-D tensors in NHWC
    memory order when ``nhwc``."""
    spec = DTYPES[dtype]
    if dtype == "tf32":
        t = torch.from_numpy(round_to_tf32(a))
    else:
        t = torch.from_numpy(a).to(getattr(torch, spec.torch_dtype))
    reference = t.double().numpy()
    t = t.to(device)
    return (t.contiguous(memory_format=torch.channels_last) if nhwc and t.dim() == 4 else t), reference


def _poisoned(torch: Any, shape: Sequence[int], dtype: str, device: str, nhwc: bool = False) -> Any:
    t = torch.full(tuple(shape), math.nan, dtype=getattr(torch, DTYPES[dtype].torch_dtype), device=device)
    return t.contiguous(memory_format=torch.channels_last) if nhwc and t.dim() == 4 else t


def _storage(t: Any) -> int:
    return t.untyped_storage().data_ptr()


# ----------------------------------------------------------------------------- judging
class _Judge:
    """Builds CaseResults for one case on one device in one dtype."""

    def __init__(self, torch: Any, case: Case, dtype: str, device: str, defects: Tuple[KernelDefect, ...] = ()) -> None:
        self.torch, self.case, self.dtype, self.device = torch, case, dtype, device
        self.defects = defects  # known kernel defects of this torch for this device and dtype
        self.params = case.params()

    def excused(self, op: str, values: np.ndarray, expected: np.ndarray, scale: float,
                rel: Optional[float]) -> Optional[CaseResult]:
        """The check as skipped when a known kernel defect accounts for every wrong value."""
        defect = known_defects.first_explaining(
            self.defects, op, self.case, values, expected,
            lambda v: float(np.linalg.norm(v - expected)) / (scale if scale > 0 else 1.0), tolerance(op, self.dtype))
        return None if defect is None else self.result(op, rel, None, known_defects.reason(defect))

    def result(self, op: str, rel: Optional[float], passed: Optional[bool], reason: Optional[str]) -> CaseResult:
        return CaseResult(op, self.params, self.dtype, self.device, rel, tolerance(op, self.dtype), passed, reason)

    def raised(self, op: str, exc: Exception) -> CaseResult:
        """torch's exception as one line: a skip when torch says it has no kernel for
        this dtype here, a failure otherwise."""
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        no_kernel = "not implemented for" in text or (
            # e.g. cuDNN without bf16 convolutions on a pre-Ampere GPU; for fp32 the
            # same message means a broken library, and stays a failure.
            self.dtype in ("bf16", "fp16") and ("NOT_SUPPORTED" in text or "not supported" in text))
        if no_kernel:
            return self.result(op, None, None, f"torch has no {self.dtype} kernel on {self.device} ({text})")
        return self.result(op, None, False, f"torch raised {type(exc).__name__}: {text}")

    def check(self, op: str, compute: Callable[[], Any], expected: Tuple[np.ndarray, float], poison: Any,
              inputs: Sequence[Any]) -> CaseResult:
        """``expected`` is (reference output, its expected size ``||rss||``, see :func:`_reference`)."""
        expected, rss = expected
        try:
            got = compute()
            # Copying to the host waits for the device, so an asynchronous CUDA error
            # surfaces here, inside the try, as this check's failure.
            values = got.detach().to("cpu", self.torch.float64).numpy()
        except Exception as exc:  # torch's error is the finding
            return self.raised(op, exc)
        if tuple(got.shape) != expected.shape:
            return self.result(op, None, False,
                               f"output shape {list(got.shape)} != formula {list(expected.shape)}")
        if got is not poison and _storage(got) in {_storage(t) for t in inputs}:
            return self.result(op, None, False, "output shares memory with an input")
        scale = max(float(np.linalg.norm(expected)), rss)
        finite = np.isfinite(values)
        if not finite.all():
            excused = self.excused(op, values, expected, scale, None)
            if excused is not None:
                return excused
            bad = int(values.size - finite.sum())
            where = "left unwritten in the NaN-poisoned output or computed" if got is poison else "in the output"
            return self.result(op, None, False, f"{bad} of {values.size} values NaN/Inf ({where})")
        rel = float(np.linalg.norm(values - expected)) / (scale if scale > 0 else 1.0)
        tol = tolerance(op, self.dtype)
        if math.isfinite(rel) and rel <= tol:
            return self.result(op, rel, True, None)
        excused = self.excused(op, values, expected, scale, rel if math.isfinite(rel) else None)
        if excused is not None:
            return excused
        if not math.isfinite(rel):  # finite values so large that the error norm overflows
            return self.result(op, None, False, "error norm overflowed (output values far too large)")
        return self.result(op, rel, False, f"relative error {rel:.3g} > tolerance {tol:.3g}")


def _reference(f: Callable[..., np.ndarray], *operands: Optional[np.ndarray]) -> Tuple[np.ndarray, float]:
    """``f(*operands)`` and the norm of its root-sum-square ``sqrt(f(*operands**2))``.

    Every op here is a sum of products of its operands, so ``f`` of the squares sums
    the squared products, and its square root is the size each output entry has on
    average for zero-mean random data. Where the products of one entry happen to
    cancel, ``||ref||`` is much smaller than that and rounding errors of partial sums
    (a bias added after the convolution, a reduction done in two passes) would look
    huge relative to it; dividing by ``max(||ref||, ||rss||)`` keeps the error
    relative to the size the kernel actually worked with. For outputs with many
    entries the two norms agree, and the measure is ``||out - ref|| / ||ref||``."""
    squares = [None if o is None else o * o for o in operands]
    return f(*operands), float(np.linalg.norm(np.sqrt(f(*squares))))


def _run_conv(torch: Any, ops: TorchOps, j: _Judge, c: ConvCase, rng: np.random.Generator) -> List[CaseResult]:
    dt, dev = j.dtype, j.device
    wshape = (c.out_channels, c.in_channels // c.groups) + c.kernel
    ho, wo = c.output_hw()
    fan_in = wshape[1] * c.kernel[0] * c.kernel[1]
    nhwc = c.channels_last
    x, xr = _operands(torch, rng.standard_normal((c.batch, c.in_channels, c.height, c.width)), dt, dev, nhwc)
    w, wr = _operands(torch, rng.standard_normal(wshape) / math.sqrt(fan_in), dt, dev, nhwc)
    b, br = _operands(torch, rng.standard_normal(c.out_channels), dt, dev) if c.bias else (None, None)
    g, gr = _operands(torch, rng.standard_normal((c.batch, c.out_channels, ho, wo)), dt, dev, nhwc)
    args = (c.stride, c.padding, c.dilation, c.groups)
    inputs = [t for t in (x, w, b, g) if t is not None]

    out = _poisoned(torch, (c.batch, c.out_channels, ho, wo), dt, dev, nhwc)
    fwd = j.check("conv2d", lambda: ops.conv2d(x, w, b, *args, out=out),
                  _reference(lambda x_, w_, b_: ref.conv2d(x_, w_, b_, *args), xr, wr, br), out, inputs)
    bufs = (_poisoned(torch, x.shape, dt, dev, nhwc), _poisoned(torch, wshape, dt, dev, nhwc),
            _poisoned(torch, (c.out_channels,), dt, dev))
    grads: List[Any] = []

    def backward(k: int) -> Any:
        if not grads:
            grads.extend(ops.conv2d_backward(g, x, w, *args, *bufs))
        return grads[k]

    checks = [fwd,
              j.check("conv2d_grad_input", lambda: backward(0),
                      _reference(lambda g_, w_: ref.conv2d_grad_input(g_, w_, x.shape, *args), gr, wr), bufs[0],
                      inputs),
              j.check("conv2d_grad_weight", lambda: backward(1),
                      _reference(lambda x_, g_: ref.conv2d_grad_weight(x_, g_, wshape, *args), xr, gr), bufs[1],
                      inputs)]
    if c.bias:
        checks.append(j.check("conv2d_grad_bias", lambda: backward(2), _reference(ref.conv2d_grad_bias, gr),
                              bufs[2], inputs))
    return checks


def _run_transposed(torch: Any, ops: TorchOps, j: _Judge, c: TransposedCase,
                    rng: np.random.Generator) -> List[CaseResult]:
    dt, dev = j.dtype, j.device
    wshape = (c.in_channels, c.out_channels // c.groups) + c.kernel
    nhwc = c.channels_last
    x, xr = _operands(torch, rng.standard_normal((c.batch, c.in_channels, c.height, c.width)), dt, dev, nhwc)
    w, wr = _operands(torch, rng.standard_normal(wshape) / math.sqrt(wshape[1] * c.kernel[0] * c.kernel[1]), dt, dev,
                      nhwc)
    b, br = _operands(torch, rng.standard_normal(c.out_channels), dt, dev) if c.bias else (None, None)
    out = _poisoned(torch, (c.batch, c.out_channels) + c.output_hw(), dt, dev, nhwc)
    expected = _reference(lambda x_, w_, b_: ref.conv_transpose2d(x_, w_, b_, c.stride, c.padding, c.output_padding,
                                                                  c.groups, c.dilation), xr, wr, br)
    return [j.check("conv_transpose2d", lambda: ops.conv_transpose2d(x, w, b, c.stride, c.padding, c.output_padding,
                                                                     c.groups, c.dilation, out=out),
                    expected, out, [t for t in (x, w, b) if t is not None])]


def _run_pool(torch: Any, ops: TorchOps, j: _Judge, c: PoolCase, rng: np.random.Generator) -> List[CaseResult]:
    x, xr = _operands(torch, rng.standard_normal((c.batch, c.channels, c.height, c.width)), j.dtype, j.device)
    out = _poisoned(torch, (c.batch, c.channels) + c.output_hw(), j.dtype, j.device)
    if c.kind == "max":
        # No arithmetic (max picks an input), so no rounding either: compare with ||ref||.
        expected = (ref.max_pool2d(xr, c.kernel, c.stride, c.padding, c.dilation), 0.0)
        compute = lambda: ops.max_pool2d(x, c.kernel, c.stride, c.padding, c.dilation, out=out)  # noqa: E731
    else:
        # avg = sum(x) / D, so rss = sqrt(sum(x^2)) / D = sqrt(avg(x^2) / D); D <= kh*kw makes
        # sqrt(avg(x^2) / (kh*kw)) a lower bound of it (never looser than the true rss).
        mean, _ = _reference(lambda x_: ref.avg_pool2d(x_, c.kernel, c.stride, c.padding, c.count_include_pad), xr)
        mean_sq = ref.avg_pool2d(xr * xr, c.kernel, c.stride, c.padding, c.count_include_pad)
        expected = (mean, float(np.linalg.norm(np.sqrt(mean_sq / (c.kernel[0] * c.kernel[1])))))
        compute = lambda: ops.avg_pool2d(x, c.kernel, c.stride, c.padding, c.count_include_pad, out=out)  # noqa: E731
    return [j.check(c.family, compute, expected, out, [x])]


def run_case(torch: Any, case: Case, dtype: str, device: str, seed: int, index: int,
             ops: Optional[TorchOps] = None, defects: Tuple[KernelDefect, ...] = ()) -> List[CaseResult]:
    """All checks of one case; the inputs depend only on ``(seed, index)`` and the dtype's rounding."""
    ops = ops or TorchOps()
    rng = np.random.default_rng([seed, index])
    judge = _Judge(torch, case, dtype, device, defects)
    try:
        if isinstance(case, ConvCase):
            return _run_conv(torch, ops, judge, case, rng)
        if isinstance(case, TransposedCase):
            return _run_transposed(torch, ops, judge, case, rng)
        return _run_pool(torch, ops, judge, case, rng)
    except RuntimeError as exc:  # torch failed making or copying the inputs (a lost device): the case fails
        return [judge.raised(case.family, exc)]


# ----------------------------------------------------------------------------- entry points
def defects_for(torch_version: str, device: str, dtype: str, flags: Sequence[str]) -> Tuple[KernelDefect, ...]:
    """The known kernel defects of this torch for ``device`` in ``dtype`` (every op)."""
    return tuple(d for d in kernel_defects.load().defects if d.applies(torch_version, device, flags, d.op, dtype))


def run(device: str = "cpu", dtypes: Sequence[str] = ("fp32",), *, seed: int = 0, quick: bool = False,
        ops: Optional[TorchOps] = None, cases: Optional[Sequence[Case]] = None,
        cpu_flags: Sequence[str] = ()) -> VerifyResult:
    """Check torch on ``device`` (``--device`` vocabulary, e.g. ``cpu,all``) in each dtype against the reference.

    ``quick`` runs :data:`~envcheck.verify.cases.QUICK_CASES` instead of the full sweep;
    ``cases`` overrides both; ``ops`` swaps the kernels under test (fault injection).
    ``cpu_flags`` (``/proc/cpuinfo``'s, read by the caller: ``probes.host.cpu_flags``) select
    the known kernel defects of CPU kernels that torch picks by instruction set."""
    torch = import_torch()
    unknown = [d for d in dtypes if d not in DTYPES]
    if unknown:
        raise EnvcheckError(f"unknown dtype {unknown[0]!r}: expected one of {', '.join(DTYPES)}")
    labels = resolve_devices(torch, device)
    chosen = tuple(cases) if cases is not None else (QUICK_CASES if quick else sweep())
    t0 = time.perf_counter()
    results: List[CaseResult] = []
    skipped: List[Skipped] = []
    for dev in labels:
        for dtype in dtypes:
            why = not_applicable(torch, dev, dtype)
            if why:
                skipped.append(Skipped(dev, dtype, why))
                continue
            defects = defects_for(str(torch.__version__), dev, dtype, tuple(cpu_flags) if dev == "cpu" else ())
            with _precision(torch, dev, dtype):
                for index, case in enumerate(chosen):
                    results.extend(run_case(torch, case, dtype, dev, seed, index, ops, defects))
    return VerifyResult(tuple(results), tuple(skipped), labels, tuple(dtypes), len(chosen), seed, quick,
                        str(torch.__version__), round(time.perf_counter() - t0, 3))


def quick(device: str, dtypes: Sequence[str] = ("fp32",), *, seed: int = 0,
          ops: Optional[TorchOps] = None) -> VerifyResult:
    """The fast subset (six cases, each code path once) for the doctor's torch probe
    and the start of a burn-in; well under a second on a CPU once torch is imported."""
    return run(device, dtypes, seed=seed, quick=True, ops=ops)


def _precision(torch: Any, device: str, dtype: str) -> Any:
    if device.startswith("cuda") and dtype in ("fp32", "tf32"):
        return fp32_math(torch, tf32=(dtype == "tf32"))
    return contextlib.nullcontext()
