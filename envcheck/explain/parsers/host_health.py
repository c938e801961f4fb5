"""A GPU that fell off the bus, told in a person's words, and the size of ``/dev/shm`` from a
pasted ``df``.

* "the GPU randomly falls off the bus", "GPU 1 falls out of the bus", "the kernel log shows an
  Xid 79 error": the kernel's own line ("NVRM: … has fallen off the bus") is a catalogue
  message; these are the same event retold, so the GPU's status is a claim (``STATED``) and
  the finding built on it is likely. A denial ("it never fell off the bus") or a question
  says nothing.
* ``df -h`` (or ``df`` with its ``1K-blocks`` header) listing ``/dev/shm``: the tmpfs PyTorch's
  DataLoader workers hand batches over in; Docker's default is 64 MiB.
* Shared memory said to be too small ("the shared memory is not enough", "insufficient
  shm", "shared memory不够", 共享内存不足): a claim, kept as a failed reading of the size
  (``Status.ERROR`` with the sentence as its detail) because the text gives no number; a df
  row outranks it.
* NGC containers' start banner "NOTE: The SHMEM allocation limit is set to the default of 64MB":
  the entrypoint prints it only when ``df -k /dev/shm`` gives 65536 (its own measurement, a tool's
  reading of 64 MiB in a container started without --ipc=host or --shm-size).
* A disk said to be full ("I ran out of disk space", "insufficient storage space", "the root
  directory that has no space", "error: /tmp/ollama-tf… no space left", 磁盘空间不足, "no hay
  espacio en el disco"): a claim on the free space, kept as a failed reading (``Status.ERROR``,
  the sentence as its detail). The OS's own "No space left on device" / "Disk quota exceeded"
  are catalogue messages. A denial ("plenty of disk space", "not a disk space issue"), a
  question, advice or a requirement ("make sure you have enough disk space", "needs 50GB of
  disk space"), GPU memory ("not enough space on the GPU") and /dev/shm say nothing of it.
* A suspend and resume before the failure: the kernel's and systemd's own lines ("PM: suspend
  exit", "ACPI: PM: Waking up from system sleep state S3", "systemd-sleep[…]: System returned
  from sleep state.", the driver's nvidia-resume.service) are a tool's reading; a person's
  "after waking the laptop up from sleep", "after suspend/resume", "once the computer wakes
  up" a claim. The commoner phrasings are prose_state's; these are the ones with words
  between the verb and "from sleep" or a machine as the subject.
"""

from __future__ import annotations

import re
from typing import Optional

from envcheck.explain.df_layout import host_df
from envcheck.explain.parsers import df_full, shm_workers_said
from envcheck.explain.partial import STATED, STATED_DETAIL, TOOL, Found
from envcheck.explain.sentences import clause_start, general_statement, not_here_now
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy
from envcheck.reading import Reading, Status

SOURCE = "host health"
_I = re.IGNORECASE

_OFF_BUS = lazy(r"\b(?:falls?|fell|fallen|falling|drops?|dropped|dropping)\s+(?:out\s+of|off(?:\s+of)?)\s+"
                      r"the\s+(?:pci(?:e|-e)?\s+)?bus\b|(?<![a-z0-9_])xid\s*(?:error\s*)?[:#]?\s*79(?!\d|\.\d)|从总线(?:上)?掉(?:了|线)", _I)
_DENIED = lazy(r"\b(?:not|never|no|without|didn't|doesn't|hasn't|haven't|won't|isn't|wasn't)\b[^.;!?\n]{0,25}$"
                     r"|n't\s+\w*\s*$|(?:没有|没|未|无)[^。；！？\n]{0,10}$", _I)
