"""A person saying the machine has no NVIDIA GPU in two forms ``prose_state`` does not read:

* the absence given as the reason for the failure: "it fails due to no Nvidia GPU", "the
  error is because of no NVIDIA graphics card", "because of not having an nvidia gpu";
* NVIDIA's name misspelt, as strangers type it: "I don't have an NVDIA GPU", "my laptop has no
  nvida card", "without a nividia GPU" (nvdia, nvida, nivida, nividia, nvidea);
* the absence in the languages prose_state does not read: Russian "у меня нет видеокарты nvidia",
  Japanese "NVIDIAのGPUは搭載していません", Turkish "NVIDIA ekran kartı yok", Vietnamese "không có
  card NVIDIA", Italian "non ho una scheda video NVIDIA" (not in a question or a condition).

CUDA runs on NVIDIA GPUs only, so either is why the CUDA call fails on that machine: no NVIDIA
GPU, at a person's rank (the ``no_nvidia_gpu_found`` finding built on it is likely).

Nothing is claimed where the text names NVIDIA hardware (a GPU model, nvidia-smi's table), for
a question or a condition ("if you don't have an NVIDIA GPU", "does it fail due to no NVIDIA
GPU?"), for another machine or the past ("fails due to no NVIDIA GPU on the CI runner",
"previously it failed because of no nvidia gpu"), a text saying it works now, or where the
absence is what a tool reported ("fails due to no NVIDIA GPU being
detected / found"): that is the failure, on a machine that may have one.

And a person saying the system of the report runs as a desktop hypervisor's guest: "installing
Ubuntu 18.04 on VMware", "Ubuntu 18.04 running w/8GB RAM in VirtualBox on Windows 10", "Ubuntu 64
bit virtualized on Mac OS X with Parallels Desktop 10", "on a VirtualBox VM". VirtualBox (PCI
passthrough was Linux-host-only and experimental, removed in 6.1), VMware Workstation / Player /
Fusion and Parallels Desktop give the guest an emulated display adapter, not the host's NVIDIA GPU,
so CUDA in the guest finds none: ``host.in_vm`` at a person's rank (read by
``rules/no_gpu_mac.desktop_vm_no_gpu``). Not where the text names ESXi / vSphere, passthrough,
vGPU, VFIO or DDA (a GPU can be given to such a guest), for a question or a condition, a denial
or the past ("not in VirtualBox", "I used to run it in VMware"), another machine, or a text saying
it works.
"""

from __future__ import annotations

import re

from ...derived.messages import NO_NVIDIA_DETAIL, STATED_DETAIL
from ...lazyre import lazy
from ..partial import STATED, Found
from ..sentences import asked, clause_start, working_after
from ..source import Pasted
from .display_adapters import names_nvidia_hardware

SOURCE = "gpu absence statements"

_I = re.IGNORECASE
_MISSPELT = r"(?:nvdia|nvida|nivida|nividia|nvidea)"
# A compound noun after it names something else missing than the GPU ("no NVIDIA GPU support in the
# image", "… GPU driver", "… GPU access inside the container", "… card memory left").
_GPU = (r"(?:gpus?|graphics(?:\s+cards?)?|graphic\s+cards?|video\s+cards?|cards?)"
        r"(?![\s-]+(?:support\w*|drivers?|access|acceleration|accelerated|memory|vram|passthrough|runtime|device\s+plugin"
        r"|toolkit|build|wheel|version|image|compute|utili[sz]ation|usage|resources?|capabilit\w*|backend|plugin|libraries)\b)")
# The absence as the cause: "due to no NVIDIA GPU", "because of not having an nvidia card".
_CAUSE = lazy(rf"\b(?:due\s+to|because\s+of|owing\s+to)\s+(?:(?:having|there\s+being)\s+no|not\s+having\s+(?:an?\s+|any\s+)?"
              rf"|no|the\s+lack\s+of\s+(?:an?\s+)?|lack\s+of\s+(?:an?\s+)?)\s*(?:nvidia|{_MISSPELT})\s+{_GPU}\b", _I)
# Denials with the name misspelt (prose_state reads the same sentences with "nvidia").
_MISSPELT_DENIAL = lazy(
    rf"\b(?:(?:have|has|with|there\s+is|there's)\s+no|(?:don't|doesn't|dont|doesnt|do\s+not|does\s+not)\s+have"
    rf"(?:\s+an?|\s+any)?|without(?:\s+an?|\s+any)?)\s+{_MISSPELT}\s+{_GPU}\b", _I)
# What a tool reported, not the machine: "no NVIDIA GPU being detected", "… found", "… visible".
_REPORTED = lazy(r"^\W{0,3}(?:(?:is|was|were|are|being|been|gets?|got)\s+)*(?:detected|found|visible|recogni[sz]ed|available"
                 r"|shown|listed|seen|present)\b", _I)
