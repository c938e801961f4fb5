"""envcheck fleet over a synthetic fleet made by the real writers (synth.py): the planted
anomalies are found, nothing else is, and every output format holds."""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from envcheck.cli import cli
from envcheck.fleet import analyse, build, find_reports, load, render_csv, render_prometheus, render_text
from envcheck.fleet.summaries import parse, summarise, summarise_document, without_series

from . import synth

NOW = datetime.datetime(2026, 12, 6, 7, 0, tzinfo=datetime.timezone.utc)
WEEK = 7 * 86400.0


@pytest.fixture(scope="module")
def fleet_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("fleet") / "reports"
    synth.make_fleet(d, 130, gpus=4, burn_s=20.0, templates=2)
    return d


@pytest.fixture(scope="module")
def doc(fleet_dir):
    expected = [synth.host_name(i) for i in range(131)]  # node0130 never reported
    return build(load(find_reports([str(fleet_dir)]), workers=2), now=NOW, max_age_s=WEEK, expected=expected)


def test_the_planted_anomalies_and_nothing_else(doc):
    assert doc["kind"] == "envcheck.fleet" and doc["verdict"] == "FAIL"
    assert [(o["text"].split(" is ")[0], o["figure"]) for o in doc["outliers"]] == [
        ("GPU 2 of node0088", "ic_p2p_min_gb_s"), ("node0064", "ic_all_gather_busbw_gb_s"),
        ("node0064", "ic_all_reduce_busbw_gb_s"), ("GPU 3 of node0017", "burn_cnn_images_per_s")]
    assert re.fullmatch(r"node0064 is (19|20|21) % below its 129 peers in all_reduce bus bandwidth \(3\d\d vs median "
                        r"4[67]\d GB/s\)", doc["outliers"][2]["text"]), doc["outliers"][2]["text"]
    assert re.search(r"in its slowest direct GPU-to-GPU link \(2\d\d vs median 3[89]\d GB/s\)$", doc["outliers"][0]["text"])
    o = doc["outliers"][3]
    assert re.fullmatch(r"GPU 3 of node0017 is 1[6-9] % below its 519 peers in burn CNN training \(.*images/s\)",
                        o["text"]), o["text"]
    assert [(d["key"], d["majority"], d["odd"]) for d in doc["drift"]] == [
        ("driver", "570.124.06", [{"host": "node0042", "value": "550.90.07"}])]
    assert [(h["host"], h["device"], h["code"], h["level"]) for h in doc["health"]] == [
        ("node0099", "cuda:3", "ecc_uncorrected", "fail")]
    assert [s["host"] for s in doc["stale"]] == ["node0123"]
    assert doc["missing"] == [{"host": "node0130"}]
    assert doc["counts"]["machines"] == 130 and doc["counts"]["unreadable"] == 0


def test_statistics_are_median_and_robust_spread(doc):
    cnn = [s for s in doc["statistics"] if s["figure"] == "burn_cnn_images_per_s"][0]
    assert cnn["n"] == 520 and abs(cnn["median"] - synth.BASE["cnn"]) / synth.BASE["cnn"] < 0.01
    assert 0 < cnn["spread"] < 0.03 * cnn["median"]  # the one slow GPU does not inflate it


def test_outlier_rule_needs_both_the_threshold_and_the_spread():
    def machine(host, value):
        return {"host": host, "gpus": [], "burn": {"cuda:0": {"name": "X", "figures": {"burn_cnn_images_per_s": value}}}}

    noisy = [machine(f"n{i}", v) for i, v in enumerate([100, 70, 130, 85, 115, 95, 105, 80])]
    assert analyse.outliers(noisy)[0] == []  # 30 % below, but inside a wide spread
    tight = [machine(f"n{i}", 100 + (i % 3)) for i in range(10)] + [machine("slow", 95)]
    assert analyse.outliers(tight)[0] == []  # beyond the spread, but only 5 % below
    assert [o["host"] for o in analyse.outliers(tight + [machine("slower", 85)])[0]] == ["slower"]
    few = [machine("a", 100), machine("b", 50)]
    assert analyse.outliers(few) == ([], [])  # two GPUs have no median to speak of


def test_text_csv_prometheus(doc):
    text = render_text(doc)
    assert text.startswith("envcheck fleet: FAIL") and "node0017" in text and "Version drift" in text
    rows = list(csv.DictReader(io.StringIO(render_csv(doc))))
    assert len(rows) == 130 and rows[0]["host"] == "node0000" and rows[0]["burn"] == "PASS"
    assert {r["driver"] for r in rows} == {"570.124.06", "550.90.07"}
    prom = render_prometheus(doc)
    families = re.findall(r"^# TYPE (\w+) gauge$", prom, re.M)
    assert set(re.findall(r"^# HELP (\w+) ", prom, re.M)) == set(families)
    sample = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*\{([a-zA-Z_]\w*="(?:[^"\\\n]|\\.)*",?)*\} -?[0-9.e+-]+$')
    for line in prom.splitlines():
        assert line.startswith("#") or sample.match(line), line
    assert 'envcheck_health_flag{host="node0099",gpu="cuda:3",flag="ecc_uncorrected",level="fail"} 1' in prom
    assert re.search(r'envcheck_gpu_relative_to_peers\{host="node0017",gpu="cuda:3",.*figure="burn_cnn_images_per_s".*\} 0\.8',
                     prom)


