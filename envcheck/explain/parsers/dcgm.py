"""dcgm-exporter's Prometheus lines (``curl :9400/metrics``, a Grafana/k8s paste).

``DCGM_FI_DEV_XID_ERRORS{gpu="3",UUID=…,device="nvidia3",…} 13`` is a gauge holding the last
Xid the GPU reported (0: none) — dcgm-exporter etc/default-counters.csv, "Value of the last XID
error encountered"; ``DCGM_EXP_XID_ERRORS_COUNT{…,xid="79"} 2`` (dcgm-exporter 3.x) counts one
Xid code. ``DCGM_FI_DEV_ECC_{SBE,DBE}_{VOL,AGG}_TOTAL`` are the single-/double-bit (corrected /
uncorrectable) ECC counters nvidia-smi shows as "Volatile/Aggregate". Labels name the GPU
by its index (``gpu``) and sometimes ``pci_bus_id``.
"""

from __future__ import annotations

import re

from envcheck.explain.partial import TOOL, Found
from envcheck.explain.source import Pasted
from envcheck.facts import XidEvent

SOURCE = "dcgm-exporter metrics"

_LINE = re.compile(r"\b(?P<field>DCGM_FI_DEV_XID_ERRORS|DCGM_EXP_XID_ERRORS_COUNT|DCGM_FI_DEV_ECC_(?:SBE|DBE)_(?:VOL|AGG)_TOTAL)"
                   r"\s*\{(?P<labels>[^}]*)\}\s+(?P<value>\d+(?:\.0+)?(?:e\+?\d+)?)\s*(?:\d{10,13})?\s*$")
_LABEL = re.compile(r'(\w+)="([^"]*)"')
_ECC = {"DCGM_FI_DEV_ECC_SBE_VOL_TOTAL": "ecc_volatile_corrected",
        "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL": "ecc_volatile_uncorrected",
        "DCGM_FI_DEV_ECC_SBE_AGG_TOTAL": "ecc_aggregate_corrected",
        "DCGM_FI_DEV_ECC_DBE_AGG_TOTAL": "ecc_aggregate_uncorrected"}


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
        elif field == "DCGM_FI_DEV_XID_ERRORS" and value:
            xids.append((XidEvent(value, pci, f"{field} (GPU {labels.get('gpu', '?')}: last Xid)"), i))
        elif field == "DCGM_EXP_XID_ERRORS_COUNT" and value and labels.get("xid", "").isdigit():
            xids.extend((XidEvent(int(labels["xid"]), pci, f"{field} (GPU {labels.get('gpu', '?')})"), i)
                        for _ in range(min(value, 64)))
    if xids:
        f.set("driver.xid_events", tuple(x for x, _ in xids), xids[0][1],
              detail="dcgm-exporter Xid metrics in the text")
    return f
