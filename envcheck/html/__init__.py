"""Self-contained HTML reports: one file, charts as inline SVG, nothing fetched.

``render(doc)`` takes any document envcheck writes — doctor (``envcheck.report``),
``envcheck.bench``, ``envcheck.burn``, ``envcheck.verify``, ``envcheck.validate``,
``envcheck.fleet``, ``envcheck.interconnect`` — and returns the page. Renderers read
the JSON documents only (never the machine), so a report saved on one machine renders
anywhere. The machine's identity is whatever the document holds (a doctor page is given
it by the command that read the facts): redact it when making the document
(``--redact``), and the page shows the pseudonyms.
"""

from __future__ import annotations

from html import escape
from typing import Any, Callable, Dict, List, Optional, Tuple

from ..envelope import kind_of
from ..errors import EnvcheckError
from . import sections
from .page import badge, kv, page, table

__all__ = ["render", "write", "html_option", "KINDS"]


def _footer(doc: Dict[str, Any]) -> str:
    return (f"envcheck {doc.get('envcheck_version', '?')} · {doc.get('kind')} schema {doc.get('schema_version')} · "
            f"created {doc.get('created_at', '?')} · this page is self-contained: it loads nothing")


def _doctor_page(doc: Dict[str, Any], machine: Optional[Dict[str, Any]] = None) -> str:
    """The doctor's findings with their fix steps, then the machine: who it is (when the
    page is made where the facts were read) and what the doctor read."""
    verdict = {"ok": "PASS", "warning": "WARN", "error": "FAIL"}.get(str(doc.get("verdict")), "WARN")
    who = _who(machine) if machine else []
    rows = who + sections.facts_lines(doc.get("facts") or {})
    body = sections.doctor(doc, with_facts=False) + (
        f'<h2 id="machine">Machine</h2><div class="card">{kv(rows)}</div>' if rows else "")
    host = f" · {who[0][1]}" if who else ""
    return page("envcheck doctor", verdict, f"{doc.get('command', 'doctor')} report{host}", body,
                [("machine", "Machine")] if rows else (), footer=_footer(doc))


def _simple(title: str, verdict: str, body: str, doc: Dict[str, Any], subtitle: str = "") -> str:
    return page(title, verdict, subtitle, body, footer=_footer(doc))


def _stage_doc(doc: Dict[str, Any], name: str) -> Any:
    for s in doc.get("stages") or ():
        if s.get("name") == name:
            return s
    return None


def _who(m: Dict[str, Any]) -> List[Tuple[str, Any]]:
    """The host, and the scheduler that ran the command (validate's ``machine`` block)."""
    rows: List[Tuple[str, Any]] = [("host", str(m.get("hostname")) + (" (redacted)" if m.get("redacted") else ""))]
    slurm = m.get("slurm") or {}
    if slurm:
        rows.append(("SLURM", ", ".join(f"{k} {v}" for k, v in slurm.items())))
    kube = m.get("kubernetes") or {}
    if kube:
        rows.append(("Kubernetes", ", ".join(f"{k} {v}" for k, v in kube.items())))
    return rows


def _identity(doc: Dict[str, Any]) -> List[Tuple[str, Any]]:
    rows = _who(doc.get("machine") or {})
    stage = _stage_doc(doc, "doctor")
    if stage and stage.get("document"):
        rows += sections.facts_lines(stage["document"].get("facts") or {})
    return rows


def _interconnect(doc: Dict[str, Any]) -> str:
    from .interconnect import section

    return section(doc)


STAGE_RENDER = {"doctor": lambda d: sections.doctor(d, with_facts=False), "verify": sections.verify,
                "bench": sections.bench, "burn": sections.burn, "interconnect": _interconnect}


