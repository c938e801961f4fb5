"""Score `envcheck explain` on a corpus of real reports (tests/corpus/diagnosis/).

Each case file holds a report's verbatim text, its kind (broken / healthy) and the finding
ids a correct diagnosis must report. The text goes through exactly what `envcheck explain`
does (read, facts, rules, verdict) and the script prints:

* recall: broken cases whose expected ids are all among the findings (and per id);
* silent on broken: broken cases given verdict "ok" (exit 0, "no problems found");
* false errors on healthy: healthy cases given any error finding;
* the verdicts, and the time per case.

With --big it also times explain on three generated inputs just under the 4 MiB limit (a
paste-like mix of reports and tracebacks, a colour-code heavy log, one huge line), each
answered by `envcheck explain FILE` in a fresh process, timed from start to exit (--runs N: the
best and the median of N runs, with the machine's load average before and after).

Usage: python benchmarks/diagnosis_score.py [DIR] [--list] [-v] [--json] [--big [--runs N] [--bytecode] [--no-stored-re] [--big-only]]
(DIR defaults to tests/corpus/diagnosis/cases; --list prints every miss and false error, -v
every case: verdict, findings with their confidence, what was recognised, the catalogued
messages, the unexplained ones and the facts a verdict missed.)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from envcheck.derived.messages import stated  # noqa: E402
from envcheck.errors import EnvcheckError  # noqa: E402
from envcheck.explain import diagnose, source  # noqa: E402
from envcheck.rules.catalogue import CATALOGUE  # noqa: E402


def run_case(path: Path, title: bool = False) -> Dict[str, object]:
    """``title``: the thread's title above the text, as a user pasting a whole issue gives it."""
    case = json.loads(path.read_text(encoding="utf-8"))
    t0 = time.perf_counter()
    detail: Dict[str, object] = {}
    text = f"{case.get('title', '')}\n\n{case['text']}" if title else case["text"]
    try:
        explanation, report = diagnose(source.normalise(text), collected_at="")
        ids = sorted({f.id for f in report.findings})
        errors = sorted({f.id for f in report.findings if f.severity.value == "error"})
        verdict = report.verdict
        j = report.judgement
        detail = {
            "findings": [f"{f.id} ({f.severity.value}, {f.confidence.value})" for f in report.findings],
            "recognised": list(explanation.recognised),
            "messages": sorted({s.id for s in stated(explanation.facts)}),
            "unexplained": [f"{u.message or '?'}: {u.text[:100]}" for u in j.unexplained],
            "missing": [what for what, _ in j.missing],
        }
    except EnvcheckError as exc:  # envcheck's own JSON: a usage error, not a verdict
        ids, errors, verdict = [], [], "refused"
        detail = {"refused": str(exc)}
    return {"file": path.name, "kind": case["kind"], "expected": case["expected_ids"], "found": ids,
            "errors": errors, "verdict": verdict, "seconds": time.perf_counter() - t0, "detail": detail}


def score(results: List[Dict[str, object]]) -> Dict[str, object]:
    broken = [r for r in results if r["kind"] == "broken"]
    healthy = [r for r in results if r["kind"] == "healthy"]
    hit = [r for r in broken if set(r["expected"]) <= set(r["found"])]
    # The measure: reports whose root cause the catalogue has an id for. A report whose
    # confirmed cause has none yet (its expected ids name a proposed one) cannot be recalled.
    known = [r for r in broken if set(r["expected"]) <= set(CATALOGUE)]
    per_id: Dict[str, List[int]] = defaultdict(lambda: [0, 0])
    for r in broken:
        for fid in r["expected"]:
            per_id[fid][1] += 1
            per_id[fid][0] += fid in r["found"]
    return {
        "cases": len(results), "broken": len(broken), "healthy": len(healthy),
        "recall": len(hit) / len(broken) if broken else None, "recalled": len(hit),
        "catalogued": len(known), "recalled_catalogued": sum(r in hit for r in known),
        "silent_on_broken": sum(r["verdict"] == "ok" for r in broken),
        "false_errors_on_healthy": sum(bool(r["errors"]) for r in healthy),
        "per_id": {k: {"found": v[0], "cases": v[1]} for k, v in sorted(per_id.items())},
        "verdicts_broken": dict(Counter(r["verdict"] for r in broken)),
        "verdicts_healthy": dict(Counter(r["verdict"] for r in healthy)),
        "max_seconds": max((r["seconds"] for r in results), default=0.0),
    }


# A blind audit (tests/corpus/diagnosis/EVIDENCE.json, by a reader who saw neither the code nor
# any result): could an expert name each broken report's expected ids from its text alone?
# "text": yes; "partial": as one of two or three likely causes; "outside": no (the cause was
# found in later replies, a screenshot, facts never pasted).
EVIDENCE = ROOT / "tests" / "corpus" / "diagnosis" / "EVIDENCE.json"
EVIDENCE_WORDS = {"text": "an expert names it from the text", "partial": "one of a few likely causes",
                  "outside": "the cause is not in the text"}


