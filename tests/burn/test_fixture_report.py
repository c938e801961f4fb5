"""The saved CPU report: valid, readable, and judged the same when its records are re-read."""

from __future__ import annotations

import json
from pathlib import Path

from envcheck.burn import report, text
from envcheck.burn.records import CheckResult, DeviceInfo, WorkCounters, WorkerStatus
from envcheck.burn.verdict import JudgeOptions, judge
from envcheck.serial import from_dict, to_data
from envcheck.telemetry.series import columns, from_columns

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "burn" / "cpu-quick-report.json"


def test_saved_cpu_report_is_valid_and_renders():
    doc = json.loads(FIXTURE.read_text())
    assert report.validate(doc) == []
    assert doc["exit_code"] == report.exit_code(doc["status"], doc["options"]["strict"])
    out = text.render(doc)
    assert out.startswith(f"envcheck burn: {doc['status'].upper()}  (1m requested on cpu)")
    assert "micro: matmul fp32" in out


def test_saved_report_rejudges_to_the_same_verdict():
    doc = json.loads(FIXTURE.read_text())
    d = doc["devices"][0]
    samples = from_columns(d["series"], d["device"])
    assert columns(samples) == d["series"]
    verdict, reasons, summary = judge(
        from_dict(DeviceInfo, d["info"]), from_dict(WorkCounters, d["work"]),
        [from_dict(CheckResult, c) for c in d["correctness"]], from_dict(WorkerStatus, d["worker"]), samples,
        tuple(doc["load_window_s"]), JudgeOptions(max_temp_c=doc["options"]["max_temp_c"]))
    assert verdict.value == d["verdict"]
    assert [to_data(r) for r in reasons] == d["reasons"]
    # The series keeps each reading's status but not its detail text.
    assert to_data(summary) == _without_details(d["telemetry_summary"])


def _without_details(data):
    if isinstance(data, dict):
        return {k: _without_details(v) for k, v in data.items() if k != "detail"}
    return data