def _validate_page(doc: Dict[str, Any]) -> str:
    stages = doc.get("stages") or []
    rows = [(f'<a href="#stage-{escape(s["name"])}">{escape(s["name"])}</a>', badge(s.get("verdict")),
             escape(s.get("summary") or s.get("reason") or "")
             + "".join(f'<br><span class="muted small">{escape(n)}</span>' for n in s.get("notes") or ()),
             f"{s.get('seconds', 0):.0f} s")
            for s in stages]
    body = ['<h2 id="summary">Stages</h2><div class="card">',
            table(["stage", "verdict", "result", "time"], rows, numeric=(3,), raw=(0, 1, 2)), "</div>"]
    if doc.get("status") == "interrupted":
        body.append(f'<div class="card"><strong>Interrupted</strong> by {escape(str(doc.get("interrupted_by")))}: '
                    "the stages above are what ran before the stop.</div>")
    body.append(f'<h2 id="machine">Machine</h2><div class="card">{kv(_identity(doc))}</div>')
    toc = [("summary", "Stages"), ("machine", "Machine")]
    for s in stages:
        render = STAGE_RENDER.get(s["name"])
        if render is None or not s.get("document"):
            continue
        body.append(f'<h2 id="stage-{escape(s["name"])}">{escape(s["name"].capitalize())} {badge(s.get("verdict"))}</h2>'
                    + render(s["document"]))
        toc.append((f"stage-{s['name']}", s["name"].capitalize()))
    m = doc.get("machine") or {}
    subtitle = (f"{m.get('hostname')} · level {doc.get('level')} (burn {doc.get('burn_s', 0):g} s) · "
                f"started {doc.get('started')} · {doc.get('elapsed_s', 0):.0f} s")
    return page("envcheck validate", doc.get("verdict"), subtitle, "".join(body), toc, _footer(doc))


def _fleet_page(doc: Dict[str, Any]) -> str:
    from .fleet import fleet_body

    return page("envcheck fleet", doc.get("verdict"), doc.get("subtitle", ""), fleet_body(doc),
                [("health", "Health"), ("outliers", "Outliers"), ("drift", "Drift"), ("missing", "Missing"),
                 ("machines", "Machines")], _footer(doc))


def render(doc: Any, machine: Optional[Dict[str, Any]] = None) -> str:
    """The HTML page for an envcheck document (EnvcheckError for anything else).

    ``machine`` (``validate.identity``'s block) names the machine on a doctor page: the
    doctor's JSON has no host name, and only the command that read the facts knows it."""
    kind = kind_of(doc)
    if kind == "envcheck.validate":
        return _validate_page(doc)
    if kind == "envcheck.report":
        return _doctor_page(doc, machine)
    if kind == "envcheck.bench":
        verdict = "PASS" if doc.get("passed") else ("WARN" if doc.get("passed") is None else "FAIL")
        return _simple("envcheck bench", verdict, sections.bench(doc), doc)
    if kind == "envcheck.burn":
        return _simple("envcheck burn", str(doc.get("status", "")).upper(), sections.burn(doc), doc)
    if kind == "envcheck.verify":
        return _simple("envcheck verify", "PASS" if doc.get("passed") else "FAIL", sections.verify(doc), doc)
    if kind == "envcheck.fleet":
        return _fleet_page(doc)
    if kind == "envcheck.interconnect":
        return _simple("envcheck interconnect", str(doc.get("verdict", "")), _interconnect(doc), doc)
    raise EnvcheckError(f"no HTML report for {kind or 'a document that is not envcheck’s'}")


KINDS = ("envcheck.validate", "envcheck.report", "envcheck.bench", "envcheck.burn", "envcheck.verify", "envcheck.fleet",
         "envcheck.interconnect")


def write(path: Optional[str], doc: Any, machine: Optional[Dict[str, Any]] = None) -> None:
    """Write ``doc``'s page to ``path`` atomically; nothing when ``path`` is None (so a
    command's ``--html`` is one decorator and one call)."""
    if path:
        from ..atomicio import atomic_write_text

        try:
            atomic_write_text(path, render(doc, machine))
        except OSError as exc:
            raise EnvcheckError(f"--html {path}: cannot write: {exc.strerror or exc}") from None


def _check_target(ctx: Any, param: Any, value: Optional[str]) -> Optional[str]:
    """A path the page cannot be written to is said before the command runs (a burn of
    15 minutes must not end in "cannot write"): one line, exit 2."""
    if value:
        from ..atomicio import target_problem

        problem = target_problem(value)
        if problem:
            raise EnvcheckError(f"--html {value}: {problem}")
    return value


def html_option(fn: Callable) -> Callable:
    """``--html FILE`` on a command, stored as ``html_path`` (checked before the command runs)."""
    import click

    return click.option("--html", "html_path", default=None, metavar="FILE", callback=_check_target,
                        expose_value=True,
                        help="Also write a self-contained HTML report to FILE (charts inline, nothing fetched).")(fn)
