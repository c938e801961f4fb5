"""compiled.json (envcheck/datafile.py): the packaged TOML files parsed, and the catalogue's
pattern analysis, used only for the very bytes they were made from; anything else (an edited
file, a missing or damaged compiled.json) is read for real, with the same result. And
compiled_re.json (envcheck/lazyre.py): the lazy patterns' code, used only under the Python
that made it, giving the patterns re.compile gives."""

import dataclasses
import datetime
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from envcheck import datafile, lazyre
from envcheck.errors import SetupError
from envcheck.knowledge import messages

REPO = Path(__file__).resolve().parents[2]


def _script():
    spec = importlib.util.spec_from_file_location("compile_data", REPO / "scripts" / "compile_data.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


_CACHED = (datafile.compiled, datafile.compiled_toml)  # the real ones, whatever a test patches


@pytest.fixture
def no_cache():
    for f in _CACHED:
        f.cache_clear()
    yield
    for f in _CACHED:
        f.cache_clear()


def _parsed(path):
    return datafile.tomllib.loads(Path(path).read_bytes().decode())


def _real():
    """The catalogue parsed and analysed for real (what compiled.json's shapes must equal)."""
    return messages.parse(_parsed(messages.DATA_FILE), messages.DATA_FILE.name)


def _fields(message):
    """A message's fields, its pattern by text (a lazy pattern compares by identity)."""
    out = {f.name: getattr(message, f.name) for f in dataclasses.fields(message)}
    out["pattern"] = message.pattern.pattern
    return out


def test_compiled_files_are_current():
    """Stale: run `python scripts/compile_data.py` (after editing a packaged TOML file, the pattern
    analysis or a module-level pattern). In a fresh process: this one has made test patterns."""
    done = subprocess.run([sys.executable, str(REPO / "scripts" / "compile_data.py"), "--check"], capture_output=True,
                          text=True, cwd=REPO)
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_packaged_file_is_stored_and_reads_as_its_parse():
    stored = datafile.compiled_toml()
    for path in _script().sources():
        digest = datafile.digest_of(path)
        assert digest in stored, path
        data, seen = datafile.read_toml_digest(path)
        assert seen == digest
        assert datafile.same(data, _parsed(path)), path


def test_each_read_gives_fresh_objects():
    path = messages.DATA_FILE.with_name("cuda_driver.toml")
    first = datafile.read_toml(path)
    first.clear()
    assert datafile.read_toml(path) == _parsed(path)


def test_an_edited_file_is_parsed_for_real(tmp_path):
    source = messages.DATA_FILE.with_name("gpu_ids.toml")
    copy = tmp_path / "gpu_ids.toml"
    copy.write_bytes(source.read_bytes())
    assert datafile.same(datafile.read_toml(copy), _parsed(source))  # the same bytes elsewhere: the stored form
    copy.write_bytes(source.read_bytes() + b'\n[edited_here]\nchecked = 2026-01-02\n')
    data = datafile.read_toml(copy)
    assert data["edited_here"] == {"checked": datetime.date(2026, 1, 2)}
    assert datafile.same(data, _parsed(copy))
    copy.write_bytes(b"not = [toml")
    with pytest.raises(SetupError, match="not valid TOML"):
        datafile.read_toml(copy)


@pytest.mark.parametrize("content", [None, b"{not json", b'{"format": 999, "toml": []}',
                                     b'{"format": 1, "toml": [{"sha256": 5}], "catalogue": {"key": 1, "shapes": 2}}'])
def test_a_missing_or_damaged_compiled_file_falls_back_silently(tmp_path, monkeypatch, no_cache, content):
    fake = tmp_path / "compiled.json"
    if content is not None:
        fake.write_bytes(content)
    monkeypatch.setattr(datafile, "COMPILED", fake)
    path = messages.DATA_FILE.with_name("torch_releases.toml")
    assert datafile.same(datafile.read_toml(path), _parsed(path))
    assert [_fields(m) for m in messages.load().messages] == [_fields(m) for m in _real().messages]


def test_a_damaged_entry_falls_back(monkeypatch, no_cache):
    path = messages.DATA_FILE.with_name("cudnn.toml")
    digest = datafile.digest_of(path)
    monkeypatch.setattr(datafile, "compiled_toml", lambda: {digest: {"json": "{broken"}})
    assert datafile.same(datafile.read_toml(path), _parsed(path))


def test_the_catalogue_from_stored_shapes_is_the_catalogue_parsed_for_real():
    stored = messages.load()
    real = _real()
    assert [_fields(m) for m in stored.messages] == [_fields(m) for m in real.messages]
    assert stored.source == real.source and stored.checked == real.checked
    assert [(i.pattern.pattern, i.reason) for i in stored.ignored] == [(i.pattern.pattern, i.reason) for i in real.ignored]


def test_shapes_are_used_only_under_their_key(monkeypatch, no_cache):
    content = dict(datafile.compiled())
    shapes = dict(content["catalogue"]["shapes"])
    first = messages.catalogue().messages[0].id
    shapes[first] = [["never-in-any-text"], 1, 0, 0, True, shapes[first][5]]
    monkeypatch.setattr(datafile, "compiled", lambda: {**content, "catalogue": {"key": "other", "shapes": shapes}})
    monkeypatch.setattr(messages, "compiled", datafile.compiled)
    assert messages.load().get(first).needles != frozenset({"never-in-any-text"})
    key = content["catalogue"]["key"]
    monkeypatch.setattr(datafile, "compiled", lambda: {**content, "catalogue": {"key": key, "shapes": shapes}})
    monkeypatch.setattr(messages, "compiled", datafile.compiled)
    assert messages.load().get(first).needles == frozenset({"never-in-any-text"})  # (the key is what guards)


def test_stored_shapes_still_check_facts_against_groups(monkeypatch):
    content = datafile.compiled()
    shapes = dict(content["catalogue"]["shapes"])
    with_facts = next(m for m in messages.catalogue().messages if m.facts)
    shapes[with_facts.id] = shapes[with_facts.id][:5] + [[]]
    monkeypatch.setattr(messages, "compiled", lambda: {**content, "catalogue": {**content["catalogue"], "shapes": shapes}})
    with pytest.raises(SetupError, match="which the pattern lacks"):
        messages.load()


def test_times_round_trip():
    tz = datetime.timezone(datetime.timedelta(hours=-7, minutes=-30))
    data = {"d": datetime.date(2025, 3, 1), "rows": [{"at": datetime.datetime(2025, 3, 1, 4, 5, 6, 789, tzinfo=tz)},
                                                     {"t": datetime.time(23, 59, 1)}],
            "local": datetime.datetime(2025, 1, 1, 0, 0), "utc": datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc),
            "n": [1, 1.0, True, "x"]}
    entry = datafile.to_json(data)
    back = datafile.from_json(entry)
    assert datafile.same(back, data)
    assert not datafile.same({"n": 1}, {"n": 1.0}) and not datafile.same({"n": 1}, {"n": True})