# Japanese denies after the words: "Xid 79は出ていません", "Xid 79 は出ていない".
_DENIED_AFTER = lazy(r"\s*[はがも]?\s*(?:出ていない|出ていません|出ません|ありません|見当たらない|見当たりません)")
# Below a person's word (STATED) and a fix's (AFTER_FIX): a host read from df's layout or told in
# passing yields to a container said or read anywhere else in the text.
BELOW_STATED = STATED - 8  # (not 0: Found.set takes a falsy rank for its own)
# The machine said to be a host: "bare-metal", "not running in a container", "outside docker".
_BARE_METAL = lazy(r"\bbare[- ]?metal\b|\b(?:not|n't)\s+(?:running\s+)?(?:in|inside)\s+(?:a\s+|the\s+|any\s+)?"
                   r"(?:docker|container|pod)\b|\boutside\s+(?:of\s+)?(?:a\s+|the\s+|any\s+)?(?:docker|containers?)\b", _I)
# One df row: filesystem, size, used, avail, use%, mount point.
_DF_ROW = lazy(r"^\s*\S+\s+(?P<size>\d+(?:[.,]\d+)?)(?P<unit>[KMGT]i?)?\s+\S+\s+\S+\s+\d{1,3}%\s+/dev/shm\s*$", _I)
_SHM = r"(?:shared[\s-]*memory|/dev/shm|\bshm\b)"
_SHM_SHORT = lazy(
    r"\b(?:insufficient|not\s+enough|too\s+(?:small|little)|ran\s+out\s+of|run(?:s|ning)?\s+out\s+of|out\s+of|"
    rf"lack\s+of|exhausted)\s+(?:the\s+)?(?:\w+\s+)?{_SHM}"
    rf"|{_SHM}(?:\s*\([^)\n]{{0,10}}\))?[^.;!?\n]{{0,25}}?\b(?:is|was|are|were|gets?|got|being)\s+(?:too\s+(?:small|little)|"
    r"not\s+enough|insufficient|full|exhausted|(?:limited|only)\s+(?:to\s+)?\d+\s*[KMG]i?B?)\b"
    rf"|{_SHM}\s*(?:\([^)\n]{{0,10}}\))?\s*(?:不够|不足|太小|满了|被?限制)|共享内存(?:空间)?(?:不够|不足|太小)|限制了\s*(?:shm|共享内存)"
    # "an error about shared memory limited occurs", "errors related to the shm limit"
    rf"|\b(?:errors?|issues?|problems?|exceptions?)\s+(?:about|regarding|related\s+to|with|of)\s+(?:the\s+)?{_SHM}\s+limit(?:ed|s)?\b"
    # the space on the tmpfs said short: "the limited amount of space on the `/dev/shm` (shared memory) drive",
    # "no space left on /dev/shm", "ran out of space in shm"
    r"|\b(?:limited|little|no|insufficient|not\s+enough|lack\s+of|(?:ran|run(?:s|ning)?)\s+out\s+of|out\s+of)\s+"
    r"(?:amount\s+of\s+)?(?:free\s+)?space\s+(?:left\s+)?(?:on|in)\s+(?:the\s+)?`?(?:/dev/shm|shm\b)"  # not CUDA's smem
    # the fix the person applied told as the way out: "workaround is to mount an emptyDir to /dev/shm",
    # "fixed it by increasing the shm size", "solved by adding --shm-size=8g"
    r"|\b(?:work-?around|solution|the\s+fix)\s+(?:is|was)\s+to\s+(?:mount|increase|raise|enlarge|expand|set|add|bump)\b"
    rf"[^.;!?\n]{{0,60}}?(?:{_SHM}|shm[-_]?size)"
    r"|\b(?:fixed|solved|resolved)\s+(?:it|this|the\s+(?:issue|problem|error))?\s*(?:by|with)\s+(?:increasing|raising|"
    rf"enlarging|expanding|setting|adding|mounting|bumping)\b[^.;!?\n]{{0,40}}?(?:{_SHM}|shm[-_]?size)",
    _I)
