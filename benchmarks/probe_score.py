"""Score `envcheck explain` on blind-written probes (tests/corpus/probes/).

The probes are short pastes written by a session that read only the finding catalogue
(`envcheck/rules/catalogue.py`), never the readers: 8 per finding id for 35 ids and 80 from
working machines, split in two halves by a hash of their id (`dev.json` to look at while
widening the readers, `held.json` never read). They are synthetic: they measure how far the
readers reach beyond the phrasings of the real corpus, not how real reports fare (that is
`benchmarks/diagnosis_score.py`).

Usage: python benchmarks/probe_score.py [FILE] [-v]   (FILE defaults to tests/corpus/probes/dev.json)
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from envcheck.explain import diagnose, source  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", nargs="?", default=str(ROOT / "tests" / "corpus" / "probes" / "dev.json"))
    ap.add_argument("-v", "--verbose", action="store_true", help="print every miss and false error")
    args = ap.parse_args()
    probes = json.loads(Path(args.file).read_text(encoding="utf-8"))
    per: Dict[str, List[int]] = defaultdict(lambda: [0, 0])
    missed, false_errors, silent = [], [], 0
    for p in probes:
        _, report = diagnose(source.normalise(p["text"]), collected_at="")
        ids = {f.id for f in report.findings}
        if p["kind"] == "broken":
            for fid in p["expected_ids"]:
                per[fid][1] += 1
                per[fid][0] += fid in ids
            if not set(p["expected_ids"]) <= ids:
                missed.append(f"MISS {p['id']}: expected {p['expected_ids']}, found {sorted(ids)} ({report.verdict})")
            silent += report.verdict == "ok"
        elif any(f.severity.value == "error" for f in report.findings):
            false_errors.append(f"FALSE ERROR {p['id']}: {sorted(f.id for f in report.findings if f.severity.value == 'error')}")
    broken = sum(p["kind"] == "broken" for p in probes)
    healthy = len(probes) - broken
    print(f"{args.file}: {broken} broken, {healthy} healthy")
    print(f"recall: {broken - len(missed)}/{broken} = {(broken - len(missed)) / broken:.0%}")
    print(f"silent on broken (verdict ok): {silent}/{broken}")
    print(f"false errors on healthy: {len(false_errors)}/{healthy}")
    for fid, (hit, n) in sorted(per.items()):
        print(f"  {fid:42s} {hit}/{n}")
    if args.verbose:
        print("\n".join(missed + false_errors))
    return 0


if __name__ == "__main__":
    sys.exit(main())
