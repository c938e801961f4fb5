"""explain.gated: a gate of a lazy (module-level) pattern is checked at its first search, not
when its module is imported; every gate the package makes passes the check."""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest

import envcheck.explain.parsers
from envcheck.explain import gated
from envcheck.explain.gated import Gated
from envcheck.lazyre import lazy


def test_every_gate_of_the_package_holds():
    for info in pkgutil.walk_packages(envcheck.explain.parsers.__path__, "envcheck.explain.parsers."):
        importlib.import_module(info.name)
    made = gated.made()
    assert len(made) >= 4
    for g in made:
        g.check()
        assert vars(g)["search"] == g._search


def test_a_lazy_patterns_bad_gate_is_refused_at_its_first_search(monkeypatch):
    monkeypatch.setattr(gated, "_MADE", [])  # (these gates are not the package's)
    g = Gated(lazy(r"\bno\s+gpu|without\s+cuda", re.I), ("no",))  # made: not checked yet
    with pytest.raises(ValueError):
        g.search("I have no gpu")
    good = Gated(lazy(r"\bno\s+gpu|without\s+cuda", re.I), ("no", "without"))
    assert good.search("without CUDA").group(0) == "without CUDA"
    assert good.search("nothing here") is None and vars(good)["search"] == good._search