# A person saying a disk or file system is full, in their words (see the module's docstring).
_DISK = r"(?:disk|storage|drive|hard\s*drive|hdd|ssd|partition|file\s*system|filesystem|volume)"
_DISK_FULL = lazy(
    rf"\b(?:insufficient|not\s+enough|ran\s+out\s+of|run(?:s|ning)?\s+out\s+of|out\s+of|lack\s+of|no)\s+(?:free\s+)?{_DISK}\s+space\b"
    rf"|\b{_DISK}\s+(?:space\s+)?(?:is|was|got|gets|became|ran|runs)\s+(?:completely\s+|almost\s+)?(?:full|out)\b"
    r"|\bno\s+(?:more\s+)?(?:free\s+)?space\s+left\b(?!\s+on\s+(?:the\s+)?device)"
    r"|\b(?:directory|partition|disk|drive|volume|root|/[\w./-]+)\s+(?:that|which)\s+(?:has|had)\s+no\s+(?:free\s+)?space\b"
    r"|(?:磁盘|硬盘|存储|儲存|存儲|系统盘|系統盤)(?:空间|空間)?(?:不足|不够|不夠|满了|已满|滿了)"
    r"|ディスク(?:容量|の空き(?:容量)?)?が(?:不足|足りな|いっぱい)|ストレージ(?:容量)?が不足"
    r"|디스크\s*(?:공간|용량)이?\s*(?:부족|없|가득)|저장\s*공간이?\s*부족"
    r"|\b(?:no\s+hay|sin|falta\s+de)\s+(?:suficiente\s+)?espacio\s+(?:libre\s+)?(?:en\s+(?:el\s+)?)?disco\b|\bdisco\s+(?:est[áa]\s+)?lleno\b"
    r"|\bsem\s+espa[çc]o\s+(?:livre\s+)?(?:em|no)\s+disco\b|\bdisco\s+(?:est[áa]\s+)?cheio\b"
    r"|\bkein\s+(?:freier\s+)?Speicherplatz|\bnicht\s+genug\s+Speicherplatz|\bFestplatte\s+(?:ist\s+)?voll\b"
    r"|\b(?:plus|pas\s+assez)\s+d'espace\s+(?:disque|de\s+stockage|sur\s+le\s+disque)|\bdisque\s+(?:est\s+)?plein\b"
    r"|недостаточно\s+места\s+на\s+диске|нет\s+места\s+на\s+диске|диск\s+(?:заполнен|переполнен)"
    r"|\bdisk\s+alan[ıi]\s+(?:yetersiz|doldu|kalmad)|(?:ổ\s+đĩa|ổ\s+cứng)\s+(?:đã\s+)?đầy|hết\s+dung\s+lượng\s+ổ", _I)
# What the sentence is about instead: GPU memory, /dev/shm, a cache inside a program (vLLM's or
# llama.cpp's KV cache); or advice, a requirement, a denial.
_NOT_DISK = lazy(r"\b(?:gpu|vram|cuda|shm|shared\s+memory|kv|cache\s+blocks?|context|ram|memory|buffers?|queues?|ring|"
                       r"pool|batch|table|array|slots?|block)\b|/dev/shm|显存|内存", _I)
_DISK_ADVICE = lazy(r"\b(?:make\s+sure|ensure|check|need(?:s|ed)?|requires?|required|at\s+least|recommend\w*|should|if|whether|"
                          r"plenty|enough\s+(?:disk\s+)?space|even\s+though|although|despite|not\s+(?:a|the)\b)", _I)
# The same words denied where the language puts the negation after them (ja "ディスクがいっぱいでは
# ありません", ko "디스크 공간이 부족하지 않습니다", tr "disk alanı yetersiz değil") or a zh "not" before them ("不是磁盘满了").
_DISK_DENIED_AFTER = lazy(r"^\s*(?:では|じゃ)(?:ありません|ない|なかった)|^\s*(?:하지|지)\s*않|^\s*de[ğg]il\b")
_DISK_DENIED_BEFORE = lazy(r"(?:不是|并非|並非|并不是|並不是)\s*$")
_DISK_NEEDLES = (" space", "disk", "storage", "磁盘", "硬盘", "存储", "儲存", "存儲", "系统盘", "系統盤", "ディスク", "ストレージ",
                 "디스크", "저장", "espacio", "disco", "speicherplatz", "festplatte", "d'espace", "disque", "диск", "места",
                 "alan", "đĩa", "ổ cứng", "dung lượng")


