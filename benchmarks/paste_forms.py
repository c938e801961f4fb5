"""A metamorphic benchmark of `envcheck explain`: does a diagnosis survive the form a paste arrives in?

The same report reaches an issue tracker in many wrappings: each line of a distributed job behind
its rank's prefix, a log collector's timestamp and host, a Markdown quote, an editor's wrapping at
80 columns. None of these changes what the machine's problem is, so a diagnosis must not change
either. For every development case (tests/corpus/diagnosis/cases/, broken and healthy) each
transformation below is applied to the whole text and the result is diagnosed as
`envcheck explain` would; per transformation the script prints:

* kept: broken cases recalled on the plain text that stay recalled in the new form (and their share);
* silent: broken cases given verdict "ok" in the new form;
* false errors: healthy cases given an error finding in the new form.

Each transformation names the upstream program whose output has that form. No timed or flaky
figure is asserted; the table is for reading (a test runs the transformations on a few cases).

Usage: python benchmarks/paste_forms.py [DIR] [--only NAME[,NAME…]] [--list]
(--list names the recalled cases each transformation loses.)
"""

from __future__ import annotations

import argparse
import functools
import html
import json
import re
import sys
import textwrap
from pathlib import Path
from typing import Callable, Dict, List, Sequence, Tuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from envcheck.errors import EnvcheckError  # noqa: E402
from envcheck.explain import diagnose, source  # noqa: E402


def _each_line(prefix: Callable[[int], str]) -> Callable[[str], str]:
    """Every line behind ``prefix(n)`` (n: the line's number): what a collector writes."""
    def apply(text: str) -> str:
        return "\n".join(prefix(n) + line for n, line in enumerate(text.split("\n")))
    return apply


_FIELD = re.compile(r"^(?![\w.]*(?:Error|Exception|Warning)\b)[A-Za-z][\w .()/-]{0,40}:\s+\S")


def _bulleted(text: str) -> str:
    """Each "Key: value" line of an environment report as a Markdown list item ("- PyTorch version:
    2.1.0"), as issue templates ask for it; tracebacks, tables and prose stay as they are."""
    return "\n".join("- " + line if _FIELD.match(line) else line for line in text.split("\n"))


def _rewrap(text: str) -> str:
    """Prose lines longer than 80 columns broken at spaces, as an editor or a mail client fills a
    paragraph: not the lines of a fenced code block, nor indented ones (code, tool output)."""
    out: List[str] = []
    fenced = False
    for line in text.split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        if fenced or len(line) <= 80 or line[:1].isspace():
            out.append(line)
        else:
            out.extend(textwrap.wrap(line, 80, break_long_words=False, break_on_hyphens=False) or [""])
    return "\n".join(out)


def _hard_wrap(text: str, width: int = 80) -> str:
    """Every line longer than ``width`` cut at exactly that column, mid-word: what copying from a
    terminal that hard-wraps gives (Windows' console host, tmux/screen copy mode, a serial console)."""
    out: List[str] = []
    for line in text.split("\n"):
        while len(line) > width:
            out.append(line[:width])
            line = line[width:]
        out.append(line)
    return "\n".join(out)


def _jupyter(text: str) -> str:
    """IPython's coloured traceback (ultratb): frame lines green/cyan, the exception name red."""
    out = []
    for line in text.split("\n"):
        head, sep, rest = line.partition(":")
        if sep and head and " " not in head.strip() and head.strip()[:1].isupper():
            out.append(f"\x1b[0;31m{head}\x1b[0m{sep}{rest}")
        elif line.lstrip().startswith("File "):
            out.append(f"\x1b[0;32m{line}\x1b[0m")
        else:
            out.append(line)
    return "\n".join(out)


# name -> (transformation, where upstream writes this form)
def _smart_quotes(text: str) -> str:
    """An apostrophe inside a word as ’, a short double-quoted phrase as “…”."""
    text = re.sub(r"(?<=\w)'(?=\w)", "\u2019", text)
    return re.sub(r'"([^"\n]{1,80})"', "\u201c\\1\u201d", text)


