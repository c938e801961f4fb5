"""The HTML reports: self-contained by construction (unit tests), and rendered in a real
headless Chromium with no console error, no network request and a screenshot that is
not blank. Set ENVCHECK_SCREENSHOTS=DIR to keep the screenshots and PDFs.

Without Chromium the browser tests are skipped with the reason — except under CI
(``CI=true``), where a skip would hide a missing install step, so they fail instead.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from envcheck.errors import EnvcheckError
from envcheck.fleet import build, find_reports, load
from envcheck.html import render
from envcheck.html.svg import Series, line_chart, nice_ticks
from envcheck.validate.document import document as validate_document
from envcheck.validate.pipeline import ValidateOptions, ValidateRun
from envcheck.validate.stages import StageResult
from envcheck.validate.verdicts import Verdict
from tests import builders as b
from tests.fleet import synth

from . import cdp


def need(ok: bool, reason: str) -> None:
    if not ok:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} — under CI this test must run (.ci/system-packages installs it)")
        pytest.skip(reason)


def doctor_with_findings():
    from envcheck.report import Report
    from envcheck.report.jsonfmt import document
    from envcheck.rules import evaluate

    gpus = [b.gpu(synth.MODEL, "9.0", 0), b.gpu(synth.MODEL, "9.0", 1, ecc_volatile_uncorrected=3,
                                                 retired_pages_pending=True, pcie_width_current=8)]
    facts = b.healthy_machine(nvml=b.nvml(gpus), host=b.healthy_host(shm_total_bytes=64 * 2**20))
    ev = evaluate(facts)
    return document(Report("doctor", facts, ev.findings, ev.failures))


def interconnect_doc():
    """The real writer's document over the synthetic HGX outcome (a hang-free WARN: low busbw)."""
    from envcheck.interconnect import text
    from envcheck.interconnect.verdict import judge
    from tests.interconnect.scenarios import hgx_outcome

    return text.document(judge(hgx_outcome(150.0)))


def validate_doc(redact: bool = False):
    doctor = doctor_with_findings()
    machine = {"hostname": "host-1a2b3c4d" if redact else "gpu-node-07", "redacted": redact,
               "slurm": {"job_id": "4242", "node": "gpu-node-07"}, "kubernetes": None}
    vrun = ValidateRun(ValidateOptions(level="quick", keep_going=True), machine, synth.CREATED, status="complete",
                       ended=synth.CREATED)
    vrun.results = [
        StageResult("doctor", Verdict.FAIL, "1 error(s), 2 warning(s)", document=doctor),
        StageResult("verify", Verdict.PASS, "48 checks passed", document=synth.verify_doc(2)),
        StageResult("bench", Verdict.PASS, "refcnn 93 %", document=synth.bench_doc(20500.0),
                    notes=["Fashion-MNIST (full) from cache"]),
        StageResult("burn", Verdict.PASS, "2 GPUs PASS", document=synth.burn_doc(2, 60.0, 1)),
        StageResult("interconnect", Verdict.WARN, "2 ranks over nccl", devices=("cuda:0", "cuda:1"),
                    document=interconnect_doc()),
    ]
    return validate_document(vrun)


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    out = tmp_path_factory.mktemp("html")
    fleet_dir = out / "fleet"
    synth.make_fleet(fleet_dir, 130, gpus=4, burn_s=20.0, templates=2)
    import datetime

    fleet = build(load(find_reports([str(fleet_dir)])), now=datetime.datetime(2026, 12, 6, 7, tzinfo=datetime.timezone.utc),
                  max_age_s=7 * 86400, expected=[synth.host_name(i) for i in range(131)])
    v = validate_doc()
    docs = {"validate": v, "doctor": v["stages"][0]["document"], "verify": v["stages"][1]["document"],
            "bench": v["stages"][2]["document"], "burn": v["stages"][3]["document"], "fleet": fleet,
            "interconnect": v["stages"][4]["document"]}
    files = {}
    for name, doc in docs.items():
        files[name] = out / f"{name}.html"
        files[name].write_text(render(doc), encoding="utf-8")
    return docs, files


# ------------------------------------------------------------------------- no browser
EXTERNAL = [r"<script", r"<link[^>]+stylesheet", r"\ssrc=", r"url\(", r"@import", r"<iframe", r"<img", r"<object",
            r"<embed", r"@font-face"]


@pytest.mark.parametrize("name", ["validate", "doctor", "verify", "bench", "burn", "fleet", "interconnect"])
def test_page_loads_nothing_by_construction(pages, name):
    html = pages[1][name].read_text()
    assert html.startswith("<!DOCTYPE html>")
    for pattern in EXTERNAL:
        assert not re.search(pattern, html, re.I), pattern
    assert '<link rel="icon" href="data:,">' in html  # no /favicon.ico request
    assert "@media print" in html


def test_every_finding_with_its_fix_steps(pages):
    docs, files = pages
    html = files["validate"].read_text()
    findings = docs["doctor"]["findings"]
    assert len(findings) >= 2
    from html import escape

    for f in findings:
        assert escape(f["title"]) in html and f["id"] in html
        assert_fix_shown(f["fix"], html)
    assert "missing_values" not in html  # the fix's keys are not its content


def assert_fix_shown(fix, html):
    """Every filled step of the finding's recipe: its title and each command, in order."""
    from html import escape

    assert fix["steps"], fix
    at = 0
    for step in fix["steps"]:
        for text in (step["title"], *step["commands"]):
            at = html.index(escape(text), at)
    assert "needs root" in html or not any(s["needs_root"] for s in fix["steps"])