# CUDA's per-block shared memory (a kernel's limit, Triton's "out of resource: shared memory"), not /dev/shm.
_CUDA_SMEM = lazy(r"\b(?:triton|ptxas|kernels?|per[\s-]block|blocks?|smem|threads?|warps?)\b", _I)
# A size said beside /dev/shm in prose or a paraphrased command: "`df -h /dev/shm` da 64M",
# "/dev/shm is only 64MB", "/dev/shm 只有 64M", "/dev/shm の容量は64MB", "shm is 64 MB inside the
# container". A setting (--shm-size=, shm_size:), a default told as knowledge, a change from one
# size to another, or a question says nothing about this machine.
# Only the tmpfs's own names: "shared memory" with a size is as often CUDA's per-block memory.
_SHM_SIZE = lazy(r"(?:/dev/shm|\bshm\b)(?P<between>[^\n]{0,60}?)(?<![\w.=])"
                       r"(?P<size>\d+(?:[.,]\d+)?)\s?(?P<unit>[KMGT])(?:i?B|i)?\b", _I)
_SHM_SETTING = lazy(r"shm[-_]?size|\bsize=|tmpfs|\bmount\b|\bdefault\w*|默认|デフォルト|기본|por\s+defecto|"
                          r"standardmäßig|\bincreas\w*|\braise\w*|\bbump\w*|\benlarg\w*|\bfrom\s+\d|\bset\s+(?:it\s+)?to\b|"
                          r"aument\w*|erhöh\w*|增加|增大|调大|扩大|늘리|늘려|増や|\bneeds?\b|\brequir\w*|\bat\s+least\b|"
                          r"\bobject\s+store\b|\brecommend\w*|\bshould\b|\bif\b|\bwhen\b|如果", _I)
# mount(8)'s line and /proc/mounts' row for the tmpfs: "shm on /dev/shm type tmpfs (rw,…,size=65536k)",
# "shm /dev/shm tmpfs rw,…,size=65536k 0 0" (util-linux mount; fs/proc_namespace.c show_vfsmnt,
# tmpfs printing its size= option in kibibytes, or with a unit when mounted with one).
_MOUNT_ROW = lazy(r"\s/dev/shm\s+(?:type\s+)?tmpfs\s+\(?[^\n]*?\bsize=(?P<size>\d+)(?P<unit>[kmgt])\b", _I)
# NGC images' entrypoint (nvidia_entrypoint.sh / entrypoint.d): printed when `df -k /dev/shm` shows 65536.
_NGC_SHM = lazy(r"The SHMEM allocation limit is set to the default of 64MB")
# The fix branches of _SHM_SHORT said as advice or a plan ("if you use docker the fix is to add --shm-size",
# "you could try: the workaround is to mount /dev/shm") tell nothing of this machine.
_FIX_TOLD = lazy(r"(?:work-?around|solution|the\s+fix|fixed|solved|resolved)\b", _I)
_ADVICE = lazy(r"\b(?:if|you|try|should|may|might|could|can|maybe|perhaps|suggest\w*|recommend\w*)\b", _I)
_UNIT = {"": 2**10, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}


def _question(line: str, end: int) -> bool:
    return "?" in line[end:end + 40] or "？" in line[end:end + 40]


def _sentence_before(line: str, start: int) -> str:
    """The part of the sentence on ``line`` before ``start``."""
    return line[clause_start(line, start, ".;!?"):start]


def _shm_bytes(m: re.Match, blocks: bool):
    unit = (m.group("unit") or "").upper().rstrip("I")
    if not unit and not blocks:
        return None  # a bare number without df's 1K-blocks header: unit unknown
    return int(float(m.group("size").replace(",", ".")) * _UNIT[unit])


# Linux's PM core (kernel/power/suspend.c pm_pr_dbg "PM: suspend exit", hibernate.c "PM:
# hibernation: exit"), ACPI (drivers/acpi/sleep.c "ACPI: PM: Waking up from system sleep state
# S%d"), systemd-sleep (src/sleep/sleep.c "System returned from sleep operation" / "sleep
# state"), NVIDIA's resume unit (nvidia-resume.service, nvidia-sleep.sh resume).
_RESUMED_LOG = lazy(r"\bPM: (?:suspend|hibernation:?) exit\b|ACPI: (?:PM: )?Waking up from system sleep state"
                          r"|System returned from sleep (?:state|operation)|\bnvidia-resume\.service\b.*\b(?:Started|Finished|"
                          r"Succeeded|Deactivated)|nvidia-sleep\.sh.*\bresume\b", _I)
