"""Expected performance: measured reference results, and how this run compares.

The table (``reference_results.toml`` beside this module) holds only results somebody
measured with ``envcheck bench`` — each row has its date and exact command. A run is
compared with the newest row for the same device, model, data set kind, precision and
loop (and, on CPUs, the same thread count, since a CPU's name says little about the
cores a job got).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional

from envcheck.bench.results import Comparison
from envcheck.datafile import read_toml

TABLE = Path(__file__).with_name("reference_results.toml")


def load_table(path: Path = TABLE) -> Dict[str, Any]:
    return read_toml(path)


def _same(a: Any, b: Any) -> bool:
    return str(a).strip().lower() == str(b).strip().lower()


def compare(*, device_type: str, device_name: str, threads: Optional[int], model: str, dataset: str,
            precision: str, loop: str, train_images_per_s: float,
            table: Optional[Dict[str, Any]] = None) -> Comparison:
    table = load_table() if table is None else table
    rows: List[Dict[str, Any]] = [
        r for r in table.get("result", [])
        if _same(r.get("device_type"), device_type) and _same(r.get("device"), device_name)
        and _same(r.get("model"), model) and _same(r.get("dataset"), dataset)
        and _same(r.get("precision"), precision) and _same(r.get("loop"), loop)
        and (device_type != "cpu" or r.get("threads") == threads)
    ]
    if rows:
        ref = max(rows, key=lambda r: str(r.get("date", "")))
        ref_ips = float(ref["train_images_per_s"])
        ratio = train_images_per_s / ref_ips if ref_ips > 0 else None
        where = f"{ref['device']}" + (f", {ref['threads']} threads" if ref.get("threads") else "")
        detail = (f"{train_images_per_s:,.0f} train images/s = {ratio:.2f}x the reference "
                  f"{ref_ips:,.0f} ({where}, {ref.get('date', 'undated')})")
        return Comparison(True, detail, ref_ips, round(ratio, 3) if ratio else None, ref)
    for p in table.get("pending", []):
        if _same(p.get("device"), device_name):
            return Comparison(False, f"no reference result for {device_name} yet: {p.get('note', '')}".rstrip(": "))
    return Comparison(False, f"no reference result for {device_name} / {model} / {dataset} / {precision}"
                             + (f" / {threads} threads" if device_type == "cpu" else ""))


def expected_images_per_s(*, device_type: str, device_name: str, threads: Optional[int], model: str, precision: str,
                          loop: str, table: Optional[Dict[str, Any]] = None) -> Optional[float]:
    """Training throughput of the newest reference row for this device, model, precision
    and loop (any data set kind: the images cost the same), to say up front how long a
    run will take; None when nobody measured it."""
    table = load_table() if table is None else table
    rows = [r for r in table.get("result", [])
            if _same(r.get("device_type"), device_type) and _same(r.get("device"), device_name)
            and _same(r.get("model"), model) and _same(r.get("precision"), precision) and _same(r.get("loop"), loop)
            and (device_type != "cpu" or r.get("threads") == threads)]
    if not rows:
        return None
    return float(max(rows, key=lambda r: str(r.get("date", "")))["train_images_per_s"])
