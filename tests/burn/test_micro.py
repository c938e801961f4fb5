"""Microbenchmarks: PCIe link arithmetic, peaks attached, and small CPU runs."""

from __future__ import annotations

import pytest

from envcheck.burn.deps import pcie_gb_s
from envcheck.burn.micro import attach_peaks
from envcheck.burn.records import MicroItem, MicroResult, SpecPeaks


def test_pcie_theoretical_bandwidth_per_direction():
    # The interconnect table's per-lane rates (one table for the burn-in and the interconnect
    # command): 8b/10b for gen 1-2, 128b/130b for gen 3-5, FLIT 242/256 for gen 6.
    assert pcie_gb_s(3, 16) == pytest.approx(8 * 128 / 130 / 8 * 16, abs=2e-3)
    assert pcie_gb_s(4, 16) == pytest.approx(31.508, abs=2e-3)
    assert pcie_gb_s(5, 16) == pytest.approx(63.015, abs=2e-3)
    assert pcie_gb_s(6, 16) == pytest.approx(64 * 242 / 256 / 8 * 16, abs=2e-3)
    assert pcie_gb_s(1, 8) == 2.0
    assert pcie_gb_s(None, 16) is None and pcie_gb_s(7, 16) is None


def test_one_pcie_table():
    import envcheck.burn.micro as micro
    from envcheck.knowledge import interconnect

    assert not hasattr(micro, "PCIE_LANE_GB_S")
    table = interconnect.load()
    assert all(pcie_gb_s(g, 16) == interconnect.pcie_raw_gb_s(table, g, 16) for g in range(1, 7))


def test_peaks_are_attached_from_the_spec_and_the_link():
    spec = SpecPeaks("H100 SXM5 80GB", {"bf16": 989.4, "fp32": 67.0}, 3350.0, 5, 16, "V")
    raw = MicroResult("cuda:0", (MicroItem("matmul", "bf16", 791.5, "TFLOP/s", "8192x8192x8192", 7),
                                 MicroItem("matmul", "fp16", 780.0, "TFLOP/s", "8192x8192x8192", 7),
                                 MicroItem("device_copy", "fp32", 2900.0, "GB/s", "1024 MiB", 7),
                                 MicroItem("h2d", "pinned", 52.0, "GB/s", "256 MiB", 7)))
    out = attach_peaks(raw, spec, (5, 16), "the link seen during the test", pcie_gb_s(5, 16))
    got = [(i.name, i.dtype, i.peak, i.peak_source, i.fraction_of_peak) for i in out.items]
    assert got == [("matmul", "bf16", 989.4, "spec: H100 SXM5 80GB (V)", 0.8),
                   ("matmul", "fp16", None, "unknown", None),
                   ("device_copy", "fp32", 3350.0, "spec: H100 SXM5 80GB (V)", 0.866),
                   ("h2d", "pinned", 63.02, "PCIe gen5 x16 (the link seen during the test)", 0.825)]


def test_cpu_figures_have_no_peak():
    raw = MicroResult("cpu", (MicroItem("matmul", "fp32", 40.0, "GFLOP/s", "512x512x512", 7),))
    assert attach_peaks(raw, None, (None, None), "", None).items[0].peak_source == "unknown"


@pytest.mark.torch
def test_cpu_matmul_and_memory_figures_are_positive_medians():
    import torch

    from envcheck.burn.micro import REPEATS, device_bandwidth, matmul

    m = matmul(torch, "cpu", "fp32", 128)
    assert (m.unit, m.size, m.repeats) == ("GFLOP/s", "128x128x128", REPEATS) and m.value > 0 and m.spread >= 0
    copy, triad = device_bandwidth(torch, "cpu", 4 << 20)
    assert (copy.name, triad.name, copy.unit, copy.size) == ("device_copy", "device_triad", "GB/s", "4 MiB")
    assert copy.value > 0 and triad.value > 0