def test_every_stored_pattern_is_re_compiles():
    stored = lazyre.stored()
    if not stored:
        pytest.skip("compiled_re.json was made under another Python: not used here")
    for (text, flags) in stored:
        built, want = lazyre._from_store(text, flags), re.compile(text, flags)
        assert built == want and built.groupindex == want.groupindex and built.groups == want.groups, text


def test_a_lazy_pattern_takes_its_stored_code(monkeypatch):
    row = lazyre.code_of(r"(?i)cuda (?P<v>\d+)")
    monkeypatch.setattr(lazyre, "stored", lambda: {(row[0], 0): row})
    p = lazyre.lazy(r"(?i)cuda (?P<v>\d+)")
    assert p.search("CUDA 12").group("v") == "12" and p.compiled == re.compile(r"(?i)cuda (?P<v>\d+)")
    other = lazyre.lazy(r"(?i)cuda (?P<v>\d+)", re.MULTILINE)  # the same text, other flags: not that code
    assert other.compiled.flags & re.MULTILINE
    monkeypatch.setattr(lazyre, "stored", lambda: {(row[0], 0): row[:3] + ["not base64!"] + row[4:]})
    assert lazyre.lazy(r"(?i)cuda (?P<v>\d+)").compiled == re.compile(r"(?i)cuda (?P<v>\d+)")  # damaged: compiled


@pytest.mark.parametrize("content", [None, b"[1, 2", b'{"key": "another python", "patterns": []}', b'{"patterns": 3}'])
def test_a_store_of_another_python_or_damaged_is_not_used(tmp_path, monkeypatch, content):
    fake = tmp_path / "compiled_re.json"
    if content is not None:
        fake.write_bytes(content)
    monkeypatch.setattr(lazyre, "STORE", fake)
    real = lazyre.stored
    real.cache_clear()
    try:
        assert real() == {}
        assert lazyre.lazy(r"no (?P<n>\w+) here").search("no gpu here").group("n") == "gpu"
    finally:
        real.cache_clear()


def test_the_store_names_the_python_it_was_made_under():
    head = lazyre.STORE.read_text(encoding="utf-8").split("\n", 1)[0].rstrip(",") + "}"
    key = json.loads(head)["key"]
    assert len(key) == len(lazyre.store_key()) and key[1] == "cpython"


@pytest.mark.parametrize("bad", [[1, 2], "shape", [["a"], "long", 0, 0, True, []], [None, 5, 0, 0, "yes", []], None])
def test_a_damaged_stored_shape_is_parsed_for_real(monkeypatch, no_cache, bad):
    content = dict(datafile.compiled())
    shapes = dict(content["catalogue"]["shapes"])
    first = messages.catalogue().messages[0].id
    shapes[first] = bad
    monkeypatch.setattr(messages, "compiled", lambda: {**content, "catalogue": {**content["catalogue"], "shapes": shapes}})
    assert _fields(messages.load().get(first)) == _fields(_real().get(first))


@pytest.mark.parametrize("stored", ['"[1, 2]"', '"\\"text\\""', '"3"'])
def test_a_stored_entry_that_is_no_table_is_parsed_for_real(monkeypatch, no_cache, stored):
    path = messages.DATA_FILE.with_name("cudnn.toml")
    digest = datafile.digest_of(path)
    monkeypatch.setattr(datafile, "compiled_toml", lambda: {digest: {"json": json.loads(stored)}})
    assert datafile.same(datafile.read_toml(path), _parsed(path))
