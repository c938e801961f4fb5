"""A pasted report that names no GPU is not a machine without one (advise.choose.target_from_facts)."""

from __future__ import annotations

from envcheck.advise.choose import advise, target_from_facts
from envcheck.explain import explain_text


def test_unnamed_gpu_in_a_paste_gets_a_cuda_build():
    facts = explain_text("conda install pytorch==1.9.0 -c pytorch\nThis command installs the cpu version instead of cuda.\n").facts
    assert advise(target_from_facts(facts)).variant != "cpu"


def test_a_paste_showing_no_gpu_gets_the_cpu_wheel():
    facts = explain_text("$ nvidia-smi\nNo devices were found\n").facts
    assert advise(target_from_facts(facts)).variant == "cpu"
