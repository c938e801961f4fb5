"""How a container start shown in a paste turned out: did the GPU work in it, or fail?

People paste the start that fails beside one that works ("`docker run -v /usr/bin:… img` then
nvidia-smi fails … oddly `nvidia-docker run nvidia/cuda nvidia-smi` shows the GPUs"). The start
to judge is the one that failed, not the last one. Each start owns the lines after it up to the
next start (its output: the prompt inside it, a program's messages) and the words on its own
line around the command ("…能看到结果", "this fails:").

Evidence, strongest first:

* program output in the start's lines: a catalogued upstream message saying the GPU or driver
  is not reachable (``messages.toml``: nvidia-smi's "couldn't communicate", torch's "Found no
  NVIDIA driver", the NGC entrypoint's "NVIDIA Driver was not detected", docker's exec of
  nvidia-smi not found, …), a shell not finding nvidia-smi (bash/dash/zsh "command not found",
  cmd.exe "is not recognized": the container toolkit mounts nvidia-smi only into a container
  given the GPU), a program's log saying it found no GPU ("No GPUs detected", "CUDA test
  failed"), a check typed in it answered "none" (``torch.cuda.is_available()`` → ``False``,
  TensorFlow's ``list_physical_devices('GPU')`` → ``[]``, R's ``cuda_is_available()`` →
  ``[1] FALSE``, ``device_count()`` → ``0``); against it, nvidia-smi's
  table header ("NVIDIA-SMI 535.54  Driver Version: …"), deviceQuery's "Result = PASS" or
  ``is_available()`` answered ``True``;
* the person's words on the start's own line (or a line ending in ":" just above it): "fails",
  "报错", "works", "能看到结果", in several languages. Weaker: only when no output decides.

``None`` when nothing tells. Only the start's own lines are read (at most ``_REACH`` of them).
"""

from __future__ import annotations

import re
from typing import Optional, Sequence

from envcheck.knowledge import messages
from envcheck.lazyre import lazy

FAILED = "failed"
WORKED = "worked"

_REACH = 60  # lines after a start that can be its output
# Catalogued messages that say the container reached no GPU or driver (messages.toml ids).
_NO_GPU = frozenset({
    "nvidia_smi_no_driver", "container_exec_nvidia_smi_not_found", "ngc_driver_not_detected", "torch_no_nvidia_driver",
    "torch_no_cuda_gpus", "cuda_insufficient_driver", "nvidia_smi_library_not_found", "cuda_no_device",
    "loader_driver_library_missing", "nvml_library_not_found", "tf_no_dev_nvidia0", "nvml_driver_not_loaded",
    "ollama_no_compatible_gpus", "vllm_failed_infer_device",
})
# A shell not finding nvidia-smi: bash/zsh "command not found", dash "nvidia-smi: not found",
# zsh "command not found: nvidia-smi", cmd.exe "'nvidia-smi' is not recognized".
_SHELL_NOT_FOUND = lazy(r"nvidia-smi'?:?\s*(?:command )?not found|not found:\s*nvidia-smi"
                              r"|'nvidia-smi' is not recognized", re.IGNORECASE)
# A program in the container saying in its log that it found no GPU, in the general words many
# print ("No GPUs detected", "no GPU found", "GPU unusable", "CUDA test failed", "GPUs requested but
# none are available" (PyTorch Lightning)): output, where a person's sentence would be a question.
_NO_GPU_LOGGED = lazy(r"\bno (?:nvidia |cuda |compatible )?gpus? (?:was |were )?(?:detected|found|available)\b"
                            r"|\bgpu unusable\b|\bcuda (?:acceleration )?test failed\b"
                            r"|\bgpus requested but none are available\b", re.IGNORECASE)
# nvidia-smi's table header, nvidia-smi -L's rows, deviceQuery's verdict, a program's log saying
# it found the GPUs or that CUDA works ("Found 2 GPUs", "1 GPU detected", "CUDA acceleration working").
_WORKED_OUTPUT = lazy(r"NVIDIA-SMI \d+\.\d+.{0,40}Driver Version:\s*\d|Result = PASS|^\s*GPU \d+: .{3,80}\(UUID: GPU-"
                            r"|\bfound [1-9]\d* (?:nvidia |cuda )?gpus?\b|\b[1-9]\d* (?:nvidia |cuda )?gpus? (?:detected|found)\b"
                            r"|\bcuda (?:acceleration )?(?:is )?working\b", re.IGNORECASE)
