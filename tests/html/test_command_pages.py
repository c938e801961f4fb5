"""``--html FILE`` on doctor (here), bench and burn (their CLI tests in tests/bench and
tests/burn also check the page): the page is written atomically, a path that cannot be
written is refused before the command runs, and the doctor's page names this machine only
when the facts are this machine's."""

from __future__ import annotations

import re

from click.testing import CliRunner

from envcheck import snapshot
from envcheck.cli import cli
from tests import builders as b

from .test_html import EXTERNAL


def _facts_file(tmp_path):
    facts = b.healthy_machine(host=b.healthy_host(shm_total_bytes=64 * 2**20))  # one warning: a small /dev/shm
    return str(snapshot.save(facts, tmp_path / "facts.json"))


def test_doctor_html_from_a_facts_file(tmp_path):
    page = tmp_path / "doctor.html"
    r = CliRunner().invoke(cli, ["doctor", "--facts", _facts_file(tmp_path), "--html", str(page), "--json"],
                           env={"ENVCHECK_HOST": "this-box"})
    assert r.exit_code == 0, r.output
    html = page.read_text()
    assert html.startswith("<!DOCTYPE html>") and f"HTML report written to {page}" in r.stderr
    for pattern in EXTERNAL:
        assert not re.search(pattern, html, re.I), pattern
    assert "<h3>Fix</h3>" in html and 'id="machine"' in html  # findings with their steps; what the doctor read
    assert "this-box" not in html  # another machine's facts: this host's name would be a lie


def test_doctor_html_names_this_machine_and_redacts(tmp_path, monkeypatch):
    page = tmp_path / "doctor.html"
    r = CliRunner().invoke(cli, ["doctor", "--no-torch", "--html", str(page)],
                           env={"ENVCHECK_HOST": "gpu-node-3", "SLURM_JOB_ID": "99"})
    assert r.exit_code in (0, 1), r.output
    html = page.read_text()
    assert "<dt>host</dt><dd>gpu-node-3</dd>" in html and "job_id 99" in html
    r = CliRunner().invoke(cli, ["doctor", "--no-torch", "--redact", "--html", str(page)],
                           env={"ENVCHECK_HOST": "gpu-node-3"})
    assert "gpu-node-3" not in page.read_text() and "(redacted)" in page.read_text()


def test_an_unwritable_html_path_is_refused_before_the_command_runs(tmp_path):
    for command in (["doctor", "--no-torch"], ["burn", "--device", "cpu", "--duration", "1h"]):
        r = CliRunner().invoke(cli, [*command, "--html", str(tmp_path / "missing" / "x.html")])
        assert r.exit_code == 2 and r.stderr.startswith("envcheck: error: --html "), r.output
        assert "does not exist" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    r = CliRunner().invoke(cli, ["doctor", "--no-torch", "--html", str(tmp_path)])
    assert r.exit_code == 2 and "is a directory" in r.stderr