def test_a_fix_from_an_older_report_is_its_lines():
    from envcheck.html.sections import fix_steps

    assert fix_steps(["sudo ubuntu-drivers install", "sudo reboot"]) == \
        "<h3>Fix</h3><pre>sudo ubuntu-drivers install\nsudo reboot</pre>"
    assert "No commands to run" in fix_steps(None)


def test_a_fix_says_where_each_step_runs_and_what_it_could_not_fill_in():
    from envcheck.html.sections import fix_steps

    fix = {"recipes": ["container_toolkit"], "notes": ["Docker 19.03 or newer."], "missing_values": ["gpu_index"],
           "steps": [{"number": 1, "kind": "step", "recipe": "container_toolkit", "title": "Install the toolkit",
                      "commands": ["sudo apt-get install -y nvidia-container-toolkit"], "needs_root": True,
                      "where": "host", "only_if": "docker is the runtime",
                      "alternatives": [{"title": "restart the daemon", "commands": ["sudo systemctl restart docker"]}]}]}
    html = fix_steps(fix)
    for text in ("Install the toolkit", "needs root", "on the host, not in the container",
                 "only if: docker is the runtime", "or, without rebooting: restart the daemon",
                 "sudo systemctl restart docker", "Note: Docker 19.03 or newer.", "fill in yourself: gpu_index"):
        assert text in html, text


def test_charts_are_inline_svg(pages):
    html = pages[1]["validate"].read_text()
    for title in ("Learning curve: accuracy", "Temperature over time", "Power over time", "Bandwidth"):
        assert f'aria-label="{title}' in html, title
    assert html.count("<svg") >= 6


def test_interconnect_section(pages):
    docs, files = pages
    html = files["interconnect"].read_text()
    for title in ("Peak bus bandwidth", "Bus bandwidth over message size"):
        assert f'aria-label="{title}' in html, title
    assert "NVLink 4 x 18 through NVSwitch" in html and "collective_bandwidth_low" in html
    assert "195.0 GB/s" in html and " *" in html  # the half-speed pair, marked
    assert "Host ↔ device" in html and "53.1" in html
    assert_fix_shown(docs["interconnect"]["findings"][0]["fix"], html)
    assert 'id="stage-interconnect"' in files["validate"].read_text()


def test_burn_checks_section(pages):
    html = pages[1]["burn"].read_text()
    assert "<h3>Checks" in html and ">reference<" in html and ">bf16<" in html


def test_identity_and_redaction():
    assert "gpu-node-07" in render(validate_doc())
    html = render(validate_doc(redact=True))
    assert "host-1a2b3c4d (redacted)" in html


def test_unknown_documents_are_refused():
    with pytest.raises(EnvcheckError):
        render({"tool": "envcheck", "kind": "envcheck.recipes"})
    with pytest.raises(EnvcheckError):
        render({"hello": 1})


def test_chart_helpers():
    assert nice_ticks(0, 1, 4) == [0, 0.25, 0.5, 0.75, 1]
    assert nice_ticks(17, 83) == [0, 20, 40, 60, 80, 100]
    svg = line_chart([Series("a", [0, 1, 2], [1.0, None, 3.0])], title="t", x_label="x", y_label="y")
    assert svg.count("<circle") == 2  # a gap splits the line: two single points
    assert "no readings" in line_chart([Series("a", [0], [None])], title="t", x_label="x", y_label="y")


# -------------------------------------------------------------------- real Chromium
@pytest.mark.parametrize("name", ["validate", "fleet", "doctor", "bench", "burn", "verify", "interconnect"])
def test_renders_in_headless_chromium(pages, name):
    binary = cdp.find_chromium()
    need(binary is not None, "Chromium is not installed (Debian: apt-get install chromium)")
    result = cdp.load(binary, pages[1][name], pdf=name == "validate")  # printing once is enough
    assert result.errors == [], result.errors
    own = pages[1][name].resolve().as_uri()
    assert [u for u in result.requests if u != own and not u.startswith("data:")] == []
    assert result.failed == []
    drawn = cdp.not_blank(result.png)
    assert drawn["colours"] > 50 and drawn["drawn"] > 0.01 and drawn["height"] > 400, drawn
    if name == "validate":
        assert result.pdf.startswith(b"%PDF") and cdp.not_blank(result.print_png)["drawn"] > 0.02
    keep = os.environ.get("ENVCHECK_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        (Path(keep) / f"{name}.png").write_bytes(result.png)
        if result.pdf:
            (Path(keep) / f"{name}.pdf").write_bytes(result.pdf)
            (Path(keep) / f"{name}-print.png").write_bytes(result.print_png)


def test_html_option_and_write_make_html_a_two_line_change(tmp_path):
    import click
    from click.testing import CliRunner

    from envcheck.html import html_option, write

    doc = validate_doc()

    @click.command()
    @html_option
    def cmd(html_path):
        write(html_path, doc)

    assert CliRunner().invoke(cmd, []).exit_code == 0  # no --html: nothing written
    r = CliRunner().invoke(cmd, ["--html", str(tmp_path / "out.html")])
    assert r.exit_code == 0 and (tmp_path / "out.html").read_text().startswith("<!DOCTYPE html>")
    with pytest.raises(EnvcheckError, match="cannot write"):
        write(str(tmp_path / "out.html" / "x.html"), doc)
