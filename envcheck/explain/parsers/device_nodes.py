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

A listing of nodes named one by one (``ls -l /dev/nvidia0 /dev/nvidiactl``) is read only for
the nodes it shows closed, and only where the paste decides it: the user's groups shown (``id``,
``groups``), or a node owned by ``nobody``/``nogroup`` and closed to others, which is how a
rootless container (podman, a user namespace) shows a host node it cannot map; there only
``--group-add keep-groups`` (podman with crun; ``run.oci.keep_original_groups``) opens it, as podman's
troubleshooting guide (§20) and NVIDIA/nvidia-container-toolkit#210 answer "Insufficient Permissions".
Such a reading says nothing of the nodes not named (``NAMED_DETAIL``).

The driver's own setting says the same before any listing: ``NVreg_DeviceFileMode`` /
``NVreg_DeviceFileGID`` in a modprobe ``options nvidia`` line (octal with a leading 0, as the
kernel's base-0 parse takes it) or ``DeviceFileMode: 432`` / ``DeviceFileGID: 44`` in
``/proc/driver/nvidia/params`` (decimal): nodes closed to others, and a user the paste shows
outside that group (``whoami``, ``id``, a prompt; the group's members from ``getent group`` or an
``/etc/group`` line).

Without a listing, a person's account of the fix says the same: ``chmod 666 /dev/nvidia*`` or
adding the user to group video/render said to make it work ("as long as I chmod 666
/dev/nvidia*", "workaround: add the regular user to the video group"), or the user said to be
unable to open the device nodes. That is a claim (``STATED``): the nodes exist and this user
may not open them. The command alone (a Dockerfile's routine ``chmod``, ``usermod -aG docker``)
says nothing.
"""

from __future__ import annotations

import re
from typing import Dict, FrozenSet, Optional, Tuple

from envcheck.derived.platform_text import NAMED_DETAIL, PARAMS_DETAIL
from envcheck.explain.partial import STATED, STATED_DETAIL, TOOL, Found
from envcheck.explain.sentences import general_statement
from envcheck.explain.source import Pasted
from envcheck.facts import DeviceNode
from envcheck.lazyre import lazy

SOURCE = "device nodes"

_NODE = lazy(r"^\s*(?P<type>c)(?P<perm>[r-][w-][xsS-][r-][w-][xsS-][r-][w-][xtT-])[.+@]?\s+\d+\s+(?P<owner>\S+)\s+"
                   r"(?P<group>\S+)\s+\d+,\s*\d+\s+.*?(?P<path>(?:/dev/|\s)nvidia[\w-]*)\s*$")
_MISSING = lazy(r"ls: cannot access '?(?P<path>/dev/nvidia[\w-]*\*?)'?: No such file or directory")
# Plain ``ls /dev/nvidia*`` (no -l): only node paths on the line, right after the command.
_PLAIN = lazy(r"^\s*/dev/nvidia[\w-]*(?:\s+/dev/nvidia[\w-]*)*\s*$")
_LS_GLOB = lazy(r"\bls(?:\s+-[a-zA-Z1]*)?\s+/dev/nvidia\*\s*$")
# ``ls -la /dev | grep nvidia`` lists every node as the glob does.
_LS_GREP = lazy(r"\bls\s+-[a-zA-Z]*l[a-zA-Z]*\s+/dev/?\s*\|\s*grep\s+(?:-\w+\s+)?['\"]?nvidia")
# A program refused a node: strace's ``openat(AT_FDCWD, "/dev/nvidiactl", O_RDWR) = -1 EACCES
# (Permission denied)``, a library's ``failed to open /dev/nvidia0: Permission denied``. The node
# exists and this process may not open it; the line lists no other node.
_REFUSED = lazy(r"(?P<path>/dev/nvidia(?:ctl|\d+|-uvm))['\"]?[^\n]{0,60}?(?:\bEACCES\b|\bEPERM\b|permission denied|operation not permitted)",
                      re.IGNORECASE)
REFUSED_DETAIL = "a program was refused the node (not a listing of /dev)"

_I = re.IGNORECASE
# The fixes that open the nodes to this user, and the words saying they fixed it.
_OPENED = lazy(r"chmod\s+(?:-R\s+)?(?:0?666|0?777|[ugoa]*\+rw\w*)\s+['\"]?/dev/nvidia"
                     r"|(?:usermod\s+(?:-a\s+)?-a?G\s*|gpasswd\s+-a\s+\S+\s+|adduser\s+\S+\s+)(?:video|render)\b"
                     r"|\badd(?:ed|ing)?\s+(?:the\s+|my\s+|a\s+|your\s+|our\s+)?(?:regular\s+|normal\s+|non-root\s+|[\w.-]+\s+)?"
                     r"(?:users?|accounts?|myself|me|\$USER)\s+(?:\w+\s+)?to\s+(?:the\s+)?[`'\"]?(?:video|render)[`'\"]?\s+group"
                     r"|(?:加入|添加到|加到)\s*(?:video|render)\s*(?:组|用户组)|(?:video|render)\s*(?:그룹|グループ)に?", _I)
_WORKED = lazy(r"\b(?:works?|worked|working|fix(?:es|ed)?|solv\w*|resolv\w*|as\s+long\s+as|work-?around|"
                     r"only\s+(?:if|after|when|once)|otherwise|helps?|helped|now\s+(?:it|nvidia-smi|cuda)\b)"
                     r"|解决|才(?:能|可以|行)|就好|就可以|해결|됩니다|解決|動きました|funciona", _I)
_CANNOT = lazy(r"(?:cannot|can'?t|could\s*n[o']?t|unable\s+to|not\s+(?:be\s+)?(?:able|allowed)\s+to)\s+"
                     r"(?:access|open|read|use)\s+(?:the\s+)?(?:nvidia\s+)?(?:device\s+(?:nodes?|files?)|devices|/dev/nvidia\S*)"
                     r"|(?:无法|不能)(?:访问|打开)\s*/dev/nvidia"
                     r"|\b(?:i'?m|i\s+am|user\s+is|account\s+is|we\s+are)\s+not\s+in\s+(?:the\s+)?[`'\"]?(?:video|render)\b"
                     r"|\bonly\s+root\s+(?:can|could|may)\s+(?:use|access|open|see)\s+(?:the\s+)?(?:cuda|gpus?|nvidia|/dev/nvidia)",
                     _I)
_WHO = lazy(r"\b(?:users?|permissions?|root|sudo|groups?|non-root|rootless)\b|权限|用户|권한|権限", _I)
_DENIED_BEFORE = lazy(r"\b(?:not|never|no|without|didn'?t|doesn'?t)\b[^.;!?\n]{0,20}$", _I)


def _after_ls(lines: Tuple[str, ...], i: int) -> bool:
    """The lines of a plain listing follow the ``ls /dev/nvidia*`` command directly."""
    j = i - 1
    while j >= 0 and _PLAIN.match(lines[j]):
        j -= 1
    return j >= 0 and bool(_LS_GLOB.search(lines[j]))


# A shell prompt: root's ends in "#" or starts "root@"; anyone else's in "$".
_ID_GROUPS = lazy(r"\buid=\d+\((?P<user>[^)]+)\).*?\bgroups=(?P<groups>\S+)")
_USER_PROMPT = lazy(r"^\s*(?:\(\S+\)\s*)?(?P<user>[\w.-]+)@[\w.-]+:[^\n$#]*(?P<end>[$#])\s")


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
            # Each group by number and name: in a container a group may have no name there
            # (``groups=1000(app),44``) and the listing then shows the number.
            found = re.findall(r"(\d+)(?:\(([^)]+)\))?", m.group("groups"))
            return m.group("user"), frozenset(x for pair in found for x in pair if x)
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
        if not f.claims:
            _named_listing(doc, f, user, groups)
        if not f.claims:
            _params(doc, f, user, groups)
        if not f.claims:
            _told_closed(doc, f)
        if not f.claims:
            _told_uvm_missing(doc, f)
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
    else:
        _told_closed(doc, f)
    return f


# A user namespace shows a host id it cannot map as the overflow id: nobody / nogroup (65534).
_UNMAPPED = frozenset({"nobody", "nogroup", "65534"})
_KEEP_GROUPS = lazy(r"keep-groups|keep_original_groups", _I)


def _named_listing(doc: Pasted, f: Found, user: Optional[str], groups: Optional[FrozenSet[str]]) -> None:
    closed: Dict[str, DeviceNode] = {}
    first = None
    keep = bool(_KEEP_GROUPS.search(doc.text))
    for i in doc.lines_containing("nvidia"):
        m = _NODE.match(doc.lines[i])
        if not m:
            continue
        mode, owner, group = _mode(m.group("perm")), m.group("owner"), m.group("group")
        if mode & 0o006 == 0o006:
            continue
        if owner in _UNMAPPED and group in _UNMAPPED and not keep and user != "root":
            shut = True
        elif groups is not None:
            shut = _accessible(mode, owner, group, user, groups) is False
        else:
            continue
        if shut:
            path = "/dev/" + m.group("path").strip().rsplit("/", 1)[-1]
            closed.setdefault(path, DeviceNode(path, True, mode, group, False))
            first = i if first is None else first
    if first is not None:
        f.set("driver.device_nodes", tuple(closed.values()), first, detail=NAMED_DETAIL)


_PARAM = lazy(r"\b(?:NVreg_)?DeviceFile(?P<key>Mode|GID)\s*(?P<sep>[=:])\s*(?P<value>0x[0-9a-f]+|\d+)", _I)
_WHOAMI = lazy(r"[$#]\s*whoami\s*$")
# ``getent group video`` / an /etc/group line: name:x:gid:member,member
_GROUP_LINE = lazy(r"^\s*(?P<name>[\w.-]+):[^:\n]*:(?P<gid>\d+):(?P<members>[\w.,-]*)\s*$")


def _number(value: str, sep: str) -> int:
    """modprobe's ``=0660`` is octal (the kernel parses base 0); /proc's ``: 432`` is decimal."""
    if value.lower().startswith("0x"):
        return int(value, 16)
    if sep == "=" and len(value) > 1 and value.startswith("0"):
        return int(value, 8)
    return int(value)


def _params(doc: Pasted, f: Found, user: Optional[str], groups: Optional[FrozenSet[str]]) -> None:
    lines = doc.lines
    found: Dict[str, int] = {}
    first = None
    for i in doc.lines_containing("devicefile", ignorecase=True):
        for m in _PARAM.finditer(lines[i]):
            found[m.group("key").lower()] = _number(m.group("value"), m.group("sep"))
            first = i if first is None else first
    mode = found.get("mode")
    if first is None or mode is None or mode & 0o006 == 0o006:
        return
    gid = found.get("gid", 0)
    for i in doc.lines_containing("whoami"):
        if _WHOAMI.search(lines[i]) and i + 1 < len(lines) and re.fullmatch(r"\s*[\w.-]+\s*", lines[i + 1]):
            user = lines[i + 1].strip()
    if user is None or user == "root" or not mode & 0o060:
        return
    name = None
    members: Optional[FrozenSet[str]] = None
    for line in lines:
        m = _GROUP_LINE.match(line)
        if m and int(m.group("gid")) == gid:
            name, members = m.group("name"), frozenset(x for x in m.group("members").split(",") if x)
    ids = [lines[i] for i in doc.lines_containing("groups=") if _ID_GROUPS.search(lines[i])]
    if ids:  # id prints every group's number: decisive
        inside = re.search(rf"[=,]{gid}\(", ids[0]) is not None
    elif groups is not None and name is not None:
        inside = name in groups
    elif members is not None:
        inside = user in members
    elif gid == 0:
        inside = False  # root's group, and the user is not root
    else:
        return
    if inside:
        return
    f.set("driver.device_nodes", (DeviceNode("/dev/nvidiactl", True, mode, name or str(gid), False),), first,
          detail=PARAMS_DETAIL)


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


# The same program working with root's rights and failing without them, in one sentence:
# "with sudo the GPU is used, without sudo it says no CUDA device", "root 运行是 True，普通用户是
# False" (zh), "root では動くが一般ユーザーでは" (ja). What differs is only the user: the nodes.
_GOOD = r"(?:works?|worked|working|fine|ok(?:ay)?|used|true|detected|found|sees?|runs?|正常|可以|能用|true|동작|작동|動く|動きます|使える)"
_BAD = (r"(?:fails?|failed|(?<!no\s)(?<!without\s)error|false|not\b|no\s+(?:cuda|gpu|device)|doesn'?t|does\s+not|can'?t|cannot|unable|"
        r"不行|不能|报错|失败|false|找不到|안\s*됨|안됩니다|動かない|使えない)")
_ROOT_CONTRAST = lazy(
    rf"(?:\bwith\s+sudo\b|\bas\s+root\b|\bunder\s+root\b|\bsudo\s+(?:python3?|\./\S+)|\broot\s*(?:用户|ユーザー|계정)?\s*(?:运行|执行|下|で|로)|\broot\b\s*(?:では|으로는))"
    rf"(?:[^.;!?\n]|\.(?=\S)){{0,80}}?{_GOOD}[^!?\n]{{0,60}}?"
    rf"(?:\bwithout\s+sudo\b|\b(?:as\s+)?(?:a\s+|my\s+)?(?:normal|regular|non-root|ordinary|own)\s+user\b|\bas\s+(?:me|myself|my\s+user)\b"
    rf"|普通用户|非\s*root|一般ユーザー|일반\s*(?:사용자|계정))[^!?\n]{{0,60}}?{_BAD}", _I)
# The same told the other way round, the user first: "False as a normal user, True with sudo",
# "普通用户运行返回 False，用 sudo 运行就是 True" (zh), "一般ユーザーでは動かないが sudo では動く" (ja).
_USER_FIRST = lazy(
    rf"(?:\bwithout\s+sudo\b|\b(?:as\s+)?(?:a\s+|my\s+)?(?:normal|regular|non-root|ordinary|own)\s+user\b|\bas\s+(?:me|myself|my\s+user)\b"
    rf"|普通用户|非\s*root|一般ユーザー|일반\s*(?:사용자|계정))(?:[^.;!?\n]|\.(?=\S)){{0,80}}?{_BAD}[^!?\n]{{0,60}}?"
    rf"(?:\bwith\s+sudo\b|\bas\s+root\b|\bunder\s+root\b|\bsudo\s+(?:python3?|\./\S+)|用\s*sudo|sudo\s*(?:运行|执行|では|で|로)"
    rf"|\broot\s*(?:用户|ユーザー|계정)?\s*(?:运行|执行|下|では|で|로))[^!?\n]{{0,60}}?{_GOOD}"
    # each state before its user: "returns False as a normal user, but True with sudo"
    rf"|{_BAD}\s+(?:as\s+)?(?:a\s+|my\s+)?(?:normal|regular|non-root|ordinary|own)\s+user\b[^.;!?\n]{{0,30}}?{_GOOD}"
    rf"\s+(?:with\s+sudo|as\s+root|under\s+root)\b", _I)

# What the contrast is about: the GPU (CUDA, torch's is_available, nvidia-smi, the GPU itself), not
# another program's rights that sudo also changes (review of round 26: "without sudo pip install fails,
# with sudo it works", docker's socket, a cache owned by root).
_GPU_TOLD = lazy(r"cuda|\bgpus?\b|nvidia|is_available|device_count|显卡|GPU|グラフィック|그래픽", _I)
OTHER_RIGHTS = lazy(r"docker\.sock|docker\s+daemon|\bpip3?\s+install|\bconda\s+(?:install|create)|\bapt(?:-get)?\s+install"
                     r"|\.cache\b|owned\s+by\s+root|site-packages|dist-packages|\bhuggingface\b"
                     r"|permission\s+denied:?\s*['\"]?/(?!dev/nvidia)"
                     # the settings only root may change on a working GPU (NVML's nvmlDeviceSet*: "Requires
                     # root/admin permissions"; nvidia-smi -pm/-pl/-lgc/-ac/-r/-e/-c/-mig), nvidia-settings'
                     # overclocking, and the profiling counters (ncu/nsys: ERR_NVGPUCTRPERM, RmProfilingAdminOnly)
                     r"|\bnvidia-smi\b[^\n]{0,40}?\s(?:-(?:pm|pl|lgc|rgc|lmc|rmc|ac|rac|acp|r|e|c|mig)\b|--(?:persistence-mode|power-limit"
                     r"|lock-gpu-clocks|lock-memory-clocks|reset-gpu-clocks|applications-clocks|gpu-reset|ecc-config|compute-mode"
                     r"|multi-instance-gpu))|\bnvidia-settings\b|\bcoolbits\b|ERR_NVGPUCTRPERM|RmProfilingAdminOnly"
                     r"|\bpower\s*limit|\bpersistence\s*mode|\bover-?clock\w*|\bclocks\b|\btaktrat\w*|\bleistungs?limit\w*|частот\w*"
                     r"|лимит\w*\s+мощност\w*|\bl[ií]mite\s+de\s+pot[eê]ncia|\blimite\s+de\s+puissance"
                     # the docker CLI as the user: the docker group (the daemon's socket), not the GPU's nodes
                     r"|\b(?:docker|nerdctl)\s+(?:run|compose|exec|ps|pull|build|info|images|start)\b|\bdocker\s+group\b", _I)


def _told_closed(doc: Pasted, f: Found) -> None:
    """A person saying opening the nodes to the user fixed it, or that the user cannot open them,
    or that the same thing works as root and fails as the user."""
    lines = doc.lines
    for i in doc.lines_containing("sudo", "root"):
        m = _ROOT_CONTRAST.search(lines[i]) or _USER_FIRST.search(lines[i])
        if m and _GPU_TOLD.search(lines[i]) and not OTHER_RIGHTS.search(lines[i]) \
                and "?" not in lines[i][m.end():m.end() + 20] \
                and not _DENIED_BEFORE.search(lines[i], max(0, m.start() - 25), m.start()) \
                and not general_statement(lines[i], m.start(), m.end()):
            f.set("driver.device_nodes", (DeviceNode("/dev/nvidiactl", True, accessible=False),), i, rank=STATED,
                  detail=f"{STATED_DETAIL}: works as root, not as the user ({m.group(0).strip()[:80]})")
            return
    for i in doc.lines_containing("/dev/nvidia", "video", "render", "nvidia device", "device node", "device file"):
        line = lines[i]
        m = _OPENED.search(line)
        if m:
            near = " ".join(lines[max(0, i - 1):i + 2])
            # "Should I add the user to the video group, or …?" asks; it tells nothing.
            asked = "?" in re.split(r"[.!;\n]", line[m.end():], maxsplit=1)[0]
            if not _WORKED.search(near) or _DENIED_BEFORE.search(line, max(0, m.start() - 25), m.start()) or asked \
                    or general_statement(line, m.start(), m.end()):  # "if it only works with sudo, add your user …"
                continue
        else:
            m = _CANNOT.search(line)
            if not m or not _WHO.search(line) or "?" in line[m.end():m.end() + 30]:
                continue
        f.set("driver.device_nodes", (DeviceNode("/dev/nvidiactl", True, accessible=False),), i, rank=STATED,
              detail=f"{STATED_DETAIL}: this user may not open the nodes ({m.group(0).strip()[:60]})")
        return


# /dev/nvidia-uvm told missing: a person's "was missing" / "does not exist", or loading
# nvidia-uvm said to fix it (a reload, rmmod then modprobe, is the suspend case instead).
_UVM_GONE = lazy(r"/dev/nvidia-uvm\b(?!-)['\"`]?(?:[^.;!?\n]{0,40}?\b(?:is|was|were|are|got)\s+|\s*)(?:missing|absent|gone|not\s+(?:there|present|created)|"
                       r"does(?:n'?t|\s+not)\s+exist|did(?:n'?t|\s+not)\s+exist|不存在|没有了?|가?\s*없)"
                       r"|\b(?:no|missing|without(?:\s+a)?)\s+[`'\"]?/dev/nvidia-uvm\b(?!-)"
                       r"|(?:没有|缺少)\s*/dev/nvidia-uvm\b(?!-)", _I)
_UVM_LOADED_FIX = lazy(r"nvidia-modprobe\b[^\n]{0,20}?\s-u\b|modprobe\s+(?:-\S+\s+)*nvidia[-_]uvm\b"
                             r"|\bload(?:ed|ing)?\s+(?:the\s+)?nvidia[-_]uvm\b", _I)
_RELOAD = lazy(r"rmmod\s+nvidia[-_]uvm|modprobe\s+-r\s+nvidia[-_]uvm|modprobe\s+--remove", _I)


def _told_uvm_missing(doc: Pasted, f: Found) -> None:
    lines = doc.lines
    for i in doc.lines_containing("nvidia-uvm", "nvidia_uvm", "nvidia-modprobe"):
        line = lines[i]
        near = " ".join(lines[max(0, i - 1):i + 2])
        m = _UVM_GONE.search(line)
        if m is None:
            m = _UVM_LOADED_FIX.search(line)
            if m is None or not _WORKED.search(near) or _RELOAD.search(near):
                continue
        if _DENIED_BEFORE.search(line, max(0, m.start() - 25), m.start()) or "?" in line[m.end():m.end() + 30]:
            continue
        f.set("driver.device_nodes", (DeviceNode("/dev/nvidia-uvm", False),), i, rank=STATED,
              detail=f"{STATED_DETAIL}: no /dev/nvidia-uvm ({m.group(0).strip()[:60]})")
        return
