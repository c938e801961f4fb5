"""A paste's form must not hide what it says: launchers' and log collectors' line prefixes, a
fully indented paste, HTML entities, messages wrapped over several prose lines, and a person's
copy of a program's build string against an install command's pin."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from envcheck.explain.assemble import assemble
from envcheck.explain.partial import COPIED, INTENT, PROGRAM, STATED, Found, weight
from envcheck.explain.plain import plain
from envcheck.explain.source import normalise
from tests.rules.test_unseen_classes import errors as shared_errors
from tests.rules.test_unseen_classes import findings

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "tests" / "corpus" / "diagnosis" / "cases"


def _bench():
    spec = importlib.util.spec_from_file_location("paste_forms", ROOT / "benchmarks" / "paste_forms.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("paste_forms", module)
    spec.loader.exec_module(module)
    return module


def ids(text: str):
    return set(findings(text))


def errors(text: str):
    return set(shared_errors(text))


# ---- the benchmark's transformations on a few development cases -------------------------------

FEW = ["stackhpc__ansible-slurm-appliance__287.json",  # journal line, rsyslog #012
       "fastai__docker-containers__21.json",  # a message wrapped over three prose lines
       "bnsreenu__digitalsreeni-image-annotator__57.json",  # issue-template list + later pin
       "rwth-i6__returnn__1626.json"]  # healthy multi-GPU training log


# Forms the benchmark measures that no reader undoes yet (see benchmarks/paste_forms.py).
UNREAD = {"md_bullets", "one_line", "escaped_newlines"}


def test_the_benchmark_forms_keep_a_few_diagnoses():
    bench = _bench()
    cases = [(name, json.loads((CASES / name).read_text(encoding="utf-8"))) for name in FEW]
    results = bench.run(cases, list(bench.FORMS))
    assert set(results) == set(bench.FORMS)
    for form, r in results.items():
        if form in UNREAD:
            continue
        assert r["recalled"] == 3, form
        assert r["kept"] == 3 and not r["lost"], (form, r["lost"])
        assert r["silent"] == 0 and r["false_errors"] == 0, form


def test_the_benchmark_refuses_an_unknown_form(capsys):
    assert _bench().main(["--only", "no_such_form"]) == 2
    assert "unknown transformation" in capsys.readouterr().err


# ---- line prefixes of launchers and log collectors ------------------------------------------

NO_KERNEL = "RuntimeError: CUDA error: no kernel image is available for execution on the device"


@pytest.mark.parametrize("prefix", [
    "[rank0]:", "[rank12]: ", "[default0]:", "[trainer3]:",  # torch.distributed.elastic
    "[1,0]<stderr>:", "[0,3]<stdout>: ",  # Open MPI --tag-output
    "0: ", " 7: ", "12: ",  # srun --label
    "2024-01-05 12:34:56,789 - train - ERROR - ",  # logging HOWTO format
    "2024-01-05 12:34:56,789 ",  # a bare asctime
    "2024-01-05 12:34:56.789 | ERROR    | __main__:main:42 - ",  # loguru
    "ERROR:root:", "WARNING:py.warnings:",  # logging.basicConfig
    "INFO 04-17 02:04:28 [api_server.py:1034] ",  # vLLM
    "[2024-06-14 09:24:30,961] [INFO] [engine.py:12:step] ",  # DeepSpeed
    "E0105 12:34:56.789012 12345 train.cc:42] ",  # glog / absl
    "[pod/trainer-0/pytorch] ",  # kubectl logs --prefix
    "Jan 05 12:34:56 gpu-node python3[4242]: ", "jan 27 17:06:44 desktop ollama[1646734]: ",  # journalctl
    "10.0.0.6: ",  # pdsh
    "(RayWorkerWrapper pid=123, ip=10.0.0.1) ", "(pid=4242) ",  # Ray
    "trainer-1  | [rank0]: ",  # nested: compose, then torchrun
])
def test_a_prefix_goes_and_the_line_reads_as_printed(prefix):
    assert plain(prefix + NO_KERNEL) == NO_KERNEL
    paste = "\n".join(prefix + line for line in (
        "Traceback (most recent call last):", '  File "train.py", line 3, in <module>',
        "    x = torch.zeros(1).cuda()", NO_KERNEL))
    assert normalise(paste).lines[-1] == NO_KERNEL


@pytest.mark.parametrize("line", [
    "In [1]: import torch",  # an IPython prompt
    "Out[2]: True",
    "GPU 0: NVIDIA A100-SXM4-80GB (UUID: GPU-5b8c)",  # nvidia-smi -L
    "Device 0: \"NVIDIA GeForce RTX 3090\"",  # deviceQuery
    "01:00.0 VGA compatible controller: NVIDIA Corporation GA102 [GeForce RTX 3090] (rev a1)",  # lspci
    "Fri Jan  5 12:34:56 2024",  # nvidia-smi's header
    "[  156.380043] NVRM: API mismatch: the client has the version 535.183.01, but",  # dmesg
    "| NVIDIA-SMI 550.90.07   Driver Version: 550.90.07   CUDA Version: 12.4 |",
    "ERROR: Could not find a version that satisfies the requirement torch",  # pip
    "Is CUDA available: True",
    # glog naming a CUDA source: the file is the program's kernel, evidence of its own build
    "F0310 07:19:41.605973 3025 tanh_layer.cu:26] Check failed: error == cudaSuccess (8 vs. 0)  invalid device function",
])
def test_lines_that_only_look_prefixed_stay(line):
    assert plain(line) == line


def test_a_healthy_multi_gpu_log_behind_prefixes_stays_healthy():
    log = "\n".join(f"[rank{r}]: " + line for r in (0, 1) for line in (
        "Is CUDA available: True", "GPU 0: NVIDIA H100 80GB HBM3", "Nvidia driver version: 550.90.07",
        "epoch 1 step 100 loss 2.31", "ValueError: expected sequence of length 512 at dim 1 (got 300)"))
    assert not errors(log)


# ---- a whole paste indented, HTML entities --------------------------------------------------

def test_a_fully_indented_paste_reads_as_its_block():
    paste = "    Is CUDA available: False\n    CUDA used to build PyTorch: None\n    PyTorch version: 2.3.0+cpu\n"
    assert "torch_cpu_only_build" in ids(paste)
    assert "torch_cpu_only_build" in ids(paste.replace("    ", "\t"))


def test_indentation_inside_a_paste_is_kept():
    lines = normalise("GPU 0:\n    Product Name : NVIDIA A100\n").lines
    assert lines[1] == "    Product Name : NVIDIA A100"


def test_numeric_entities_decode():
    assert normalise("the client &#x27;Xorg&#x27; &#39;ok&#39; &lt;b&gt;").lines[0] == "the client 'Xorg' 'ok' <b>"


# ---- a message wrapped over several prose lines ---------------------------------------------

SHM = ("the cell erred with: \" RuntimeError: DataLoader worker (pid 47) is killed by signal: Bus\n"
       "error. It is possible that dataloader's workers are out of shared\n"
       "memory. Please try to raise your shared memory limit.\". Any help would be appreciated.")


def test_a_message_over_three_wrapped_lines_is_read():
    assert "shm_too_small" in ids("I ran the notebook in the docker container and " + SHM)


def test_a_message_over_a_capital_after_a_filled_line_is_read():
    prose = ("/usr/local/lib/python3.10/dist-packages/torch/cuda/__init__.py:124: UserWarning:\n"
             "CUDA initialization: The NVIDIA driver on your system is too old (found version\n"
             "11000). Please update your GPU driver by downloading and installing a new\n"
             "version from the URL: http://www.nvidia.com/Download/index.aspx Alternatively,\n")
    assert "driver_too_old_for_torch_cuda" in ids(prose)


def test_separate_lines_do_not_join_into_a_message():
    # Two log lines of their own: the first ends on a word, the second starts with a capital; no
    # catalogue message spans them, and nothing is found.
    log = ("2024-01-05 epoch 3 finished, validation accuracy 0.91 on the held out split\n"
           "Out of the box the model reaches the same score on the second GPU as well.\n")
    assert not errors(log)


# ---- the 5xx drivers' API-mismatch wording, over its continuation lines ----------------------

@pytest.mark.parametrize("kernel_log", [
    "[    9.424670] NVRM: API mismatch: the client 'kwin_wayland' (pid 1005)\n"
    "               NVRM: has the version 595.84, but this kernel module has\n"
    "               NVRM: the version 595.80.  Please make sure that this\n"
    "               NVRM: kernel module and all NVIDIA driver components\n",
    "NVRM: API mismatch: the client 'gnome-shell' has the version 595.58.03,\n"
    "    NVRM: but this kernel module has the version 595.91.07\n",
    "Jun 19 20:48:35 box kernel: NVRM: API mismatch: the client 'nvidia-smi' (pid 4242) has the version"
    " 595.84, but this kernel module has the version 595.71.05.  Please make sure that this\n",
])
def test_the_client_named_mismatch_is_read(kernel_log):
    assert "nvml_driver_library_mismatch" in errors(kernel_log)


@pytest.mark.parametrize("healthy", [
    "How do I avoid 'NVRM: API mismatch: the client' messages after an update? My GPU works fine.",
    "NVRM: loading NVIDIA UNIX x86_64 Kernel Module  595.84  Release Build\n"
    "| NVIDIA-SMI 595.84   Driver Version: 595.84   CUDA Version: 13.0 |",
])
def test_naming_the_mismatch_without_versions_is_not_one(healthy):
    assert "nvml_driver_library_mismatch" not in ids(healthy)


# ---- a person's copy of a program's build string against an install pin ---------------------

def _stated(value: str, rank: int, line: int) -> Found:
    f = Found("test", rank)
    f.set("torch.version", value, line)
    return f


def test_weight_lifts_only_a_printed_build_string():
    assert weight(_stated("2.8.0+cu128", STATED, 0).claims[0]) == COPIED
    assert weight(_stated("2.1.2+cpu", STATED, 0).claims[0]) == COPIED
    assert weight(_stated("2.8", STATED, 0).claims[0]) == STATED
    assert weight(_stated("2.8.0", STATED, 0).claims[0]) == STATED
    assert weight(_stated("2.4.1+cu121", INTENT, 0).claims[0]) == INTENT
    assert INTENT < COPIED < PROGRAM


def test_a_copied_build_string_outranks_a_later_install_pin():
    facts = assemble([_stated("2.8.0+cu128", STATED, 3), _stated("2.4.1", INTENT, 20)])
    assert facts.torch.version.value == "2.8.0+cu128"


def test_a_plain_stated_version_still_yields_to_the_install_pin():
    facts = assemble([_stated("2.8.0", STATED, 3), _stated("2.4.1", INTENT, 20)])
    assert facts.torch.version.value == "2.4.1"


def test_the_program_still_outranks_the_copy():
    facts = assemble([_stated("2.8.0+cu128", STATED, 3), _stated("2.4.1+cu121", PROGRAM, 1)])
    assert facts.torch.version.value == "2.4.1+cu121"


@pytest.mark.parametrize("story", [
    "Yesterday the notebook failed with {msg} After starting the container with --shm-size=8g the"
    " error is gone and training runs fine.",
    "Does anyone know why the docs mention {msg} I have not seen it myself, my setup works.",
    "In the container the notebook fails with {msg}",
])
def test_wrapping_a_message_changes_nothing(story):
    msg = ("\"RuntimeError: DataLoader worker (pid 47) is killed by signal: Bus error. It is possible that"
           " dataloader's workers are out of shared memory. Please try to raise your shared memory limit.\"")
    one_line = story.format(msg=msg)
    wrapped = "\n".join(_bench()._rewrap(one_line).split("\n"))
    assert wrapped.count("\n") >= 2
    assert ids(wrapped) == ids(one_line)


# ---- a terminal's hard wrap -----------------------------------------------------------------

def _cut(text: str, width: int) -> str:
    return _bench()._hard_wrap(text, width)


COLLECT_ENV = (
    "PyTorch version: 2.5.1+cpu\n"
    "Is debug build: False\n"
    "CUDA used to build PyTorch: None\n"
    "OS: Ubuntu 22.04.4 LTS (x86_64) with a rather long description that a terminal has to wrap somewhere\n"
    "Python version: 3.10.12 (main, Nov 20 2023, 15:14:05) [GCC 11.4.0] (64-bit runtime) on the training host\n"
    "Is CUDA available: False\n"
    "GPU models and configuration: GPU 0: NVIDIA GeForce RTX 4090 (the card the machine was bought for)\n")


@pytest.mark.parametrize("width", [60, 72, 80])
def test_a_terminals_hard_wrap_is_undone(width):
    cut = _cut(COLLECT_ENV, width)
    assert max(map(len, cut.split("\n"))) == width
    lines = normalise(cut).lines
    assert "Is CUDA available: False" in lines
    assert any(line.startswith("Python version: 3.10.12 (main") and line.endswith("training host") for line in lines)
    assert ids(cut) == ids(COLLECT_ENV)


@pytest.mark.parametrize("paste", [
    # nvidia-smi: every row one width, ending on its border
    "\n".join(["+-----------------------------------------------------------------------------+",
               "| NVIDIA-SMI 470.86       Driver Version: 470.86       CUDA Version: 11.4     |",
               "|-------------------------------+----------------------+----------------------+",
               "| GPU  Name        Persistence-M| Bus-Id        Disp.A | Volatile Uncorr. ECC |",
               "|   0  NVIDIA GeForce ...  Off  | 00000000:01:00.0 Off |                  N/A |",
               "+-------------------------------+----------------------+----------------------+"]),
    # the same long message three times, then a shorter line
    "\n".join(["Could not load library libcudnn_cnn_train.so.8. Error: libcudnn_ops_train.so.8: cannot open"] * 3
              + ["Aborted (core dumped)"]),
    # image links of one length
    "\n".join(f"![image](https://user-images.githubusercontent.com/1/{n}933ee37-fd66-49d5-965f-9664f7ddc9ef.png)"
              for n in range(3)) + "\nthanks",
])
def test_lines_of_one_width_that_were_not_cut_stay(paste):
    assert list(normalise(paste).lines) == [line.rstrip() for line in paste.split("\n")]
