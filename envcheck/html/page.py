"""The page around every HTML report: one file, its CSS inline, nothing fetched.

No script, no web font (a system font stack), no external stylesheet, image or icon —
``<link rel="icon" href="data:,">`` stops the browser from asking for /favicon.ico. The
print stylesheet drops the navigation, keeps cards whole and prints links' targets.
"""

from __future__ import annotations

from html import escape
from typing import Iterable, Optional, Sequence, Tuple

CSS = """
:root{--fg:#1d2330;--muted:#5b6474;--line:#d9dee7;--bg:#f5f7fa;--card:#fff;
--pass:#1a7f37;--warn:#9a6700;--fail:#cf222e;--error:#8250df;--skip:#6e7781;
--s0:#2563eb;--s1:#dc2626;--s2:#059669;--s3:#d97706;--s4:#7c3aed;--s5:#0891b2}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);
font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1100px;margin:0 auto;padding:24px 20px 48px}
header.top{display:flex;gap:16px;align-items:center;flex-wrap:wrap;margin-bottom:8px}
h1{font-size:24px;margin:0}h2{font-size:19px;margin:28px 0 10px}h3{font-size:16px;margin:16px 0 6px}
.sub{color:var(--muted);margin:0 0 18px}
.badge{display:inline-block;padding:2px 10px;border-radius:999px;font-weight:700;font-size:13px;
color:#fff;letter-spacing:.03em;white-space:nowrap}
.badge.big{font-size:18px;padding:4px 16px}
.PASS,.pass,.ok{background:var(--pass)}.WARN,.warn,.warning{background:var(--warn)}
.FAIL,.fail,.error-sev{background:var(--fail)}.ERROR,.error{background:var(--error)}
.SKIP,.skip,.skipped,.info,.running,.aborted,.interrupted{background:var(--skip)}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:14px 18px;margin:12px 0}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{color:var(--muted);font-weight:600;font-size:13px}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:3px 16px;margin:0}
dl.kv dt{color:var(--muted)}dl.kv dd{margin:0;overflow-wrap:anywhere}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:13px}
pre{background:#0f172a;color:#e2e8f0;padding:10px 12px;border-radius:6px;overflow-x:auto;white-space:pre-wrap}
.finding{border-left:5px solid var(--skip)}.finding.sev-error{border-left-color:var(--fail)}
.finding.sev-warning{border-left-color:var(--warn)}
.muted{color:var(--muted)}.small{font-size:12.5px}.synthetic{background:#fff4d6;border:1px solid #e5b000;border-radius:6px;padding:2px 8px}
ol.steps{padding-left:22px}ol.steps li{margin:8px 0}ol.steps pre{margin:6px 0 0}
.tag{display:inline-block;margin-left:6px;padding:0 7px;border-radius:4px;background:#eef2ff;color:#3730a3;font-size:12px}
nav.toc{font-size:14px;margin:0 0 8px}nav.toc a{margin-right:14px}
.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:12px}
figure.figure{margin:8px 0;background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 12px}figcaption{font-weight:600;font-size:14px;margin-bottom:2px}
svg.chart{width:100%;height:auto;display:block}
svg .grid{stroke:#e5e7eb}svg .axis{stroke:#6b7280}svg .tickmark{stroke:#6b7280}
svg .tick{font-size:11px;fill:#4b5563}svg .label{font-size:12px;fill:#374151}
svg .line{fill:none;stroke-width:2}svg .band{fill:#dbeafe;opacity:.55}
svg .dashed{stroke-dasharray:6 4;stroke-width:1.5}svg.bars{max-width:820px}
svg .ref{stroke:#111827;stroke-width:2;stroke-dasharray:3 2}
.s0{stroke:var(--s0);fill:var(--s0)}.s1{stroke:var(--s1);fill:var(--s1)}.s2{stroke:var(--s2);fill:var(--s2)}
.s3{stroke:var(--s3);fill:var(--s3)}.s4{stroke:var(--s4);fill:var(--s4)}.s5{stroke:var(--s5);fill:var(--s5)}
polyline.s0,polyline.s1,polyline.s2,polyline.s3,polyline.s4,polyline.s5{fill:none}
.legend{font-size:12px;color:var(--muted)}.key{margin-right:14px;white-space:nowrap}
i.sw{display:inline-block;width:14px;height:4px;margin-right:5px;vertical-align:middle;border-radius:2px}
i.sw.s0{background:var(--s0)}i.sw.s1{background:var(--s1)}i.sw.s2{background:var(--s2)}
i.sw.s3{background:var(--s3)}i.sw.s4{background:var(--s4)}i.sw.s5{background:var(--s5)}
i.sw.ref{background:#111827}
.nochart{color:var(--muted);font-style:italic}
footer{color:var(--muted);font-size:12px;margin-top:32px}
@media print{body{background:#fff;font-size:11pt}main{max-width:none;padding:0}nav.toc{display:none}
.card{break-inside:avoid;border-color:#bbb}figure.figure{break-inside:avoid}
.badge{-webkit-print-color-adjust:exact;print-color-adjust:exact}
pre{background:#f3f4f6;color:#111;border:1px solid #ccc}
a[href^="http"]::after{content:" (" attr(href) ")";font-size:9pt;color:#555}}
"""


def badge(verdict: Optional[str], big: bool = False, css: Optional[str] = None) -> str:
    """A coloured verdict; ``css`` picks the colour when the text is not a verdict."""
    text = str(verdict or "—")
    cls = "".join(ch for ch in (css or text) if ch.isalnum() or ch == "-")
    return f'<span class="badge {cls}{" big" if big else ""}">{escape(text)}</span>'


def kv(rows: Iterable[Tuple[str, object]]) -> str:
    items = "".join(f"<dt>{escape(str(k))}</dt><dd>{escape(str(v))}</dd>" for k, v in rows if v not in (None, ""))
    return f'<dl class="kv">{items}</dl>'


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], numeric: Sequence[int] = (),
          raw: Sequence[int] = ()) -> str:
    """``raw`` columns hold HTML already (badges); every other cell is escaped."""
    head = "".join(f'<th{" class=num" if i in numeric else ""}>{escape(h)}</th>' for i, h in enumerate(headers))
    body = []
    for row in rows:
        cells = []
        for i, c in enumerate(row):
            text = str(c) if i in raw else escape("" if c is None else str(c))
            cells.append(f'<td{" class=num" if i in numeric else ""}>{text}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def page(title: str, verdict: Optional[str], subtitle: str, body: str, toc: Sequence[Tuple[str, str]] = (),
         footer: str = "") -> str:
    nav = ""
    if toc:
        nav = '<nav class="toc">' + "".join(f'<a href="#{escape(a)}">{escape(t)}</a>' for a, t in toc) + "</nav>"
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<meta name=\"color-scheme\" content=\"light\">"
            f"<link rel=\"icon\" href=\"data:,\"><title>{escape(title)}</title><style>{CSS}</style></head>"
            f"<body><main><header class=\"top\"><h1>{escape(title)}</h1>{badge(verdict, big=True) if verdict else ''}"
            f"</header><p class=\"sub\">{escape(subtitle)}</p>{nav}{body}"
            f"<footer>{escape(footer)}</footer></main></body></html>\n")