FORMS: Dict[str, Tuple[Callable[[str], str], str]] = {
    # torch.distributed.elastic (torchrun --tee 3 / --local-ranks-filter): each worker's line
    # behind "[{role}{local_rank}]:" ("[default0]:"), torch >= 2.2 names it by rank ("[rank0]:").
    "torchrun_rank": (_each_line(lambda n: "[rank0]:"), "torch.distributed.elastic, torch >= 2.2"),
    "torchrun_default": (_each_line(lambda n: "[default0]:"), "torchrun --tee, torch 1.9-2.1"),
    # Slurm's srun --label: "%d: " before each task's line.
    "srun_label": (_each_line(lambda n: "0: "), "slurm srun --label"),
    # Open MPI's mpirun --tag-output: "[jobid,rank]<stdout|stderr>:".
    "mpirun_tag": (_each_line(lambda n: "[1,0]<stderr>:"), "Open MPI mpirun --tag-output"),
    # Python logging: "%(asctime)s - %(name)s - %(levelname)s - %(message)s" (the logging HOWTO's
    # format; asctime's default "2024-01-05 12:34:56,789").
    "python_logging": (_each_line(lambda n: "2024-01-05 12:34:56,789 - train - ERROR - "),
                       "Python logging, the HOWTO's format"),
    # logging.basicConfig()'s BASIC_FORMAT "%(levelname)s:%(name)s:%(message)s".
    "python_basic": (_each_line(lambda n: "ERROR:root:"), "Python logging.basicConfig default"),
    # loguru's default format: time | level (padded to 8) | name:function:line - message.
    "loguru": (_each_line(lambda n: "2024-01-05 12:34:56.789 | ERROR    | __main__:main:42 - "),
               "loguru default format"),
    # glog / absl C++ logging: "Lmmdd hh:mm:ss.uuuuuu threadid file:line] ".
    "glog": (_each_line(lambda n: "E0105 12:34:56.789012 12345 train.cc:42] "), "glog / absl logging"),
    # kubectl logs --prefix: "[pod/<pod>/<container>] ".
    "kubectl_prefix": (_each_line(lambda n: "[pod/trainer-0/pytorch] "), "kubectl logs --prefix"),
    # journalctl's default "short" output: "Mon dd hh:mm:ss host ident[pid]: ".
    "journalctl": (_each_line(lambda n: "Jan 05 12:34:56 gpu-node python3[4242]: "), "journalctl -o short"),
    # docker compose logs: "<service>-<n>  | " (v2; v1 wrote "<project>_<service>_1  | ").
    "compose_logs": (_each_line(lambda n: "trainer-1  | "), "docker compose logs"),
    "crlf": (lambda t: t.replace("\n", "\r\n"), "Windows line ends (CRLF)"),
    # A Markdown code block made by indentation (CommonMark: four spaces or a tab).
    "tab_indent": (_each_line(lambda n: "\t"), "Markdown indented code block (tab)"),
    "space_indent": (_each_line(lambda n: "    "), "Markdown indented code block (4 spaces)"),
    "md_quote": (_each_line(lambda n: "> "), "Markdown quote of a reply"),
    # An issue template's list ("- OS: Ubuntu 22.04", "- PyTorch version: 2.1.0+cu121"), here over
    # every line: left unread (parsers of llamafactory's env, compose and CDI lists need the "- ").
    "md_bullets": (_bulleted, "Markdown list items of an issue template (its Key: value lines)"),
    "html_entities": (lambda t: html.escape(t, quote=True), "a scraped HTML page (html.escape)"),
    "rewrap_80": (_rewrap, "prose refilled at 80 columns (textwrap, editors, mail)"),
    "terminal_wrap_80": (_hard_wrap, "a terminal's hard wrap at 80 columns (conhost, tmux/screen copy)"),
    # Windows 10's console host opens 120 columns wide; 100 a resized window or a CI log viewer.
    "terminal_wrap_100": (functools.partial(_hard_wrap, width=100), "a terminal's hard wrap at 100 columns"),
    "terminal_wrap_120": (functools.partial(_hard_wrap, width=120), "a terminal's hard wrap at 120 columns (conhost's default)"),
    "jupyter_colour": (_jupyter, "IPython/Jupyter coloured traceback (ultratb ANSI codes)"),
    # A fenced code block around the whole paste (CommonMark's ``` fence).
    "md_fence": (lambda t: f"```\n{t}\n```", "Markdown fenced code block"),
    # A word processor's or a chat app's typographic quotes: ’ for an apostrophe, “ ” around a quotation.
    "smart_quotes": (_smart_quotes, "typographic quotes (word processors, chat apps' autocorrect)"),
    # Forms that lose the line structure, which no reader rebuilds (tests/explain/test_paste_forms.py's UNREAD):
    # a chat box or a one-line form field joins the lines; a JSON log keeps them as "\n" escapes
    # (Docker's json-file log driver, a Python repr of the output).
    "one_line": (lambda t: t.replace("\n", " "), "lines joined by a chat box or a one-line form field"),
    "escaped_newlines": (lambda t: t.replace("\n", "\\n"), "newlines escaped in a JSON log (docker json-file) or a repr"),
}


