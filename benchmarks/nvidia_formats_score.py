"""Grade `envcheck explain` on a directory of real NVIDIA tool outputs with hand-read sidecars.

Each ``<slug>.txt|.xml`` beside a ``<slug>.truth.json`` (format: tests/corpus/nvidia/README.md)
goes through the same code path as ``envcheck explain FILE`` (read → facts → rules). Every
field the sidecar fills is graded:

* **right** — envcheck's value equals the sidecar's;
* **wrong** — envcheck gives another value, or one where the sidecar says the output shows none;
* **missed** — the sidecar has a value and envcheck has none.

Fields: driver, CUDA, GPU count, names (per GPU), memory (per GPU), abnormal states (each one
must give its finding; a health finding no abnormal state asks for is *wrong*). "Refused"
counts inputs envcheck rejected as "nothing recognised".

Usage: python benchmarks/nvidia_formats_score.py DIR [--verbose] [--json]
(``tests/explain/test_nvidia_formats_corpus.py`` uses :func:`grade_dir` to lock in what passes.)
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from envcheck.errors import EnvcheckError  # noqa: E402
from envcheck.explain import diagnose  # noqa: E402
from envcheck.explain.gpu_names import is_truncated  # noqa: E402
from envcheck.explain.source import from_bytes  # noqa: E402
from envcheck.facts import Facts, GpuFacts  # noqa: E402

MIB = 1 << 20
FIELDS = ("driver", "cuda", "gpu_count", "names", "memory", "abnormal")

# An abnormal state the sidecar names → the findings that report it (any one of them), or a
# fact check where the finding belongs to a rule outside this work (the interconnect rules).
ABNORMAL_FINDINGS: Dict[str, Tuple[str, ...]] = {
    "gpu_lost": ("gpu_lost",),
    "no_devices": ("driver_found_no_gpu", "gpu_lost"),
    "row_remap_pending": ("row_remap_pending",),
    "ecc_errors": ("ecc_errors",),
    "nvlink_inactive": ("nvlink_link_down",),
    "power_implausible": ("gpu_reading_implausible",),
    "power_err": ("nvml_query_errors",),
    "cuda_version_err": ("nvml_query_errors",),
    "uuid_missing": ("gpu_uuid_missing",),
    "cuda_driver_insufficient": ("cuda_toolkit_newer_than_driver", "driver_too_old_for_torch_cuda"),
    "cuda_unknown_error": ("cuda_init_failed",),
}
# Findings that say a GPU or its readings are abnormal: one that no abnormal state asks for is a false alarm.
HEALTH_FINDINGS = {f for ids in ABNORMAL_FINDINGS.values() for f in ids} | {
    "retired_pages_pending", "row_remap_failed", "xid_errors_logged", "nvml_unavailable", "nvml_unresponsive"}


@dataclass
class Grade:
    slug: str
    format: str
    refused: bool = False
    error: str = ""
    seconds: float = 0.0  # read → facts → rules
    # field → list of (outcome, what) with outcome in right / wrong / missed
    outcomes: Dict[str, List[Tuple[str, str]]] = field(default_factory=lambda: {f: [] for f in FIELDS})

    def add(self, name: str, outcome: str, what: str) -> None:
        self.outcomes[name].append((outcome, what))

    def passed(self) -> Dict[str, bool]:
        """field → every outcome right (fields the sidecar does not grade are left out)."""
        return {k: all(o == "right" for o, _ in v) for k, v in self.outcomes.items() if v}


def _scalar(g: Grade, name: str, truth: Optional[str], got_reading) -> None:
    got = got_reading.value if got_reading.ok else None
    if truth is None:
        if got is not None:
            g.add(name, "wrong", f"the output shows none, envcheck says {got}")
    elif got is None:
        g.add(name, "missed", f"expected {truth}")
    elif str(got) == str(truth):
        g.add(name, "right", str(truth))
    else:
        g.add(name, "wrong", f"expected {truth}, got {got}")


def _bus(b: Optional[str]) -> Optional[str]:
    return b.lower()[-7:] if b else None


def _match(truth_gpus: List[dict], gpus: Tuple[GpuFacts, ...]) -> List[Optional[GpuFacts]]:
    """The facts GPU for each sidecar GPU: by bus id where both have one, else by position."""
    by_bus = {_bus(x.pci_bus_id.value): x for x in gpus if x.pci_bus_id.ok}
    out: List[Optional[GpuFacts]] = []
    for i, t in enumerate(truth_gpus):
        hit = by_bus.get(_bus(t.get("bus_id"))) if t.get("bus_id") else None
        out.append(hit if hit is not None else (gpus[i] if i < len(gpus) else None))
    return out


def _name(g: Grade, i: int, t: dict, x: Optional[GpuFacts]) -> None:
    want = t.get("name")
    if want is None:
        return
    if x is None or not x.name.ok:
        g.add("names", "missed", f"GPU {i}: expected {want!r}")
        return
    cut = bool(t.get("name_truncated"))
    want_text = want[:-3].rstrip() if cut and want.endswith("...") else want
    got_cut = is_truncated(x.name.detail)
    if x.name.value == want_text and got_cut == cut:
        g.add("names", "right", want)
    elif cut and not got_cut and x.name.value.startswith(want_text):
        g.add("names", "right", f"{want} (the full name, from another part of the text)")
    else:
        g.add("names", "wrong", f"GPU {i}: expected {want!r}{' (cut)' if cut else ''}, got {x.name.value!r}"
                                f"{' (cut)' if got_cut else ''}")


def _memory(g: Grade, i: int, t: dict, x: Optional[GpuFacts]) -> None:
    want = t.get("memory_total_mib")
    if want is None:
        if x is not None and x.memory_total_bytes.ok:
            g.add("memory", "wrong", f"GPU {i}: the output shows none, got {x.memory_total_bytes.value // MIB} MiB")
        return
    if x is None or not x.memory_total_bytes.ok:
        g.add("memory", "missed", f"GPU {i}: expected {want} MiB")
    elif round(x.memory_total_bytes.value / MIB) == want:  # deviceQuery gives bytes: 961.5 MiB prints "962 MBytes"
        g.add("memory", "right", f"{want} MiB")
    else:
        g.add("memory", "wrong", f"GPU {i}: expected {want} MiB, got {x.memory_total_bytes.value / MIB:g} MiB")


def _count(g: Grade, truth: Optional[int], facts: Facts) -> None:
    if truth is None:
        return
    got = len(facts.gpus) if facts.nvml.gpus.ok else None
    if got is None:
        g.add("gpu_count", "missed", f"expected {truth}")
    elif got == truth:
        g.add("gpu_count", "right", str(truth))
    else:
        g.add("gpu_count", "wrong", f"expected {truth}, got {got}")


def grade_file(path: Path) -> Grade:
    truth = json.loads(path.with_name(path.name.split(".")[0] + ".truth.json").read_text(encoding="utf-8"))
    g = Grade(path.name.split(".")[0], truth["format"])
    t0 = time.perf_counter()
    try:
        explanation, report = diagnose(from_bytes(path.read_bytes(), path.name), collected_at="")
    except EnvcheckError as exc:
        g.refused, g.error = True, str(exc)
        shown = {"driver": truth["driver_version"], "cuda": truth["cuda_version"], "gpu_count": truth["gpu_count"],
                 "names": any(t.get("name") for t in truth["gpus"]),
                 "memory": any(t.get("memory_total_mib") for t in truth["gpus"])}
        for name, value in shown.items():
            if value not in (None, False):
                g.add(name, "missed", "refused")
        for a in truth["abnormal"]:
            g.add("abnormal", "missed", f"{a}: refused")
        return g
    g.seconds = time.perf_counter() - t0
    facts = explanation.facts
    _scalar(g, "driver", truth["driver_version"], facts.nvml.driver_version)
    _scalar(g, "cuda", truth["cuda_version"], facts.nvml.cuda_driver_version)
    _count(g, truth["gpu_count"], facts)
    for i, (t, x) in enumerate(zip(truth["gpus"], _match(truth["gpus"], facts.gpus))):
        _name(g, i, t, x)
        _memory(g, i, t, x)
    ids = {f.id for f in report.findings}
    wanted = set()
    for a in truth["abnormal"]:
        expect = ABNORMAL_FINDINGS.get(a, ())
        wanted.update(expect)
        if a == "nvlink_inactive" and not ids & set(expect):
            # The NVLink finding is the interconnect rules' to give; the fact is this reader's.
            links = facts.interconnect.nvlinks.get(())
            if any(link.active.ok and link.active.value is False for link in links):
                g.add("abnormal", "right", f"{a} (fact interconnect.nvlinks)")
                continue
        g.add("abnormal", "right" if ids & set(expect) else "missed", f"{a} → {'/'.join(expect)}")
    for extra in sorted((ids & HEALTH_FINDINGS) - wanted):
        g.add("abnormal", "wrong", f"false alarm: {extra}")
    return g


def samples(directory: Path) -> List[Path]:
    return sorted(p for p in directory.iterdir()
                  if p.suffix in (".txt", ".xml") and p.with_name(p.name.split(".")[0] + ".truth.json").exists())


def grade_dir(directory: Path) -> List[Grade]:
    return [grade_file(p) for p in samples(directory)]


def totals(grades: List[Grade]) -> Dict[str, Dict[str, int]]:
    out = {f: {"right": 0, "wrong": 0, "missed": 0} for f in FIELDS}
    for g in grades:
        for name, outs in g.outcomes.items():
            for outcome, _ in outs:
                out[name][outcome] += 1
    return out


def render(grades: List[Grade], verbose: bool) -> str:
    lines = []
    if verbose:
        for g in grades:
            bad = [(k, o, w) for k, v in g.outcomes.items() for o, w in v if o != "right"]
            if g.refused or bad:
                lines.append(f"{g.slug} ({g.format})" + (f": REFUSED ({g.error})" if g.refused else ""))
                lines += [f"    {k}: {o}: {w}" for k, o, w in bad if not g.refused]
        lines.append("")
    lines.append("| field | right | wrong | missed | right % |")
    lines.append("|---|---:|---:|---:|---:|")
    for name, t in totals(grades).items():
        n = sum(t.values())
        pct = f"{100 * t['right'] / n:.1f}" if n else "-"
        lines.append(f"| {name} | {t['right']} | {t['wrong']} | {t['missed']} | {pct} |")
    refused = [g.slug for g in grades if g.refused]
    lines.append("")
    lines.append(f"samples: {len(grades)}; refused: {len(refused)}" + (f" ({', '.join(refused)})" if refused else ""))
    times = [g.seconds for g in grades if not g.refused]
    if times:
        lines.append(f"time per sample (read, facts, rules; in-process): median {statistics.median(times) * 1000:.1f} ms, "
                     f"max {max(times) * 1000:.1f} ms")
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("directory", type=Path)
    ap.add_argument("--verbose", "-v", action="store_true", help="list every field that is not right")
    ap.add_argument("--json", action="store_true", help="per-sample outcomes as JSON")
    args = ap.parse_args(argv)
    if not args.directory.is_dir():
        print(f"{args.directory}: not a directory", file=sys.stderr)
        return 2
    grades = grade_dir(args.directory)
    if args.json:
        print(json.dumps([{"slug": g.slug, "format": g.format, "refused": g.refused, "outcomes": g.outcomes}
                          for g in grades], indent=1))
    else:
        print(render(grades, args.verbose))
    return 0


if __name__ == "__main__":
    sys.exit(main())
