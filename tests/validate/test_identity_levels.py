"""Host identity (SLURM / Kubernetes variables, redaction, report names) and the level table."""

from __future__ import annotations

from pathlib import Path

from envcheck.burn.options import PRESETS
from envcheck.validate.identity import expand_path, identity, pseudonym
from envcheck.validate.levels import LEVELS, bench_model, markdown_table, verify_dtypes
from envcheck.validate.progress import ProgressPrinter, clock, stage_line
from envcheck.validate.stages import StageResult
from envcheck.validate.verdicts import Verdict

ROOT = Path(__file__).resolve().parents[2]
SLURM = {"SLURM_JOB_ID": "4242", "SLURMD_NODENAME": "node17", "SLURM_JOB_NODELIST": "node[01-32]",
         "SLURM_GPUS_ON_NODE": "8", "SLURM_PROCID": "16"}


def test_slurm_names_the_host_and_is_recorded():
    m = identity(SLURM)
    assert m["hostname"] == "node17"
    assert m["slurm"] == {"job_id": "4242", "node": "node17", "nodelist": "node[01-32]", "procid": "16",
                          "gpus_on_node": "8"}
    assert m["kubernetes"] is None


def test_kubernetes_node_name_beats_the_pod_hostname():
    m = identity({"ENVCHECK_NODE_NAME": "gpu-node-3", "ENVCHECK_POD_NAME": "envcheck-abc"})
    assert m["hostname"] == "gpu-node-3" and m["kubernetes"] == {"node": "gpu-node-3", "pod": "envcheck-abc"}


def test_redaction_is_a_stable_pseudonym():
    m = identity(SLURM, redact=True)
    assert m["hostname"] == pseudonym("node17") == identity(SLURM, redact=True)["hostname"]
    assert m["hostname"].startswith("host-") and "node17" not in str(m)


def test_report_names_by_host_and_job():
    m = identity(SLURM)
    assert expand_path("reports/{host}-{job}.json", m) == "reports/node17-4242.json"
    assert expand_path("r/{host}.json", {"hostname": "a/b c"}) == "r/a_b_c.json"


def test_levels_are_burns_presets():
    assert {name: lv.burn_s for name, lv in LEVELS.items()} == PRESETS
    assert bench_model(LEVELS["quick"], "cpu") == "softmax" and bench_model(LEVELS["quick"], "cuda:0") == "refcnn"
    assert verify_dtypes(LEVELS["long"], "cpu") == ("fp32",)


def test_readme_and_docs_hold_the_level_table():
    table = markdown_table()
    assert table in (ROOT / "README.md").read_text(encoding="utf-8")
    assert table in (ROOT / "docs" / "validate.md").read_text(encoding="utf-8")


def test_progress_lines():
    assert clock(75) == "1:15" and clock(3700) == "1:01:40"
    line = stage_line(3, 5, "burn", "20s of 1m", 25.0, 61.0, 0.33)
    assert line.startswith("[4/5] burn") and "33%" in line and "ETA 1:01" in line


class _Stream:
    def __init__(self):
        self.text = ""

    def write(self, s):
        self.text += s

    def flush(self):
        pass


def test_log_mode_prints_start_and_end_only():
    s = _Stream()
    p = ProgressPrinter(s, live=False, every_s=3600)
    p.start(0, 5, "doctor", 90)
    p.tick("doctor", 0.5, "reading", 1.0, 80)
    p.end(0, 5, StageResult("doctor", Verdict.PASS, "0 errors", seconds=2))
    assert s.text.splitlines() == ["[1/5] doctor       starting — 0:00 elapsed, ETA 1:30",
                                   "[1/5] doctor       PASS  0 errors (0:02)"]


def test_live_mode_rewrites_one_line():
    s = _Stream()
    p = ProgressPrinter(s, live=True)
    p.start(0, 5, "verify", 30)
    p.tick("verify", 0.5, "fp32", 3.0, 20)  # too soon after the start: not redrawn
    p.last_print -= 1.0
    p.tick("verify", 0.6, "fp32", 4.0, 19)
    p.end(0, 5, StageResult("verify", Verdict.PASS, "ok"))
    assert s.text.count("\n") == 1 and s.text.count("\r") == 3 and "60%" in s.text and "50%" not in s.text
