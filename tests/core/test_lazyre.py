"""Patterns compiled on first use (envcheck/lazyre.py) behave as re.compile's, and every one
the package makes compiles (an error would otherwise show at a paste's first use of it)."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

from envcheck import lazyre
from envcheck.lazyre import LazyPattern, lazy

REPO = Path(__file__).resolve().parents[2]


def test_a_lazy_pattern_compiles_on_first_use_and_then_calls_the_compiled_methods():
    p = lazy(r"(?i)cuda (?P<v>\d+)")
    assert isinstance(p, LazyPattern) and "_compiled" not in vars(p)
    assert p.pattern == r"(?i)cuda (?P<v>\d+)" and "_compiled" not in vars(p)  # known without compiling
    assert p.search("CUDA 12").group("v") == "12"
    assert vars(p)["search"] == p.compiled.search  # the compiled pattern's own method from now on
    assert p.flags & re.IGNORECASE and p.groupindex == {"v": 1} and p.groups == 1


def test_every_method_answers_as_the_compiled_pattern():
    text = "a1 b22 c333"
    for args in [("search", text), ("match", text), ("fullmatch", "a1"), ("findall", text), ("split", text),
                 ("sub", "#", text), ("subn", "#", text)]:
        name, rest = args[0], args[1:]
        want = getattr(re.compile(r"[a-z](\d+)"), name)(*rest)
        got = getattr(lazy(r"[a-z](\d+)"), name)(*rest)
        assert (got.span() if isinstance(got, re.Match) else got) == (
            want.span() if isinstance(want, re.Match) else want), name
    assert [m.span() for m in lazy(r"\d+").finditer(text, 3)] == [m.span() for m in re.compile(r"\d+").finditer(text, 3)]


def test_every_lazy_pattern_of_the_package_compiles():
    # scripts/compile_data.py imports every module and loads the catalogue to find them all
    spec = importlib.util.spec_from_file_location("compile_data", REPO / "scripts" / "compile_data.py")
    script = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = script
    spec.loader.exec_module(script)
    script.lazy_patterns()
    made = lazyre.made()
    assert len(made) > 100
    for p in made:
        assert isinstance(p.compiled, re.Pattern), p


def test_the_rarer_methods_and_repr_of_a_lazy_pattern():
    from envcheck.lazyre import lazy as _lazy
    p = _lazy(r"a(b)")
    assert repr(p) == "lazy('a(b)', 0)"
    assert p.scanner("xab").search().group(1) == "b"
    assert repr(p) == "lazy('a(b)', 0)"  # the same once compiled
