"""Which NCCL a PyTorch run actually had, from the lines NCCL and torch print themselves, and
CUDA_VISIBLE_DEVICES as ollama's server log states it.

* NCCL's own init banner, printed with ``NCCL_DEBUG=INFO`` (or VERSION): ``host:pid:tid [0]
  NCCL INFO NCCL version 2.19.3+cuda12.3`` (nccl src/init.cc ``showVersion``: VERSION_STRING
  "NCCL version %d.%d.%d%s+cuda%d.%d"). It names the libnccl the process loaded.
(torch.distributed's errors end ", NCCL version 2.14.3" too, c10d ``ncclGetErrorWithVersion``;
not read: the catalogue's torch_nccl_error entry owns that line.)

The banner names the NCCL *this* run used; ``rules/versions.nccl_version_mismatch`` then weighs it
against the nvidia-nccl wheel torch pins. They are torch's NCCL only where the run is a
PyTorch one: a text that names another NCCL user (TensorFlow, JAX, Horovod, Paddle, MXNet,
DeepSpeed's own comm, cupy) is left alone, because its banner may be that program's NCCL.
Claimed below a REPL's ``torch.cuda.nccl.version()`` (PROGRAM), which outranks it.

* The system's NCCL package, as the package managers list it: ``dpkg -l`` (``ii  libnccl2
  2.18.5-1+cuda12.2  amd64  NVIDIA Collective Communication Library (NCCL) Runtime``), ``rpm -qa``
  (``libnccl-2.18.5-1+cuda12.2.x86_64``), dpkg's ``Setting up libnccl2 (2.18.5-1+cuda12.2) ...``
  and apt's ``libnccl2 is already the newest version (2.18.5-1+cuda12.2).``. Recorded as the library file that package installs
  (``libnccl.so.<version>`` in ldconfig's directories); ``rules/nccl_runtime`` weighs it against
  the NCCL the torch run reported.

* ollama's startup line ``routes.go: INFO server config env="map[CUDA_VISIBLE_DEVICES:1 …]"``
  (ollama envconfig.AsMap, all versions since 0.1.3x): a value there is what the server ran
  with. Go's os.Getenv gives "" for an unset variable, so an empty entry there says nothing
  (unset and empty look alike) and is not read.

* Every NCCL a multi-node paste shows, kept apart (``rules/nccl_runtime.nccl_versions_differ``
  weighs them): the nvidia-nccl wheel's rows of ``pip freeze`` (``nvidia-nccl-cu12==2.20.5``),
  ``pip list``/``conda list``/collect_env (``[pip3] nvidia-nccl-cu12==2.19.3``, ``nvidia-nccl-cu12
  2.19.3 pypi_0 pypi``), each recorded as the wheel's library with its version (origin "python",
  path ``pip:<name>==<version>``: one entry per version, where the package listing keeps one per
  name); and NCCL's banner with the host that printed it (``host:pid:tid [0] NCCL INFO NCCL
  version 2.18.1+cuda12.1``; path ``banner:<host>``); and the fully versioned file names of
  libnccl a listing or a symlink shows (``/usr/lib/x86_64-linux-gnu/libnccl.so.2 -> libnccl.so.2.23.4``,
  ``/usr/local/nccl2/lib/libnccl.so.2.17.1``; path ``file:<dir>``): the file name carries the
  release (NCCL's Makefile: libnccl.so.$(NCCL_MAJOR).$(NCCL_MINOR).$(NCCL_PATCH)).
* ``torch.cuda.nccl.version()``'s answer written on the same line as the call ("print(torch.cuda.
  nccl.version())` ... I can see (2, 10, 3)"), which the REPL reader (next line) does not see.
* A person saying which NCCL they installed on the system ("Now, I installed nccl-2.15.5.", "I have
  installed NCCL 2.18.3", "upgraded libnccl2 to 2.19.3"): a claim (``STATED``) of the system's NCCL
  package, weighed like the package managers' rows. A sentence that removes it ("I installed
  nccl-2.10.3, after that I removed it"), tries, plans or asks, or puts it on another machine
  ("on the old server"), says nothing.
"""

from __future__ import annotations

import re

from envcheck.explain.partial import LISTING, PROGRAM, STATED, TOOL, Found
from envcheck.explain.source import Pasted
from envcheck.facts import LibraryFile
from envcheck.lazyre import lazy

