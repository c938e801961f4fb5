"""A GPU index the run was started with, told as changed to 0 to fix CUDA finding no device.

CUDA says "no CUDA-capable device is detected" (cudaErrorNoDevice, runtime error 38 / 100;
torch's "No CUDA GPUs are available") only when it sees no GPU at all. A machine whose driver
works sees its GPUs unless CUDA_VISIBLE_DEVICES hides them; an index that names a GPU the
machine lacks, passed on as CUDA_VISIBLE_DEVICES by a launch script or the program itself
(``CUDA_VISIBLE_DEVICES=${CUDA_ID} python train.py``, ``init_env(gpu_id='1')`` setting
``os.environ["CUDA_VISIBLE_DEVICES"]``), hides every one. A plain device index that is not
passed on fails differently ("invalid device ordinal"). So a person telling that changing the
run's GPU index to 0 fixed the no-device failure tells that the index hid the GPUs, even where
the variable itself is never shown:

* the change on one line, with the setting's name: "Please change `CUDA_ID=1` to `CUDA_ID=0`",
  "changing --gpu_ids 1 to --gpu_ids 0 fixed it", "set gpu_id from 2 to 0";
* a machine said to have one GPU, and a change to 0 told as what fixed it on that line: "但我
  设备都只有一个gpu，改成0就好了" (only one GPU; changing it to 0 worked), "I only have one GPU,
  changed it to 0 and it works".

* the machine said to lack the GPUs the run asked for, and a change of the run's GPU setting told as
  what fixed it: "since I haven't got 3 gpus I think I got that error. Changing cuda_devices to 1
  solved that problem" (the setting is passed on as CUDA_VISIBLE_DEVICES; the value it was changed to
  need not be 0). A count ("num_gpus", "n_gpu") is no index: it claims nothing.

Only beside one of CUDA's no-device messages (catalogue ``cuda_no_device``,
``torch_no_cuda_gpus``). Attempts ("I tried changing it to 0"), failures told after ("still"),
questions and conditions claim nothing. The claim is torch.cuda_available false (stated) with a
detail rules/cuda_env.py reads (:data:`FIXED_BY_INDEX`).
"""

from __future__ import annotations

import re
from typing import Optional, Tuple

from envcheck.explain.parsers.visible_devices import single_gpu_said
from envcheck.explain.partial import STATED, STATED_DETAIL, Found
from envcheck.explain.sentences import asked
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

SOURCE = "GPU index told changed"
_I = re.IGNORECASE

# CUDA runtime's cudaErrorNoDevice text (cuda_runtime_api: "no CUDA-capable device is detected"),
# the driver API's CUDA_ERROR_NO_DEVICE, torch's "No CUDA GPUs are available"
# (torch/cuda/__init__.py _lazy_init via c10/cuda/CUDAFunctions.cpp), lower case for lines_containing.
_NO_DEVICE_WORDS = ("no cuda-capable device is detected", "no cuda gpus are available", "cudaerrornodevice",
                    "cuda_error_no_device")
# The words rules/cuda_env.py looks for in torch.cuda_available's detail (it keeps its own copy:
# rules do not import the explain layer).
FIXED_BY_INDEX = "changing the GPU index the run used to 0"
# The same for GPUs the machine was said to lack (rules/cuda_env.py keeps its own copy).
FIXED_BY_FEWER = "changing the GPUs the run asked for, which the machine was said to lack"

# A setting that selects GPUs by number: CUDA_ID, GPU_ID, --gpu_ids, gpu-id, device_id, cuda_devices.
# A count ("num_gpus 2 to 0") runs on the CPU instead: only names of an index.
_NAME = (r"(?P<name>-{0,2}\b(?:[A-Za-z_][\w.-]*?)?(?:gpu|cuda|device)[_-]?(?:ids?|index|idx|ordinal)\b"
         r"|--?(?:gpu|cuda|device)\b)")
# (a list's brackets as a config writes it: "gpu_ids: [1]" to "gpu_ids: [0]")
_OLD = r"\s*(?:=|:|\s)\s*(?:from\s+)?[`'\"]?\[?(?P<old>[1-9]\d?)\]?(?![\w.])[`'\"]?"
_NEW = r"[`'\"]?\s*(?:(?P=name)\s*(?:=|:|\s)\s*)?[`'\"]?\[?0(?![.\d])\]?"
_CHANGE = lazy(rf"\b(?:chang\w*|replac\w*|set(?:ting)?|modif\w*|switch\w*|edit\w*)\b[^\n]{{0,40}}?[`'\"]?{_NAME}{_OLD}"
               rf"[`'\"]?\s*(?:to|with|into|by|->|→)\s+{_NEW}", _I)
# The same change told in Chinese, the setting named: "把 --gpu_id 1 改成 --gpu_id 0 就好了" (the fix told
# after it, as _TO_ZERO_FIXED's words).
_CHANGE_ZH = lazy(rf"(?:把|将)\s*[`'\"]?{_NAME}{_OLD}[`'\"]?\s*(?:改成|改为|换成|设为|设置为|修改为)\s*{_NEW}"
                  r"[`'\"]?\s*(?:就|后|之后|以后)?\s*(?:好了|可以了|解决|正常|成功|能用)", _I)
