"""Review of round 26, section ra: texts a working machine's owner (or a near-miss) would paste for
the classes round 26 widened, and broken texts of the same classes in other words. Texts written
for the test.

* CUDA_VISIBLE_DEVICES shown empty (explain/parsers/visible_devices_shown.py): a print's label with
  its value on the next line is a heading, not an empty print; a result comment is the lookup's only
  where it is the first result after it and names the function it stands in; the empty value on a
  login node "which is normal there"; Ray's GPU request written as a dict key ("num_gpus": 1) is a
  request; ``num_gpus=0`` is none.
* Accelerate's --gpu_ids given as a shell variable shows no value (visible_devices_launchers.py).
* sudo-only access (device_nodes.py, prose_state.py): pip's, docker's socket's or a cache's rights
  are not the GPU's nodes; the user-first form needs the GPU in its sentence; "False as a normal
  user, but True with sudo" is read.
* "I thought I had CUDA / a GPU, but I didn't" is the toolkit or the hardware, not torch's build
  (torch_belief_prose.py).
* "import torch returns / gives no error" denies the failure; "… failed, … now it imports fine" is
  over (torch_import_said.py).
* torch's CPU build kept for CI or to save time, told in Russian, Portuguese, Turkish (torch_build_langs.py).
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

NOCUDA = "RuntimeError: No CUDA GPUs are available"
HIDES = "cuda_visible_devices_hides_gpus"


def _errors(text):
    return sorted(k for k, f in findings(text).items() if f.severity.value == "error")


@pytest.mark.parametrize("text, fid", [
    ("CUDA_VISIBLE_DEVICES in the job script:\n0,1\nThe training crashes with CUDA out of memory.\n"
     "torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB", HIDES),
    ("CUDA_VISIBLE_DEVICES in my .bashrc:\nexport CUDA_VISIBLE_DEVICES=0\n"
     "RuntimeError: CUDA error: device-side assert triggered", HIDES),
    ("CUDA_VISIBLE_DEVICES is empty on the login node, which is normal there; on the compute node it is 0,1.\n"
     "RuntimeError: CUDA error: out of memory", HIDES),
    ("def gpus():\n    return os.environ.get('CUDA_VISIBLE_DEVICES')\n\nprint(gpus())  # prints 0,1\n"
     "name = get_run_name()  # returns ''\nRuntimeError: CUDA error: device-side assert triggered", HIDES),
    ("@serve.deployment(ray_actor_options={\"num_gpus\": 1})\nclass Model:\n    ...\n\n@ray.remote\n"
     "def preprocess(x):\n    return x\n\nAssertionError: torch.cuda.is_available() is False inside the deployment", HIDES),
    ("@ray.remote\nclass Worker:\n    pass\n\nw = Worker.options(**{'num_gpus': 1}).remote()\n"
     "torch.cuda.is_available() is False in the worker", HIDES),
    ("accelerate launch --gpu_ids $GPUS train.py\n" + NOCUDA, HIDES),
    ("accelerate launch --gpu_ids ${CUDA_VISIBLE_DEVICES} --num_processes 2 train.py\n"
     "RuntimeError: CUDA error: out of memory", HIDES),
    ("Without sudo, pip install fails with a permission error; with sudo it works.\nERROR: Could not install "
     "packages due to an OSError: [Errno 13] Permission denied: '/usr/lib/python3/dist-packages/torch'",
     "device_node_permissions"),
    ("As a normal user docker run --gpus all fails with permission denied on /var/run/docker.sock, with sudo it "
     "works fine.", "device_node_permissions"),
    ("As my own user the script fails because ~/.cache/huggingface is owned by root, with sudo it runs.",
     "device_node_permissions"),
    ("I thought I had CUDA but I didn't, so I installed the CUDA toolkit 12.1 and nvcc works now.\n"
     "nvcc fatal   : No input files specified", "torch_cpu_only_build"),
    ("import torch returns no error and torch.__version__ is 2.1.0+cu121, but training is slow.",
     "torch_import_failed"),
    ("import torch gives no errors, torch.cuda.is_available() prints True.", "torch_import_failed"),
    ("import torch raises no exception on my machine; the problem is in torchvision.", "torch_import_failed"),
    ("Yesterday import torch failed, I reinstalled and now it imports fine.", "torch_import_failed"),
    ("No CI é instalada a versão CPU do torch, para economizar tempo.", "torch_cpu_only_build"),
    ("В CI стоит torch для CPU, чтобы сэкономить время.", "torch_cpu_only_build"),
    ("CI'da torch'un CPU sürümü yüklü, zaman tasarrufu için.", "torch_cpu_only_build"),
])
def test_near_miss_gets_no_finding(text, fid):
    f = findings(text)
    assert fid not in f, f[fid].summary if fid in f else ""
    assert not _errors(text) or fid not in _errors(text)


@pytest.mark.parametrize("text, fid", [
    ("It turned out CUDA_VISIBLE_DEVICES was set to an empty string by the scheduler.\n" + NOCUDA, HIDES),
    ("CUDA_VISIBLE_DEVICES in the actor:\n" + NOCUDA, HIDES),
    ("def gpus():\n    return os.environ.get('CUDA_VISIBLE_DEVICES')\n\nprint(ray.get(gpus.remote()))  # prints ''\n"
     + NOCUDA, HIDES),
    ("@ray.remote(num_gpus=0)\ndef f():\n    return torch.cuda.is_available()\n\nprint(ray.get(f.remote()))  # False\n"
     + NOCUDA, HIDES),
    ("compute_environment: LOCAL_MACHINE\ndistributed_type: MULTI_GPU\ngpu_ids: '[1,2,3,4]'\n" + NOCUDA, HIDES),
    ("torch.cuda.is_available() returns False as a normal user, but True with sudo.", "device_node_permissions"),
    ("Without sudo torch.cuda.is_available() returns False, with sudo it returns True.", "device_node_permissions"),
    ("I thought I had the CUDA version of pytorch but I didn't, pip had pulled the cpu wheel.\n"
     "AssertionError: Torch not compiled with CUDA enabled", "torch_cpu_only_build"),
    ("我以为装的是GPU版本的torch，结果是CPU版本\nAssertionError: Torch not compiled with CUDA enabled",
     "torch_cpu_only_build"),
    ("After the update I can't import torch anymore.", "torch_import_failed"),
    ("import torch throws an error on my machine since the update.", "torch_import_failed"),
    ("Был поставлен torch без поддержки cuda.\nAssertionError: Torch not compiled with CUDA enabled",
     "torch_cpu_only_build"),
])
def test_broken_is_found(text, fid):
    assert fid in findings(text), sorted(findings(text))


@pytest.mark.parametrize("text", [
    "CUDA_VISIBLE_DEVICES is empty (not set at all), so all GPUs should be visible.\n" + NOCUDA,
    "CUDA_VISIBLE_DEVICES is empty, I never set it.\n" + NOCUDA,
])
def test_an_unset_variable_is_not_an_empty_one(text):
    assert HIDES not in findings(text)


NO_GPU = "I don't have an NVIDIA GPU, this is a CPU-only laptop.\n"
NO_DRIVER = ("RuntimeError: Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU and "
             "installed a driver")


@pytest.mark.parametrize("setting", [
    "usage: main.py [-h] [--cpu] [--listen]",
    "  --cpu                 To use the CPU for everything (slow).",
    "The README says to run python main.py --cpu on machines without a GPU, but I didn't.",
    "def load(device='cpu'):\n    ...",
    "# python main.py --device cpu would work",
])
def test_an_option_named_is_not_the_run_told_to_use_the_cpu(setting):
    """cpu_run_asked.py: argparse's usage and help rows, a function's default, advice or a plan name
    the option; the run was not told to use the CPU, and no_nvidia_gpu_found stays an error."""
    f = findings(NO_GPU + setting + "\n" + NO_DRIVER)
    assert f["no_nvidia_gpu_found"].severity.value == "error"


@pytest.mark.parametrize("text", [
    "I don't have a GPU, so I ran python main.py --cpu\n" + NO_DRIVER,
    NO_GPU + "I want to run python main.py --cpu but it fails.\n" + NO_DRIVER,
    NO_GPU + "I'm trying to run python main.py --device cpu\n" + NO_DRIVER,
])
def test_the_run_told_in_the_reporters_words_still_counts(text):
    """The person's own run (after a comma, wanted, tried: xinntao/ESRGAN#88's "I'm trying to put the
    command python test.py --cpu …") stays the run told to use the CPU."""
    f = findings(text)
    assert f["no_nvidia_gpu_found"].severity.value == "warning"


