"""Whether what a person wrote at a place in a line is asked rather than said.

The prose readers (``explain/parsers/*_prose.py``, ``prose_state``, ``display_adapters``,
``torch_installs``) make claims from sentences; a question ("is nouveau loaded?", "should I
install the CPU version?") claims nothing. One test for all of them.
"""

from __future__ import annotations

from envcheck.lazyre import lazy

# Where a clause ends (a comma too: "I have no NVIDIA GPU, how can I fix this?" states, then
# asks), and where a sentence ends ("Should I install the CPU version, or the CUDA one?" asks
# about the CPU version although the "?" is past the comma).
_CLAUSE_END = lazy(r"[.!;,，。\n]")
_SENTENCE_END = lazy(r"[.!;。\n]")


def asked(line: str, end: int, clause: bool = True) -> bool:
    """Is the clause (``clause=False``: the sentence) that holds position ``end`` a question?"""
    rest = line[end:]
    stop = (_CLAUSE_END if clause else _SENTENCE_END).search(rest)
    part = rest[:stop.start()] if stop else rest
    return "?" in part or "？" in part
