"""What a person SAYS is installed, read where no tool listing shows it (round 10):

* framework packages named with their version inside a sentence ("pip安装paddlepaddle==2.3.2和
  paddlepaddle-gpu==2.3.2后", "I have onnxruntime==1.16.0 and onnxruntime-gpu==1.16.0 installed")
  and in an issue template's environment list ("paddlepaddle-gpu2.3.2", "- onnxruntime-gpu: 1.16.0",
  "onnx - 1.6.0"), which let rules/framework_packages.py see both packages of a pair
  (explain/parsers/said_packages.py);
* the CPU build of torch said in other words: "installed Torch without the CUDA version",
  "pytorch CPU instead of GPU", "no CUDA in the torch version", "pip pulled the CPU wheel of torch",
  Chinese/Japanese/Korean/Spanish forms (explain/parsers/torch_build_prose.py).

Each with near-misses in the same words: a try, a failure, advice, a question, a requirements
file's ">=", one package of the pair only, a CPU-only machine, torch's CPU threads.
"""

from __future__ import annotations

import pytest

from envcheck.explain import source
from envcheck.explain.parsers import said_packages, torch_build_prose
from tests.rules.test_unseen_classes import findings

_BOTH = "cpu_and_gpu_framework_packages_both_installed"


def _said(text: str):
    f = said_packages.parse(source.normalise(text))
    return {it.key for it in f.items if it.path == "python.packages" and it.value.version == ""}


# ------------------------------------------------------------------ packages said installed
PAIRS_SAID = [
    "在python pip安装paddlepaddle==2.3.2和paddlepaddle-gpu==2.3.2后，使用rocketqa等开源项目均无法使用gpu。\n",
    "I have onnxruntime==1.16.0 and onnxruntime-gpu==1.16.0 installed, but only CPUExecutionProvider shows up.\n",
    "After installing onnxruntime_gpu==1.15.1 and onnxruntime==1.15.1 the CUDA provider is gone.\n",
    "My venv currently has faiss-cpu==1.7.4 and faiss-gpu==1.7.2.\n",
    "環境には paddlepaddle==2.5.1 と paddlepaddle-gpu==2.5.1 がインストールされています。\n",
    "paddlepaddle==2.4.2 와 paddlepaddle-gpu==2.4.2 를 설치했습니다.\n",
    "Tengo instalados onnxruntime==1.17.0 y onnxruntime-gpu==1.17.0 en el entorno.\n",
    # issue-template environment lists
    "### 版本&环境信息 Version & Environment Information\n\npaddlepaddle2.3.2\npaddlepaddle-gpu2.3.2\nwin10\ncuda11.0.3\n",
    "**Environment**\n- OS: Ubuntu 22.04\n- onnxruntime: 1.16.3\n- onnxruntime-gpu: 1.16.3\n- CUDA: 11.8\n",
    "Here are my versions:\nonnx - 1.6.0\nonnxruntime 1.2.0\nonnxruntime-gpu  1.2.0\nCUDA 10.1\n",
    "paddlepaddle: 2.3.2\npaddlepaddle-gpu:2.3.2\nos: CentOS7.9\n",
    "* `faiss-cpu` 1.7.4\n* `faiss-gpu` 1.7.2\n",
    "- tensorflow-cpu：2.10.0\n- tensorflow-gpu：2.10.0\n",
    # framework_packages' prose: the pair named with "in addition to" / "along with" / "además de"
    "The gliner[gpu] extra installs onnxruntime in addition to onnxruntime-gpu.\n",
    "The update pulled in onnxruntime along with onnxruntime-gpu, so the CUDA provider vanished.\n",
    "Se instaló onnxruntime además de onnxruntime-gpu.\n",
]


@pytest.mark.parametrize("text", PAIRS_SAID)
def test_pair_said_installed_is_read(text):
    assert _BOTH in findings(text)


# (bare "name version" rows with no other mark are packages.py's listing rows: confirmed there)
@pytest.mark.parametrize("text", [t for t in PAIRS_SAID if "onnx - 1.6.0" not in t])
def test_said_packages_are_stated_and_likely(text):
    got = findings(text)[_BOTH]
    assert got.confidence.value == "likely"