def by_evidence(results: List[Dict[str, object]], directory: Path) -> Dict[str, List[int]]:
    """Recall per audit verdict, for the broken reports the audit covers: {kind: [recalled, cases]}."""
    if not EVIDENCE.exists():
        return {}
    audit = json.loads(EVIDENCE.read_text(encoding="utf-8"))
    out: Dict[str, List[int]] = {}
    for r in results:
        kind = audit.get(f"{directory.name}/{r['file']}")
        if r["kind"] == "broken" and kind in EVIDENCE_WORDS:
            row = out.setdefault(kind, [0, 0])
            row[0] += set(r["expected"]) <= set(r["found"])
            row[1] += 1
    return {k: out[k] for k in EVIDENCE_WORDS if k in out}


LIMIT = 4 * 2**20 - 4096  # bytes: just under explain's 4 MiB input limit


def _cut(text: str) -> str:
    """``text`` cut to LIMIT bytes of UTF-8 (the corpus holds Chinese: characters are not bytes)."""
    return text.encode("utf-8")[:LIMIT].decode("utf-8", errors="ignore")


def big_inputs(cases: List[Path]) -> Dict[str, str]:
    """Three large inputs built from the corpus texts (nothing from outside the repository)."""
    texts = [json.loads(p.read_text(encoding="utf-8"))["text"] for p in cases]
    mix = "\n\n".join(texts)
    paste = _cut(mix * (LIMIT // max(len(mix.encode("utf-8")), 1) + 1))
    colour = _cut("".join(f"\x1b[3{i % 8}m{line}\x1b[0m\n" for i, line in enumerate(paste.splitlines())))
    # rsyslog's "#012" is a newline to explain (source.normalise): the one line holds none.
    one_line = paste.replace("\n", " ").replace("#012", " ")
    return {"paste-like": paste, "colour codes": colour, "one line": one_line}


def _load() -> str:
    """The machine's load averages (1, 5, 15 minutes): a shared machine's timings mean little without them."""
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


# --no-stored-re: `python -m envcheck` with the checked-in regex code (knowledge/data/compiled_re.json)
# out of reach, as under any Python other than the one that wrote it.
_NO_STORED_RE = ("import pathlib, runpy, sys; import envcheck.lazyre as lazyre; "
                 "lazyre.STORE = pathlib.Path('/nonexistent/compiled_re.json'); sys.argv[0] = 'envcheck'; "
                 "runpy.run_module('envcheck', run_name='__main__', alter_sys=True)")


def time_big(cases: List[Path], runs: int = 1, bytecode: bool = False, stored_re: bool = True) -> None:
    """Each input as a user meets it: `envcheck explain FILE` in a fresh process, wall clock
    from start to exit (start-up, reading, diagnosis, the text report); with ``runs`` > 1 the
    best and the median of that many runs, and the CPU time (user + system) of the best.

    ``bytecode``: the processes keep compiled modules in a cache (a temporary
    PYTHONPYCACHEPREFIX, filled by one untimed run), as an installed package has them; without
    it they run as this process's environment says (with PYTHONDONTWRITEBYTECODE set, every
    start compiles all of envcheck's modules from source, ~0.15 s).

    ``stored_re`` False: the checked-in regex code is not used, as under another Python; the
    per-user store (lazyre.keep_compiled) starts empty for each input, so the first of the runs
    compiles every pattern it uses and the later ones read what it kept. Every run's per-user
    store is a temporary directory (never the user's own cache)."""
    print(f"load average before: {_load()}")
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not bytecode or k != "PYTHONDONTWRITEBYTECODE"}
        env["ENVCHECK_REGEX_CACHE"] = "off"  # never the user's own per-user store (each input gets its own below)
        command = [sys.executable, "-m", "envcheck"] if stored_re else [sys.executable, "-c", _NO_STORED_RE]
        if bytecode:
            env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
            subprocess.run(command + ["explain", "-"], input="warm-up", capture_output=True, text=True, cwd=ROOT,
                           env=env)
            print("with compiled modules cached (--bytecode)")
        if not stored_re:
            print("without the checked-in regex code (--no-stored-re; the first run of each input fills the per-user store)")
        for name, text in big_inputs(cases).items():
            path = Path(tmp) / "input.txt"
            path.write_text(text, encoding="utf-8")
            timings = []
            if os.environ.get("ENVCHECK_REGEX_CACHE") != "off":  # off: no per-user store at all
                env["ENVCHECK_REGEX_CACHE"] = str(Path(tmp) / f"regex-{len(name)}-{name[0]}")
            for _ in range(runs):
                cpu0 = os.times()
                t0 = time.perf_counter()
                done = subprocess.run(command + ["explain", str(path)], capture_output=True, text=True, cwd=ROOT,
                                      env=env)
                seconds = time.perf_counter() - t0
                cpu1 = os.times()
                cpu = (cpu1.children_user - cpu0.children_user) + (cpu1.children_system - cpu0.children_system)
                timings.append((seconds, cpu))
            said = done.stderr.strip().splitlines()[-1] if done.returncode == 2 else f"exit {done.returncode}"
            size = f"{name:14s} {path.stat().st_size / 2**20:.2f} MiB"
            if runs == 1:
                print(f"{size}  {timings[0][0]:.2f} s  ({said})")
                continue
            walls = sorted(t for t, _ in timings)
            first = "" if stored_re else f", first {timings[0][0]:.2f} s"
            print(f"{size}  best {walls[0]:.2f} s, median {statistics.median(walls):.2f} s of {runs}{first} "
                  f"(CPU {min(timings)[1]:.2f} s)  ({said})")
    print(f"load average after: {_load()}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", nargs="?", default=str(ROOT / "tests" / "corpus" / "diagnosis" / "cases"))
    ap.add_argument("--list", action="store_true", help="print every missed case and every false error")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every case with what explain made of it")
    ap.add_argument("--json", action="store_true", help="the figures as JSON")
    ap.add_argument("--big", action="store_true", help="also time explain on generated 4 MiB inputs")
    ap.add_argument("--runs", type=int, default=1, help="with --big: runs per input (best and median printed)")
    ap.add_argument("--bytecode", action="store_true",
                    help="with --big: keep compiled modules in a cache, as an installed package has them")
    ap.add_argument("--no-stored-re", action="store_true",
                    help="with --big: leave the checked-in regex code unused, as under another Python")
    ap.add_argument("--big-only", action="store_true", help="with --big: only the timings, no scoring")
    ap.add_argument("--title", action="store_true",
                    help="feed each report with its thread's title above the text (a robustness check: the "
                         "corpus's figures are on the text alone)")
    args = ap.parse_args()
    if args.big:
        time_big(sorted(Path(args.dir).glob("*.json")), max(1, args.runs), args.bytecode, not args.no_stored_re)
        if args.big_only:
            return 0
    results = [run_case(p, args.title) for p in sorted(Path(args.dir).glob("*.json"))]
    s = score(results)
    s["by_evidence"] = by_evidence(results, Path(args.dir))
    if args.json:
        print(json.dumps(s, indent=2))
        return 0
    print(f"{args.dir}: {s['cases']} cases ({s['broken']} broken, {s['healthy']} healthy)"
          + (", each with its thread's title above its text" if args.title else ""))
    if s["recall"] is not None:
        print(f"recall: {s['recalled']}/{s['broken']} = {s['recall']:.0%} (all expected ids among the findings)")
        if s["catalogued"] < s["broken"]:
            c = s["catalogued"]
            print(f"recall on the {c} whose cause has a catalogue id: {s['recalled_catalogued']}/{c} = "
                  f"{s['recalled_catalogued'] / c if c else 0:.0%} ({s['broken'] - c} name a proposed id)")
    if s["by_evidence"]:
        print("recall by the blind audit of what each text holds (tests/corpus/diagnosis/EVIDENCE.json):")
    for kind, (hit, n) in s["by_evidence"].items():
        print(f"  {kind:8s} {EVIDENCE_WORDS[kind]:38s} {hit}/{n} = {hit / n:.0%}")
    print(f"silent on broken (verdict ok): {s['silent_on_broken']}/{s['broken']}")
    print(f"false errors on healthy (any error finding): {s['false_errors_on_healthy']}/{s['healthy']}")
    print(f"verdicts, broken: {s['verdicts_broken']}; healthy: {s['verdicts_healthy']}")
    print(f"slowest case: {s['max_seconds']:.2f} s")
    print("per id (found/cases):")
    for fid, v in s["per_id"].items():
        print(f"  {fid:42s} {v['found']}/{v['cases']}")
    if args.verbose:
        for r in results:
            hit = set(r["expected"]) <= set(r["found"]) if r["kind"] == "broken" else not r["errors"]
            print(f"{'ok  ' if hit else 'MISS'} {r['file']} [{r['kind']}] expected {r['expected']} -> {r['verdict']}")
            for key, value in r["detail"].items():
                if value:
                    print(f"       {key}: {value}")
    if args.list:
        for r in results:
            if r["kind"] == "broken" and not set(r["expected"]) <= set(r["found"]):
                print(f"MISS {r['file']}: expected {r['expected']}, found {r['found']} ({r['verdict']})")
            if r["kind"] == "healthy" and r["errors"]:
                print(f"FALSE ERROR {r['file']}: {r['errors']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