def judge(text: str) -> Tuple[List[str], List[str], str]:
    """(finding ids, error finding ids, verdict) of ``text`` as `envcheck explain` reads it."""
    try:
        _, report = diagnose(source.normalise(text), collected_at="")
    except EnvcheckError:
        return [], [], "refused"
    ids = sorted({f.id for f in report.findings})
    errors = sorted({f.id for f in report.findings if f.severity.value == "error"})
    return ids, errors, report.verdict


def load(directory: Path) -> List[Tuple[str, dict]]:
    return [(p.name, json.loads(p.read_text(encoding="utf-8"))) for p in sorted(directory.glob("*.json"))]


def run(cases: Sequence[Tuple[str, dict]], names: Sequence[str]) -> Dict[str, Dict[str, object]]:
    """Per transformation: kept (recalled broken cases still recalled), recalled (on the plain
    text), silent (broken given "ok"), false_errors (healthy given an error), lost (file names)."""
    recalled = []
    for name, case in cases:
        if case["kind"] == "broken":
            ids, _, _ = judge(case["text"])
            if set(case["expected_ids"]) <= set(ids):
                recalled.append(name)
    base = set(recalled)
    out: Dict[str, Dict[str, object]] = {}
    for form in names:
        transform = FORMS[form][0]
        kept, silent, false_errors, lost = 0, 0, 0, []
        for name, case in cases:
            ids, errors, verdict = judge(transform(case["text"]))
            if case["kind"] == "broken":
                silent += verdict == "ok"
                if name in base:
                    if set(case["expected_ids"]) <= set(ids):
                        kept += 1
                    else:
                        lost.append(name)
            else:
                false_errors += bool(errors)
        out[form] = {"kept": kept, "recalled": len(base), "silent": silent, "false_errors": false_errors,
                     "lost": lost}
    return out


def main(argv: Sequence[str] = ()) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", nargs="?", default=str(ROOT / "tests" / "corpus" / "diagnosis" / "cases"))
    ap.add_argument("--only", default="", help="comma-separated transformation names")
    ap.add_argument("--list", action="store_true", help="name the recalled cases each form loses")
    args = ap.parse_args(list(argv) or None)
    names = [n for n in args.only.split(",") if n] or list(FORMS)
    unknown = [n for n in names if n not in FORMS]
    if unknown:
        print(f"paste_forms: unknown transformation(s) {', '.join(unknown)}; known: {', '.join(FORMS)}",
              file=sys.stderr)
        return 2
    cases = load(Path(args.dir))
    broken = sum(c["kind"] == "broken" for _, c in cases)
    print(f"{args.dir}: {len(cases)} cases ({broken} broken, {len(cases) - broken} healthy)")
    results = run(cases, names)
    print(f"{'form':18} {'kept':>11} {'share':>6} {'silent':>6} {'false err':>9}  upstream")
    for form, r in results.items():
        share = r["kept"] / r["recalled"] if r["recalled"] else 1.0
        print(f"{form:18} {r['kept']:>5}/{r['recalled']:<5} {share:>6.0%} {r['silent']:>6} "
              f"{r['false_errors']:>9}  {FORMS[form][1]}")
        if args.list and r["lost"]:
            print("    lost: " + " ".join(r["lost"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
