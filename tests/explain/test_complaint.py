"""A person saying that something fails is never answered "no problems found" (complaint.py).

The texts below put one sentence before an environment report a working machine would print
(every fact a verdict needs, nothing wrong in it): alone it is "ok"; with a failure said in
words and no message explaining it, "insufficient", asking for the error itself. The near
misses use the same words without saying that anything fails now.
"""

from __future__ import annotations

import pytest

from envcheck.explain import diagnose, source
from envcheck.explain.parsers import complaint
from envcheck.facts import SAID_FAILING
from envcheck.rules.needs import ERROR

WORKING = """PyTorch version: 2.3.0+cu121
Is debug build: False
CUDA used to build PyTorch: 12.1
OS: Ubuntu 22.04.4 LTS (x86_64)
Python version: 3.10.12 (main, Nov 20 2023, 15:14:05) [GCC 11.4.0] (64-bit runtime)
Is CUDA available: True
CUDA runtime version: 12.1.105
GPU models and configuration: GPU 0: NVIDIA GeForce RTX 4090
Nvidia driver version: 550.54.14
"""


def _judged(sentence: str):
    _, report = diagnose(source.normalise(sentence + "\n" + WORKING), collected_at="")
    return report


def test_the_working_report_alone_is_ok():
    assert _judged("").verdict == "ok"


@pytest.mark.parametrize("sentence", [
    "I think it crashes my graphics driver and then the OS reboots.",
    "Training hangs after the first epoch and never finishes.",
    "The whole machine freezes when I start the second job.",
    "Since yesterday the model runs on the CPU instead of the GPU.",
    "My script is not using the GPU at all, only the processor.",
    "torch does not see the GPU although nvidia-smi lists it.",
    "I get the following error when I start the server:",
    "The webui fails to start on my new workstation.",
    "After the upgrade I am unable to load any model.",
    "Inference segfaults as soon as the first batch arrives.",
    "- the container keeps crashing every few minutes",
    "I am getting the following error:",
    "But I have trouble running the code on the new server.",
    "I'm having the same issue on my workstation since the update.",
    "The example is not picking up the cuda device when run in my notebook.",
    # titles, headings, bullets, short lines
    "[Bug]: Model fails to load on RTX 4090 after upgrading the driver",
    "### Training crashes with a segfault on my RTX 4080 card",
    "## GPU not detected by PyTorch",
    "- Training keeps crashing",
    "It doesn't work.",
    # what the review found missing (one per kind of wording)
    "ComfyUI does not start after updating the NVIDIA driver.",
    "After the update a new training run cannot start at all.",
    "The trainer won't start on the new box.",
    "My CUDA is not available in PyTorch anymore.",
    "I get an exception when loading the model on the GPU.",
    "GPU utilization stays at 0% while training.",
    "Training is very slow, about 10x slower than on my old machine.",
    "Nothing happens when I run the script.",
    "The script just exits silently with no output.",
    "My computer restarts as soon as training starts.",
    "The process gets killed after a few minutes.",
    "PyTorch doesn't detect my RTX 4080.",
    "nvidia-smi shows the GPU but pytorch doesn't.",
    "Since upgrading to 535 the GPU disappeared.",
    "Can't get CUDA to work with PyTorch.",
    "I get an illegal memory access when running the model.",
    "The model loading takes forever and never finishes.",
    "RuntimeError when calling .cuda()",
    "torch.cuda.is_available() returns False on this machine.",
    "显卡没有被使用，程序直接退出",
    "GPU が使用されず CPU で実行されます",
    "GPUを認識しません",
    "torch.cuda.is_available()가 False를 반환합니다",
    "PyTorch no detecta mi GPU.",
    "La GPU no se usa, todo corre en la CPU.",
    "Es funktioniert nicht mehr nach dem Treiberupdate.",
    "PyTorch ne détecte pas mon GPU.",
    "O PyTorch não reconhece minha GPU.",
    "PyTorch не видит видеокарту после обновления драйвера.",
    "我的电脑运行这个模型的时候报错，请问怎么解决",
    "显卡识别不到，程序一直用CPU跑",
    "GPUを認識しないので学習が動かないです",
    "모델을 불러올 때 오류가 납니다 어떻게 해야 하나요",
    # the contraction typed without its apostrophe, as strangers often write it
    "tried to update everything etc. and still cant load the gpu",
    "the webui starts but the gpu isnt used at all",
    "my 3060 doesnt work with this build",
])
def test_a_failure_said_in_words_is_never_ok(sentence):
    report = _judged(sentence)
    assert report.verdict == "insufficient", sentence
    asked = [what for what, cmd in report.judgement.missing if cmd == ERROR[1]]
    assert len(asked) == 1 and asked[0].startswith("the error behind “"), asked
    assert any(n.startswith(SAID_FAILING) for n in report.facts.notes)