_MACHINE = r"(?:laptop|notebook|computer|machine|pc|system|workstation|desktop|box|it)"
_RESUMED_SAID = lazy(
    r"\b(?:wak(?:e|es|ing)|woke|wakened)\s+(?:\w+\s+){0,3}(?:up\s+)?(?:from|out\s+of)\s+(?:sleep|suspend\w*|hibernat\w*|standby)"
    rf"|\b(?:after|when|once|whenever|every\s+time)\s+(?:the\s+|my\s+|this\s+)?{_MACHINE}\s+(?:wakes|woke|resumes|resumed|"
    r"comes\s+back|came\s+back)\b|\bsuspend\s*/\s*resume\b|\bsleep\s*/\s*(?:wake|resume)\b|\bresum(?:e|ed|ing)\s+from\s+"
    r"(?:suspend|hibernat\w*|standby)|\bput\s+(?:\w+\s+){1,3}(?:in)?to\s+(?:sleep|suspend|standby|hibernation)\b"
    r"|\b(?:went|goes|go|going|gone)\s+(?:in)?to\s+(?:sleep|suspend|standby|hibernation)\b|절전\s?모드에서\s*(?:깨어|복귀)|休眠(?:后|之后)|唤醒(?:后|之后)|スリープ(?:から|後)", _I)


def _resumed(doc: Pasted, f: Found) -> None:
    lines = doc.lines
    for i in doc.lines_containing("pm: ", "waking up", "returned from sleep", "nvidia-resume", "nvidia-sleep"):
        if _RESUMED_LOG.search(lines[i]):
            f.set("host.resumed_from_suspend", True, i, rank=TOOL, detail=f"the system log shows a resume (line {i + 1})")
            return
    for i in doc.lines_containing("wak", "woke", "resum", "suspend", "sleep", "standby", "hibernat", "절전", "休眠", "唤醒",
                                  "スリープ"):
        line = lines[i]
        m = _RESUMED_SAID.search(line)
        if m and not _DENIED.search(line, max(0, m.start() - 40), m.start()) and not _question(line, m.end()):
            f.set("host.resumed_from_suspend", True, i, detail=f"{STATED_DETAIL}: {m.group(0)}")
            return


def _shm_said(doc: Pasted, f: Found) -> None:
    """A size of /dev/shm told in words (a df row, read after, outranks it)."""
    lines = doc.lines
    for i in doc.lines_containing("shm", ignorecase=True):
        line = lines[i]
        m = _SHM_SIZE.search(line)
        if (m is None or _DF_ROW.match(line) or _SHM_SETTING.search(line) or _question(line, m.end())
                or _DENIED.search(line, max(0, m.start() - 40), m.start()) or "%" in m.group("between")):
            continue
        size = int(float(m.group("size").replace(",", ".")) * _UNIT[m.group("unit").upper()])
        f.set("host.shm_total_bytes", size, i, detail=f"{STATED_DETAIL}: {m.group(0)}")
        return


def _disk_full(line: str) -> Optional[str]:
    """The words of a person saying a disk is full, on one line, or None."""
    m = _DISK_FULL.search(line)
    if not m or _question(line, m.end()):
        return None
    start, end = max(0, m.start() - 60), min(len(line), m.end() + 40)
    near = line[start:end]
    if (_NOT_DISK.search(near) or _DISK_ADVICE.search(line, start, m.start())
            or _DENIED.search(line, max(0, m.start() - 40), m.start()) or _DISK_ADVICE.search(line, m.end(), end)
            or _DISK_DENIED_AFTER.search(line[m.end():m.end() + 12]) or _DISK_DENIED_BEFORE.search(line[start:m.start()])):
        return None
    return m.group(0)


