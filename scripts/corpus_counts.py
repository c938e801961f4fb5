"""Print the diagnosis corpus's counts as Markdown tables (for tests/corpus/diagnosis/README.md).

Usage: python scripts/corpus_counts.py

Counts only (kind, expected id, language, the blind evidence audit): no case text is read
beyond those fields, so the unseen sets can be counted without being looked at.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "corpus" / "diagnosis"
SETS = ("cases", "heldout", "fresh4", "fresh5")


def main() -> None:
    rows = {s: [json.loads(p.read_text(encoding="utf-8")) for p in sorted((CORPUS / s).glob("*.json"))]
            for s in SETS if (CORPUS / s).is_dir()}
    audit_file = CORPUS / "EVIDENCE.json"
    audit = json.loads(audit_file.read_text(encoding="utf-8")) if audit_file.exists() else {}
    names = list(rows)
    print("| | " + " | ".join(f"`{n}/`" for n in names) + " | total |")
    print("|---" * (len(names) + 2) + "|")
    for kind in ("broken", "healthy"):
        counts = [sum(c["kind"] == kind for c in rows[n]) for n in names]
        print(f"| {kind} | " + " | ".join(map(str, counts)) + f" | {sum(counts)} |")
    for verdict in ("text", "partial", "outside"):
        counts = [sum(v == verdict for k, v in audit.items() if k.split("/")[0] == n) for n in names]
        print(f"| broken, audit `{verdict}` | " + " | ".join(map(str, counts)) + f" | {sum(counts)} |")
    langs = Counter((n, c.get("language", "?")) for n in names for c in rows[n])
    for lang in sorted({lang for _, lang in langs}):
        counts = [langs[(n, lang)] for n in names]
        print(f"| language `{lang}` | " + " | ".join(map(str, counts)) + f" | {sum(counts)} |")
    print()
    print("| id | " + " | ".join(f"`{n}/`" for n in names) + " | total |")
    print("|---" * (len(names) + 2) + "|")
    ids = Counter((n, i) for n in names for c in rows[n] for i in c["expected_ids"])
    for fid in sorted({i for _, i in ids}):
        counts = [ids[(n, fid)] for n in names]
        print(f"| `{fid}` | " + " | ".join(map(str, counts)) + f" | {sum(counts)} |")


if __name__ == "__main__":
    main()
