"""Tegra GPUs run only cubins built for exactly them (torch's own check lists sm_80 / sm_86
code as running on 8.x "except {8.7}"); PTX still JIT-compiles for them."""

from __future__ import annotations

import pytest

from envcheck.knowledge.archs import arch_support


@pytest.mark.parametrize("archs, cc, verdict", [
    (("sm_80", "sm_86", "sm_90"), "8.7", "too_new"),  # Jetson Orin under an x86 wheel's list
    (("sm_72", "sm_87"), "8.7", "cubin"),  # JetPack's own build
    (("sm_80", "compute_80"), "8.7", "ptx"),
    (("sm_70",), "7.2", "too_new"),  # Xavier
    (("sm_80",), "8.9", "cubin"),  # a discrete GPU: same major, newer minor runs
    (("sm_120",), "12.1", "cubin"),  # GB10 is not Tegra-excepted
])
def test_tegra_runs_only_its_own_cubins(archs, cc, verdict):
    assert arch_support(archs, cc) == verdict