# A check of the GPU typed in the container, and the answer printed under it: torch's
# is_available() / device_count(), TensorFlow's list_physical_devices('GPU') (a list, "[]" when
# none) and test.is_gpu_available(), R torch's cuda_is_available() ("[1] FALSE").
_ASKS = ("is_available", "is_gpu_available", "list_physical_devices", "device_count")
_ANSWER = lazy(r"^\s*(?:Out\[\d+\]:|>>?(?!>)|->|=>|\[1\])?\s*(True|False|TRUE|FALSE|\[\]|0|\[PhysicalDevice\b.*|[1-9]\d?)\s*$")
_NONE_ANSWERS = ("False", "FALSE", "[]", "0")

# A person's words about how it went. Failure first: "doesn't work" holds "work", 不可以 holds 可以.
_SAID_FAILED = lazy(
    r"\b(?:fails?|failed|failing|errors?|doesn'?t work|does not work|didn'?t work|not working|won'?t work|"
    r"(?:is |are |was )?not found|not detected|no gpus?|can'?t (?:find|see)|cannot (?:find|see)|"
    r"(?:returns?|returned|gives?|gave|prints?|printed|shows?|says?) false|"
    r"no funciona|falla|funktioniert nicht|fehler)\b|报错|報錯|失败|失敗|不行|错误|不可以|不能|无法|找不到|"
    r"안 ?됩|실패|에러|エラー|できない|動かない", re.IGNORECASE)
_SAID_WORKED = lazy(
    r"\b(?:works?|worked|working|succeed(?:s|ed)?|successfully|runs fine|funciona|funktioniert|"
    r"(?:returns?|returned|gives?|gave|prints?|printed|shows?|says?) true|shows? (?:the|my|all) gpus?)\b|"
    r"能看到|可以|正常|成功|没问题|잘 ?됩|됩니다|動く|動作する|動きます", re.IGNORECASE)


_OTHER_ERROR = lazy(r"\berror\b|\bfailed\b|denied|exited with code [1-9]|killed", re.IGNORECASE)


def quiet(lines: Sequence[str], start: int, end: int) -> bool:
    """No error shows in the output lines ``start``..``end``: a person's "it fails" said of the
    start then cannot be about another error (a port in use, a missing file)."""
    return not any(_OTHER_ERROR.search(lines[i]) for i in range(start, min(end, start + _REACH)))


def asks(line: str) -> bool:
    """The line calls a check of the GPU whose answer a later line prints."""
    return any(a in line for a in _ASKS)


def said(words: str) -> Optional[str]:
    """What a person's words around a command say of it (FAILED, WORKED or None)."""
    if _SAID_FAILED.search(words):
        return FAILED
    if _SAID_WORKED.search(words):
        return WORKED
    return None


def of_output(lines: Sequence[str], start: int, end: int, asked: bool = False) -> Optional[str]:
    """What the output lines ``start``..``end`` (exclusive) say: FAILED, WORKED or None. The first
    decisive line counts (a start's output comes right after it). ``asked``: the start's own
    command calls is_available() (``docker run img python -c "…is_available()…"``)."""
    for i in range(start, min(end, start + _REACH)):
        line = lines[i]
        if any(a in line for a in _ASKS):
            asked = True
            continue
        if asked:
            m = _ANSWER.match(line)
            if m:
                return FAILED if m.group(1) in _NONE_ANSWERS else WORKED
        low = line.lower()
        if ("nvidia-smi" in low or "result = pass" in low or "uuid: gpu-" in low or "gpu" in low or "cuda" in low) \
                and _WORKED_OUTPUT.search(line):
            return WORKED
        if "nvidia-smi" in low and _SHELL_NOT_FOUND.search(line):
            return FAILED
        if "gpu" in low and not line.rstrip().endswith("?") and _NO_GPU_LOGGED.search(line):
            return FAILED
        if any(m.id in _NO_GPU for m in messages.match(line)) if _may_hold_message(low) else False:
            return FAILED
    return None


# Words one of the _NO_GPU messages holds: a line without any is not matched against the catalogue.
_MESSAGE_WORDS = ("nvidia", "cuda", "gpu", "nvml", "libcuda", "/dev/nvidia", "device")


def _may_hold_message(low: str) -> bool:
    return any(w in low for w in _MESSAGE_WORDS)