_CONDITION = lazy(r"\b(?:if|unless|whether|when)\b[^.;!?\n]{0,40}$", _I)
# Another machine than the one the text is about: "fails due to no NVIDIA GPU on the GitHub runner /
# in the CI container / on my old laptop", or said as the past ("previously", "last year").
_ELSEWHERE = lazy(r"\b(?:ci|runners?|github\s+actions|build\s+(?:server|machine|agent)|(?:other|another|old|previous|"
                  r"friend'?s|colleague'?s)\s+(?:machine|computer|laptop|pc|server|box)|previously|last\s+(?:year|month|week)"
                  r"|used\s+to)\b", _I)
_NEEDLES = ("nvdia", "nvida", "nivida", "nividia", "nvidea", "due to", "because of", "owing to")
# The machine has no NVIDIA GPU, in the languages prose_state does not read (Russian, Japanese,
# Turkish, Vietnamese, Italian): "у меня нет видеокарты nvidia", "NVIDIAのGPUは搭載していません",
# "NVIDIA ekran kartım yok", "máy tôi không có card NVIDIA", "non ho una scheda video nvidia".
_GPU_WORDS_RU = r"(?:видеокарт\w*|gpu|графическ\w+\s+(?:процессор\w*|карт\w*|адаптер\w*))"
# NVIDIA as the thing missing, not a program or package of its name ("нет nvidia-smi", "không có
# nvidia-container-toolkit") nor its driver ("у меня нет nvidia драйвера": the driver is missing).
_NV = r"nvidia(?![\w-])(?!\s+(?:драйвер\w*|driver\w*|sürücü\w*|smi|container|toolkit|docker|cuda))"
# The Japanese plain negative as the sentence's verb, not a noun's modifier or a condition ("NVIDIAの
# GPUがない環境でも", "GPUがないとエラーになる", "ないPC"): a stop, a reason or a "but" after it.
_JA_END = r"(?=\s*(?:[。、，,.!！)）]|$|です|ので|から|ため|んです|のです|けど|けれど|が[、,]|し[、,]))"
_ABSENT_LANGS = lazy(
    rf"(?<![\w-])нет\s+(?:дискретной\s+)?{_GPU_WORDS_RU}\s+(?:от\s+)?{_NV}|(?<![\w-])нет\s+{_NV}"
    rf"|(?<![\w-])без\s+(?:дискретной\s+)?{_GPU_WORDS_RU}\s+(?:от\s+)?{_NV}"
    r"|nvidia\s*(?:の|製の)?\s*(?:gpu|グラフィックボード|グラボ|グラフィックカード|ビデオカード)\s*(?:は|が)?\s*"
    rf"(?:(?:搭載して(?:いま)?せん|ありません|積んで(?:いま)?せん|ついていません)(?!\s*か)|(?:搭載していない|ない|無い|ついていない){_JA_END})"
    r"|nvidia\s+(?:ekran|grafik)\s+kart\w*\s+(?:yok(?![\w'’])(?!\s*m[ıiuü]\b)|bulunm(?:uyor|adı|az)\b)"
    r"|nvidia\s+gpu\w*\s+yok\b(?!\s*m[ıiuü]\b)"
    rf"|không\s+có\s+(?:card|gpu|vga)(?:\s+(?:màn\s+hình|đồ\s+họa|rời))*\s+{_NV}|không\s+có\s+{_NV}"
    rf"|\bnon\s+ho\s+(?:una\s+)?(?:scheda\s+(?:video|grafica)|gpu)\s+{_NV}", _I)
_LANG_NEEDLES = ("нет", "без", "không có", "non ho", "搭載", "ありません", "ない", "無い", "積ん", "つい", "yok", "bulunm")
# A condition, in those languages: "если нет …", "もし…", "eğer …", "nếu không có …", "se non ho …".
_CONDITION_LANGS = lazy(r"(?:если|もし|eğer|nếu|\bse\b|ならば|なら|場合|\bthì\b|\bise\b)", _I)
# A container, a VM or WSL named in the clause: the GPU may be the host's, not passed in ("В контейнере
# нет видеокарты nvidia", "trong container không có card NVIDIA").
_INSIDE_LANGS = lazy(r"контейнер\w*|\bdocker\b|\bcontainer\w*|konteyner\w*|コンテナ|컨테이너|容器|виртуальн\w*|\bwsl\b", _I)


_HYPERVISOR = r"(?:virtual\s?box|vmware(?:\s+(?:workstation|player|fusion))?|parallels(?:\s+desktop)?)"
_OS = (r"(?:ubuntu|linux|debian|fedora|centos|rocky|alma\w*|kali|mint|arch|manjaro|opensuse|suse|rhel|pop!?_os"
       r"|windows(?:\s+\d+)?|guest(?:\s+os)?|(?:the\s+)?os|system)")
