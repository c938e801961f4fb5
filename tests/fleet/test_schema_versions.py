"""fleet reads only the schema versions it knows: a report (or a stage document inside a
validate report) written by a newer envcheck is listed as unreadable with one line that
says to upgrade, never summarised from keys whose meaning may have changed."""

from __future__ import annotations

import copy
import datetime
import json
from pathlib import Path
from typing import Any, Dict

import pytest
from click.testing import CliRunner

from envcheck.cli import cli
from envcheck.envelope import SCHEMA_VERSIONS
from envcheck.fleet import build, find_reports, load
from envcheck.fleet.summaries import summarise_document

from . import synth

NOW = datetime.datetime(2026, 12, 6, 7, 0, tzinfo=datetime.timezone.utc)


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Dict[str, Any]:
    (path,) = synth.make_fleet(tmp_path_factory.mktemp("versions"), 1, gpus=2, burn_s=5.0, templates=1)
    return json.loads(path.read_text())


def _newer(doc: Dict[str, Any]) -> Dict[str, Any]:
    out = copy.deepcopy(doc)
    out["schema_version"] = SCHEMA_VERSIONS[doc["kind"]] + 1
    return out


def test_a_report_of_this_version_is_read(report):
    s = summarise_document(report, "node0000.json")
    assert s["error"] is None and s["host"] == "node0000"


@pytest.mark.parametrize("kind", ["envcheck.validate", "envcheck.report", "envcheck.facts"])
def test_a_newer_report_is_unreadable_with_one_line(report, kind):
    doc = {"envcheck.validate": report, "envcheck.report": report["stages"][0]["document"],
           "envcheck.facts": report["stages"][0]["document"]["facts"]}[kind]
    if kind == "envcheck.facts":
        doc = {"schema_version": 1, "tool": "envcheck", "kind": kind, "envcheck_version": "0.1.0",
               "created_at": report["created_at"], **{k: v for k, v in doc.items() if k != "schema_version"}}
    s = summarise_document(_newer(doc), "r.json")
    known = SCHEMA_VERSIONS[kind]
    assert s["error"] == f"{kind} schema {known + 1} is newer than this envcheck understands ({known}); upgrade envcheck"
    assert "\n" not in s["error"] and "host" not in s


@pytest.mark.parametrize("version", [None, "1", 1.0, True])
def test_a_schema_version_that_is_not_an_integer_is_unreadable(report, version):
    doc = copy.deepcopy(report)
    doc["schema_version"] = version
    assert summarise_document(doc, "r.json")["error"] == (
        f"envcheck.validate schema_version {version!r} is not an integer")


def test_a_newer_stage_document_makes_the_validate_report_unreadable(report):
    doc = copy.deepcopy(report)
    names = [s["name"] for s in doc["stages"]]
    burn = names.index("burn")
    doc["stages"][burn]["document"] = _newer(doc["stages"][burn]["document"])
    known = SCHEMA_VERSIONS["envcheck.burn"]
    assert summarise_document(doc, "r.json")["error"] == (
        f"its burn stage: envcheck.burn schema {known + 1} is newer than this envcheck understands ({known}); "
        "upgrade envcheck")


def test_fleet_lists_the_newer_file_and_reads_the_rest(tmp_path, report):
    (tmp_path / "node0000.json").write_text(json.dumps(report))
    newer = _newer(report)
    newer["machine"]["hostname"] = "node0001"
    (tmp_path / "node0001.json").write_text(json.dumps(newer))
    d = build(load(find_reports([str(tmp_path)])), now=NOW, max_age_s=7 * 86400.0)
    assert [m["host"] for m in d["machines"]] == ["node0000"]
    assert [(Path(u["path"]).name, u["error"]) for u in d["unreadable"]] == [
        ("node0001.json", "envcheck.validate schema 2 is newer than this envcheck understands (1); upgrade envcheck")]
    r = CliRunner().invoke(cli, ["fleet", str(tmp_path)], env={"SOURCE_DATE_EPOCH": str(int(NOW.timestamp()))})
    assert "node0001.json: envcheck.validate schema 2 is newer than this envcheck understands (1); upgrade envcheck" \
        in r.stdout