def _disk_said(doc: Pasted, f: Found) -> None:
    hit = doc.first(_disk_full, *_DISK_NEEDLES, ignorecase=True)
    if hit:
        i, words = hit
        f.fail("host.cache_disk_free_bytes", Status.ERROR, i, detail=f"{STATED_DETAIL}: {words}")


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    lines = doc.lines
    _resumed(doc, f)
    _disk_said(doc, f)
    df_full.read(doc, f)  # a df table's full file system, at a tool's rank
    shm_workers_said.read(doc, f)  # workers=0 told as the fix, in a container
    for i in doc.lines_containing("bus", "xid", "总线", ignorecase=True):
        line = lines[i]
        if "NVRM" in line:
            continue  # the kernel's own line: a catalogue message, read at a tool's rank
        m = _OFF_BUS.search(line)
        if m and not _DENIED.search(line, max(0, m.start() - 40), m.start()) and not _question(line, m.end()) \
                and not _DENIED_AFTER.match(line, m.end()) \
                and not general_statement(line, m.start(), m.end()) and not not_here_now(line, m.start(), m.end()):
            detail = f"{STATED_DETAIL}: {m.group(0)}"
            f.gpu(None, i, detail=detail, status=Reading.fail(Status.GPU_LOST, detail))
    for i in doc.lines_containing("shm", "shared memory", "shared-memory", "共享内存", ignorecase=True):
        line = lines[i]
        m = _SHM_SHORT.search(line)
        if m and not _DENIED.search(line, max(0, m.start() - 40), m.start()) and not _question(line, m.end()) \
                and not _DENIED_AFTER.match(line, m.end()) \
                and not (m.group(0).lower().endswith(("limit", "limited", "limits")) and _CUDA_SMEM.search(line)) \
                and not (_FIX_TOLD.match(m.group(0)) and _ADVICE.search(_sentence_before(line, m.start()))):
            f.fail("host.shm_total_bytes", Status.ERROR, i, detail=f"{STATED_DETAIL}: {m.group(0)}")
            break
    _shm_said(doc, f)
    for i in doc.lines_containing("/dev/shm"):
        m = _MOUNT_ROW.search(lines[i])
        if m:
            size = int(m.group("size")) * _UNIT[m.group("unit").upper()]
            f.set("host.shm_total_bytes", size, i, detail=f"mount options, line {i + 1} of the text", rank=TOOL)
    for i in doc.lines_containing("shmem allocation limit"):
        if _NGC_SHM.search(lines[i]):
            f.set("host.shm_total_bytes", 64 * 2**20, i, rank=TOOL,
                  detail=f"the NGC container's start banner (the SHMEM limit at the default of 64MB), line {i + 1}")
            f.set("host.container", "docker", i, rank=TOOL, detail=f"an NGC container's start banner, line {i + 1}")
            break
    shm_rows = doc.lines_containing("/dev/shm")
    if shm_rows:
        blocks = bool(doc.lines_containing("1k-blocks"))
        for i in shm_rows:
            m = _DF_ROW.match(lines[i])
            size = _shm_bytes(m, blocks) if m else None
            if size:
                f.set("host.shm_total_bytes", size, i, detail=f"df, line {i + 1} of the text", rank=TOOL)
                host = host_df(lines, i)
                if host:  # below any other word on it: a container said or read elsewhere wins
                    f.set("host.container", "none", i, rank=BELOW_STATED, detail=f"{host} (line {i + 1})")
    _bare_metal(doc, f)
    return f


def _said_host(line: str) -> Optional[str]:
    m = _BARE_METAL.search(line)
    if m and not _DENIED.search(line, max(0, m.start() - 40), m.start()) and not _question(line, m.end()):
        return m.group(0)
    return None


def _bare_metal(doc: Pasted, f: Found) -> None:
    """The machine said to be a host, not a container ("bare-metal Ubuntu server", "not running in
    a container"): ranked below every other word on it (a container said anywhere wins)."""
    hit = doc.first(_said_host, "bare", "metal", "outside", "not in", "not running", "n't in", "n't running",
                    ignorecase=True)
    if hit:
        i, words = hit
        f.set("host.container", "none", i, rank=BELOW_STATED, detail=f"{STATED_DETAIL}: {words}")
