"""The upstream message catalogue (envcheck/knowledge/data/messages.toml): it loads, every
entry is sound, its examples match it (and only it), its facts convert, and it covers what
torch really prints (the installed torch's sources and a CUDA wheel's library strings)."""

from __future__ import annotations

import importlib.util
import json
import random
import sys
import time
from pathlib import Path
from typing import Optional, Sequence

import pytest

from envcheck.errors import SetupError
from envcheck.knowledge import messages as M
from envcheck.rules.catalogue import CATALOGUE

if sys.version_info >= (3, 11):
    from re import _constants as C
    from re import _parser as P
else:  # pragma: no cover - Python 3.10
    import sre_constants as C
    import sre_parse as P

REPO = Path(__file__).resolve().parents[2]
UPSTREAM = REPO / "tests" / "fixtures" / "upstream"
CAT = M.catalogue()
IDS = [m.id for m in CAT.messages]


def _script():
    spec = importlib.util.spec_from_file_location("extract_upstream_messages",
                                                  REPO / "scripts" / "extract_upstream_messages.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


X = _script()


# ------------------------------------------------------------------ the table
def test_table_loads_with_source_and_date():
    assert len(CAT.messages) >= 100
    assert CAT.source and len(CAT.checked) == 10
    assert CAT.ignored and all(i.reason for i in CAT.ignored)


def test_every_supported_finding_is_catalogued():
    for m in CAT.messages:
        for s in m.supports:
            assert s.finding in CATALOGUE, f"{m.id}: {s.finding} is not in rules/catalogue.py"


def test_every_entry_has_an_origin_examples_and_a_reason_when_it_supports_nothing():
    for m in CAT.messages:
        assert m.origin.project in M.PROJECTS and m.origin.where and m.origin.versions, m.id
        assert m.examples, m.id
        assert m.supports or m.note, m.id


def test_every_pattern_has_a_literal_to_look_for_first():
    assert [m.id for m in CAT.messages if not m.needles] == []


def _single_char(items) -> bool:
    return len(items) == 1 and items[0][0] in (C.LITERAL, C.NOT_LITERAL, C.IN, C.CATEGORY)


def _linear_problems(items, in_repeat: bool = False) -> list:
    """Constructs that can make a regex backtrack more than linearly."""
    problems = []
    for op, av in items:
        if op in (C.MAX_REPEAT, C.MIN_REPEAT):
            lo, hi, sub = av
            if hi == C.MAXREPEAT and in_repeat:
                problems.append("an unbounded repeat inside a repeat")
            if hi == C.MAXREPEAT and not _single_char(sub):
                problems.append("an unbounded repeat of a group")
            problems += _linear_problems(sub, in_repeat or hi > 1)
        elif op is C.SUBPATTERN:
            problems += _linear_problems(av[-1], in_repeat)
        elif op is C.BRANCH:
            for branch in av[1]:
                problems += _linear_problems(branch, in_repeat)
        elif op in (C.ASSERT, C.ASSERT_NOT):
            problems += _linear_problems(av[1], in_repeat)
        elif op is C.ANY:
            problems.append("'.' (write [^\\n] or [\\s\\S] with a bound)")
    return problems


def _anchored(items) -> bool:
    """The pattern starts on a literal or a look-behind (optional leading groups allowed)."""
    for op, av in items:
        if op is C.AT:
            continue
        if op is C.LITERAL:
            return True
        if op in (C.ASSERT, C.ASSERT_NOT):
            return av[0] == -1
        if op is C.SUBPATTERN:
            return _anchored(av[-1])
        if op is C.BRANCH:
            return all(_anchored(b) for b in av[1])
        if op in (C.MAX_REPEAT, C.MIN_REPEAT) and av[0] == 0 and av[1] == 1 and _anchored(av[2]):
            continue
        return False
    return False


@pytest.mark.parametrize("message_id", IDS)
def test_pattern_is_linear_time(message_id):
    m = CAT.get(message_id)
    parsed = P.parse(m.pattern.pattern)
    assert _linear_problems(parsed) == []
    assert _anchored(parsed), "start the pattern on a literal (or a look-behind)"


# ------------------------------------------------------------------ examples
@pytest.mark.parametrize("message_id", IDS)
def test_examples_match_their_entry_and_no_other(message_id):
    m = CAT.get(message_id)
    used = set()
    for example in m.examples:
        ids = {x.id for x in CAT.match(example)}
        assert m.id in ids, f"{m.id} does not match its example {example[:80]!r}"
        extra = ids - {m.id} - set(m.overlaps)
        assert not extra, f"{sorted(extra)} also match {example[:80]!r}; list them in overlaps if meant"
        used |= ids & set(m.overlaps)
    assert used == set(m.overlaps), f"overlaps never seen: {sorted(set(m.overlaps) - used)}"


# ------------------------------------------------------------------ facts
@pytest.mark.parametrize("text, facts", [
    ("RuntimeError: The NVIDIA driver on your system is too old (found version 11040).",
     {"nvml.cuda_driver_version": "11.4"}),
    ("The NVIDIA driver on your system is too old (found version 12080)", {"nvml.cuda_driver_version": "12.8"}),
    ("NVIDIA GeForce RTX 5090 with CUDA capability sm_120 is not compatible with the current PyTorch installation.\n"
     "The current PyTorch install supports CUDA capabilities sm_50 sm_80 sm_90a compute_90.\n"
     "If you want to use the NVIDIA GeForce RTX 5090 GPU with PyTorch, please check the instructions",
     {"gpu.compute_capability": "12.0", "torch.arch_list": ("sm_50", "sm_80", "sm_90a", "compute_90"),
      "gpu.name": "NVIDIA GeForce RTX 5090"}),
    ("Found GPU1 Quadro K620 which is of cuda capability 5.0.\n    PyTorch no longer supports this GPU because it "
     "is too old.\n    The minimum cuda capability supported by this library is 7.5.",
     {"gpu.index": 1, "gpu.name": "Quadro K620", "gpu.compute_capability": "5.0",
      "torch.min_compute_capability": "7.5"}),
    ("Found GPU0 Tesla P100-PCIE-16GB which is of compute capability (CC) 6.0.\nThe following list shows the CCs "
     "this version of PyTorch was built for and the hardware CCs it supports:\n- 7.5 which supports hardware CC "
     ">=7.5,<8.0\n- 12.0 which supports hardware CC >=12.0,<13.0\n",
     {"gpu.compute_capability": "6.0", "torch.arch_list": ("sm_75", "sm_120")}),
    ("cuDNN version incompatibility: PyTorch was compiled against (8, 3, 2) but linked against (8, 0, 3)",
     {"torch.cudnn_compiled_version": 8302, "torch.cudnn_version": 8003}),
    ("cuDNN version incompatibility: PyTorch was compiled  against (9, 10, 2) but found runtime version (9, 1, 0).",
     {"torch.cudnn_compiled_version": 91002, "torch.cudnn_version": 90100}),
    ("Found GPU0 TITAN V which requires CUDA_VERSION >= 9000 to\n work properly, but your PyTorch was compiled\n "
     "with CUDA_VERSION 8000.", {"gpu.required_cuda": "9.0", "torch.cuda_build": "8.0"}),
    ("ImportError: /opt/x/libtorch_cuda.so: undefined symbol: ncclCommRegister",
     {"loader.library": "libtorch_cuda.so", "loader.symbol": "ncclCommRegister"}),
    ("OSError: libcudnn_ops_infer.so.8: cannot open shared object file: No such file or directory",
     {"loader.library": "libcudnn_ops_infer.so.8"}),
    ("NVRM: Xid (PCI:0000:65:00): 48, pid=1, name=python, An uncorrectable double bit error",
     {"driver.xid": 48, "gpu.pci_bus_id": "0000:65:00"}),
    ("unsatisfied condition: cuda>=12.8 (cuda=12.4)", {"container.required_cuda": "12.8",
                                                       "nvml.cuda_driver_version": "12.4"}),
])
def test_captured_facts_are_converted(text, facts):
    got = {}
    for match in CAT.match(text):
        for f in match.facts:
            got.setdefault(f.name, f.value)
    for name, value in facts.items():
        assert got.get(name) == value, (name, got)


def test_conversions():
    from envcheck.knowledge.archs import cuda_int_text

    assert cuda_int_text(11040) == "11.4" and cuda_int_text(13000) == "13.0" and cuda_int_text(9020) == "9.2"
    assert M.convert("gpu.compute_capability", "sm_86") == "8.6"
    assert M.convert("gpu.compute_capability", "121") == "12.1"
    assert M.convert("torch.cudnn_version", "(8, 9, 7)") == 8907
    assert M.convert("torch.cudnn_version", "91002") == 91002
    assert M.convert("torch.cuda_build", "12.4") == "12.4"
    assert M.convert("loader.library", r"C:\x\torch\lib\c10.dll") == "c10.dll"
    assert M.convert("gpu.memory_held", "20.11 GiB") == int(20.11 * 2**30)
    assert M.convert("gpu.memory_free_gib", "4.12") == int(4.12 * 2**30)
    assert set(M.FACTS.values()) <= {"cuda", "cc", "arch_list", "cudnn", "int", "basename", "text", "bytes", "gib"}


def test_match_reports_line_span_and_ignores_colour_codes():
    text = "ok\n\x1b[31mRuntimeError: No CUDA GPUs are available\x1b[0m\nbye"
    (hit,) = CAT.match(text)
    assert hit.id == "torch_no_cuda_gpus" and hit.line == 2 and hit.kind == "error"
    clean = M.strip_colour(text)
    assert clean[hit.start:hit.end] == hit.text == "No CUDA GPUs are available"


def test_module_level_match_uses_the_packaged_table():
    assert [m.id for m in M.match("AssertionError: Torch not compiled with CUDA enabled")] == \
        ["torch_not_compiled_with_cuda"]
    assert M.match("all is well") == []


# ------------------------------------------------------------------ loader validation
def _row(**over):
    row = {"id": "x_y", "kind": "error", "summary": "s", "pattern": "abc (?P<v>\\d+)",
           "origin": {"project": "torch", "where": "w", "versions": "v"}, "facts": {"v": "gpu.index"},
           "supports": [{"finding": "torch_import_failed", "strength": "decisive"}], "examples": ["abc 1"]}
    row.update(over)
    return {"meta": {"source": ["s"], "checked": "2026-12-06"}, "message": [row]}


@pytest.mark.parametrize("over, words", [
    ({"kind": "fatal"}, "kind"),
    ({"pattern": "abc ("}, "does not compile"),
    ({"origin": {"project": "nobody", "where": "w", "versions": "v"}}, "origin"),
    ({"facts": {}}, "carry no fact"),
    ({"facts": {"v": "no.such.fact"}}, "not one of"),
    ({"supports": [], "note": ""}, "needs a note"),
    ({"supports": [{"finding": "f", "strength": "strong"}]}, "strength"),
    ({"examples": []}, "example"),
    ({"overlaps": ["nope"]}, "unknown ids"),
])
def test_malformed_tables_are_refused(over, words):
    with pytest.raises(SetupError, match=words):
        M.parse(_row(**over))
    assert M.parse(_row()).messages[0].id == "x_y"


# ------------------------------------------------------------------ coverage of upstream
def _normal(text: str) -> str:
    return " ".join(text.lower().split())


EXAMPLES = [_normal(e) for m in CAT.messages for e in m.examples]


def _covered(texts: Sequence[str], literal: str) -> Optional[str]:
    """Which entry matches, "ignored", "example" (a fragment found in an example), or None."""
    for text in texts:
        hits = CAT.match(text)
        if hits:
            return hits[0].id
    if any(CAT.ignored_reason(t) for t in texts):
        return "ignored"
    piece = _normal(literal)
    if len(piece) >= 12 and any(piece in e for e in EXAMPLES):
        return "example"
    return None


def _longest_piece(template: str) -> str:
    return max(template.split(X.HOLE), key=len)


def _report(name: str, results) -> None:
    counts = {}
    for _, how in results:
        key = how if how in ("ignored", "example", None) else "matched"
        counts[key] = counts.get(key, 0) + 1
    print(f"\n{name}: {json.dumps(counts, sort_keys=True, default=str)}")


def _check_python(messages) -> None:
    results = [(m, _covered(m.renderings(), _longest_piece(m.template))) for m in messages
               if m.resolved and X.is_setup_related(m.template)]
    _report("torch python messages", results)
    missing = [f"{m.path}:{m.line} {m.template[:100]!r}" for m, how in results if how is None]
    assert results and not missing, "not in the catalogue nor its ignore list:\n" + "\n".join(missing)


@pytest.mark.torch
def test_installed_torch_messages_are_all_catalogued_or_ignored():
    torch_dir = X.installed_torch_dir()
    if torch_dir is None:
        pytest.skip("torch is not installed: its sources cannot be read")
    print(f"\ntorch {X.torch_version(torch_dir)} at {torch_dir}")
    _check_python(X.python_messages(torch_dir))


def test_cuda_wheel_python_messages_are_all_catalogued_or_ignored():
    (fixture,) = UPSTREAM.glob("torch_*_python.txt")
    _check_python(X.read_python_fixture(fixture))


def _check_strings(name: str, rows) -> list:
    """Strings of compiled code: as they are, with a value after them (a C++ message is cut
    around its values), and with their printf holes filled."""
    results = []
    for _, s in rows:
        holes = X._percent_to_holes(s)
        texts = (s,) + tuple(s + f for f in X.FILLERS) + tuple(holes.replace(X.HOLE, f) for f in X.FILLERS)
        results.append((s, _covered(texts, _longest_piece(holes).strip())))
    _report(name, results)
    missing = [repr(s[:100]) for s, how in results if how is None]
    assert rows and not missing, "not in the catalogue nor its ignore list:\n" + "\n".join(missing)
    return results


def test_cuda_wheel_library_strings_are_all_catalogued_or_ignored():
    (fixture,) = UPSTREAM.glob("torch_*_cuda_strings.txt")
    _check_strings("torch library strings", X.read_binary_fixture(fixture))


def test_nvidia_runtime_library_texts_are_matched():
    """libcudart's, libnccl's and libnvrtc's own wording, as the catalogue expects it."""
    rows = X.read_binary_fixture(UPSTREAM / "nvidia_libraries_strings.txt")
    assert {lib.split(":")[0].split("-")[0] for lib, _ in rows} == {"nvidia_cuda_runtime", "nvidia_nccl_cu13",
                                                                     "nvidia_cuda_nvrtc"}
    _check_strings("NVIDIA runtime library texts", rows)


def test_fixture_headers_name_the_torch_version_and_the_wheel():
    for path in UPSTREAM.glob("torch_*"):
        head = path.read_text(encoding="utf-8").splitlines()[0]
        assert head.startswith("# ") and "torch 2." in head and ".whl" in head, path.name
        assert sum(1 for _ in path.open(encoding="utf-8")) < 400, path.name


def test_extraction_resolves_names_and_joined_lines(tmp_path):
    pkg = tmp_path / "torch" / "cuda"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text(
        "import warnings\n"
        "MSG = ('The NVIDIA driver on your system is too old (found version %s)')\n"
        "def f(v, name):\n"
        "    base = f'cuDNN version incompatibility: PyTorch was compiled against {v} '\n"
        "    lines = [f'Found GPU0 {name} which is of compute capability (CC) {v}.']\n"
        "    lines.append('tail')\n"
        "    warnings.warn('\\n'.join(lines))\n"
        "    raise RuntimeError(f'{base}but found runtime version {v}')\n"
        "def g(v):\n"
        "    raise RuntimeError(MSG % v)\n")
    found = {m.template for m in X.python_messages(tmp_path / "torch", ("cuda/__init__.py",))}
    assert found == {"Found GPU0 {} which is of compute capability (CC) {}.\ntail",
                     "cuDNN version incompatibility: PyTorch was compiled against {} but found runtime version {}",
                     "The NVIDIA driver on your system is too old (found version {})"}


def test_binary_strings_reads_printable_runs():
    data = b"\x00\x01The NVIDIA driver on your system is too old (found version \x00\x7fab\x00No CUDA GPUs are available\x00"
    assert list(X.binary_strings(data)) == ["The NVIDIA driver on your system is too old (found version ",
                                            "No CUDA GPUs are available"]


# ------------------------------------------------------------------ real cases
@pytest.mark.shared
def test_real_cases_point_at_their_expected_findings(shared):
    checked = 0
    for path in sorted((shared / "realcases").glob("case_*.json")):
        case = json.loads(path.read_text())
        hits = CAT.match(case.get("error_text") or "")
        if not hits:
            continue
        supported = {f for h in hits for f in CAT.get(h.id).findings()}
        assert supported & set(case["expected_diagnosis"]), (path.name, [h.id for h in hits])
        checked += 1
    assert checked >= 8


# ------------------------------------------------------------------ speed (figures, no assertions)
def _adversarial(size: int = 4 << 20, seed: int = 0) -> str:
    """Partial upstream messages, long lines, long runs and colour codes, 4 MiB."""
    rnd = random.Random(seed)
    parts = [ex[: max(1, int(len(ex) * cut))] for m in CAT.messages for ex in m.examples for cut in (0.3, 0.6, 0.9)]
    parts += [m.examples[0] for m in CAT.messages]
    pathological = [
        "The NVIDIA driver on your system is too old (found version " + "9" * 50_000,
        "lib" + "a" * 200_000 + ".so",
        "Found GPU0 " + "x" * 100_000,
        "with CUDA capability sm_" + "1" * 30_000,
        "NVRM: API mismatch: the client has the version 1.2, but" + " " * 100_000,
        "undefined symbol" + "_" * 100_000,
        "\x1b[31m" + "CUDA error: \x1b[0m" * 2000,
        "[" * 100_000,
        "a" * (1 << 20),
    ]
    out, n = [], 0
    while n < size:
        piece = rnd.choice(parts) if rnd.random() < 0.97 else rnd.choice(pathological)
        if rnd.random() < 0.2:
            piece = "\x1b[1;31m" + piece + "\x1b[0m"
        out.append(piece)
        n += len(piece) + 1
    return "\n".join(out)[:size]


def test_four_mib_adversarial_paste_completes():
    text = _adversarial()
    started = time.perf_counter()
    hits = CAT.match(text)
    took = time.perf_counter() - started
    print(f"\n4 MiB adversarial paste: {took:.3f} s, {len(hits)} matches")
    assert len(text) == 4 << 20 and hits


def test_four_mib_ordinary_log_completes():
    line = "2026-12-06 12:00:00 INFO step 1234 loss 0.1234 lr 3e-4 gpu0 mem 11.2 GiB\n"
    text = (line * ((4 << 20) // len(line) + 1))[: 4 << 20]
    started = time.perf_counter()
    hits = CAT.match(text + "\nRuntimeError: No CUDA GPUs are available\n")
    print(f"\n4 MiB ordinary log: {time.perf_counter() - started:.3f} s")
    assert [h.id for h in hits] == ["torch_no_cuda_gpus"]


def test_scanning_around_needles_finds_what_a_full_scan_finds():
    text = M.strip_colour(_adversarial(size=1 << 19, seed=7))
    windowed = {(h.id, h.start, h.end) for h in CAT.match(text)}
    full = {(m.id, x.start(), x.end()) for m in CAT.messages for x in m.pattern.finditer(text) if x.end() > x.start()}
    assert windowed == full