@pytest.mark.parametrize("text", [
    "Back in version 0.1.x llama-cpp-python was built without cuBLAS by default; now I install it with CMAKE_ARGS "
    "and 35/35 layers are offloaded.",
    "Before I rebuilt it, llama-cpp-python was built without CUDA; now it offloads 33/33 layers to GPU.\n"
    "llm_load_tensors: offloaded 33/33 layers to GPU",
])
def test_a_cpu_build_of_another_time_is_not_the_state(text):
    """framework_builds.py: a build said of an earlier version or before a rebuild, the state said
    otherwise now."""
    assert "framework_cpu_only_build" not in findings(text)


def test_a_cpu_build_said_now_is_found():
    text = ("llama-cpp-python was built without CUDA, so nothing is offloaded.\n"
            "llm_load_tensors: offloaded 0/33 layers to GPU")
    assert "framework_cpu_only_build" in findings(text)


@pytest.mark.parametrize("text, fid", [
    # a program's source, not its output (visible_devices_shown.py), and a comparison, not an
    # assignment (environment.py's os.environ form: "==" compares)
    ("print(f'CUDA_VISIBLE_DEVICES is empty: {os.environ.get(\"CUDA_VISIBLE_DEVICES\") == \"\"}')\n"
     "CUDA_VISIBLE_DEVICES is empty: False\n" + NOCUDA, HIDES),
    ("if os.environ.get('CUDA_VISIBLE_DEVICES') == '':\n    print('CUDA_VISIBLE_DEVICES is empty')\n" + NOCUDA, HIDES),
    ("    logger.warning(\"CUDA_VISIBLE_DEVICES is empty, falling back to CPU\")\n" + NOCUDA, HIDES),
    ("CUDA_VISIBLE_DEVICES is empty in the preprocessing job, it only uses the CPU.\n"
     "ValueError: invalid literal for int() with base 10: ''", HIDES),
    ("My colleague said CUDA_VISIBLE_DEVICES was empty on his node.\n" + NOCUDA, HIDES),
    ("CUDA_VISIBLE_DEVICES 为空，因为这个任务只用 CPU。\nValueError: bad value", HIDES),
    # advice put to the reader (device_nodes.py's opened-nodes reading)
    ("The docs say: if it only works with sudo, add your user to the video group.\n"
     "RuntimeError: CUDA error: out of memory", "device_node_permissions"),
    # a rule put to the reader, a linter's complaint (torch_import_said.py)
    ("You can't import torch before setting CUDA_VISIBLE_DEVICES if you want it to take effect.", "torch_import_failed"),
    ("import torch gives a pylint error (no-member) but everything runs.", "torch_import_failed"),
])
def test_more_near_misses(text, fid):
    assert fid not in findings(text)


def test_the_person_said_it_only_works_with_sudo():
    f = findings("It only works with sudo, as a normal user torch.cuda.is_available() is False.")
    assert "device_node_permissions" in f