SOURCE = "NCCL version printed"

_BANNER = lazy(r"\bNCCL INFO NCCL version (?P<v>\d+\.\d+\.\d+)(?:[-.\w]*)?\+cuda\d+\.\d+")
_OTHER_USERS = ("tensorflow", "jax", "horovod", "paddle", "mxnet", "cupy", "oneflow", "mindspore")

_DPKG = lazy(r"^[a-z]i\s+libnccl2(?::\w+)?\s+(?P<v>\d+\.\d+\.\d+)-\d+\+cuda\d+\.\d+\s")
_RPM = lazy(r"^libnccl-(?P<v>\d+\.\d+\.\d+)-\d+\+cuda\d+\.\d+\.\w+\s*$")
_APT = lazy(r"^(?:Setting up libnccl2(?::\w+)? \(|libnccl2 is already the newest version \()"
                  r"(?P<v>\d+\.\d+\.\d+)-\d+\+cuda\d+\.\d+\)")
_OLLAMA = lazy(r"server config\"?\s+env=\"?map\[[^\n]*?\bCUDA_VISIBLE_DEVICES:(?P<value>[^\s\]\"]+)")


def _nccl(doc: Pasted, f: Found) -> None:
    if not doc.lines_containing("torch") or doc.lines_containing(*_OTHER_USERS):
        return
    for i in doc.lines_containing("nccl version"):
        line = doc.lines[i]
        m = _BANNER.search(line)
        if m:
            f.set("torch.nccl_version", m.group("v"), i, rank=PROGRAM - 5)


def _system(doc: Pasted, f: Found) -> None:
    for i in doc.lines_containing("libnccl"):
        line = doc.lines[i].strip()
        m = _DPKG.match(line) or _RPM.match(line) or _APT.match(line)
        if m:
            name = f"libnccl.so.{m.group('v')}"
            f.item("toolkit.libraries", f"package:{name}", LibraryFile(name=name, path=f"package:{name}",
                                                                       version=m.group("v"), origin="ldconfig"),
                   i, rank=LISTING)


# A listing row of NVIDIA's NCCL wheel, alone on its line: freeze ("name==v"), collect_env's
# "[pip3] name==v" / "[conda] name v build channel", pip list / conda list ("name   v   [build channel]").
_WHEEL_ROW = lazy(r"^(?:\[(?:pip3?|conda)\]\s+)?(?P<name>nvidia-nccl-cu\d{2})(?:==|\s+)(?P<v>\d+\.\d+\.\d+)"
                        r"(?:\s+\S+\s+\S+)?\s*$")
# The host NCCL's own log prefix names: "host:pid:tid [rank] NCCL INFO" (src/debug.cc), after a
# launcher's own prefix where there is one (pdsh's "10.0.0.1: ", srun's "3: ", mpirun --tag-output's
# "[1,0]<stdout>:").
_HOST = lazy(r"^(?:\[\d+,\d+\]<std\w+>:|[\w.-]+:\s)?(?P<host>[\w.-]+):\d+:\d+ \[\d+\] NCCL INFO NCCL version ")


def _nccl_seen(doc: Pasted, f: Found) -> None:
    for i in doc.lines_containing("nvidia-nccl-cu"):
        m = _WHEEL_ROW.match(doc.lines[i].strip())
        if m:
            name = f"libnccl.so.{m.group('v')}"
            path = f"pip:{m.group('name')}=={m.group('v')}"
            f.item("toolkit.libraries", path, LibraryFile(name=name, path=path, version=m.group("v"), origin="python"),
                   i, rank=LISTING)
    for i in doc.lines_containing("nccl info nccl version"):
        line = doc.lines[i]
        h = _HOST.match(line)
        m = _BANNER.search(line) if h else None
        if m:
            name = f"libnccl.so.{m.group('v')}"
            path = f"banner:{h.group('host')}:{m.group('v')}"
            f.item("toolkit.libraries", path, LibraryFile(name=name, path=path, version=m.group("v"), origin="python"),
                   i, rank=LISTING)


