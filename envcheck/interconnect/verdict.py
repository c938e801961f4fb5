"""The verdict of an interconnect run: findings from the topology and from the measurements.

* the interconnect rules over each node's facts (ACS/IOMMU, NVLink, P2P, NCCL variables);
* ``collective_timeout`` for a step past its deadline, saying which ranks held it up and
  which causes the facts point at; ``collective_result_wrong`` for any element that came
  back different from what was sent;
* ``collective_bandwidth_low`` for a collective whose peak bus bandwidth is far below the
  expectation for the GPUs' route (NCCL on one node; the route needs NVML's topology);
* ``gpu_numa_mismatch`` for a rank that ran on CPUs far from its GPU.

PASS (exit 0), WARN (warnings: exit 0, 1 with ``--strict``), FAIL (an error finding: 1),
ERROR (a rank failed without a hang and the run ended without a verdict: 3).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from typing import Dict, List, Optional, Sequence, Tuple

from .. import exitcodes
from ..errors import SetupError
from ..facts import Facts
from ..knowledge import interconnect as table_mod
from ..recipes import Plan, Values, load_all, remedy, values_for
from ..rules import evaluate
from ..rules import interconnect as ic_rules
from ..rules.engine import make
from ..rules.finding import Finding, Severity
from .plan import human_bytes
from .protocol import describe_ranks
from .records import CopyRow, Outcome, RankInfo

# A P2P matrix cell below this fraction of the best cell over the same kind of path is
# marked: a pair that reaches under 90 % of what the same link reaches elsewhere has a fault (docs/interconnect.md).
P2P_TARGET_FRACTION = 0.9
# Host<->device copies: the target is 90 % of the PCIe generation's practical peak.
H2D_TARGET_FRACTION = 0.9


@dataclass(frozen=True)
class Verdict:
    status: str  # "PASS" | "WARN" | "FAIL" | "ERROR"
    exit_code: int
    findings: Tuple[Finding, ...]
    peaks: Dict[str, float]  # collective -> peak busbw (GB/s)
    expected: Dict[str, table_mod.Expectation]
    route: str = ""  # how the GPUs are joined, in words
    outcome: Optional[Outcome] = None  # with practical peaks attached to the copies
    nodes: Tuple[int, ...] = ()  # for each finding, the node whose facts it rests on (fills its recipe)

    @functools.cached_property
    def _remedies(self) -> Tuple[Tuple[Optional[Plan], ...], str]:
        """Each finding's filled recipe steps, as the doctor's report gives them
        (``recipes.remedy`` with that node's facts), and why none could be read."""
        none: Tuple[Optional[Plan], ...] = (None,) * len(self.findings)
        if not any(f.recipe for f in self.findings):
            return none, ""
        try:
            recipes = load_all()
        except SetupError as exc:  # an installation without its recipes: the findings still name them
            return none, str(exc)
        node_facts = tuple(self.outcome.facts) if self.outcome is not None else ()
        values: Dict[int, Values] = {}
        plans: List[Optional[Plan]] = []
        for i, f in enumerate(self.findings):
            node = self.nodes[i] if i < len(self.nodes) else 0
            facts = node_facts[node] if node < len(node_facts) else Facts()
            if not f.recipe:
                plans.append(None)
                continue
            if node not in values:
                values[node] = values_for(facts)
            plans.append(remedy(recipes, facts, f, values[node]))
        return tuple(plans), ""

    def remedy(self, index: int) -> Optional[Plan]:
        """The filled steps of the recipe ``findings[index]`` names (None: it names none, or it is not installed)."""
        return self._remedies[0][index]

    @property
    def recipes_problem(self) -> str:
        """Why no recipe could be read (empty when they were)."""
        return self._remedies[1]


def _norm_uuid(u: str) -> str:
    return u.strip().lower().removeprefix("gpu-")


def nvml_index(rank: RankInfo, facts: Facts) -> Optional[int]:
    """The NVML index of a rank's GPU, matched by UUID (torch and NVML number GPUs differently)."""
    if not rank.uuid:
        return None
    return next((g.index for g in facts.gpus if g.uuid.ok and _norm_uuid(g.uuid.value) == _norm_uuid(rank.uuid)),
                None)


def nvml_indices(outcome: Outcome, facts: Facts) -> Optional[List[int]]:
    """The NVML index of each GPU rank of node 0, or None where one cannot be placed."""
    out = [nvml_index(r, facts) for r in outcome.ranks if r.node == 0]
    return None if not out or None in out else out  # type: ignore[return-value]


def with_peaks(outcome: Outcome, facts: Sequence[Facts], table: table_mod.InterconnectTable) -> Outcome:
    """The copy rows with their PCIe link's practical peak (from NVML's maximum link)."""
    rows: List[CopyRow] = []
    for c in outcome.copies:
        rank = next((r for r in outcome.ranks if r.rank == c.rank), None)
        f = facts[rank.node] if rank is not None and rank.node < len(facts) else None
        index = nvml_index(rank, f) if f is not None and rank is not None else None
        gpu = next((g for g in f.gpus if g.index == index), None) if index is not None else None
        peak = (table_mod.pcie_practical_gb_s(table, gpu.pcie_gen_max.get(None), gpu.pcie_width_max.get(None))
                if gpu is not None else None)
        rows.append(replace(c, practical_peak_gb_s=peak))
    return replace(outcome, copies=tuple(rows))


def _timeout(outcome: Outcome, facts_findings: Sequence[Finding]) -> Finding:
    h = outcome.hang
    missing, waiting = describe_ranks(h.missing_ranks, outcome.ranks), describe_ranks(h.waiting_ranks, outcome.ranks)
    if h.missing_ranks and h.waiting_ranks:
        why = (f"{missing} never joined it while {waiting} waited: the first are stuck elsewhere (their own work, "
               "a stopped process, a GPU that stopped answering).")
    elif h.missing_ranks:
        why = f"none of the ranks got that far; {missing} were still before it."
    else:
        why = (f"every rank ({waiting}) entered it and waited: the data between them never arrived. That is how "
               "peer-to-peer traffic blocked by PCIe ACS or a translating IOMMU looks, and a firewall between "
               "nodes for the network transports.")
    related = sorted({f.id for f in facts_findings if f.id in ("p2p_blocked_by_iommu_acs", "nccl_env_overrides",
                                                                  "nvlink_link_down")})
    hint = f" This machine also shows: {', '.join(related)}." if related else ""
    return make("collective_timeout",
                f"{h.label} did not finish within its {h.deadline_s:g} s deadline on {outcome.backend}; {why}{hint}",
                [("step", f"{h.step}: {h.label}"), ("deadline_s", h.deadline_s), ("never_joined", missing),
                 ("waited", waiting), ("seen_by", h.seen_by)],
                # CPU ranks (gloo) hang for other reasons than GPUs do: their own triage.
                recipe="" if outcome.backend == "nccl" else "distributed_hang_triage")


def _wrong(outcome: Outcome) -> Finding:
    rows = outcome.wrong_rows
    said = "; ".join(f"{r.collective} {human_bytes(r.size_bytes)}: {r.wrong} of {r.count} elements" for r in rows[:6])
    return make("collective_result_wrong",
                f"Collectives returned data that differ from what the ranks sent ({said}). Every check sums small "
                "whole numbers, exact in float32, so any difference is corruption: a faulty NVLink or PCIe path, "
                "peer-to-peer through a translating IOMMU, or a GPU that computes or copies wrongly.",
                [(f"rows.{r.collective}.{r.size_bytes}.wrong", r.wrong) for r in rows[:6]])


def _peaks(outcome: Outcome) -> Dict[str, float]:
    peaks: Dict[str, float] = {}
    for r in outcome.rows:
        peaks[r.collective] = max(peaks.get(r.collective, 0.0), r.busbw_gb_s)
    return peaks


def judge(outcome: Outcome, strict: bool = False, table: Optional[table_mod.InterconnectTable] = None) -> Verdict:
    table = table or table_mod.load()
    findings: List[Finding] = []
    nodes: List[int] = []  # the node each finding's facts came from
    for node, facts in enumerate(outcome.facts):
        for f in evaluate(facts, ic_rules.RULES).findings:
            findings.append(replace(f, explanation=f"Node {node}: {f.explanation}") if outcome.nnodes > 1 else f)
            nodes.append(node)
    facts0 = outcome.facts[0] if outcome.facts else Facts()
    for r in outcome.ranks:
        index = nvml_index(r, facts0) if r.node == 0 else None
        if index is not None:
            found = ic_rules.numa_mismatch(facts0, index, r.cpus, f"rank {r.rank} (pid {r.pid})")
            if found is not None and all((x.id, x.gpu) != (found.id, found.gpu) for x in findings):
                findings.append(found)
                nodes.append(0)
    if outcome.hang is not None:
        findings.append(_timeout(outcome, findings))
        nodes.append(0)
    if outcome.wrong_rows:
        findings.append(_wrong(outcome))
        nodes.append(0)
    peaks = _peaks(outcome)
    expected: Dict[str, table_mod.Expectation] = {}
    route = None
    if outcome.backend == "nccl" and outcome.nnodes == 1 and outcome.world_size > 1:
        route = ic_rules.route(facts0, nvml_indices(outcome, facts0), outcome.world_size, table)
        if route is not None:
            expected = {c: e for c in peaks if (e := table_mod.expected_busbw(table, route, c)) is not None}
            if outcome.rows and outcome.hang is None:
                low = list(ic_rules.bandwidth_low(peaks, route, table))
                findings.extend(low)
                nodes.extend([0] * len(low))
    order = sorted(range(len(findings)), key=lambda i: (findings[i].severity.rank, findings[i].id,
                                                        -1 if findings[i].gpu is None else findings[i].gpu, i))
    findings, nodes = [findings[i] for i in order], [nodes[i] for i in order]
    errors = any(f.severity is Severity.ERROR for f in findings)
    warnings = any(f.severity is Severity.WARNING for f in findings)
    if errors:
        status, code = "FAIL", exitcodes.PROBLEMS
    elif not outcome.complete:
        status, code = "ERROR", exitcodes.FAILED
    elif warnings:
        status, code = "WARN", exitcodes.PROBLEMS if strict else exitcodes.OK
    else:
        status, code = "PASS", exitcodes.OK
    return Verdict(status, code, tuple(findings), peaks, expected, route.describe() if route else "",
                   with_peaks(outcome, outcome.facts, table), tuple(nodes))
