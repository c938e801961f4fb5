"""explain.gated: a gate of a lazy (module-level) pattern is checked here, not at each start
(the parse of its long pattern cost every run): every gate the package makes passes the check."""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest

import envcheck.explain
from envcheck.explain import gated
from envcheck.explain.gated import Gated
from envcheck.lazyre import lazy


def test_every_gate_of_the_package_holds():
    for info in pkgutil.walk_packages(envcheck.explain.__path__, "envcheck.explain."):
        importlib.import_module(info.name)
    made = gated.made()
    assert len(made) >= 4
    for g in made:
        g.check()


def test_a_lazy_patterns_bad_gate_fails_the_check(monkeypatch):
    monkeypatch.setattr(gated, "_MADE", [])  # (these gates are not the package's)
    bad = Gated(lazy(r"\bno\s+gpu|without\s+cuda", re.I), ("no",))
    assert gated.made() == [bad]
    with pytest.raises(ValueError):
        bad.check()
    good = Gated(lazy(r"\bno\s+gpu|without\s+cuda", re.I), ("no", "without"))
    good.check()
    assert good.search("without CUDA").group(0) == "without CUDA" and good.search("nothing here") is None
