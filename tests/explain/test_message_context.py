"""Messages read in their context: a "No module named 'torch'" inside pip's failed build
subprocess's output is the isolated build environment's (messages.toml ``encloses_output``),
and transformers' "requires the PyTorch library" beside its "Disabling PyTorch because … found
X" is a torch too old for it (``voided_by``) — neither is torch missing from the machine. And vLLM's start-up
memory check is memory held elsewhere only when its own numbers say so."""

from __future__ import annotations

from envcheck.explain import diagnose, source

BUILD = """\
$ pip install flash-attn
Collecting flash-attn
  Using cached flash_attn-2.5.8.tar.gz (2.5 MB)
  Preparing metadata (setup.py) ... error
  error: subprocess-exited-with-error

  × python setup.py egg_info did not run successfully.
  │ exit code: 1
  ╰─> [6 lines of output]
      Traceback (most recent call last):
        File "<string>", line 2, in <module>
        File "<pip-setuptools-caller>", line 34, in <module>
        File "/tmp/pip-install-x/flash-attn_1/setup.py", line 9, in <module>
          from packaging.version import parse, Version
      ModuleNotFoundError: No module named 'torch'
"""

PLAIN = """\
$ python train.py
Traceback (most recent call last):
  File "train.py", line 1, in <module>
    import torch
ModuleNotFoundError: No module named 'torch'
"""


def _report(text):
    return diagnose(source.normalise(text), collected_at="")[1]


def test_torch_missing_inside_a_failed_pip_build_is_not_the_machines():
    report = _report(BUILD)
    assert "torch_not_installed" not in {f.id for f in report.findings}
    assert report.verdict == "unexplained"  # the failure is quoted, never "no problems"


def test_torch_missing_when_a_program_imports_it_still_is():
    assert "torch_not_installed" in {f.id for f in _report(PLAIN).findings}


def test_transformers_without_torch_is_torch_missing():
    text = ("ImportError:\nAutoModelForCausalLM requires the PyTorch library but it was not found in your environment. "
            "Checkout the instructions on the\n")
    assert "torch_not_installed" in {f.id for f in _report(text).findings}


def test_transformers_refusing_an_old_torch_is_not_torch_missing():
    text = ("Disabling PyTorch because PyTorch >= 2.4 is required but found 2.3.0\n"
            "ImportError: AutoModelForCausalLM requires the PyTorch library but it was not found in your environment.\n")
    report = _report(text)
    assert "torch_not_installed" not in {f.id for f in report.findings}
    assert report.verdict == "unexplained"


def test_vllm_short_of_memory_at_start_is_memory_held_elsewhere_only_when_much_is_held():
    held = ("ValueError: Free memory on device (4.12/23.68 GiB) on startup is less than desired GPU memory "
            "utilization (0.9, 21.31 GiB). Decrease GPU memory utilization or reduce GPU memory used by other processes.\n")
    asked_too_much = ("ValueError: Free memory on device cuda:0 (112.71/119.7 GiB) on startup is less than desired GPU "
                      "memory utilization (0.9435, 112.93 GiB).\n")
    assert "gpu_memory_in_use" in {f.id for f in _report(held).findings}
    assert "gpu_memory_in_use" not in {f.id for f in _report(asked_too_much).findings}


def test_torch_missing_after_a_failed_pip_build_still_is_when_the_users_python_says_so():
    text = BUILD + "      [end of output]\n\n$ python -c \"import torch\"\nModuleNotFoundError: No module named 'torch'\n"
    assert "torch_not_installed" in {f.id for f in _report(text).findings}
