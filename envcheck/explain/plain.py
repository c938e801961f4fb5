"""What a paste's text loses before any parser reads it, and how its bytes become text.

Terminal colour codes, typographic characters, Markdown's fences, quote markers, inline code and
bold, log collectors' line prefixes: each removed in one pass over the text (the patterns are
line-local), so ``source.normalise`` can run them on a whole paste or once per distinct line of a
repeating log. Bytes decode as UTF-16 (with or without its BOM), UTF-8 or an 8-bit code page;
binary data is a usage error (one line, exit 2).
"""

from __future__ import annotations

import re

from envcheck.errors import EnvcheckError
from envcheck.lazyre import lazy

# Terminal escape sequences (ECMA-48), removed in one linear pass: every alternative starts
# on ESC and every repeat is bounded, so no position is scanned twice.
# * CSI: ESC [ parameters intermediates final byte (colours, cursor moves);
# * OSC, DCS, SOS, PM, APC: ESC ] P X ^ _ then a string ended by BEL or ST (ESC \\), as
#   terminals end window titles and hyperlinks; a string left open stops at the line's end
#   (or the next ESC), so a title that lost its terminator cannot eat the rest of the paste;
# * any other escape: ESC, up to four intermediates, one final byte (ESC ( B, ESC 7, ESC =).
_ANSI = lazy(r"\x1b\[[0-?]{0,64}[ -/]{0,8}[@-~]?"
                   r"|\x1b[\]PX^_][^\x07\x1b\n]{0,4096}(?:\x07|\x1b\\)?"
                   r"|\x1b[ -/]{0,4}[0-~]?")
