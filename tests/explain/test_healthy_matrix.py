"""Every working combination the tables know gets no error finding, and every GPU outside a
build gets its finding. For each torch release and CUDA variant with an arch list: the oldest and
the newest GPU it has kernels for (within the GPU's CUDA support), on the oldest driver branch that
runs both; and the first GPU newer than its kernels and the newest older one. Each pasted as
torch's collect_env prints it for a pip wheel ("2.4.1+cu121") and for a conda build (unsuffixed,
its CUDA on the next line). A false error on a working machine is the failure users forgive least;
this sweeps the combinations no corpus covers (the conda form found one: derived/machine._of_its_cuda)."""

from __future__ import annotations

from typing import List, Tuple

import pytest

from envcheck.explain import diagnose, source
from envcheck.knowledge.tables import load_dir

KB = load_dir()


def _v(s: str) -> Tuple[int, ...]:
    return tuple(int(x) for x in s.split("."))


def _combos() -> List[Tuple[str, str, str, str, str]]:
    out = []
    for rel in KB.releases:
        for var in KB.variants_of(rel):
            if not var.arch_list_spec:
                continue
            archs = set(var.arch_list)
            ccs = [c for c in KB.ccs if not c.jetson and c.examples and f"sm_{c.cc.replace('.', '')}" in archs
                   and (c.last_cuda is None or _v(var.cuda) <= _v(c.last_cuda))
                   and (c.first_cuda is None or _v(var.cuda) >= _v(c.first_cuda))]
            for cc in {min(ccs, key=lambda c: _v(c.cc)), max(ccs, key=lambda c: _v(c.cc))} if ccs else ():
                branches = [b.branch for b in KB.branches if _v(b.max_cuda) >= _v(var.cuda)
                            and (cc.last_driver is None or b.branch <= cc.last_driver)]
                if branches:  # none: the GPU's last driver predates this CUDA (Kepler on CUDA 11.6+)
                    out.append((rel.latest, var.variant, var.cuda, cc.examples[0], f"{min(branches)}.105.17"))
    return sorted(set(out))


def _collect_env(version: str, cuda: str, gpu: str, driver: str) -> str:
    return (f"Collecting environment information...\nPyTorch version: {version}\nIs debug build: False\n"
            f"CUDA used to build PyTorch: {cuda}\nROCM used to build PyTorch: N/A\n\n"
            "OS: Ubuntu 22.04.4 LTS (x86_64)\nIs CUDA available: True\nCUDA runtime version: Could not collect\n"
            f"GPU models and configuration:\nGPU 0: NVIDIA {gpu}\n\nNvidia driver version: {driver}\n")


COMBOS = _combos()


def test_the_sweep_covers_the_tables():
    assert len(COMBOS) > 60


@pytest.mark.parametrize("release, variant, cuda, gpu, driver", COMBOS)
@pytest.mark.parametrize("form", ["pip", "conda"])
def test_a_working_combination_gets_no_error_finding(release, variant, cuda, gpu, driver, form):
    version = f"{release}+{variant}" if form == "pip" else release
    _, report = diagnose(source.normalise(_collect_env(version, cuda, gpu, driver)), collected_at="")
    assert [f.id for f in report.findings if f.severity.value == "error"] == []


# ---------------------------------------------------------------- and every broken one is found
def _cc(arch: str) -> Tuple[int, ...]:
    digits = arch.split("_")[1]
    return int(digits[:-1]), int(digits[-1])


def _broken() -> List[Tuple[str, str, str, str, str, str]]:
    """For each variant: the first GPU newer than its kernels (no cubin of the same major at or
    below it, no PTX at or below it) and the newest GPU older than them."""
    out = []
    for rel in KB.releases:
        for var in KB.variants_of(rel):
            if not var.arch_list_spec:
                continue
            sms = [_cc(a) for a in var.arch_list if a.startswith("sm_")]
            ptx = [_cc(a) for a in var.arch_list if a.startswith("compute_")]
            gpus = [c for c in KB.ccs if not c.jetson and c.examples]
            newer = [c for c in gpus if _v(c.cc) > max(sms) and not any(p <= _v(c.cc) for p in ptx)
                     and not any(s[0] == _v(c.cc)[0] and s <= _v(c.cc) for s in sms)]
            older = [c for c in gpus if (3, 0) <= _v(c.cc) < min(sms)]
            if newer:
                c = min(newer, key=lambda c: _v(c.cc))
                out.append((rel.latest, var.variant, var.cuda, c.examples[0], "580.105.17",
                            "gpu_arch_unsupported_by_torch_build"))
            if older:
                c = max(older, key=lambda c: _v(c.cc))
                driver = "470.256.02" if (c.last_driver or 999) < 500 else "535.105.17"
                out.append((rel.latest, var.variant, var.cuda, c.examples[0], driver, "gpu_arch_too_old_for_torch_build"))
    return sorted(set(out))


BROKEN = _broken()


def test_the_broken_sweep_covers_the_tables():
    assert len(BROKEN) > 60


@pytest.mark.parametrize("release, variant, cuda, gpu, driver, expected", BROKEN)
@pytest.mark.parametrize("form", ["pip", "conda"])
def test_a_gpu_outside_the_build_is_found(release, variant, cuda, gpu, driver, expected, form):
    version = f"{release}+{variant}" if form == "pip" else release
    _, report = diagnose(source.normalise(_collect_env(version, cuda, gpu, driver)), collected_at="")
    assert expected in {f.id for f in report.findings}