# A fully versioned libnccl file name, with the directory a listing prints before it (or, for a
# symlink target "-> libnccl.so.2.23.4", the directory of the link).
_FILE = lazy(r"(?P<dir>(?:/[\w.+-]+)*/)?libnccl\.so\.(?P<v>2\.\d{1,2}\.\d{1,2})(?![\d.]*\d)")
_LINK = lazy(r"(?P<dir>(?:/[\w.+-]+)*/)libnccl\.so(?:\.\d+)?\s+->\s+(?:\S*/)?libnccl\.so\.(?P<v>2\.\d{1,2}\.\d{1,2})")
# The answer of torch.cuda.nccl.version() after the call on one line: "(2, 10, 3)", or the code 2708.
_INLINE = lazy(r"nccl\.version\(\)[^(\n]{0,120}?\(\s*(?P<a>2),\s*(?P<b>\d{1,2}),\s*(?P<c>\d{1,2})\s*\)")


def _files(doc: Pasted, f: Found) -> None:
    for i in doc.lines_containing("libnccl.so.2."):
        line = doc.lines[i]
        if "cannot open" in line or "undefined symbol" in line or "not found" in line:
            continue
        m = _LINK.search(line) or _FILE.search(line)
        if m and m.group("dir"):
            name = f"libnccl.so.{m.group('v')}"
            path = f"file:{m.group('dir')}{name}"
            f.item("toolkit.libraries", path, LibraryFile(name=name, path=path, version=m.group("v"), origin="python"),
                   i, rank=LISTING)


def _inline(doc: Pasted, f: Found) -> None:
    for i in doc.lines_containing("nccl.version()"):
        m = _INLINE.search(doc.lines[i])
        if m:
            f.set("torch.nccl_version", f"{m.group('a')}.{m.group('b')}.{m.group('c')}", i, rank=PROGRAM - 10)


# One sentence (as library_prose splits them); the install verb before the package and its version.
_SENTENCE = lazy(r"[^.!?;。！？\n]+(?:\.(?=\d)[^.!?;。！？\n]*)*[.!?;。！？]?")
_INSTALLED = lazy(r"\b(?:installed|upgraded|updated)\s+(?:(?:the|a|system|my)\s+)?(?:lib)?nccl2?"
                        r"(?:\s+(?:to|version)|\s*v|[-_])?\s*(?P<v>2\.\d{1,2}\.\d{1,2})(?![\d.]*\d)", re.IGNORECASE)
_UNDONE = lazy(r"\b(?:remov\w*|uninstall\w*|purg\w*|delet\w*|downgrad\w*\s+from|tr(?:y|ied|ying)|want\w*|should|could|"
                     r"would|if|plan\w*|not|n't|how)\b|\?", re.IGNORECASE)


# Another machine's install ("on the old server", "on another machine", "on my previous node"):
# not this one's NCCL.
_OTHER_MACHINE = lazy(r"\b(?:old|older|previous|former|other|another|different|second|friend'?s|colleague'?s)\s+"
                      r"(?:\w+\s+)?(?:servers?|machines?|nodes?|hosts?|box(?:es)?|computers?|pcs?|clusters?"
                      r"|workstations?|laptops?|instances?|vms?)\b", re.IGNORECASE)


def _said_installed(line: str):
    """The NCCL release a sentence on ``line`` says was installed (None when none does)."""
    for sentence in _SENTENCE.findall(line):
        m = _INSTALLED.search(sentence)
        if m and not _UNDONE.search(sentence) and not _OTHER_MACHINE.search(sentence):
            return m.group("v")
    return None


def _stated(doc: Pasted, f: Found) -> None:
    for i, v in doc.where(_said_installed, "nccl"):
        name = f"libnccl.so.{v}"
        path = f"package:stated:{name}"  # the person's word, not a package manager's row
        f.item("toolkit.libraries", path, LibraryFile(name=name, path=path, version=v, origin="ldconfig"), i, rank=STATED)


def _ollama(doc: Pasted, f: Found) -> None:
    for i in doc.lines_containing("server config"):
        m = _OLLAMA.search(doc.lines[i])
        if m:
            f.item("env.variables", "CUDA_VISIBLE_DEVICES", m.group("value"), i, rank=TOOL)


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, TOOL)
    _nccl(doc, f)
    _system(doc, f)
    _nccl_seen(doc, f)
    _files(doc, f)
    _inline(doc, f)
    _stated(doc, f)
    _ollama(doc, f)
    return f