# What log collectors and launchers put in front of every line of a program's output, removed
# (up to three nested, "trainer-1  | [rank0]: …") so that each parser sees the line the program
# printed. Each alternative starts on a fixed character or a digit, so the scan ("a newline, then
# the pattern") stays one pass.
_LEVEL = r"(?:DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL|FATAL)"
_LOG_PREFIX = "|".join((
    # GitHub Actions' timestamps ("2022-11-02T18:32:26.3725444Z lspci …"), ComfyUI's
    # ("2025-01-05T01:35:23.210402 - …").
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z?[ \t](?:-[ \t])?",
    # Python logging's asctime ("2024-01-05 12:34:56,789"), bare or in the logging HOWTO's
    # "%(asctime)s - %(name)s - %(levelname)s - " or loguru's default
    # "{time} | {level: <8} | {name}:{function}:{line} - ".
    r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:[,.]\d{1,6})?"
    rf"(?:[ \t]+-[ \t]+[\w.<>-]{{1,64}}[ \t]+-[ \t]+{_LEVEL}[ \t]+-"
    rf"|[ \t]+\|[ \t]*{_LEVEL}[ \t]*\|[ \t]*[\w.<>-]{{1,64}}:[\w.<>-]{{1,64}}:\d{{1,6}}[ \t]+-)?[ \t]",
    # DeepSpeed's logger: "[%(asctime)s] [%(levelname)s] [%(filename)s:%(lineno)d:%(funcName)s] ".
    rf"\[\d{{4}}-\d{{2}}-\d{{2}} \d{{2}}:\d{{2}}:\d{{2}}(?:[,.]\d{{1,6}})?\](?:[ \t]\[{_LEVEL}\])?"
    r"(?:[ \t]\[[\w.<>-]{1,64}(?::[\w.<>-]{1,64}){0,2}\])?[ \t]",
    # logging.basicConfig()'s default "%(levelname)s:%(name)s:" ("WARNING:root:").
    rf"{_LEVEL}:[\w.]{{1,64}}:",
    # vLLM's logger: "%(levelname)s %(asctime)s [%(filename)s:%(lineno)d] " ("INFO 04-17 02:04:28 [api_server.py:1034] ").
    rf"{_LEVEL} \d{{2}}-\d{{2}} \d{{2}}:\d{{2}}:\d{{2}}(?:\.\d+)? \[[\w.]{{1,64}}:\d{{1,6}}\][ \t]",
    # glog / absl C++ logging and Kubernetes' klog: "E0105 12:34:56.789012 12345 file.cc:42] ".
    # Kept where the file is a CUDA source (".cu:"): a CHECK there names the program's own kernel
    # ("F0310 … tanh_layer.cu:26] Check failed: … invalid device function"), which the catalogue reads.
    r"[IWEF]\d{4} \d{2}:\d{2}:\d{2}\.\d{6}[ \t]+\d+[ \t]+(?![\w./-]{0,200}\.cuh?:)[\w./-]{1,200}:\d{1,6}\][ \t]",
    # `docker compose logs`' service column ("kokoro-tts-1     | …").
    r"[a-z0-9][\w.-]*[-_]\d+[ \t]+\|[ \t]",
    # torch.distributed.elastic's per-worker prefix: "[{role}{local_rank}]:" of torchrun --tee
    # ("[default0]:"), "[rank0]:" since torch 2.2.
    r"\[[A-Za-z_]{0,32}\d{1,6}\]:[ \t]?",
    # Open MPI's mpirun --tag-output: "[jobid,rank]<stderr>:".
    r"\[\d{1,6},\d{1,6}\]<std(?:out|err|diag)>:[ \t]?",
    # Slurm's srun --label ("0: ", right-aligned to the widest task number: " 3: ").
    r"[ \t]{0,5}\d{1,5}: ",
    # pdsh / DeepSpeed's multi-node launcher: the host's address ("10.0.0.6: ").
    r"(?:\d{1,3}\.){3}\d{1,3}: ",
    # Ray's log_to_driver: "(RayWorkerWrapper pid=123, ip=10.0.0.1) ".
    r"\((?:[\w.]{1,64} )?pid=\d{1,10}(?:, ip=[\d.]{7,15})?\)[ \t]",
    # kubectl logs --prefix: "[pod/<pod>/<container>] ".
    r"\[pod/[\w.-]{1,253}/[\w.-]{1,63}\][ \t]",
    # journalctl's default "short" output (and syslog's): "Jan 05 12:34:56 host ident[pid]: ",
    # the month as the locale spells it in three letters.
    r"[A-Za-z]{3} [ \d]\d \d{2}:\d{2}:\d{2} [\w.-]{1,64} [\w./@:-]{1,64}(?:\[\d{1,10}\])?:[ \t]",
))


