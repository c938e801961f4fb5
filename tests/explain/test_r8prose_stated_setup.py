"""What a person STATES about the setup, read where no tool output shows it (round 8):

* the CPU build of torch said to have got onto the machine — "自动下载了cpu版本，能否…？" (a
  later question in the same sentence asks something else), "does not install CUDA version of
  pytorch", "installs pytorch-cpu" (torch_build_prose, also freetext through not_a_fault);
* a hybrid machine's other GPU named beside the NVIDIA one ("the integrated Intel graphics and
  the nvidia gpu") is no evidence that there is no NVIDIA GPU (prose_state), so "Nouveau wasn't
  disabled" reaches nouveau_bound;
* Secure Boot blamed for the NVIDIA module not loading (module_load_prose);
* only the fix told: setting CUDA_VISIBLE_DEVICES cured "No CUDA GPUs are available"
  (visible_devices, rules/cuda_env).

Each with near-misses in the same words: questions, denials, advice, conditions, Secure Boot off,
another framework's CPU build, a healthy machine setting CUDA_VISIBLE_DEVICES=0.
"""

from __future__ import annotations

import pytest

from envcheck.explain import source
from envcheck.explain.parsers import module_load_prose, torch_build_prose
from envcheck.rules.finding import Severity
from tests.rules.test_unseen_classes import findings

_SMI_FAIL = ("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. "
             "Make sure that the latest NVIDIA driver is installed and running.\n")
_NO_GPUS = ("Traceback (most recent call last):\n  File \"train.py\", line 12, in <module>\n"
            "    torch.cuda.set_device(0)\nRuntimeError: No CUDA GPUs are available\n")
_SMI_OK = """+-----------------------------------------------------------------------------+
| NVIDIA-SMI 535.104.05   Driver Version: 535.104.05   CUDA Version: 12.2     |
|-------------------------------+----------------------+----------------------+
| GPU  Name        Persistence-M| Bus-Id        Disp.A | Volatile Uncorr. ECC |
| Fan  Temp  Perf  Pwr:Usage/Cap|         Memory-Usage | GPU-Util  Compute M. |
|===============================+======================+======================|
|   0  NVIDIA GeForce ...  Off  | 00000000:01:00.0  On |                  N/A |
| 30%   40C    P8    10W / 170W |    300MiB / 12288MiB |      1%      Default |
+-------------------------------+----------------------+----------------------+
"""


def _cpu_claimed(text: str) -> bool:
    claims = torch_build_prose.parse(source.normalise(text)).claims
    return any(c.path == "torch.cuda_build" and c.reading.value is None for c in claims)


# ------------------------------------------------------------------ the CPU build, told
CPU_TOLD = [
    "可能是torch根据requirement.txt下载时，自动下载了cpu版本，是否可以在接下来的更新中，对于配置文件给予更好的说明？\n",
    "ltt_install_torch does not install CUDA version of pytorch\n",
    "pip won't install the GPU version of torch, whatever index I give it.\n",
    "The setup script never installs the cuda build of pytorch on Windows.\n",
    "Somehow the environment file installs pytorch-cpu on a machine with CUDA 12.1.\n",
    "conda pulled in torch-cpu again after the update.\n",
    "requirements 安装以后没有安装上 GPU 版本的 torch\n",
    "I installed the cpu version of pytorch by mistake, how do I switch to the cuda one?\n",
    # a command named inside the prose, and the fix command after it asking for a CUDA wheel
    "But when trying to directly use `uvx --with moshi`, the wrong pytorch version is installed. It defaults to the "
    "[cpu] version even when having cuda installed.\nThe quick-fix:\n"
    "`uvx --with moshi --with torch==2.5.1+cu124 --index-url https://download.pytorch.org/whl/cu124 python x.py`\n",
]

CPU_NEAR = [
    "Should I install the CPU version of torch, or the CUDA one?\n",
    "我应该装cpu版本的torch吗？\n",
    "If pip does not install the CUDA version of torch, add the index URL.\n",
    "Why doesn't pip install the GPU version of torch?\n",
    "Make sure it does not install the cuda version of pytorch on the CI runners.\n",
    "We build pytorch-cpu-feeds for conda-forge.\n",  # another package's name
    "I installed the cpu version of onnxruntime, torch is the cuda one.\n",
]


@pytest.mark.parametrize("text", CPU_TOLD)
def test_cpu_build_told_is_read(text):
    assert _cpu_claimed(text) or "torch_cpu_only_build" in findings(text)


@pytest.mark.parametrize("text", CPU_NEAR)
def test_cpu_build_near_misses_claim_nothing(text):
    assert not _cpu_claimed(text)
    assert "torch_cpu_only_build" not in findings(text)


def test_a_command_line_is_left_to_the_command_readers():
    assert not _cpu_claimed("pip install torch --index-url https://download.pytorch.org/whl/cpu installs the cpu version\n")


def test_the_fix_command_after_the_story_is_not_the_installed_build():
    assert "torch_cpu_only_build" in findings(CPU_TOLD[-1])


