"""Does a finding survive without its main line? Evidence ablation on the development corpus.

For every broken case whose expected ids `envcheck explain` recalls, and for each expected id:

* **evidence**: the finding's main lines are blanked (the catalogued messages its evidence
  quotes, or those supporting it at the strongest strength present, with their repeats; the
  parsers' winning claims for the facts its evidence names), and the text is diagnosed again;
* **catalogue**: EVERY line any catalogued message matched is blanked (what is left is the
  tools' formats and the prose), and the text is diagnosed again.

Printed per id and in all: recalled, still found after each ablation, and the verdicts
after it. ``ok`` is counted on its own: a report whose decisive line is gone but which still
holds an error should never be called healthy (it may honestly be ``insufficient`` or
``unexplained``). Deterministic, no network; loads the cases with diagnosis_score's code.

Usage: python benchmarks/evidence_ablation.py [DIR] [--list] [--json]
(DIR defaults to tests/corpus/diagnosis/cases; --list prints every ablated miss with the lines
blanked, and every ``ok`` after an ablation.)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Dict, Iterable, List, Set, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))

import diagnosis_score  # noqa: E402  (puts the repository root on sys.path too)

from envcheck.explain import diagnose, fix_context, source  # noqa: E402
from envcheck.explain.source import Pasted  # noqa: E402
from envcheck.knowledge.messages import catalogue  # noqa: E402

DEFAULT = diagnosis_score.ROOT / "tests" / "corpus" / "diagnosis" / "cases"
ABLATIONS = ("evidence", "catalogue")
_INDEX = re.compile(r"\[[^\]]*\]")
# An evidence value this short or this common says nothing about where it was read.
_VAGUE = {"true", "false", "none", "0", "1", "ok", "yes", "no", "(none)", "none)"}


def _message_lines(doc: Pasted, matches: Iterable) -> Set[int]:
    """0-based lines a catalogued match spans."""
    out: Set[int] = set()
    for m in matches:
        first = m.line - 1
        last = doc.line_of(max(m.end - 1, m.start))
        out.update(range(first, max(first, last) + 1))
    return out


def _claims(doc: Pasted) -> Dict[str, List[Tuple[int, int, str]]]:
    """Fact path (no indices) → (rank, line, value as text) of every claim the parsers made."""
    from envcheck.explain.parsers import PARSERS

    found = fix_context.demote(doc, [parse(doc) for parse in PARSERS])
    out: Dict[str, List[Tuple[int, int, str]]] = defaultdict(list)
    for f in found:
        for c in f.claims:
            out[c.path].append((c.rank, c.line, f"{c.reading.value} {c.reading.detail or ''}"))
        for g in f.gpus:
            for name, reading in g.fields:
                out[f"nvml.gpus.{name}"].append((g.rank, g.line, f"{reading.value} {reading.detail or ''}"))
                out["nvml.gpus"].append((g.rank, g.line, str(reading.value)))
        for it in f.items:
            out[it.path].append((it.rank, it.line, f"{it.key} {it.value}"))
    return out


def _value_parts(value: str) -> List[str]:
    parts = [p.strip(" '\"()") for p in re.split(r",\s*|\s+×\s+", value)]
    return [p for p in parts if len(p) >= 2 and p.lower() not in _VAGUE]


def evidence_lines(doc: Pasted, finding, claims: Dict[str, List[Tuple[int, int, str]]]) -> Set[int]:
    """The lines ``finding`` rests on, its main lines: the catalogued messages its evidence
    quotes, or else those that support it at the strongest strength the text holds (every
    repeat of them); and for each fact its evidence names, the claims the assembler took (the
    highest rank among those holding the value; a lower-ranked claim of the same fact is other
    evidence, which the ablation leaves in place)."""
    cat = catalogue()
    quoted = [" ".join(e.value.split())[:40] for e in finding.evidence if e.fact.endswith(" messages")]
    ids = {m.id for m in doc.messages if any(q and q in " ".join(m.text.split()) for q in quoted)}
    if not ids:
        for strength in ("decisive", "probable", "supporting"):
            ids = {m.id for m in doc.messages if finding.id in cat.get(m.id).findings(strength)}
            if ids:
                break
    out = _message_lines(doc, [m for m in doc.messages if m.id in ids])
    for e in finding.evidence:
        if e.fact.endswith(" messages") or " table" in e.fact:
            continue
        path = _INDEX.sub("", e.fact.split(" (")[0]).replace("..", ".")
        at = claims.get(path, [])
        parts = _value_parts(e.value)
        hit = [c for c in at if any(p in c[2] for p in parts)] if parts else []
        hit = hit or at
        top = max((rank for rank, _, _ in hit), default=None)
        out.update(line for rank, line, _ in hit if rank == top)
    return out


def blanked(doc: Pasted, lines: Set[int]) -> Pasted:
    return Pasted(tuple("" if i in lines else line for i, line in enumerate(doc.lines)))


def _diagnose(doc: Pasted):
    _, report = diagnose(doc, collected_at="")
    return {f.id for f in report.findings}, report.verdict


def ablate(path: Path) -> List[Dict[str, object]]:
    """One row per expected id the case recalls: what is left after each ablation."""
    case = json.loads(path.read_text(encoding="utf-8"))
    if case["kind"] != "broken":
        return []
    doc = source.normalise(case["text"])
    _, report = diagnose(doc, collected_at="")
    found = {f.id: f for f in report.findings}
    if not set(case["expected_ids"]) <= set(found):
        return []
    claims = _claims(doc)
    every = _message_lines(doc, doc.messages)
    after_all = _diagnose(blanked(doc, every)) if every else (set(found), report.verdict)
    rows = []
    for fid in case["expected_ids"]:
        lines = evidence_lines(doc, found[fid], claims)
        after = _diagnose(blanked(doc, lines)) if lines else (set(found), report.verdict)
        rows.append({"file": path.name, "id": fid, "lines": sorted(lines), "every": sorted(every),
                     "evidence": {"found": fid in after[0], "verdict": after[1]},
                     "catalogue": {"found": fid in after_all[0], "verdict": after_all[1]}})
    return rows


def summary(rows: List[Dict[str, object]]) -> Dict[str, object]:
    per_id: Dict[str, Dict[str, object]] = {}
    for r in rows:
        s = per_id.setdefault(r["id"], {"recalled": 0, **{a: {"found": 0, "verdicts": Counter()} for a in ABLATIONS}})
        s["recalled"] += 1
        for a in ABLATIONS:
            s[a]["found"] += r[a]["found"]
            s[a]["verdicts"][r[a]["verdict"]] += 1
    total = {"recalled": len(rows)}
    for a in ABLATIONS:
        total[a] = {"found": sum(r[a]["found"] for r in rows),
                    "verdicts": dict(Counter(r[a]["verdict"] for r in rows)),
                    "ok": sum(r[a]["verdict"] == "ok" for r in rows)}
    return {"total": total, "per_id": {k: {"recalled": v["recalled"],
                                           **{a: {"found": v[a]["found"], "verdicts": dict(v[a]["verdicts"])}
                                              for a in ABLATIONS}} for k, v in sorted(per_id.items())}}


def _verdicts(v: Dict[str, int]) -> str:
    return " ".join(f"{k}={v[k]}" for k in ("error", "warning", "unexplained", "insufficient", "ok") if v.get(k))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", nargs="?", default=str(DEFAULT))
    ap.add_argument("--list", action="store_true", help="print every ablated miss and every ok after an ablation")
    ap.add_argument("--json", action="store_true", help="the figures as JSON")
    args = ap.parse_args()
    rows = [r for p in sorted(Path(args.dir).glob("*.json")) for r in ablate(p)]
    s = summary(rows)
    if args.json:
        print(json.dumps(s, indent=2))
        return 0
    t = s["total"]
    print(f"{args.dir}: {t['recalled']} recalled (case, expected id) pairs")
    for a in ABLATIONS:
        what = "its own evidence lines blanked" if a == "evidence" else "every catalogued message's lines blanked"
        print(f"  {a:9s} ({what}): still found {t[a]['found']}/{t['recalled']} = "
              f"{t[a]['found'] / max(t['recalled'], 1):.0%}; verdicts {_verdicts(t[a]['verdicts'])}; ok {t[a]['ok']}")
    print(f"  {'id':42s} {'recalled':>8s}  {'evidence: found / verdicts':40s}  catalogue: found / verdicts")
    for fid, v in s["per_id"].items():
        ev, ca = v["evidence"], v["catalogue"]
        print(f"  {fid:42s} {v['recalled']:8d}  {ev['found']:3d} {_verdicts(ev['verdicts']):36s}  "
              f"{ca['found']:3d} {_verdicts(ca['verdicts'])}")
    if args.list:
        for r in rows:
            for a in ABLATIONS:
                if not r[a]["found"]:
                    blank = r["lines"] if a == "evidence" else r["every"]
                    flag = "OK!" if r[a]["verdict"] == "ok" else "miss"
                    print(f"{flag:4s} {a:9s} {r['file']} {r['id']} -> {r[a]['verdict']} (blanked lines "
                          f"{', '.join(str(i + 1) for i in blank[:12])}{' ...' if len(blank) > 12 else ''})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
