"""``ldd`` output of one program that needs two major versions of one CUDA library.

glibc's loader in trace mode (what ``ldd`` runs: elf/rtld.c, dl_main's listing: "\\t%s => not
found\\n" for a library it could not map, "\\t%s => %s (0x%0*Zx)\\n" for one it did) prints one row per
library a program needs, directly or through another library.
Two rows of one listing naming the same library with different majors ("libcudnn.so.5 =>
/…/cuda-8.0/lib64/libcudnn.so.5 (0x…)" and "libcudnn.so.6 => not found") mean parts of the program
were built against two installs of it: the process maps both, or one and misses the other.

A listing is a run of consecutive ldd rows; ``ldd a b`` heads each program's rows with "a:", so
two programs' rows are two listings; rows under a command that ran ldd on several programs with
their headings lost (``ldd a b | grep``, a loop, ``xargs ldd``: ``ldd_listings.several_programs``)
are several programs' and prove nothing. ``ldconfig -p`` ("libcudnn.so.8 (libc6,x86-64) => /…")
lists what is installed, not what one program needs, and is another format. Kept as a note
(``derived/library_copies.LISTING_NEEDS_TWO_MAJORS``); ``rules/linking.py`` judges it.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

from envcheck.derived.library_copies import LISTING_NEEDS_TWO_MAJORS
from envcheck.explain.ldd_listings import same_listing, several_programs
from envcheck.explain.partial import TOOL, Found
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

SOURCE = "library_copies"

# An ldd row (glibc elf/rtld.c trace mode, above) of one of NVIDIA's CUDA libraries: the soname
# with its major, then the path and load address, or "not found". "libcuda.so.1" is the driver's
# and has one major; the others change soname with each major release.
_ROW = lazy(r"^\s*(?P<base>lib(?:cudart|cudnn\w*|nccl|cublas\w*|cufft\w*|curand|cusparse\w*|cusolver\w*|nvrtc"
            r"|nvinfer\w*|nvonnxparser|nvJitLink|nppc|nppi\w*|npps|nvjpeg|cupti))\.so\.(?P<major>\d{1,3})[\d.]*"
            r"\s+=>\s+(?:/\S+\s+\(0x[0-9a-fA-F]+\)|not found)\s*$")


def _row(line: str) -> Optional[Tuple[str, str]]:
    m = _ROW.match(line)
    return (m.group("base"), m.group("major")) if m else None


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, TOOL)
    rows = doc.where(_row, "=>")
    if len(rows) < 2:
        return f
    lines = doc.lines
    listing: List[Tuple[int, Tuple[str, str]]] = []
    for k, (i, row) in enumerate(rows):
        listing.append((i, row))
        last = k == len(rows) - 1 or not same_listing(lines, i, rows[k + 1][0])
        if last:
            two = None if several_programs(lines, listing[0][0]) else _two_majors(listing)
            if two is not None:
                base, majors, at = two
                names = ", ".join(f"{base}.so.{m}" for m in majors)
                quoted = " | ".join(lines[j].strip() for j in at)[:240]
                f.note(f"{LISTING_NEEDS_TWO_MAJORS}{names} — “{quoted}” (line {at[0] + 1})")
                return f
            listing = []
    return f


def _two_majors(listing: List[Tuple[int, Tuple[str, str]]]) -> Optional[Tuple[str, List[str], List[int]]]:
    seen: Dict[str, Dict[str, int]] = {}
    for i, (base, major) in listing:
        seen.setdefault(base, {}).setdefault(major, i)
    for base, majors in seen.items():
        if len(majors) > 1:
            order = sorted(majors, key=int)
            return base, order, [majors[m] for m in order]
    return None