class _AtLineStarts:
    """Removes what ``pattern`` (no newlines in its matches) matches at the start of a line:
    ``re.sub("^(?:pattern)", "", text, flags=re.MULTILINE)``, searched as "a newline, then
    the pattern", which the regex engine finds by that one character instead of trying the
    anchor at every position of the text."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.first = lazy(f"(?:{pattern})", flags)  # compiled on first use (from the checked-in store)
        self.after = lazy(f"\\n(?:{pattern})", flags)

    def sub(self, text: str) -> str:
        text = self.after.sub("\n", text)
        m = self.first.match(text)
        return text[m.end():] if m else text


# A fence line: the fence and its info string ("```bash", "~~~ python") go. Text after a fence
# that is not a one-word info string is the first line of the block, written on the fence's
# line ("```NVIDIA GeForce RTX 5090 with CUDA capability sm_120 is not compatible …"): it stays.
_FENCE = _AtLineStarts(r"[ \t]*(?:```+|~~~+)(?:[ \t]*[\w+#.:{}-]*[ \t]*$)?", re.MULTILINE)
# "> " quote markers of a Markdown reply, but not the ">>> " of a Python prompt.
_QUOTE = r"(?:[ \t]*>(?!>>))+ ?"
_QUOTES = _AtLineStarts(_QUOTE)
_LOG_PREFIXES = _AtLineStarts(f"(?:{_LOG_PREFIX}){{1,3}}")
# Markdown bold around a word ("- **PyTorch Version:** 2.1.0", "**Is CUDA available: Yes**"),
# not Python's power or keyword-arguments operators ("2**20", "f(**kw)").
# Written to start on the literal "**" (the context checked behind it): a pattern starting on a
# look-behind is tried at every position of the text, ten times slower on 4 MiB.
_BOLD = lazy(r"\*\*(?:(?=\w)(?<![^\s\-]\*\*)|(?=\s|$)(?<=[\w:.)\]]\*\*))")
_BACKTICK = lazy(r"`(?![^`'\n]{1,200}'(?!\w))")
# Typographic characters and their plain forms. Replaced one by one where present:
# str.translate visits every character in Python-level lookups, 50x slower on 4 MiB.
_PLAIN = (
    ("\u2018", "'"), ("\u2019", "'"), ("\u201a", "'"), ("\u201b", "'"), ("\u2032", "'"),
    ("\u201c", '"'), ("\u201d", '"'), ("\u201e", '"'), ("\u00a0", " "), ("\u2007", " "), ("\u202f", " "),
    ("\u2013", "-"), ("\u2014", "-"), ("\ufeff", ""),
)


# rsyslog writes a message's inner newlines as "#012" (its escape of a control character,
# octal 012 = LF) in /var/log/syslog and /var/log/messages ("kernel: NVRM: API mismatch: … but#012NVRM:
# this kernel module …"): made newlines again, as dmesg shows them, for every kernel-log reader.
# Not the start of a CSS colour ("#012abc").
RSYSLOG_NEWLINE = lazy(r"#012(?![0-9A-Fa-f]{3}(?![0-9A-Za-z]))")


def strip_colour(text: str) -> str:
    """``text`` without terminal escape sequences (one linear pass; none holds a newline)."""
    return _ANSI.sub("", text) if "\x1b" in text else text


def plain(text: str) -> str:
    """``text`` (a paste, or one line of it) without colour codes, typographic characters, and
    Markdown's and log collectors' marks."""
    if "\x1b" in text:
        text = _ANSI.sub("", text)
    if not text.isascii():
        for fancy, plain in _PLAIN:
            if fancy in text:
                text = text.replace(fancy, plain)
    if ">" in text:
        text = _QUOTES.sub(text)
    text = _LOG_PREFIXES.sub(text)
    if "```" in text or "~~~" in text:
        text = _FENCE.sub(text)  # a fence is a boundary between blocks, like an empty line
    # Markdown inline code: `nvidia-smi` reads the same without the backticks. A backtick
    # closed by an apostrophe is GNU quoting, part of upstream's message (glibc's
    # "version `GLIBCXX_3.4.30' not found"), and stays.
    if "`" in text:
        text = _BACKTICK.sub("", text)
    if "**" in text:
        text = _BOLD.sub("", text)
    return text


def decode(data: bytes, name: str) -> str:
    """The text of a file's bytes: UTF-16 with or without its BOM, UTF-8, else an 8-bit code page;
    binary data is a usage error."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    head = data[:8192]
    if b"\x00" in head:
        # UTF-16 without a BOM: every other byte of ASCII text is NUL.
        odd_nuls = head[1::2].count(0)
        if odd_nuls > 0.9 * (len(head) // 2):
            return data.decode("utf-16-le", errors="replace")
        raise EnvcheckError(f"{name}: looks like a binary file, not pasted text")
    text = data.decode("utf-8", errors="replace")
    if text.count("\ufffd") > max(16, len(text) // 20):
        # Not UTF-8: an 8-bit code page (Windows consoles). Latin-1 keeps ASCII intact.
        text = data.decode("latin-1")
    control = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\t\n\r\f\v\x1b")
    if control > max(8, len(text[:8192]) // 50):
        raise EnvcheckError(f"{name}: looks like a binary file, not pasted text")
    return text
