"""dcgm-exporter's Prometheus lines (``curl :9400/metrics``, a Grafana/k8s paste).

``DCGM_FI_DEV_XID_ERRORS{gpu="3",UUID=…,device="nvidia3",…} 13`` is a gauge holding the last
Xid the GPU reported (0: none) — dcgm-exporter etc/default-counters.csv, "Value of the last XID
error encountered"; ``DCGM_EXP_XID_ERRORS_COUNT{…,xid="79"} 2`` (dcgm-exporter 3.x) counts one
Xid code. ``DCGM_FI_DEV_ECC_{SBE,DBE}_{VOL,AGG}_TOTAL`` are the single-/double-bit (corrected /
uncorrectable) ECC counters nvidia-smi shows as "Volatile/Aggregate". Labels name the GPU
by its index (``gpu``) and sometimes ``pci_bus_id``.

The memory-repair fields (dcgm_fields.h; commented out in dcgm-exporter's default-counters.csv,
enabled by many deployments): ``DCGM_FI_DEV_RETIRED_SBE`` / ``_DBE`` (390/391, pages retired),
``DCGM_FI_DEV_RETIRED_PENDING`` (392, a retirement waiting for a reset),
``DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS`` / ``CORRECTABLE_…`` (393/394),
``DCGM_FI_DEV_ROW_REMAP_FAILURE`` (395) and ``DCGM_FI_DEV_ROW_REMAP_PENDING`` (396);
``DCGM_FI_DEV_CLOCK_THROTTLE_REASONS`` / ``DCGM_FI_DEV_CLOCKS_EVENT_REASONS`` (112) hold NVML's
clock-event bitmask; ``DCGM_FI_DEV_PCIE_MAX_LINK_GEN`` / ``_WIDTH`` (235/236) and ``DCGM_FI_DEV_PCIE_LINK_GEN`` /
``_WIDTH`` (237/238) the link's maximum and current state; ``DCGM_FI_DEV_GPU_UTIL`` (203) and
``DCGM_FI_DEV_GPU_TEMP`` (150) say whether the GPU was busy and how hot.
"""

from __future__ import annotations

from envcheck.explain.parsers.nvidia_smi_csv import reasons_of
from envcheck.explain.partial import TOOL, Found
from envcheck.explain.source import Pasted
from envcheck.facts import XidEvent
from envcheck.lazyre import lazy

SOURCE = "dcgm-exporter metrics"

_LINE = lazy(r"\b(?P<field>DCGM_FI_DEV_XID_ERRORS|DCGM_EXP_XID_ERRORS_COUNT|DCGM_FI_DEV_ECC_(?:SBE|DBE)_(?:VOL|AGG)_TOTAL|"
                   r"DCGM_FI_DEV_RETIRED_(?:SBE|DBE|PENDING)|DCGM_FI_DEV_(?:UN)?CORRECTABLE_REMAPPED_ROWS|"
                   r"DCGM_FI_DEV_ROW_REMAP_(?:FAILURE|PENDING)|DCGM_FI_DEV_CLOCK_THROTTLE_REASONS|"
                   r"DCGM_FI_DEV_CLOCKS_EVENT_REASONS|DCGM_FI_DEV_PCIE_(?:MAX_)?LINK_(?:GEN|WIDTH)|DCGM_FI_DEV_GPU_(?:UTIL|TEMP))"
                   r"\s*\{(?P<labels>[^}]*)\}\s+(?P<value>\d+(?:\.0+)?(?:e\+?\d+)?)\s*(?:\d{10,13})?\s*$")
_LABEL = lazy(r'(\w+)="([^"]*)"')
_ECC = {"DCGM_FI_DEV_ECC_SBE_VOL_TOTAL": "ecc_volatile_corrected",
        "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL": "ecc_volatile_uncorrected",
        "DCGM_FI_DEV_ECC_SBE_AGG_TOTAL": "ecc_aggregate_corrected",
        "DCGM_FI_DEV_ECC_DBE_AGG_TOTAL": "ecc_aggregate_uncorrected",
        "DCGM_FI_DEV_RETIRED_SBE": "retired_pages_sbe", "DCGM_FI_DEV_RETIRED_DBE": "retired_pages_dbe",
        "DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS": "remapped_rows_uncorrectable",
        "DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS": "remapped_rows_correctable",
        "DCGM_FI_DEV_PCIE_LINK_GEN": "pcie_gen_current", "DCGM_FI_DEV_PCIE_LINK_WIDTH": "pcie_width_current",
        "DCGM_FI_DEV_PCIE_MAX_LINK_GEN": "pcie_gen_max", "DCGM_FI_DEV_PCIE_MAX_LINK_WIDTH": "pcie_width_max",
        "DCGM_FI_DEV_GPU_UTIL": "utilization_gpu_pct", "DCGM_FI_DEV_GPU_TEMP": "temp_c"}
# Yes/no gauges: 1 is yes.
_FLAGS = {"DCGM_FI_DEV_RETIRED_PENDING": "retired_pages_pending", "DCGM_FI_DEV_ROW_REMAP_FAILURE": "remapped_rows_failed",
          "DCGM_FI_DEV_ROW_REMAP_PENDING": "remapped_rows_pending"}


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, TOOL)
    xids = []
    for i in doc.lines_containing("dcgm_fi_dev_", "dcgm_exp_xid"):
        m = _LINE.search(doc.lines[i])
        if not m:
            continue
        labels = dict(_LABEL.findall(m.group("labels")))
        value = int(float(m.group("value")))
        index = int(labels["gpu"]) if labels.get("gpu", "").isdigit() else None
        pci = labels.get("pci_bus_id") or None
        field = m.group("field")
        if field in _ECC:
            f.gpu(index, i, **{_ECC[field]: value})
        elif field in _FLAGS:
            f.gpu(index, i, **{_FLAGS[field]: bool(value)})
        elif field in ("DCGM_FI_DEV_CLOCK_THROTTLE_REASONS", "DCGM_FI_DEV_CLOCKS_EVENT_REASONS"):
            f.gpu(index, i, clock_event_reasons=reasons_of(value))
        elif field == "DCGM_FI_DEV_XID_ERRORS" and value:
            xids.append((XidEvent(value, pci, f"{field} (GPU {labels.get('gpu', '?')}: last Xid)"), i))
        elif field == "DCGM_EXP_XID_ERRORS_COUNT" and value and labels.get("xid", "").isdigit():
            xids.extend((XidEvent(int(labels["xid"]), pci, f"{field} (GPU {labels.get('gpu', '?')})"), i)
                        for _ in range(min(value, 64)))
    if xids:
        f.set("driver.xid_events", tuple(x for x, _ in xids), xids[0][1],
              detail="dcgm-exporter Xid metrics in the text")
    return f