def test_a_sentence_carrying_a_pinned_command_is_left_to_the_command_readers():
    assert not _cpu_claimed("I ran pip install torch==2.1.0 --index-url https://download.pytorch.org/whl/cpu and it "
                            "installed the cpu version\n")


def test_chinese_cpu_build_with_a_later_question_is_the_finding():
    assert "torch_cpu_only_build" in findings(CPU_TOLD[0])


# ------------------------------------------------------------------ a hybrid machine's other GPU
HYBRID = [
    "A monitor is connected to the integrated Intel graphics and the nvidia gpu is left unconnected. "
    "The logs indicate that Nouveau wasn't disabled.\n",
    "Laptop with Intel UHD Graphics and an NVIDIA GeForce GTX 1650; nouveau is still loaded.\n",
    "AMD Radeon graphics for the display and an RTX 3060 for compute. The system is using the nouveau driver.\n",
]

NOUVEAU_STILL = [
    "nouveau 驱动还在运行\n",
    "nouveauが読み込まれたままです\n",
    "nouveau가 여전히 로드되어 있습니다\n",
    "nouveau sigue cargado después de instalar el driver de nvidia\n",
    "nouveau ist immer noch geladen\n",
]

NOUVEAU_STILL_NEAR = [
    "nouveau 驱动不在运行了\n",
    "nouveauは読み込まれていない\n",
    "nouveau가 아직 로드되어 있지 않습니다\n",
    "nouveau ist nicht mehr geladen\n",
    "nouveau 还在运行吗？\n",
]


@pytest.mark.parametrize("text", NOUVEAU_STILL)
def test_nouveau_still_loaded_in_other_languages(text):
    assert "nouveau_bound" in findings(text)


@pytest.mark.parametrize("text", NOUVEAU_STILL_NEAR)
def test_nouveau_still_loaded_near_misses(text):
    assert "nouveau_bound" not in findings(text)


NOT_HYBRID = [
    "Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU and installed a driver "
    "from http://www.nvidia.com/Download/index.aspx\nbut I have a RX570 GPU.\n",
    "\"Please check that you have an NVIDIA GPU\" it says, but I have an AMD Radeon RX 6800 graphics card.\n",
    "nvidia-smi fails on my AMD Radeon RX 6700 XT, is that expected?\n" + _SMI_FAIL,
    "I only have Intel UHD Graphics and no NVIDIA GPU.\n",
]


@pytest.mark.parametrize("text", HYBRID)
def test_hybrid_machine_keeps_its_nvidia_gpu(text):
    f = findings(text)
    assert "no_nvidia_gpu_found" not in f
    assert "nouveau_bound" in f


@pytest.mark.parametrize("text", NOT_HYBRID)
def test_other_vendor_gpu_without_an_nvidia_one_is_still_no_nvidia_gpu(text):
    assert "no_nvidia_gpu_found" in findings(text)


# ------------------------------------------------------------------ Secure Boot blamed
SB_BLAMED = [
    "After some digging I found out I was facing this issue due to Secure boot, which prevented the nvidia "
    "drivers from being properly loaded\n",
    "I don't have a solid opinion on secure boot, but at least on my system, if it's enabled, nvidia drivers "
    "don't work.\n",
    "The nvidia module doesn't load because secure boot is enabled.\n" + _SMI_FAIL,
    "Secure Boot is blocking the NVIDIA kernel module on my laptop.\n",
    "With secure boot on, the nvidia driver fails to load after every kernel update.\n",
    "开了安全启动以后 nvidia 驱动无法加载\n" + _SMI_FAIL,
    "セキュアブートが有効なのでNVIDIAドライバが読み込まれない\n",
    "보안 부팅 때문에 nvidia 드라이버가 로드되지 않습니다\n",
    "found that NVIDIA drivers do not load on startup because of that security boot is enabled.\n",
    "the problem was secure boot: the unsigned nvidia module was rejected\n",
    "The nvidia kernel module gets rejected by secure boot on every boot.\n",
    "Secure Boot ist aktiviert, deshalb lädt der nvidia Treiber nicht.\n",
    "Con secure boot activado el controlador de nvidia no carga.\n",
]

SB_NEAR = [
    "Does secure boot prevent the nvidia driver from loading?\n",
    "If Secure Boot is enabled, the NVIDIA driver will not load unless it is signed.\n",  # a general rule
    "I disabled secure boot and the nvidia driver still doesn't load.\n",
    "Secure boot is off, yet the nvidia module fails to load.\n",
    "It is not because of secure boot that the nvidia module won't load, mokutil says disabled.\n",
    "Secure boot may prevent the nvidia module from loading, so the installer signs it.\n",
    "Secure Boot blocked the nvidia module at first; after enrolling the MOK key it works now.\n",
    "关闭安全启动后 nvidia 驱动无法加载\n",
    "Secure Boot ist deaktiviert, trotzdem lädt der nvidia Treiber nicht.\n",
    "Con secure boot desactivado el controlador de nvidia no carga.\n",
    "Was the nvidia module rejected by secure boot?\n",
]


def _sb_claimed(text: str) -> bool:
    claims = module_load_prose.parse(source.normalise(text)).claims
    return any(c.path == "host.secure_boot" for c in claims)


