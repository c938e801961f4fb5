"""Real broken environments through `envcheck explain`: the expected findings, with a fix that fits.

Every case file — the real user reports in ../shared/realcases and envcheck's own
cases in tests/fixtures/explain/cases — is fed as ``collect_env + "\\n" + error_text``
through the same code path as ``envcheck explain`` (read → facts → rules). The
findings must include every ``expected_diagnosis`` id, and each such finding's fix (the
filled steps of the recipe it names, as the report prints them) must hold the key
element of the case's fix. The checks are per finding id and about
the class of problem (an index URL new enough for the GPU, the variable to clear, the
flag to add), not about one report's wording.
"""

from __future__ import annotations

import re
from typing import Callable, Dict, Optional

import pytest

from envcheck.explain import diagnose
from envcheck.facts import Facts
from envcheck.recipes import commands
from envcheck.rules import Finding
from tests.explain.cases import OWN_CASES, case_text, load_case

# First CUDA whose wheels carry kernels for a compute capability (../shared/facts/compute_capability.md,
# torch_cuda.md): Blackwell needs 12.8, Hopper and Ada 11.8, Ampere GA10x 11.1, A100 11.0, Turing 10.0.
_FIRST_CUDA = {"12.0": (12, 8), "12.1": (12, 8), "10.0": (12, 8), "10.3": (12, 8), "9.0": (11, 8), "8.9": (11, 8),
               "8.6": (11, 1), "8.7": (11, 4), "8.0": (11, 0), "7.5": (10, 0)}
_INDEX = re.compile(r"download\.pytorch\.org/whl/(?:nightly/|test/)?cu(\d+)(\d)\b")


def _gpu_cc(facts: Facts, finding: Finding) -> Optional[str]:
    for g in facts.gpus:
        if (finding.gpu is None or g.index == finding.gpu) and g.compute_capability.ok:
            return g.compute_capability.value
    return None


def _pypi_default_cuda(fix: str):
    """CUDA of the PyPI-default wheel a plain ``pip install torch==X`` gets (from the knowledge tables)."""
    from envcheck.knowledge import load

    out = []
    for version in re.findall(r"\btorch==(\d+\.\d+(?:\.\d+)?)(?:\s|$)", fix):
        build = load().resolve_torch(version)
        if build is not None and build.variant is not None:
            major, minor = build.variant.cuda.split(".")[:2]
            out.append((int(major), int(minor)))
    return out


def _new_enough_wheel(fix: str, facts: Facts, finding: Finding) -> bool:
    """An index URL, or a pinned PyPI version, whose CUDA is new enough for the GPU's architecture."""
    variants = [(int(a), int(b)) for a, b in _INDEX.findall(fix)]
    if not variants:
        variants = _pypi_default_cuda(fix)
    need = _FIRST_CUDA.get(_gpu_cc(facts, finding) or "", (0, 0))
    return any(v >= need for v in variants)


def _pattern(p: str) -> Callable[[str, Facts, Finding], bool]:
    rx = re.compile(p, re.IGNORECASE)
    return lambda fix, facts, finding: bool(rx.search(fix))


def _installs_a_cuda_build(fix: str, facts: Facts, finding: Finding) -> bool:
    """A CUDA wheel: from a cuXYZ index, or a pinned PyPI version whose default wheel is a CUDA build."""
    return bool(_INDEX.search(fix)) or bool(_pypi_default_cuda(fix))


def _uninstalls_a_listed_wheel(fix: str, facts: Facts, finding: Finding) -> bool:
    names = [p.name for p in facts.python.packages.get(()) if p.name.startswith("nvidia-")]
    return "pip uninstall" in fix and any(n in fix for n in names)


def _clears_ld_library_path(fix: str, facts: Facts, finding: Finding) -> bool:
    return "LD_LIBRARY_PATH" in fix


def _cudnn_fix(fix: str, facts: Facts, finding: Finding) -> bool:
    # When the paste shows LD_LIBRARY_PATH, that is what the fix must touch; otherwise the cuDNN wheel.
    if facts.toolkit.ld_library_path.ok:
        return "LD_LIBRARY_PATH" in fix
    return bool(re.search(r"nvidia-cudnn|LD_LIBRARY_PATH|pip install", fix))


# finding id → does the fix hold the key element of the case's fix?
FIX_CHECKS: Dict[str, Callable[[str, Facts, Finding], bool]] = {
    "gpu_arch_unsupported_by_torch_build": _new_enough_wheel,
    "gpu_arch_too_old_for_torch_build": _pattern(r"download\.pytorch\.org/whl/|from source|\bcpu\b"),
    "torch_cpu_only_build": _installs_a_cuda_build,
    "driver_too_old_for_torch_cuda": _pattern(r"ubuntu-drivers|nvidia-driver-\d+|(apt|apt-get|dnf|yum|zypper) "
                                              r".*nvidia|download\.pytorch\.org/whl/cu\d+"),
    "cudnn_version_mismatch": _cudnn_fix,
    "ld_library_path_conflict": _clears_ld_library_path,
    "conflicting_cuda_wheel_packages": _uninstalls_a_listed_wheel,
    "container_missing_gpus_flag": _pattern(r"--gpus"),
    "wsl1_no_gpu_support": _pattern(r"wsl(\.exe)?\s+--set-version\s+\S+\s+2"),
    "nvml_driver_library_mismatch": _pattern(r"reboot|rmmod|modprobe -r"),
    "driver_kernel_module_not_loaded": _pattern(r"dkms|modprobe nvidia|--reinstall|reinstall"),
    "driver_not_loaded_secure_boot": _pattern(r"mokutil|secure boot"),
    "cuda_visible_devices_hides_gpus": _pattern(r"CUDA_VISIBLE_DEVICES"),
    "row_remap_pending": _pattern(r"nvidia-smi (-r|--gpu-reset)|reboot"),
    "retired_pages_pending": _pattern(r"nvidia-smi (-r|--gpu-reset)|reboot"),
}


def _check(path) -> None:
    case = load_case(path)
    explanation, report = diagnose(case_text(case), collected_at="")
    assert not report.failures, f"rules raised: {report.failures}"
    found = {f.id: f for f in report.findings}
    missing = [i for i in case["expected_diagnosis"] if i not in found]
    assert not missing, (f"{path.name}: expected {missing}, got {sorted(found)}; "
                         f"notes: {list(explanation.facts.notes)}")
    for finding_id in case["expected_diagnosis"]:
        finding = found[finding_id]
        plan = report.remedy(finding)
        fix = "\n".join(commands(plan)) if plan is not None else ""
        assert fix, f"{path.name}: {finding_id} has no fix"
        check = FIX_CHECKS.get(finding_id)
        if check is not None:
            assert check(fix, explanation.facts, finding), (
                f"{path.name}: the fix of {finding_id} misses the key element of {case['fix']!r}:\n{fix}")


def _shared_cases():
    from tests.conftest import shared_path

    folder = shared_path() / "realcases"
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


SHARED_CASES = _shared_cases()


@pytest.mark.shared
@pytest.mark.parametrize("path", SHARED_CASES or [None], ids=[p.stem for p in SHARED_CASES] or ["absent"])
def test_shared_real_case(shared, path):
    if path is None:
        pytest.skip("no case files in ../shared/realcases")
    _check(path)


@pytest.mark.parametrize("path", OWN_CASES, ids=[p.stem for p in OWN_CASES])
def test_own_case(path):
    _check(path)