def test_cutting_the_series_changes_no_summary(fleet_dir):
    path = str(fleet_dir / "node0017.json")
    data = Path(path).read_bytes()
    cut = without_series(data)
    assert len(cut) < len(data) and cut.count(b'"series":null') == 4  # one per GPU
    assert summarise(path) == summarise_document(json.loads(data), path)
    assert parse(b'{"series":{"a":"}"}}') == {"series": {"a": "}"}}  # a cut that breaks falls back


def test_unreadable_superseded_and_doctor_reports(tmp_path, fleet_dir):
    (tmp_path / "bad.json").write_text("{not json")
    (tmp_path / "other.json").write_text('{"hello": 1}')
    old = json.loads((fleet_dir / "node0001.json").read_text())
    old["created_at"] = "2026-12-01T00:00:00+00:00"
    (tmp_path / "node0001-old.json").write_text(json.dumps(old))
    doctor = old["stages"][0]["document"]
    (tmp_path / "doctor-only.json").write_text(json.dumps(doctor))
    paths = find_reports([str(tmp_path), str(fleet_dir / "node0001.json")])
    d = build(load(paths), now=NOW, max_age_s=WEEK)
    assert sorted(Path(u["path"]).name for u in d["unreadable"]) == ["bad.json", "other.json"]
    assert [Path(s["path"]).name for s in d["superseded"]] == ["node0001-old.json"]
    assert {m["host"] for m in d["machines"]} == {"node0001", "doctor-only"}
    assert [m["kind"] for m in d["machines"] if m["host"] == "doctor-only"] == ["envcheck.report"]


def test_cli(fleet_dir, tmp_path):
    runner = CliRunner()
    env = {"SOURCE_DATE_EPOCH": str(int(NOW.timestamp()))}
    r = runner.invoke(cli, ["fleet", str(fleet_dir), "--html", str(tmp_path / "f.html"), "--prometheus",
                            str(tmp_path / "f.prom"), "--csv", str(tmp_path / "f.csv"), "--expect",
                            ",".join(synth.host_name(i) for i in range(130))], env=env)
    assert r.exit_code == 1, r.output  # ECC errors: FAIL
    assert r.stdout.startswith("envcheck fleet: FAIL")
    html = (tmp_path / "f.html").read_text()
    assert html.startswith("<!DOCTYPE html>") and "GPU 3 of node0017" in html
    assert (tmp_path / "f.prom").read_text().startswith("# HELP")
    r = runner.invoke(cli, ["fleet", str(fleet_dir), "--json"], env=env)
    assert json.loads(r.stdout)["kind"] == "envcheck.fleet"
    r = runner.invoke(cli, ["fleet", str(tmp_path / "nope")])
    assert r.exit_code == 2 and "no such file or directory" in r.output
    empty = tmp_path / "empty"
    empty.mkdir()
    r = runner.invoke(cli, ["fleet", str(empty)])
    assert r.exit_code == 2 and "no *.json reports" in r.output
    r = runner.invoke(cli, ["fleet", str(fleet_dir), "--max-age", "soon"])
    assert r.exit_code == 2 and "--max-age" in r.output


def test_a_clean_fleet_passes(tmp_path):
    d = tmp_path / "r"
    synth.make_fleet(d, 12, gpus=2, burn_s=10.0, templates=1)
    doc = build(load(find_reports([str(d)])), now=NOW, max_age_s=WEEK)
    assert doc["verdict"] == "PASS", render_text(doc)
    assert "No drift, no outliers" in render_text(doc)


def test_the_cut_handles_indented_json_and_series_that_are_not_objects(fleet_dir):
    data = (fleet_dir / "node0003.json").read_bytes()
    indented = json.dumps(json.loads(data), indent=2).encode()
    cut = without_series(indented)
    assert cut.count(b'"series":null') == 4 and json.loads(cut)["stages"][3]["document"]["devices"][0]["series"] is None
    odd = b'{"a": {"series": null}, "b": {"series": [1, 2]}, "c": {"series":\n  {"x": {"y": 1}}}, "d": 4}'
    assert json.loads(without_series(odd)) == {"a": {"series": None}, "b": {"series": [1, 2]},
                                               "c": {"series": None}, "d": 4}