@pytest.mark.parametrize("text", SB_BLAMED)
def test_secure_boot_blamed_is_read(text):
    assert _sb_claimed(text)
    assert "driver_not_loaded_secure_boot" in findings(text)


@pytest.mark.parametrize("text", SB_NEAR)
def test_secure_boot_near_misses_claim_nothing(text):
    assert not _sb_claimed(text)


def test_secure_boot_talk_on_a_working_machine_is_no_error():
    text = "Secure boot may prevent the nvidia module from loading, so I signed it.\n" + _SMI_OK
    f = findings(text).get("driver_not_loaded_secure_boot")
    assert f is None


# ------------------------------------------------------------------ CUDA_VISIBLE_DEVICES: only the fix told
CVD_FIX_ONLY = [
    _NO_GPUS + "to overcome this issue while training using a single gpu, please add "
    "`os.environ[\"CUDA_VISIBLE_DEVICES\"] = \"0\"` to line 508 in main.py\n",
    _NO_GPUS + "found walkaround , os.environ['CUDA_VISIBLE_DEVICES'] = '0',worked for me\n",
    "RuntimeError: CUDA error: invalid device ordinal\nsolved it by setting CUDA_VISIBLE_DEVICES to 0\n",
    _NO_GPUS + "把 CUDA_VISIBLE_DEVICES 改为 0 就好了\n",
]

CVD_NEAR = [
    # a healthy run setting it
    "CUDA_VISIBLE_DEVICES=0 python train.py\nepoch 1 loss 0.53\n" + _SMI_OK,
    # the fix told, no failure of CUDA to find a device
    "NCCL timeout with 4 GPUs; setting CUDA_VISIBLE_DEVICES to 0 fixed it for now.\n",
    # a no-device failure, the value only tried and not the fix
    _NO_GPUS + "I tried CUDA_VISIBLE_DEVICES=0 python train.py and it still fails.\n" + _SMI_FAIL,
]


@pytest.mark.parametrize("text", CVD_FIX_ONLY)
def test_fix_only_visible_devices_is_the_finding(text):
    f = findings(text).get("cuda_visible_devices_hides_gpus")
    assert f is not None and f.confidence.value == "likely"


@pytest.mark.parametrize("text", CVD_NEAR)
def test_visible_devices_near_misses(text):
    f = findings(text).get("cuda_visible_devices_hides_gpus")
    assert f is None or f.severity is not Severity.ERROR
    if text.startswith("CUDA_VISIBLE_DEVICES=0") or text.startswith("NCCL"):
        assert f is None


# ------------------------------------------------------------------ Fedora's nouveau fallback unit ran
FALLBACK_RAN = [
    "Jan 09 09:01:02 fedora systemd[1]: Started Fallback to nouveau if nvidia did not load.\n",
    "systemd[1]: Finished nvidia-fallback.service - Fallback to nouveau as nvidia did not load.\n",
    "NVIDIA kernel module missing. Falling back to nouveau\n",
    "● nvidia-fallback.service - Fallback to nouveau as nvidia did not load\n"
    "     Loaded: loaded (/usr/lib/systemd/system/nvidia-fallback.service; enabled)\n"
    "     Active: active (exited) since Mon 2023-01-09 09:01:02 CET\n",
    "during the boot process it reverts to small font, and I can see a boot message that a Nouveau fallback service "
    "has started.\n",
]

FALLBACK_NEAR = [
    "systemd[1]: Condition check resulted in Fallback to nouveau as nvidia did not load being skipped.\n",
    "● nvidia-fallback.service - Fallback to nouveau as nvidia did not load\n"
    "     Loaded: loaded (/usr/lib/systemd/system/nvidia-fallback.service; enabled)\n"
    "     Active: inactive (dead)\n" + _SMI_OK,
    "Has the nouveau fallback service started? I can't tell from the log.\n",
    "The nouveau fallback service was not triggered, nvidia loaded fine.\n" + _SMI_OK,
]


@pytest.mark.parametrize("text", FALLBACK_RAN)
def test_nouveau_fallback_ran_is_nouveau_bound(text):
    f = findings(text)
    assert "nouveau_bound" in f and "driver_kernel_module_not_loaded" in f


@pytest.mark.parametrize("text", FALLBACK_NEAR)
def test_nouveau_fallback_near_misses(text):
    f = findings(text)
    assert "nouveau_bound" not in f and "driver_kernel_module_not_loaded" not in f


def test_a_shown_value_that_hides_every_gpu_outranks_the_fix_alone():
    text = ("export CUDA_VISIBLE_DEVICES=-1\n" + _NO_GPUS + "setting CUDA_VISIBLE_DEVICES to 0 fixed it\n")
    f = findings(text)["cuda_visible_devices_hides_gpus"]
    assert "'-1'" in f.explanation and "said to have fixed it" not in f.explanation


@pytest.mark.parametrize("said", ["我装的是CPU版的paddle", "I installed the CPU version of tensorflow, not torch's"])
def test_another_frameworks_cpu_build_is_not_torchs(said):
    from envcheck.explain import explain_text
    assert explain_text(said).facts.torch.cuda_build.status.value == "unknown"
