"""More programs' own failure lines, so a paste holding one is never "no problems found".

``failures.py`` reads Python's, the shell's and libstdc++'s shapes. An evidence ablation
(``benchmarks/evidence_ablation.py``: the line a finding rests on blanked) showed broken reports
called ``ok`` although the rest still held a failure in another program's shape: Docker's
daemon error around the NVIDIA hook's message, dpkg and upstart refusing a package's service.
Each shape here is what the program itself prints for a failure, never a warning:

* Docker CLI: ``docker: Error response from daemon: …`` (docker/cli ``cli/command/container``
  prints ``docker: %v`` of the client's error; moby ``client/errors.go``: "Error response from
  daemon: %s"), and the CLI's logrus line ``ERRO[0003] error waiting for container: …``;
* dpkg: ``dpkg: error processing package X (--configure):`` (``src/main/errors.c``,
  ``print_error_perpackage``; dpkg < 1.17 "error processing X (--install):"), and apt's error
  lines ``E: …`` (apt-pkg ``error.cc``: "E: " errors, "W: " warnings, "N: " notes);
* services: systemd's ``Failed to start <unit>.`` (``src/core/job.c``, in the journal after
  ``systemd[1]: ``), systemctl's ``Job for X.service failed because …``, upstart's
  ``start: Job failed to start``;
* a panic: Rust's ``thread 'main' panicked at …`` (``std/src/panicking.rs``) and Go's
  ``panic: …`` (``runtime/panic.go``, printed before the goroutine dump);
* a build: a compiler's ``file:line[:col]: (fatal) error: …`` (GCC, Clang), nvcc's and MSVC's
  ``file(line): error …``, CMake's ``CMake Error at file:line``, GNU make's
  ``make[N]: *** [target] Error N`` and ninja's ``ninja: build stopped: subcommand failed.``;
* DKMS (``dkms``'s ``die``: ``echo $"Error! $*"``, dkms 2.x to 3.x): ``Error! Bad return status for
  module build on kernel: 6.8.0-45-generic (x86_64)``, ``Error! Could not locate dkms.conf file.``

The line goes into ``torch.errors`` as it was printed; the verdict quotes it under
``unexplained`` unless a finding accounts for it. Nothing here names a cause: no finding rests
on these lines.
"""

from __future__ import annotations

import re

from envcheck.explain.partial import TOOL, Found
from envcheck.explain.source import Pasted

SOURCE = "failure line"

# (lower-case needles, the shape): Pasted.lines_containing finds the few candidate lines by
# substring first, and only those are matched, each against its own shape.
_SHAPES = (
    (("error response from daemon",), r"(?:docker:\s+)?Error response from daemon:\s+\S"),
    (("erro[",), r"ERRO\[\d+\]\s+\S"),
    (("dpkg: error processing",), r"dpkg: error processing (?:package |archive )?\S"),
    (("e: ",), r"E: [A-Z]"),
    (("failed to start",), r"(?:\S.*\bsystemd\[\d+\]: )?Failed to start \S.*\.$|start: Job failed to start"),
    (("job for ",), r"Job for \S+ failed\b"),
    (("panicked at", "panic: "), r"thread '[^']*' panicked at\b|panic: \S"),
    (("error: ", "): error", "): fatal error"), r"\S+?:\d+(?::\d+)?: (?:fatal )?error: \S|\S+?\(\d+\): (?:fatal )?error\b"),
    (("cmake error at",), r"CMake Error at \S"),
    (("*** ",), r"\S*make(?:\[\d+\])?: \*\*\* .*\bError \d+"),
    (("build stopped: subcommand failed",), r"ninja: build stopped: subcommand failed"),
    (("error! ",), r"Error! [A-Z]"),
)
_COMPILED = tuple((needles, re.compile(r"^\s*(?:" + shape + ")")) for needles, shape in _SHAPES)


# One such line keeps a paste from "ok"; the verdict quotes them all. A long build log holds
# hundreds (every make level repeats "*** Error 1"): the last ones, where the run stopped, are kept.
MAX_LINES = 20


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, TOOL)
    hits = set()
    for needles, shape in _COMPILED:
        for i in doc.lines_containing(*needles):
            line = doc.lines[i]
            if i in hits or len(line) > 2000 or i in doc.enclosed:
                continue  # once; too long to be one; another process's captured output (Pasted.enclosed)
            if shape.match(line):
                hits.add(i)
    for i in sorted(hits)[-MAX_LINES:]:
        f.error(doc.lines[i], i)
    return f