def _validate_with_interconnect(ic_doc, devices, host="hgx01"):
    from envcheck.validate.document import document
    from envcheck.validate.pipeline import ValidateOptions, ValidateRun
    from envcheck.validate.stages import StageResult
    from envcheck.validate.verdicts import Verdict

    vrun = ValidateRun(ValidateOptions(level="quick"), {"hostname": host, "redacted": False}, synth.CREATED,
                       status="complete", ended=synth.CREATED)
    vrun.results = [StageResult("doctor", Verdict.PASS, "", document=synth.doctor_doc(len(devices))),
                    StageResult("interconnect", Verdict(ic_doc["verdict"]), "", devices=devices, document=ic_doc)]
    return document(vrun)


def test_the_interconnect_document_as_its_writer_writes_it():
    """What fleet reads from the real ``envcheck interconnect --json`` document: pinned
    copies and the slowest P2P link per GPU (renamed to validate's labels), the peak bus
    bandwidth per collective per machine, the route; a hang and wrong results are health."""
    from envcheck.interconnect import text
    from envcheck.interconnect.records import Hang
    from envcheck.interconnect.verdict import judge
    from tests.interconnect.scenarios import hgx_outcome

    verdict = judge(hgx_outcome(470.0, n=3))
    s = summarise_document(_validate_with_interconnect(text.document(verdict), ("cuda:4", "cuda:5", "cuda:7")))
    ic = s["interconnect"]
    assert ic["figures"] == {f"ic_{c}_busbw_gb_s": v for c, v in verdict.peaks.items()} and len(ic["figures"]) == 2
    assert ic["backend"] == "nccl" and ic["world_size"] == 3 and ic["wrong"] == 0 and ic["hang"] is None
    assert s["versions"]["route"] == verdict.route != ""
    assert sorted(ic["devices"]) == ["cuda:4", "cuda:5", "cuda:7"]  # the ranks' cuda:0..2 as validate named them
    assert ic["devices"]["cuda:4"] == {"name": synth.MODEL, "figures": {
        "ic_h2d_pinned_gb_s": 53.1, "ic_d2h_pinned_gb_s": 51.7, "ic_p2p_min_gb_s": 390.0}}
    assert ic["devices"]["cuda:5"]["figures"]["ic_p2p_min_gb_s"] == 195.0  # its link to cuda:4 runs at half speed
    assert ic["devices"]["cuda:7"]["figures"] == {"ic_p2p_min_gb_s": 390.0}  # copies: ranks 0 and 1 only
    fleet = build([dict(s, path="a.json")], now=NOW, max_age_s=WEEK)
    row = fleet["machines"][0]
    assert row["devices"]["cuda:5"]["figures"]["ic_p2p_min_gb_s"] == 195.0 and row["interconnect"]["route"]
    prom = render_prometheus(fleet)
    assert re.search(r'envcheck_interconnect_busbw_gb_s\{host="hgx01",collective="all_reduce",backend="nccl",'
                     r'ranks="3"\} 47\d', prom)
    assert 'envcheck_gpu_figure{host="hgx01",gpu="cuda:5",' in prom
    rows = list(csv.DictReader(io.StringIO(render_csv(fleet))))
    assert float(rows[0]["all_reduce_busbw_gb_s"]) == verdict.peaks["all_reduce"] and rows[0]["min_p2p_gb_s"] == "195.0"
    assert rows[0]["route"] == verdict.route

    bad = [summarise_document(_validate_with_interconnect(text.document(judge(o)), ("cuda:0", "cuda:1")), f"{h}.json")
           for h, o in (("w", hgx_outcome(n=2, wrong=4)),
                        ("h", hgx_outcome(n=2, hang=Hang(3, "all_reduce 8 B", 60.0, (1,), (0,), "envcheck"))))]
    bad[0]["host"], bad[1]["host"] = "w", "h"
    flags = {(f["host"], f["code"], f["level"]) for f in build(bad, now=NOW, max_age_s=WEEK)["health"]}
    assert flags == {("w", "interconnect_wrong_results", "fail"), ("h", "interconnect_hang", "fail")}


def test_interconnect_bus_bandwidth_is_judged_between_machines_of_one_kind():
    def machine(host, v, gpus=8):
        return {"host": host, "gpus": [{"index": i, "name": "X"} for i in range(gpus)],
                "interconnect": {"backend": "nccl", "world_size": gpus, "figures": {"ic_all_reduce_busbw_gb_s": v}}}

    fleet = [machine(f"n{i}", 470 + i) for i in range(6)] + [machine("slow", 300)] + \
        [machine(f"small{i}", 150 + i, gpus=2) for i in range(3)]  # 2-GPU machines: their own group
    found, stats = analyse.outliers(fleet)
    assert [o["text"] for o in found] == ["slow is 36 % below its 6 peers in all_reduce bus bandwidth (300 vs median 472 GB/s)"]
    assert sorted(s["model"] for s in stats) == ["2× X, nccl over 2 ranks", "8× X, nccl over 8 ranks"]
