"""The detail a person's "GPU memory stays held after the process ended" claim carries
(``explain/parsers/held_memory_prose.py`` writes it, ``rules/held_memory.py`` reads it), so
the rule knows the failed reading is that statement and not a tool that could not read."""

from __future__ import annotations

from envcheck.derived.messages import STATED_DETAIL

HELD_DETAIL = f"{STATED_DETAIL}: GPU memory said to stay held by a process that ended or is not listed"
# "There's another program used a lot of GPU memory", "this was just from me running too much at once
# on my gpu": the memory is taken by other live work on the same GPU (held_memory_prose writes it).
SHARED_DETAIL = f"{STATED_DETAIL}: GPU memory said to be taken by other programs on the same GPU"
# "发现有个VeCarRecoServer进程，把所有内存基本全吃了" beside "CUDA内存不足": a process the person found taking
# (nearly) all of the memory, in a text that says the run failed for memory (held_memory_prose checks both).
FOUND_DETAIL = f"{STATED_DETAIL}: a process found taking the GPU's memory, beside a failure for memory"
# "I had Jupyter opened … in another tab …, after closing it, I didn't receive out of memory issue": another
# holder of the GPU (a notebook, its kernel, a process) closed and the failure gone with it, where the text
# names memory (held_memory_prose checks both, r27h).
CLOSED_DETAIL = f"{STATED_DETAIL}: closing another holder of the GPU (a notebook, a process) said to end the failure"
# "each time I submit a job on `cn119` I get an CUDA error about failing to allocate memory. The same job on a
# different node works fine": a failure for memory on one node or GPU while the same job runs on the others,
# whose memory is then likely taken by something else there (held_memory_more writes it, r28h).
ONE_NODE_DETAIL = f"{STATED_DETAIL}: a failure for memory on one node or GPU while the same job runs on others"