NOT_SAID = [
    # a try, a failure, advice, a wish, a question
    "I tried to install paddlepaddle==2.3.2 and paddlepaddle-gpu==2.3.2 but it did not help.\n",
    "我尝试安装paddlepaddle==2.3.2和paddlepaddle-gpu==2.3.2，都失败了。\n",
    "You should not install onnxruntime==1.16.0 together with onnxruntime-gpu==1.16.0.\n",
    "Should I install onnxruntime==1.16.0 as well as onnxruntime-gpu==1.16.0?\n",
    "ERROR: No matching distribution found for paddlepaddle-gpu==2.3.2 (and paddlepaddle==2.3.2 resolved)\n",
    "I want to uninstall onnxruntime==1.16.0 and keep onnxruntime-gpu==1.16.0.\n",
    # a requirements file's lower bounds are wishes
    "requirements.txt:\nonnxruntime>=1.14\nonnxruntime-gpu>=1.14\n",
    # commands: install_commands reads them
    "RUN pip install onnxruntime==1.16.0 onnxruntime-gpu==1.16.0\n",
    # a project's declared requirements
    "setup.py has install_requires=['onnxruntime==1.16.0', 'onnxruntime-gpu==1.16.0'] for now\n",
    "Our requirements pin paddlepaddle==2.5.1 and paddlepaddle-gpu==2.5.1 with the CPU one used in CI.\n",
    # "in addition to" in advice or a removal
    "Do not install onnxruntime in addition to onnxruntime-gpu.\n",
    "I removed onnxruntime that was installed along with onnxruntime-gpu and it works now.\n",
    "I ran pip install paddlepaddle==2.3.2 paddlepaddle-gpu==2.3.2 yesterday.\n",
    # one package of the pair only (a healthy GPU install)
    "- OS: Ubuntu 22.04\n- onnxruntime-gpu: 1.16.3\n- CUDA: 11.8\n",
    "I installed paddlepaddle-gpu==2.4.2.post117 so if I want to run the model on cpu do I need to install "
    "paddlepaddle==2.4.2 or it is not needed\n",
    # a version in prose that is not a package row
    "The onnxruntime 1.16 release notes say the CUDA provider needs cuDNN 8.\n",
]


@pytest.mark.parametrize("text", NOT_SAID)
def test_near_misses_say_no_pair(text):
    assert _BOTH not in findings(text)


def test_rows_and_specifiers_are_read_as_said():
    assert _said("paddlepaddle-gpu2.3.2\npaddlepaddle2.3.2\n") == {"paddlepaddle-gpu", "paddlepaddle"}
    assert _said("- **onnxruntime-gpu**: 1.16.3\n") == {"onnxruntime-gpu"}
    assert _said("I have faiss_gpu==1.7.2 installed.\n") == {"faiss-gpu"}
    assert _said("paddlepaddle-gpu version: 2.5.1\npaddlepaddle版本：2.5.1\n") == {"paddlepaddle-gpu", "paddlepaddle"}
    assert _said("- onnxruntime-gpu (1.16.3)\n") == {"onnxruntime-gpu"}
    # a row holding more than the package is not a row; a name ending in digits needs a separator
    assert _said("onnxruntime 1.16 is what we use with CUDA 11.8\n") == set()
    assert _said("mxnet-cu1121.9.1\n") == set()
    # TensorFlow 2.1 and later is the GPU build itself
    assert _said("- tensorflow: 2.10.0\n- tensorflow-gpu: 2.10.0\n") == {"tensorflow-gpu"}
    assert _said("- tensorflow: 1.15.0\n- tensorflow-gpu: 1.15.0\n") == {"tensorflow", "tensorflow-gpu"}


def test_a_listing_outranks_what_a_person_said():
    text = "I have paddlepaddle==2.3.2 and paddlepaddle-gpu==2.3.2 installed.\n" \
           "$ pip list\nPackage           Version\n----------------- -------\npaddlepaddle-gpu  2.3.2\nnumpy  1.24.0\n"
    got = findings(text)
    assert _BOTH in got  # the person's word about the CPU package still counts (likely)
    assert got[_BOTH].confidence.value == "likely"


# ------------------------------------------------------------------ the CPU build, in other words
def _cpu_claimed(text: str) -> bool:
    claims = torch_build_prose.parse(source.normalise(text)).claims
    return any(c.path == "torch.cuda_build" and c.reading.value is None for c in claims)


CPU_SAID = [
    "The openai-whisper package installed Torch without the CUDA version, but I installed Torch using "
    "`pip3 install torch torchvision torchaudio --index-url https://download.pytorch.org/whl/cu126` and it worked.\n",
    "I ran the update bat and after it seemed to go back to using pytorch CPU instead of GPU.\n",
    "I had to manually uninstall the pytorch CPU and install the GPU again.\n",
    "pip installed torch without GPU support, so the 4090 sits idle.\n",
    "The requirements pulled torch without any CUDA.\n",
    "Looks like the installer installed the non-CUDA version of torch.\n",
    "After the update there is no CUDA in the torch version it installed.\n",
    "Some dependency pulled the CPU wheel of torch over my cu121 one, so torch got replaced.\n",
    "安装的是不带CUDA的torch，所以用不了显卡。\n",
    "requirements 自动安装了不支持CUDA的pytorch\n",
    "CUDAなしのtorchがインストールされていました。\n",
    "CUDA 없는 torch가 설치되었습니다.\n",
    "Se instaló PyTorch sin soporte para CUDA.\n",
    "Es wurde PyTorch ohne CUDA installiert.\n",
    "pip gave me a CPU-only torch on Windows.\n",
    "uv resolved torch to the CPU wheel even with the cu124 index configured.\n",
    "torch.cuda.is_available() is False because pip installed the CPU build of torch.\n",
    "My torch has no CUDA support after the update.\n",
]


