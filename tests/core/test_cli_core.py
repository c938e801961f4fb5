import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from envcheck import snapshot
from envcheck.cli import COMMANDS, cli
from envcheck.errors import EnvcheckError
from envcheck.userfiles import read_json
from tests.builders import healthy_machine


def invoke(*args):
    return CliRunner().invoke(cli, list(args))


def test_help_lists_every_command_without_importing_them():
    r = invoke("--help")
    assert r.exit_code == 0
    for name in COMMANDS:
        assert name in r.output


def test_unknown_option_is_one_line_exit_2():
    r = invoke("doctor", "--frobnicate")
    assert r.exit_code == 2
    lines = [line for line in r.output.splitlines() if line.strip()]
    assert len(lines) == 1
    assert lines[0].startswith("envcheck doctor: error: No such option") and "--frobnicate" in lines[0]


def test_unknown_command_is_one_line_exit_2():
    r = invoke("doctr")
    assert r.exit_code == 2 and "No such command 'doctr'" in r.output and len(r.output.splitlines()) == 1


def test_missing_snapshot_is_one_line_exit_2(tmp_path):
    r = invoke("doctor", "--facts", str(tmp_path / "nope.json"))
    assert r.exit_code == 2
    assert r.output.strip() == f"envcheck: error: {tmp_path / 'nope.json'}: no such file"


def test_facts_with_live_options_is_a_usage_error(tmp_path):
    p = snapshot.save(healthy_machine(), tmp_path / "h.json")
    r = invoke("doctor", "--facts", str(p), "--no-torch")
    assert r.exit_code == 2 and "only apply to a live probe" in r.output


def test_python_that_does_not_exist(tmp_path):
    r = invoke("doctor", "--python", str(tmp_path / "python9"))
    assert r.exit_code == 2 and "no such file" in r.output


def test_doctor_on_a_snapshot_renders_json(tmp_path):
    p = snapshot.save(healthy_machine(), tmp_path / "h.json")
    r = invoke("doctor", "--facts", str(p), "--json")
    assert r.exit_code in (0, 1), r.output
    doc = json.loads(r.output)
    assert doc["schema_version"] == 1 and doc["command"] == "doctor"
    assert doc["facts"]["source"] == "snapshot"
    for f in doc["findings"]:
        assert set(f) >= {"id", "severity", "title", "explanation", "fix"}


def test_internal_errors_are_one_line_exit_3(monkeypatch, tmp_path):
    import envcheck.snapshot as snap

    def boom(path):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(snap, "load", boom)
    monkeypatch.delenv("ENVCHECK_DEBUG", raising=False)
    r = invoke("doctor", "--facts", str(tmp_path / "x.json"))
    assert r.exit_code == 3
    assert r.output.strip() == ("envcheck: internal error: RuntimeError: disk on fire "
                                "(set ENVCHECK_DEBUG=1 for the traceback)")


def test_snapshot_to_stdout_with_a_dash_and_to_a_file(tmp_path, monkeypatch):
    import envcheck.probes as probes
    from tests.builders import gpu, machine

    uuid = "GPU-5f2c1b8e-3d4a-11ee-9b2a-0242ac120002"
    facts = machine(gpus=[gpu(uuid=uuid)])
    monkeypatch.setattr(probes, "collect", lambda options: probes.Collection(facts))
    monkeypatch.chdir(tmp_path)
    r = invoke("snapshot", "--redact", "-o", "-")  # `-o -` once wrote a file named "-"
    assert r.exit_code == 0, r.output
    assert not (tmp_path / "-").exists()
    doc = json.loads(r.output)
    assert doc["kind"] == "envcheck.facts" and doc["redacted"] is True and uuid not in r.output
    r = invoke("snapshot", "-o", "host.json")
    assert r.exit_code == 0 and snapshot.load(tmp_path / "host.json").gpus[0].uuid.value == uuid


def test_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch):
    from envcheck.cli.common import use_colour

    class Stream:
        def __init__(self, tty):
            self.tty = tty

        def isatty(self):
            return self.tty

    for name in ("NO_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    assert use_colour(False, Stream(True)) and not use_colour(False, Stream(False))
    assert not use_colour(True, Stream(True))
    monkeypatch.setenv("NO_COLOR", "")  # present but empty: no effect, as no-color.org says
    assert use_colour(False, Stream(True))
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_colour(False, Stream(True))
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("TERM", "dumb")
    assert not use_colour(False, Stream(True))


def test_the_exit_code_table_is_in_the_readme_and_every_help():
    from envcheck import exitcodes

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert exitcodes.markdown() in readme
    assert len({code for code, _ in exitcodes.TABLE}) == len(exitcodes.TABLE)  # one meaning per code
    for name in COMMANDS:
        r = CliRunner().invoke(cli, [name, "--help"])
        assert r.exit_code == 0 and "Exit codes:" in r.output and "cannot run here" in r.output, name


@pytest.mark.parametrize("content, message", [
    (b'{"schema_version": 1, "x": ' + b"9" * 5000 + b"}", "integer string conversion"),
    (b"\xff\xfe", "not a text file"),
    (b"{", "not valid JSON"),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
])
def test_read_json_turns_every_bad_document_into_one_line(tmp_path, content, message):
    # A 5000-digit integer once escaped json.loads as a plain ValueError: exit 3.
    p = tmp_path / "bad.json"
    p.write_bytes(content)
    with pytest.raises(EnvcheckError, match=message) as info:
        read_json(p, 2**20, "envcheck snapshot")
    assert "\n" not in str(info.value) and info.value.exit_code == 2


def test_read_json_refuses_more_than_its_limit(tmp_path):
    p = tmp_path / "big.json"
    p.write_text("[" + "0," * 100 + "0]")
    with pytest.raises(EnvcheckError, match="larger than any"):
        read_json(p, 100, "envcheck snapshot")


def test_the_group_lists_every_command_in_order():
    import click

    with click.Context(cli) as ctx:
        assert cli.list_commands(ctx) == list(COMMANDS)


def test_snapshot_through_a_link_to_a_device_keeps_the_link(tmp_path):
    # `snapshot -o /dev/stdout` replaced the link with a file.
    link = tmp_path / "out"
    link.symlink_to("/dev/null")
    r = CliRunner().invoke(cli, ["snapshot", "--no-torch", "-o", str(link)])
    assert r.exit_code == 0, r.output
    assert link.is_symlink() and [p.name for p in tmp_path.iterdir()] == ["out"]


def test_a_snapshot_with_a_5000_digit_integer_is_a_usage_error(tmp_path):
    # Was exit 3 ("internal error"): json.loads raised a plain ValueError.
    p = tmp_path / "huge.json"
    p.write_bytes(b'{"schema_version": 1, "tool": "envcheck", "kind": "envcheck.facts", "x": ' + b"9" * 5000 + b"}")
    r = CliRunner().invoke(cli, ["doctor", "--facts", str(p)])
    assert r.exit_code == 2 and "integer string conversion" in r.output and r.output.count("\n") == 1
