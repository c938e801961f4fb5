"""`envcheck explain` refuses a bad file before it loads the readers, rules and renderers
(an empty file took 0.5 s, nearly all of it imports)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_PROBE = """
import json, sys
from envcheck.cli import cli
try:
    cli.main(["explain", sys.argv[1]])
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "loaded": sorted(m for m in sys.modules if m.startswith("envcheck."))}))
"""


def _run(path: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", _PROBE, str(path)], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_an_empty_file_is_refused_without_loading_the_readers(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    out = _run(empty)
    assert out["code"] == 2
    assert not [m for m in out["loaded"] if m.startswith(("envcheck.explain.parsers", "envcheck.report",
                                                          "envcheck.rules", "envcheck.recipes"))]


def test_a_paste_still_loads_them_and_is_explained(tmp_path):
    paste = tmp_path / "paste.txt"
    paste.write_text("RuntimeError: Found no NVIDIA driver on your system.\n")
    out = _run(paste)
    assert out["code"] == 1
    assert "envcheck.explain.parsers.error_messages" in out["loaded"] and "envcheck.report.text" in out["loaded"]