@pytest.mark.parametrize("text", CPU_SAID)
def test_cpu_build_said_in_other_words(text):
    assert _cpu_claimed(text)


@pytest.mark.parametrize("text", CPU_SAID[:3])
def test_cpu_build_said_gives_the_finding(text):
    got = findings(text)
    assert "torch_cpu_only_build" in got
    assert got["torch_cpu_only_build"].confidence.value == "likely"


CPU_NOT_SAID = [
    # a CPU-only machine, torch's CPU work, advice, a question, a denial
    "I installed torch on a laptop without a GPU, and it runs fine on the CPU.\n",
    "torch CPU inference is slow compared to the GPU, which is expected.\n",
    "Set torch CPU threads to 8 before you install anything else.\n",
    "Should I install torch without CUDA support for the CI runners?\n",
    "Make sure pip did not install the non-CUDA version of torch.\n",
    "It did not install torch without CUDA: torch.version.cuda is 12.1.\n",
    "We install torch without CUDA on purpose for the CPU-only docker image.\n",
    "The CPU version of onnxruntime got installed instead of onnxruntime-gpu; torch is fine.\n",
    "如果安装的是不带CUDA的torch，就需要重新安装。\n",
    "pip installed the CPU wheel of tensorflow.\n",
    "My torch has no CUDA kernels for this op, so it falls back to the CPU one.\n",
    "Does uv give a CPU-only torch on Windows?\n",
]


@pytest.mark.parametrize("text", CPU_NOT_SAID)
def test_cpu_build_near_misses(text):
    assert not _cpu_claimed(text)


# ------------------------------------------------------------------ a torch version with "+cpu", no name
BARE_CPU = [
    'I have an RTX2060 6Gb, but in the "System Info" section it says "2.0.0+cpu Autocast half" and an empty GPU.\n',
    "The web UI reports 2.1.2+cpu and generates on the CPU.\n",
    "设置页面显示的版本是 2.0.1+cpu，显卡没有被使用。\n",
]


@pytest.mark.parametrize("text", BARE_CPU)
def test_a_cpu_labelled_version_alone_is_the_cpu_build(text):
    assert _cpu_claimed(text)


BARE_CPU_NOT = [
    "intel-extension-for-pytorch 2.1.100+cpu is installed for the Xeon box.\n",  # Intel's own CPU build
    "The ipex wheel 2.0.0+cpu works fine.\n",
    "Should I install 2.1.0+cpu for the CI runner?\n",
    "If it says 2.0.0+cpu, reinstall torch from the cu121 index.\n",
    "pip install torch==2.1.0+cpu\n",
    "It is not 2.0.1+cpu any more: the update fixed it.\n",
]


@pytest.mark.parametrize("text", BARE_CPU_NOT)
def test_a_cpu_labelled_version_near_misses(text):
    assert not _cpu_claimed(text)


# ------------------------------------------------------------------ an expectation's variables
def _env(text: str):
    from envcheck.explain import explain_text
    return dict(explain_text(text).facts.env.variables.value or {})


def test_a_variable_under_expected_behaviour_is_not_what_ran():
    t = ("### Describe the bug\nThe worker process runs with\nexport CUDA_VISIBLE_DEVICES=1\n"
         "and torch.cuda.is_available() is False.\n\n### Expected behavior\n\nCUDA_VISIBLE_DEVICES: 0\n\n"
         "### Environment\n\npython: 3.11\n")
    assert _env(t).get("CUDA_VISIBLE_DEVICES") == "1"


def test_a_variable_under_expected_behaviour_alone_still_speaks():
    t = "### Expected behavior\n\nCUDA_VISIBLE_DEVICES: 0\n"
    assert _env(t).get("CUDA_VISIBLE_DEVICES") == "0"


def test_a_variable_in_a_told_fix_is_left_to_its_reader():
    from envcheck.explain import fix_context
    doc = source.normalise("## Workaround\nCUDA_VISIBLE_DEVICES=0 bentoml serve\n")
    assert not fix_context.expectation_lines(doc)


@pytest.mark.parametrize("text, value", [
    ("the worker process sets CUDA_VISIBLE_DEVICES=1, which makes PyTorch fail to detect GPU\n", "1"),
    ("It ran with CUDA_VISIBLE_DEVICES=0.\n", "0"),
    ("CUDA_VISIBLE_DEVICES=0,1 python train.py\n", "0,1"),
    ("export LD_LIBRARY_PATH=/usr/local/cuda/lib64:.\n", None),
])
def test_a_variable_set_in_a_sentence_ends_at_its_punctuation(text, value):
    env = _env(text)
    if value is not None:
        assert env.get("CUDA_VISIBLE_DEVICES") == value
    else:
        assert "LD_LIBRARY_PATH" in env