# A change to 0 told as the fix, in a line that also says the machine has one GPU.
_TO_ZERO_FIXED = lazy(r"(?:改成|改为|换成|设为|设置为|修改为)\s*[`'\"]?0(?![.\d])[`'\"]?\s*(?:就|后|之后)?\s*(?:好了|可以了|解决|正常|成功)"
                      r"|\b(?:chang\w*|set|switch\w*)\s+(?:it|that|this|the\s+(?:gpu\s+)?(?:id|index|number))\s+to\s+[`'\"]?0\b"
                      r"[`'\"]?[^.;!?\n]{0,30}?\b(?:works?|worked|fixed|solved|resolved)\b", _I)
# An attempt, or a failure told after: the change did not fix it.
_NOT_FIXED = lazy(r"\b(?:tried|try|trying|attempt\w*|still|didn'?t|did\s+not|doesn'?t|does\s+not|no\s+luck|same\s+error"
                  r"|not\s+(?:work|help|fix))\b|试了|还是|仍然|依然|没用|不行|\?|？", _I)
# The failure told as following the change ("changed --gpu_ids 1 to 0 and got:", "set gpu_id from 1 to
# 0, then ran train.py:"): the change did not fix it. Read after the change, to the line's end.
_THEN_FAILED = lazy(r"\b(?:got|get|gets|getting|gave|gives|giving|results?\s+in|resulted\s+in|then|but|error\w*|fail\w*"
                    r"|crash\w*|raise[sd]?|throws?|threw)\b|:\s*$|报错|出错|错误|然后|但是?", _I)
_FIXED_AFTER = lazy(r"\b(?:fix\w*|solv\w*|resolv\w*|works?|worked|working)\b|好了|解决|可以了|正常", _I)
_CONDITION = lazy(r"\b(?:if|when|whether|unless|should\s+i|can\s+i|do\s+i)\b|如果|是否", _I)
# The machine said to lack several GPUs: "I haven't got 3 gpus", "we don't have 4 GPUs".
_LACKS = lazy(r"\b(?:i|we|it|this\s+(?:machine|server|pc|computer))\s+(?:haven'?t|have\s+not|don'?t\s+have|do\s+not\s+have"
              r"|doesn'?t\s+have|does\s+not\s+have|has\s*n[o']t)\s+(?:got\s+)?(?:\d+|two|three|four|five|six|seven|eight"
              r"|multiple|several|that\s+many)\s+(?:nvidia\s+)?gpus\b", _I)
# A GPU setting told changed, and that fixing it: "Changing cuda_devices to 1 solved that problem".
_SETTING_FIXED = lazy(r"\b(?:chang\w*|set(?:ting)?|switch\w*|modif\w*|edit\w*)\s+(?:the\s+)?[`'\"]?-{0,2}(?P<name>[\w.-]*"
                      r"(?:gpu|cuda|device)[\w.-]*)[`'\"]?\s+(?:to|into)\s+[`'\"]?[\d,]+[`'\"]?(?![\w.])"
                      r"[^.;!?\n]{0,30}?\b(?:works?|worked|fixed|solved|resolved)\b", _I)
_COUNT = lazy(r"num|count|^n_?gpus?$|^ngpus?$|world_size|nproc", _I)


def _change(line: str) -> Optional[Tuple[str, str]]:
    """(setting, old index) a line tells was changed to 0, or None (read once per distinct line)."""
    if "visible_devices" in line.lower():
        return None  # visible_devices.py reads the variable itself
    m = _CHANGE.search(line) or _CHANGE_ZH.search(line)
    if not m or _NOT_FIXED.search(line) or _CONDITION.search(line, 0, m.start()) \
            or (_THEN_FAILED.search(line, m.end()) and not _FIXED_AFTER.search(line, m.end())):
        return None
    return m.group("name"), m.group("old")


def _zero_fixed_single(line: str) -> Optional[str]:
    """The words telling a change to 0 fixed it, on a line saying the machine has one GPU."""
    m = _TO_ZERO_FIXED.search(line)
    if not m or _NOT_FIXED.search(line) or single_gpu_said(line) is None:
        return None
    return m.group(0)


def _lacking_fixed(line: str) -> Optional[str]:
    """The words of a line saying the machine lacks the GPUs asked for and that changing the run's GPU
    setting fixed it (read once per distinct line)."""
    if len(line) > 2000:
        return None  # another program's output, not a sentence
    lacks = _LACKS.search(line)
    if not lacks or asked(line, lacks.end()) or _CONDITION.search(line, 0, lacks.start()):
        return None
    m = _SETTING_FIXED.search(line, lacks.end())
    if not m or _COUNT.search(m.group("name")) or _NOT_FIXED.search(line) or _CONDITION.search(line, lacks.end(), m.start()):
        return None
    return f"{lacks.group(0)}; {m.group(0)}"


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    if not doc.lines_containing(*_NO_DEVICE_WORDS):
        return f
    told = doc.first(_change, "gpu", "cuda", "device", ignorecase=True)
    if told is not None:
        i, (name, old) = told
        f.set("torch.cuda_available", False, i,
              detail=f"{STATED_DETAIL}: the run found no GPU; {FIXED_BY_INDEX} ({name.strip('-')} {old} -> 0) fixed it")
        return f
    lacking = doc.first(_lacking_fixed, "gpus", ignorecase=True)
    if lacking is not None:
        i, words = lacking
        f.set("torch.cuda_available", False, i,
              detail=f"{STATED_DETAIL}: the run found no GPU; {FIXED_BY_FEWER} ({words}) fixed it")
        return f
    said = doc.first(_zero_fixed_single, "0")
    if said is not None:
        i, words = said
        f.set("torch.cuda_available", False, i,
              detail=f"{STATED_DETAIL}: the run found no GPU on a one-GPU machine; {FIXED_BY_INDEX} ({words}) fixed it")
    return f
