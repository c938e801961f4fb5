"""Device selection, dtype applicability and the TF32 switch, with fake torch modules;
plus the real GPU run where there is one (marked ``gpu``)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from envcheck.errors import EnvcheckError, SetupError
from envcheck.verify.suite import not_applicable, resolve_devices
from envcheck.verify.torch_ops import fp32_math


def fake_torch(count: int = 0, capability=(9, 0), cuda_build="12.8"):
    return SimpleNamespace(
        __version__="2.8.0+cu128" if cuda_build else "2.8.0+cpu",
        version=SimpleNamespace(cuda=cuda_build),
        cuda=SimpleNamespace(is_available=lambda: count > 0, device_count=lambda: count,
                             get_device_capability=lambda device: capability),
    )


def test_the_default_is_the_cpu_and_every_cuda_device():
    # One --device vocabulary (envcheck.devices): all = every GPU; verify's default adds the CPU.
    assert resolve_devices(fake_torch(2), "cpu,all") == ("cpu", "cuda:0", "cuda:1")
    assert resolve_devices(fake_torch(0), "cpu,all") == ("cpu",)
    assert resolve_devices(fake_torch(2), "all") == ("cuda:0", "cuda:1")


@pytest.mark.parametrize("spec, expected", [("cpu", ("cpu",)), ("cuda", ("cuda:0",)), ("cuda:1", ("cuda:1",)),
                                            ("CUDA:0", ("cuda:0",))])
def test_named_devices(spec, expected):
    assert resolve_devices(fake_torch(2), spec) == expected


def test_cuda_on_a_cpu_only_build_says_so():
    with pytest.raises(SetupError, match=r"--device cuda:0: torch 2.8.0\+cpu \(a "
                                         r"CPU-only build\)"):
        resolve_devices(fake_torch(0, cuda_build=None), "cuda:0")


def test_cuda_build_without_a_visible_device():
    with pytest.raises(SetupError, match=r"torch 2.8.0\+cu128 \(CUDA 12.8\) sees no CUDA device"):
        resolve_devices(fake_torch(0), "cuda")


def test_device_index_out_of_range():
    with pytest.raises(SetupError, match=r"only 2 CUDA device\(s\) visible \(cuda:0..cuda:1\)"):
        resolve_devices(fake_torch(2), "cuda:2")


# (not "gpu": a test id that is a marker name would pick up the marker's skip)
@pytest.mark.parametrize("spec", ["gpu0", "cuda:x", "cuda:-1", "mps"])
def test_bad_spellings_are_usage_errors(spec):
    with pytest.raises(EnvcheckError) as info:
        resolve_devices(fake_torch(1), spec)
    assert info.value.exit_code == 2


def test_tf32_needs_ampere():
    assert "tensor-core" in not_applicable(fake_torch(1), "cpu", "tf32")
    assert not_applicable(fake_torch(1, (8, 0)), "cuda:0", "tf32") is None
    why = not_applicable(fake_torch(1, (7, 5)), "cuda:0", "tf32")
    assert why == "cuda:0 has compute capability 7.5; TF32 tensor cores need 8.0 or newer"
    assert all(not_applicable(fake_torch(1, (7, 5)), d, t) is None
               for d in ("cpu", "cuda:0") for t in ("fp32", "bf16", "fp16"))


def _backends(**cudnn):
    return SimpleNamespace(backends=SimpleNamespace(cudnn=SimpleNamespace(**cudnn)))


def test_tf32_switch_uses_the_per_operator_setting_where_torch_has_it():
    t = _backends(conv=SimpleNamespace(fp32_precision="tf32"), allow_tf32=True)
    with fp32_math(t, tf32=False):
        assert t.backends.cudnn.conv.fp32_precision == "ieee"
        assert t.backends.cudnn.allow_tf32 is True  # the legacy flag is not touched (mixing raises)
    assert t.backends.cudnn.conv.fp32_precision == "tf32"
    with fp32_math(t, tf32=True):
        assert t.backends.cudnn.conv.fp32_precision == "tf32"


def test_tf32_switch_falls_back_to_allow_tf32_and_restores_after_an_error():
    t = _backends(allow_tf32=True)
    with pytest.raises(RuntimeError):
        with fp32_math(t, tf32=False):
            assert t.backends.cudnn.allow_tf32 is False
            raise RuntimeError("a kernel failed")
    assert t.backends.cudnn.allow_tf32 is True


@pytest.mark.torch
def test_tf32_switch_on_the_installed_torch_restores_its_state():
    torch = pytest.importorskip("torch")
    conv = getattr(torch.backends.cudnn, "conv", None)
    before = conv.fp32_precision if hasattr(conv, "fp32_precision") else torch.backends.cudnn.allow_tf32
    with fp32_math(torch, tf32=False):
        pass
    after = conv.fp32_precision if hasattr(conv, "fp32_precision") else torch.backends.cudnn.allow_tf32
    assert after == before


@pytest.mark.gpu
def test_every_dtype_on_the_first_gpu():
    from envcheck.verify import run
    from envcheck.verify.tolerances import CLI_DTYPES

    result = run("cuda:0", CLI_DTYPES)
    assert result.passed, [(c.dtype, c.op, c.reason, c.params) for c in result.failures[:5]]
