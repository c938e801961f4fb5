"""``ls -l /dev/nvidia*``: which device nodes exist, and whether the user who pasted may open them.

* ``crw-rw-rw- 1 root root 195, 0 Jan  1 10:00 /dev/nvidia0``: a node, its mode, owner, group;
* ``ls: cannot access '/dev/nvidia-uvm': No such file or directory`` (GNU coreutils' wording):
  the node does not exist.

Who may open a node is the mode and the user: read and write for everyone opens it for any
user; a node only root (``crw-------``, or group root without write for others) may open is
closed to a user whose prompt is not root's (``user@host:~$``). A group other than root
(``video``) is decided by the user's groups where the paste shows them (``id``'s
``groups=1000(me),27(sudo)``, or the line after ``$ groups``), else left undecided.

Only a listing of them all (the paste shows the glob ``/dev/nvidia*``) is read: the rules take
a node the listing lacks as missing, and ``ls -l /dev/nvidia0`` says nothing of nvidia-uvm.
"""

from __future__ import annotations

import re
from typing import Dict, FrozenSet, Optional, Tuple

from envcheck.explain.partial import TOOL, Found
from envcheck.explain.source import Pasted
from envcheck.facts import DeviceNode

SOURCE = "device nodes"

_NODE = re.compile(r"^\s*(?P<type>c)(?P<perm>[r-][w-][xsS-][r-][w-][xsS-][r-][w-][xtT-])[.+@]?\s+\d+\s+(?P<owner>\S+)\s+"
                   r"(?P<group>\S+)\s+\d+,\s*\d+\s+.*?(?P<path>(?:/dev/|\s)nvidia[\w-]*)\s*$")
_MISSING = re.compile(r"ls: cannot access '?(?P<path>/dev/nvidia[\w-]*)'?: No such file or directory")
# Plain ``ls /dev/nvidia*`` (no -l): only node paths on the line, right after the command.
_PLAIN = re.compile(r"^\s*/dev/nvidia[\w-]*(?:\s+/dev/nvidia[\w-]*)*\s*$")
_LS_GLOB = re.compile(r"\bls(?:\s+-[a-zA-Z1]*)?\s+/dev/nvidia\*\s*$")
# ``ls -la /dev | grep nvidia`` lists every node as the glob does.
_LS_GREP = re.compile(r"\bls\s+-[a-zA-Z]*l[a-zA-Z]*\s+/dev/?\s*\|\s*grep\s+(?:-\w+\s+)?['\"]?nvidia")
# A program refused a node: strace's ``openat(AT_FDCWD, "/dev/nvidiactl", O_RDWR) = -1 EACCES
# (Permission denied)``, a library's ``failed to open /dev/nvidia0: Permission denied``. The node
# exists and this process may not open it; the line lists no other node.
_REFUSED = re.compile(r"(?P<path>/dev/nvidia(?:ctl|\d+|-uvm))['\"]?[^\n]{0,60}?(?:\bEACCES\b|\bEPERM\b|permission denied)",
                      re.IGNORECASE)
REFUSED_DETAIL = "a program was refused the node (not a listing of /dev)"


def _after_ls(lines: Tuple[str, ...], i: int) -> bool:
    """The lines of a plain listing follow the ``ls /dev/nvidia*`` command directly."""
    j = i - 1
    while j >= 0 and _PLAIN.match(lines[j]):
        j -= 1
    return j >= 0 and bool(_LS_GLOB.search(lines[j]))


# A shell prompt: root's ends in "#" or starts "root@"; anyone else's in "$".
_ID_GROUPS = re.compile(r"\buid=\d+\((?P<user>[^)]+)\).*?\bgroups=(?P<groups>\S+)")
_USER_PROMPT = re.compile(r"^\s*(?:\(\S+\)\s*)?(?P<user>[\w.-]+)@[\w.-]+:[^\n$#]*(?P<end>[$#])\s")


def _mode(perm: str) -> int:
    bits = 0
    for i, ch in enumerate(perm):
        if ch not in "-STt":
            bits |= 1 << (8 - i)
    return bits


def _accessible(mode: int, owner: str, group: str, user: Optional[str],
                groups: Optional[FrozenSet[str]]) -> Optional[bool]:
    if mode & 0o006 == 0o006:
        return True  # read and write for everyone
    if user == "root" or (user is not None and user == owner):
        return bool(mode & 0o600 == 0o600)
    if groups is not None:
        return group in groups and mode & 0o060 == 0o060
    if user is not None and group == "root":
        return False  # only root's group, which a normal user is not in
    return None


def _groups(doc: Pasted) -> Tuple[Optional[str], Optional[FrozenSet[str]]]:
    """(user, groups) from ``id`` output, or the groups printed after ``$ groups``."""
    lines = doc.lines
    for i in doc.lines_containing("groups"):
        m = _ID_GROUPS.search(lines[i])
        if m:
            return m.group("user"), frozenset(re.findall(r"\(([^)]+)\)", m.group("groups")))
        if re.search(r"[$#]\s*groups\s*$", lines[i]) and i + 1 < len(lines) and lines[i + 1].strip():
            return None, frozenset(lines[i + 1].split())
    return None, None


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, TOOL)
    lines = doc.lines
    nodes: Dict[str, DeviceNode] = {}
    first = None
    user, groups = _groups(doc)
    for i in doc.lines_containing("@") if user is None else ():
        m = _USER_PROMPT.match(lines[i])
        if m:
            user = "root" if m.group("end") == "#" else m.group("user")
            break
    if not doc.lines_containing("/dev/nvidia*") and not any(_LS_GREP.search(lines[i])
                                                            for i in doc.lines_containing("grep")):
        _refused(doc, f)
        return f
    grep_rows = set()
    for k in doc.lines_containing("grep"):
        if _LS_GREP.search(lines[k]):
            j = k + 1
            while j < len(lines) and _NODE.match(lines[j]):
                grep_rows.add(j)
                j += 1
    for i in sorted(set(doc.lines_containing("/dev/nvidia")) | grep_rows):
        line = lines[i]
        m = _NODE.match(line)
        if m:
            mode = _mode(m.group("perm"))
            path = "/dev/" + m.group("path").strip().rsplit("/", 1)[-1]
            nodes[path] = DeviceNode(path, True, mode, m.group("group"),
                                                _accessible(mode, m.group("owner"), m.group("group"), user,
                                                            groups))
        elif _PLAIN.match(line) and _after_ls(lines, i):
            # plain `ls /dev/nvidia*`: the nodes that exist, without their modes
            for path in line.split():
                nodes.setdefault(path, DeviceNode(path, True))
        else:
            m = _MISSING.search(line)
            if not m:
                continue
            nodes[m.group("path")] = DeviceNode(m.group("path"), False)
        first = i if first is None else first
    if nodes and first is not None:
        f.set("driver.device_nodes", tuple(nodes.values()), first)
    return f


def _refused(doc: Pasted, f: Found) -> None:
    refused: Dict[str, DeviceNode] = {}
    first = None
    for i in doc.lines_containing("/dev/nvidia"):
        m = _REFUSED.search(doc.lines[i])
        if m:
            refused.setdefault(m.group("path"), DeviceNode(m.group("path"), True, accessible=False))
            first = i if first is None else first
    if first is not None:
        f.set("driver.device_nodes", tuple(refused.values()), first, detail=REFUSED_DETAIL)
