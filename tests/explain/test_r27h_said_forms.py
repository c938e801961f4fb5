"""Round 27 h: three classes strangers tell in their own words, each with its near misses.

* A process killed by SIGBUS in any program's words (bash's "Bus error (core dumped)", glibc's
  translations, torch elastic's "Signal 7 (SIGBUS)", DeepSpeed's "return code = -7"), with /dev/shm
  told as what is needed or what fixed it ("You need to add --shm-size 8G when running docker"), or
  in a container where the text never names /dev/shm: shm_too_small, likely
  (explain/parsers/shm_workers_said.py).
* Another holder of the GPU closed and the failure gone with it ("I had Jupyter opened … in another
  tab …, after closing it, I didn't receive out of memory issue"; "the problem is still there unless
  I shutdown the notebook"), where memory is named: gpu_memory_in_use, likely
  (explain/parsers/held_memory_prose.py).
* The person blaming their clock tools or settings ("were caused by... MSI Afterburner and
  overclocking/underclocking settings"), the setting undone with the failure gone ("installed the
  default MSI profile … and the problem disappeared"), and the act in other languages:
  gpu_unstable_clock_settings, likely (explain/parsers/clock_settings_prose.py).
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

SHM = "shm_too_small"
HELD = "gpu_memory_in_use"
CLOCKS = "gpu_unstable_clock_settings"
OOM = "RuntimeError: CUDA out of memory. Tried to allocate 20.00 MiB\n"


@pytest.mark.parametrize("text", [
    "Hi, I got a Bus error when executing the evaluation codes..\n\nIt's an error related to the memory size \n"
    "You need to add \"--shm-size 8G\" when running docker\n",
    "I run it inside a docker container.\nBus error (core dumped)\n",
    "Bus error (core dumped)\nFixed it by adding --shm-size=8g to docker run.\n",
    "torch.distributed.elastic.multiprocessing.errors.ChildFailedError:\n  exitcode  : -7 (pid: 1234)\n"
    "  traceback : Signal 7 (SIGBUS) received by PID 1234\nIncreasing /dev/shm solved it.\n",
    "[launch.py:315:sigkill_handler] ['/usr/bin/python', 'train.py'] exits with return code = -7\n"
    "Mounting an emptyDir with medium: Memory at /dev/shm fixed it.\n",
    "总线错误 (核心已转储)\n在docker中运行\n",
])
def test_sigbus_with_shm_named_or_in_a_container(text):
    got = findings(text)
    assert SHM in got
    assert got[SHM].confidence.value == "likely"


@pytest.mark.parametrize("text", [
    "Bus error (core dumped)\n",  # a bare host, /dev/shm never named: an mmap'd file, a misaligned load …
    "docker run --shm-size=16g -it img\nBus error (core dumped)\n",  # the size was set
    "I run it in docker. Bus error (core dumped). I already increased the shm size but it still fails.\n",
    "Should I increase the shm size? I got a Bus error\n",  # a question
    "pcieport 0000:00:01.0: AER: PCIe Bus Error: severity=Corrected, type=Physical Layer\nI run it in docker\n",
    "On my old server it died with a bus error in docker.\n",  # another machine's
    "If you get a Bus error, you need to add --shm-size to docker run.\n",  # advice, nothing happened
])
def test_sigbus_near_misses(text):
    assert SHM not in findings(text)


@pytest.mark.parametrize("text", [
    "I had Jupyter opened (using` jupyter notebook` command) in another tab and even though I wasn't running "
    "anything with it and I already had trained my data using GPU, after closing it, I didn't receive out of "
    "memory issue.\n",
    "I run two programs in two Jupyter notebooks.\nIf I shutdown 1st notebook and run the other one, it won't "
    "have the same problem.\nI tried the following code to release memory, but the problem is still there "
    "unless I shutdown the notebook.\n",
    OOM + "After closing the other notebook it works fine.\n",
    OOM + "关掉另一个notebook就好了\n",
    OOM + "I killed the other process and no longer get out of memory.\n",
    # the same sentence filled at 80 columns by an editor
    "I had Jupyter opened (using` jupyter notebook` command) in another tab and even\nthough I wasn't running "
    "anything with it and I already had trained my data using\nGPU, after closing it, I didn't receive out of "
    "memory issue.\n",
    OOM + "別のノートブックを閉じたら解決しました。\n",
    OOM + "다른 노트북을 종료하니 잘 됩니다.\n",
    OOM + "Después de cerrar el otro notebook funciona.\n",
    OOM + "Nachdem ich das andere Notebook geschlossen habe, funktioniert es.\n",
    OOM + "Après avoir fermé l'autre notebook, ça fonctionne.\n",
])
def test_holder_closed_and_failure_gone(text):
    got = findings(text)
    assert HELD in got
    assert got[HELD].confidence.value == "likely"


@pytest.mark.parametrize("text", [
    OOM + "Closing the other notebook did not help.\n",
    OOM + "Should I close the other notebook?\n",
    OOM + "You can try closing other programs that use the GPU.\n",
    OOM + "I closed all other programs but I still get out of memory.\n",
    OOM + "On my old laptop, closing the other notebook fixed it, but here it does not.\n",
    "I close the jupyter notebook every evening and the machine works fine.\nCUDA out of memory happens with batch 64.\n",
    "After closing the browser the web UI was gone.\n",  # no memory anywhere
    "If I close the notebook, will it work?\n",
    OOM + "I used to close the other notebook and then it worked fine.\n",
    OOM + "I closed the other notebook.\n\nThe training works fine on the CPU.\n",  # two paragraphs, not one sentence
    OOM + "Cerré el otro notebook pero no funciona.\n",
    OOM + "別のノートブックを閉じたら解決しますか？\n",
    OOM + "Nachdem ich das andere Notebook geschlossen habe, funktioniert es nicht.\n",
    OOM + "Après avoir fermé l'autre notebook, ça ne fonctionne pas.\n",
])
def test_holder_closed_near_misses(text):
    assert HELD not in findings(text)


@pytest.mark.parametrize("text", [
    "it turns out almost 99% of my CUDA_LAUNCH_BLOCKING=1 errors on my 4090 graphics card were caused by... MSI "
    "Afterburner and overclocking/underclocking settings :DDD\n",
    "I simply installed the default MSI profile and started using it with Wan2GP - and the problem disappeared!\n",
    "RuntimeError: CUDA error: unspecified launch failure\nAfter resetting the overclock in Afterburner the problem "
    "disappeared.\n",
    "Turns out my undervolt curve was the culprit.\n",
    "Lowering the memory clock offset by 200 fixed it.\n",
    "Я разогнал видеокарту, и теперь CUDA падает.\n",
    "Die Karte ist übertaktet.\n",
    "Tengo overclock en la memoria y CUDA falla.\n",
])
def test_clock_settings_blamed_undone_or_said_in_other_languages(text):
    got = findings(text)
    assert CLOCKS in got
    assert got[CLOCKS].confidence.value == "likely"


@pytest.mark.parametrize("text", [
    "Is it caused by overclocking?\n",
    "It is not caused by overclocking, the card runs at stock.\n",
    "The crashes could be caused by overclocking.\n",
    "I reset the overclock but it still crashes.\n",
    "Overclocking can cause illegal memory access errors.\n",  # a general statement
    "I use the default MSI profile.\n",  # a choice, no failure gone
    "I installed the MSI profile and the problem disappeared\n",  # not the default one
    "I lowered the core clock by 100 MHz and it seems to have solved the issue.\n",  # an underclock, not a setting undone
    "It crashed on my old PC which was caused by overclocking, here it's stock.\n",
    "Die Karte ist nicht übertaktet.\n",
    "Я не разгонял видеокарту.\n",
    "¿Si hice overclock?\n",
])
def test_clock_settings_near_misses(text):
    assert CLOCKS not in findings(text)


# Row remapping (A100 and later) told outside nvidia-smi -q's block, or shown by Xid 63/64 on a GPU
# with a row remapper (explain/parsers/ecc_prose.py, rules/xid_memory.py).
@pytest.mark.parametrize("text, fid", [
    ("[Mon Jan  1 00:00:00 2024] NVRM: Xid (PCI:0000:3b:00): 64, pid='<unknown>', name=<unknown>, Row remapper: "
     "failed\n", "row_remap_failed"),
    ("GPU 0: NVIDIA A100-SXM4-80GB\ndmesg shows Xid 63\n", "row_remap_pending"),
    ("nvidia-smi -q shows Remapping Failure Occurred : Yes\n", "row_remap_failed"),
    ("Remapped Rows Correctable Error : 0 Uncorrectable Error : 8 Pending : No Remapping Failure Occurred : Yes\n",
     "row_remap_failed"),
    ("Remapped Rows Correctable Error : 0 Uncorrectable Error : 0 Pending : Yes Remapping Failure Occurred : No\n",
     "row_remap_pending"),
    ("The GPU has a row remapping failure and needs RMA.\n", "row_remap_failed"),
    ("nvidia-smi says 2 rows are pending remapping, we will reset the GPU.\n", "row_remap_pending"),
])
def test_row_remap_told_or_logged(text, fid):
    got = findings(text)
    assert fid in got
    assert got[fid].confidence.value == "likely"


@pytest.mark.parametrize("text", [
    "dmesg shows Xid 64 on GPU 3\n",  # no GPU with a row remapper shown: page retirement's Xid on older GPUs
    "Remapped Rows Correctable Error : 0 Uncorrectable Error : 0 Pending : No Remapping Failure Occurred : No\n",
    "There is no row remapping failure on this GPU.\n",
    "What does row remapping failure mean?\n",
    "Check whether a row remap is pending.\n",
    "    Remapped Rows\n        Correctable Error                 : 0\n        Uncorrectable Error               : 0\n"
    "        Pending                           : No\n        Remapping Failure Occurred        : No\n",
])
def test_row_remap_near_misses(text):
    got = findings(text)
    assert "row_remap_failed" not in got and "row_remap_pending" not in got