# The report's system inside one: "<OS> … on/in/inside/under/with <hypervisor>", "on a <hypervisor> VM".
_GUEST = lazy(rf"\b{_OS}\b(?:[^.;!?\n]|\.(?=\d)){{0,60}}?\b(?:on|in|inside|under|within|with|using|via|w/)\s+(?:an?\s+|the\s+|my\s+)?"
              rf"(?P<hv>{_HYPERVISOR})\b"
              rf"|\b(?:on|in|inside|under|within|using)\s+(?:an?\s+|the\s+|my\s+)?(?P<hv2>{_HYPERVISOR})\s+"
              rf"(?:virtual\s+machine|vm|guest)\b", _I)
# A GPU can be handed to such a guest: ESXi / vSphere (DirectPath I/O, vGPU), VFIO, Hyper-V's DDA or GPU-P.
_PASSED = lazy(r"\besxi\b|\bvsphere\b|\bvcenter\b|pass-?\s?through|\bvgpu\b|\bvfio\b|\bdda\b|directpath|gpu-?p\b"
               r"|\bgpu[- ]pv\b|\bproxmox\b|\bkvm\b|\bqemu\b", _I)
# Words one of _PASSED's alternatives needs (lower case; Pasted.lines_containing): a search of the
# whole text with _PASSED took 0.14 s of a 4 MiB paste.
_PASSED_NEEDLES = ("esxi", "vsphere", "vcenter", "pass", "vgpu", "vfio", "dda", "directpath", "gpu-p", "gpup", "gpu p",
                   "proxmox", "kvm", "qemu")
_NOT_HERE = lazy(r"\b(?:not|never|no\s+longer|used\s+to|previously|before|instead\s+of|rather\s+than|outside(?:\s+of)?"
                 r"|without|switched|moved|migrated|tried|stopped)\b|n't\b", _I)
_VM_NEEDLES = ("virtualbox", "virtual box", "vmware", "parallels")
# The sentence's end for a question mark: a full stop inside a version ("Ubuntu 18.04?") is none.
_SENTENCE_END = lazy(r"[.!;](?!\d)")


def _question(line: str, end: int) -> bool:
    stop = _SENTENCE_END.search(line, end)
    return asked(line, end) or "?" in line[end:stop.start() if stop else len(line)]


def _vm_name(hv: str) -> str:
    hv = hv.lower()
    return "virtualbox" if "box" in hv else "vmware" if hv.startswith("vmware") else "parallels"


def _vm_guest(doc: Pasted, f: Found) -> None:
    hits = doc.lines_containing(*_VM_NEEDLES)
    if not hits:
        return
    lines = doc.lines
    if any(_PASSED.search(lines[i]) for i in doc.lines_containing(*_PASSED_NEEDLES, ignorecase=True)):
        return
    for i in hits:
        line = lines[i]
        if len(line) > 2000 or i in doc.enclosed:
            continue
        m = _GUEST.search(line)
        if m is None:
            continue
        start = clause_start(line, m.start())
        if (_question(line, m.end()) or _NOT_HERE.search(line[start:m.end()])
                or _CONDITION.search(line[max(0, m.start() - 60):m.start()])
                or _ELSEWHERE.search(line[start:m.end() + 40]) or working_after(lines, i, m.start())):
            continue
        hv = m.group("hv") or m.group("hv2")
        f.set("host.in_vm", _vm_name(hv), i,
              detail=f"{STATED_DETAIL}: the system runs as a {hv.strip()} guest ({m.group(0).strip()[:80]}, line {i + 1})")
        return


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    _vm_guest(doc, f)
    if names_nvidia_hardware(doc):
        return f
    lines = doc.lines
    for i in doc.lines_containing(*_NEEDLES):
        line = lines[i]
        if len(line) > 2000 or i in doc.enclosed:
            continue  # another program's output, not a sentence
        for pattern in (_CAUSE, _MISSPELT_DENIAL):
            m = pattern.search(line)
            if (m is None or asked(line, m.end()) or _REPORTED.search(line[m.end():m.end() + 30])
                    or _CONDITION.search(line[max(0, m.start() - 60):m.start()])
                    or _ELSEWHERE.search(line[clause_start(line, m.start()):m.end() + 60])
                    or working_after(lines, i, m.start())):
                continue
            f.set("pci.devices", (), i, detail=f"{NO_NVIDIA_DETAIL} ({m.group(0).strip()})")
            return f
    for i in doc.lines_containing(*_LANG_NEEDLES, ignorecase=True):
        line = lines[i]
        m = _ABSENT_LANGS.search(line) if len(line) <= 2000 else None
        if m is None:
            continue
        clause = line[clause_start(line, m.start()):m.end()]
        if (_question(line, m.end()) or "？" in line[m.end():m.end() + 20] or _CONDITION_LANGS.search(clause)
                or _INSIDE_LANGS.search(clause)
                or _CONDITION_LANGS.search(line[m.end():m.end() + 6]) or working_after(lines, i, m.start())):
            continue
        f.set("pci.devices", (), i, detail=f"{NO_NVIDIA_DETAIL} ({m.group(0).strip()})")
        return f
    return f
