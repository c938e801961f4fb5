"""Round 28 h: two classes strangers tell in their own words, each with its near misses.

* Clocks said to run above stock beside a GPU failure (a number over the default, a tool raising them,
  a miner's offset options, a factory overclock blamed), and the overclock undone with the failure gone
  in more languages and words: gpu_unstable_clock_settings, likely (explain/parsers/clock_raised_prose.py,
  clock_settings_prose.py).
* GPU memory held by a run that should be gone, told across sentences, as a zombie that cannot be
  killed, as an interrupted run's process killed by hand, or as two jobs on one GPU then out of memory;
  and a failure for memory on one node or GPU while the same job runs on the others: gpu_memory_in_use,
  likely (explain/parsers/held_memory_more.py).
* DataLoader workers above 0 said to bring the failure, in a container: shm_too_small, likely
  (explain/parsers/shm_workers_said.py).
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

CLOCKS = "gpu_unstable_clock_settings"
HELD = "gpu_memory_in_use"
SHM = "shm_too_small"


@pytest.mark.parametrize("text", [
    "CUDA error 'an illegal instruction was encountered'\nQuickminer/excavator boosts it up to 16702 which is 2702 over the default clocking of 14000, i think this is the problem.\n",
    "CUDA error: an illegal memory access was encountered\nAfter removing the overclock it works.\n",
    "unspecified launch failure\n取消超频后就好了\n",
    "unspecified launch failure\nубрал разгон и всё заработало\n",
    "unspecified launch failure\nオーバークロックを解除したら直りました\n",
    "unspecified launch failure\n오버클럭을 해제하니 해결되었습니다\n",
    "unspecified launch failure\nquité el overclock y funciona\n",
    "unspecified launch failure\nj'ai retiré l'overclock et ça marche\n",
    "unspecified launch failure\nThe memory clock runs 500 MHz above stock.\n",
    "unspecified launch failure\nt-rex -a ethash --mclock 1000 --cclock 100\n",
    "unspecified launch failure\nlolMiner --algo ETHASH --moff 1200 --coff 100\n",
    "unspecified launch failure\nMy card is factory overclocked, I think the factory overclock is the problem.\n",
    "unspecified launch failure\nSetting the card to reference clocks fixed it.\n",
    "unspecified launch failure\n显存频率比默认高了1000MHz\n",
    "CUDA error: an illegal memory access was encountered\nMemory Overclokced +930 Samsung\n",
    "unspecified launch failure\nSetting it to reference speeds fixed it.\n",
    "unspecified launch failure\nMemory OC +930, core +0\n",
    "an illegal memory access was encountered\n-setMemoryClockOffset:0,0,800\n",
    "CUDA error: an illegal memory access was encountered\nThe miner raises the memory clock by 1000 MHz when it starts.\n",
    "unspecified launch failure\nmemory clock set to 8000 (default 7000)\n",
    "unspecified launch failure\nLa frecuencia de memoria está por encima de la frecuencia por defecto.\n",
    "unspecified launch failure\nDie Karte läuft über dem Standardtakt.\n",
    "unspecified launch failure\nЧастота памяти выше стоковой на 500 МГц.\n",
    "unspecified launch failure\nメモリクロックは定格より高い設定です\n",
    "unspecified launch failure\n메모리 클럭을 기본 클럭보다 높게 설정했습니다\n",
    "unspecified launch failure\no clock da memória está acima do clock padrão\n",
    "unspecified launch failure\nla fréquence mémoire est au-dessus de la fréquence d'origine\n",
    "Xid 13: Graphics Exception\nI enabled Coolbits and set the memory transfer rate offset to 1000.\n",
    "CUDA error: unspecified launch failure\nIn GreenWithEnvy I set the memory offset to +800 MHz.\n",
    "CUDA error: an illegal memory access was encountered\nnvidia-settings -a \"[gpu:0]/GPUMemoryTransferRateOffset[3]=1400\"\n",
    "CUDA error: an illegal memory access was encountered\nMy card is overclocked with MSI Afterburner.\n",
    "CUDA error: an illegal memory access was encountered\nAfter lowering the memory clock back to stock the errors are gone.\n",
    "CUDA error: an illegal memory access was encountered\nOnce I disabled the OC in Afterburner everything works.\n",
    "CUDA error: an illegal memory access was encountered\nI had OC on the memory, turned it off and now it is stable.\n",
    "CUDA error: an illegal memory access was encountered\n显存超频+1000，出现这个错误\n",
    "RuntimeError: CUDA error: unspecified launch failure\nThe GPU was overclocked by the miner software.\n",
    "CUDA error: an illegal memory access was encountered\ngminer --algo ethash --mclock 1200 --cclock 100 --pl 70\n",
    "CUDA error: an illegal memory access was encountered\nPhoenixMiner -mclock +700 -cclock +100\n",
])
def test_clocks_raised_or_undone(text):
    got = findings(text)
    assert CLOCKS in got
    assert got[CLOCKS].confidence.value == "likely"


@pytest.mark.parametrize("text", [
    "unspecified launch failure\nThe memory clock is not above stock.\n",
    "unspecified launch failure\nIs the memory clock higher than default?\n",
    "unspecified launch failure\neverything is lower than default until i start the miner.\n",
    "unspecified launch failure\nIf you set the memory clock above stock, the miner crashes.\n",
    "My GPU boosts to 1950 MHz, 200 over the default boost clock, and runs fine.\n",
    "unspecified launch failure\nMy card is a 2070 Super OC, factory overclocked.\n",
    "unspecified launch failure\nCould the factory overclock be the problem?\n",
    "unspecified launch failure\nThe factory overclock is not the problem, I tested at reference clocks too.\n",
    "unspecified launch failure\nt-rex -a ethash --mclock 0 --cclock 0\n",
    "unspecified launch failure\nlolMiner --moff 0\n",
    "unspecified launch failure\nMy old card ran 500 MHz above stock.\n",
    "unspecified launch failure\nSetting the clocks to default did not help.\n",
    "unspecified launch failure\nI removed the overclock but it still crashes.\n",
    "unspecified launch failure\nquité el overclock pero no funciona\n",
    "unspecified launch failure\nI use the default batch size of 64 which is 32 over the default.\n",
    "unspecified launch failure\nThe model has 7000 parameters instead of 6000.\n",
    "CUDA error: an illegal memory access was encountered\nThe memory is 500 MB over the default limit.\n",
    "CUDA error: an illegal memory access was encountered\nI run with --mclock 1000 on my other rig, this one is stock.\n",
    "CUDA error: an illegal memory access was encountered\nSet the clocks to stock speeds and see if it works.\n",
    "CUDA error: an illegal memory access was encountered\nResetting to default clocks fixed nothing.\n",
    "The memory clock runs 500 MHz above stock and it is stable, no errors at all.\n",
    "CUDA error: an illegal memory access was encountered\nAfter lowering the memory clock back to stock the errors are still there.\n",
    "CUDA error: an illegal memory access was encountered\nI had OC on my old card, this one runs stock.\n",
    "CUDA error: an illegal memory access was encountered\nPhoenixMiner -mclock 0 -cclock 0\n",
    "CUDA error: an illegal memory access was encountered\nOn my other rig, lowering the memory clock back to stock made the errors go away.\n",
])
def test_clocks_near_misses(text):
    assert CLOCKS not in findings(text)


@pytest.mark.parametrize("text", [
    "Our training job crashed overnight.\nThe GPU memory is still occupied and new jobs fail with out of memory.\n",
    "The job was killed by the scheduler. Afterwards the VRAM was still in use.\n",
    "程序崩溃了。显存仍然被占用。\n",
    "A zombie process keeps the GPU busy and I can't kill it, only a reboot helps.\n",
    "僵尸进程占着显卡，杀不掉，只能重启。\n",
    "The process didn't exit after Ctrl+C, so I killed it by hand and it works now.\n",
    "Multiple jobs were scheduled on the same GPU, and then they fail with CUDA out of memory.\n",
])
def test_memory_held_told_apart(text):
    got = findings(text)
    assert HELD in got
    assert got[HELD].confidence.value == "likely"


@pytest.mark.parametrize("text", [
    "Our training job never crashed.\nThe GPU memory is still occupied by my training, as expected.\n",
    "The job crashed. GPU memory is in use by the new job now.\n",
    "Is there a zombie process on the GPU? I can't kill it.\n",
    "There is no zombie process on the GPU. RuntimeError: CUDA out of memory.\n",
    "If a zombie process holds the GPU, you can't kill it and must restart the server.\n",
    "I found a zombie process on my other server's GPU, can't kill it.\n",
    "A zombie process appeared on the GPU.\n",
    "The process didn't exit after Ctrl+C, I killed it but the problem is still there.\n",
    "If the process doesn't exit after Ctrl+C, kill it and it works again.\n",
    "Can two jobs share the same GPU? RuntimeError: CUDA out of memory\n",
    "We made sure no two jobs share the same GPU. Then it reports CUDA out of memory.\n",
    "Two jobs share the same GPU without problems.\n",
    "Did the job crash? The GPU memory is still in use.\n",
    "The process didn't exit after Ctrl+C on my old server, killed it and it works now.\n",
])
def test_memory_held_near_misses(text):
    assert HELD not in findings(text)


@pytest.mark.parametrize("text", [
    "each time I submit a job on `cn119` I get an CUDA error about failing to allocate memory.  The same job on a different node works fine.\n",
    "RuntimeError: CUDA out of memory on GPU 3. The same script runs fine on the other GPUs.\n",
    "On node gpu07 training fails with out of memory; it works fine on the other nodes.\n",
])
def test_memory_failing_on_one_node_only(text):
    got = findings(text)
    assert HELD in got
    assert got[HELD].confidence.value == "likely"


@pytest.mark.parametrize("text", [
    "I get CUDA out of memory. The same job on a different node with a bigger GPU works fine.\n",
    "I get CUDA out of memory. Does the same job work on a different node?\n",
    "The same job on a different node works fine, and this node works fine too.\n",
    "I get CUDA out of memory. The same job on a different node also fails.\n",
    "There is no out of memory error. The same job on a different node works fine.\n",
])
def test_memory_one_node_near_misses(text):
    assert HELD not in findings(text)


@pytest.mark.parametrize("text", [
    "When I set num_workers greater than 0 in the DataLoader I get this error. I run it in docker.\n",
    "When I set `num_workers=1` or other value greater than 0 in `torch.utils.data.DataLoader`, I get this error.\nI'm running it inside a docker container.\n",
    "With num_workers=4 the DataLoader crashes. I'm on a VS Code devcontainer.\n",
    "num_workers大于0就报错，在docker中运行\n",
])
def test_shm_workers_above_zero_fail_in_a_container(text):
    got = findings(text)
    assert SHM in got
    assert got[SHM].confidence.value == "likely"


@pytest.mark.parametrize("text", [
    "When I set num_workers greater than 0 in the DataLoader I get this error.\n",
    "With num_workers=4 everything works fine. I run it in docker.\n",
    "Should I set num_workers greater than 0? I run it in docker.\n",
    "With num_workers=4 it does not crash anymore. I run it in docker.\n",
    "I use num_workers=8 and it trains fine inside a docker container.\n",
    "On my old server, num_workers=4 crashed in docker.\n",
])
def test_shm_workers_above_zero_near_misses(text):
    assert SHM not in findings(text)