@pytest.mark.parametrize("sentence", [
    "Training started without errors and the loss goes down nicely.",
    "No crash so far after three days of training on this box.",
    "It does not fail anymore, so this is only about the docs.",
    "If the job fails, the scheduler restarts it on another node.",
    "Will it crash if I run two models on one card at the same time?",
    "The mean squared error of the model is higher than in the paper.",
    "We report the error rate and error bars for each run in the table.",
    "The service has a fail-safe that drops to a smaller batch size.",
    "It crashed at first, but after a reboot it works fine now.",
    "How do I handle errors raised by the tokenizer in my own code?",
    "We should avoid errors like this one in the next release of the app.",
    "### Is there an existing issue for this error already?",
    '    printf("kernel launch failed with error %s", msg);',
    "2024-05-01 10:00:01 ERROR worker 3 lost its lease and was restarted",
    "没有报错，模型可以正常运行，只是想问一下文档的问题",
    "エラーはありません。学習は正常です。",
    "오류가 없습니다 잘 됩니다",
    "失敗はしていません、質問です",
    "报错已经消失了，现在可以正常训练",
    "The import error is gone and training runs fine.",
    "It doesnt crash anymore since the update, thanks.",
    "I dont want to change the driver, it works well.",
    "Training is fast and the results look right, so I cant complain.",
    "Feature request: report the reason instead of failing silently.",
    "We log the time to failure of disks in the fleet.",
    "[INFO] worker 3 failed to connect, retrying in 5 seconds",
    "FAILED tests/test_ops.py::test_add - AssertionError: tensors differ",
])
def test_near_misses_say_nothing_fails(sentence):
    report = _judged(sentence)
    assert report.verdict == "ok", (sentence, report.facts.notes)


def test_only_the_first_sentence_is_quoted_and_its_line_named():
    found = complaint.parse(source.normalise("Hello.\nIt crashes every time I start it.\nIt also hangs sometimes."))
    assert found.notes == [f"{SAID_FAILING}“It crashes every time I start it.” (line 2)"]


def test_a_finding_still_answers_first():
    # The same words beside a message that says why: the finding, not "insufficient"; beside a
    # message with several causes: "unexplained", quoting it.
    text = ("It crashes when I start training.\n"
            "AssertionError: Torch not compiled with CUDA enabled")
    _, report = diagnose(source.normalise(text), collected_at="")
    assert report.verdict == "error"
    _, report = diagnose(source.normalise("It crashes when I start training.\nRuntimeError: No CUDA GPUs are available"),
                         collected_at="")
    assert report.verdict in ("error", "unexplained")


@pytest.mark.parametrize("sentence, says", [
    ("I googled for an hour but didn't find a good explanation anywhere.", False),
    ("I did not see any difference between the two settings in my runs.", False),
    ("PyTorch does not detect my GPU after the driver update today.", True),
    ("The program can't find the CUDA libraries on this machine anymore.", True),
    ("torch could not see any GPU inside the new container we built.", True),
])
def test_not_finding_is_a_failure_only_of_what_a_machine_finds(sentence, says):
    assert bool(complaint.parse(source.normalise(sentence)).notes) is says


def test_the_quote_is_in_every_format():
    from envcheck.report import render
    from envcheck.report.jsonfmt import document

    report = _judged("I think it crashes my graphics driver and then the OS reboots.")
    md = render(report, "markdown")
    assert "the error behind “I think it crashes my graphics driver" in md
    assert "`run the failing command again" not in md  # asked for in words, not as a command
    assert "the error behind “I think it crashes" in render(report, "text")
    missing = document(report)["data"]["missing"] if "data" in document(report) else document(report)["missing"]
    assert any("I think it crashes" in m["what"] for m in missing)
