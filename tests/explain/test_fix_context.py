"""What a report tells as its fix or its expectation is not what ran (explain/fix_context.py)."""

from __future__ import annotations

import pytest

from envcheck.explain import explain_text, fix_context

from .helpers import text


def _torch(t: str):
    return explain_text(t).facts.torch.version


@pytest.mark.parametrize("t, fix", [
    # a Markdown section that tells the workaround
    ("pip install torch==2.1.0\nRuntimeError: CUDA error: no kernel image is available for execution on the device\n"
     "\n## Workaround\n\npip install torch==2.4.1 --index-url https://download.pytorch.org/whl/cu121\n", 5),
    # a bold label, then a conda command
    ("conda install pytorch==1.9.0 cudatoolkit=11.1 -c pytorch\n**Solution:**\nconda install pytorch==1.10.0\n", 2),
    # a label alone, in Chinese
    ("pip install torch==2.0.1\n解决方法：\npip install torch==2.2.0\n", 2),
    # a sentence saying the commands below fixed it; the fence lines are gone once the text is plain
    ("conda install pytorch==1.9.0 -c pytorch\n\nUsing pip instead fixes this.\n\n```bash\n"
     "pip install torch==1.10.0+cu111 -f https://download.pytorch.org/whl/torch_stable.html\n```\n", 5),
    # ... or above it
    ("pip install torch==2.0.1\nImportError: libcudnn.so.8: cannot open shared object file\n\n"
     "pip install torch==2.2.0\nThis fixed it for me.\n", 3),
])
def test_a_told_fix_is_not_what_ran(t, fix):
    doc = text(t)
    assert fix in fix_context.fix_lines(doc), [doc.lines[i] for i in sorted(fix_context.fix_lines(doc))]
    v = _torch(t)
    assert v.ok and not v.value.startswith(doc.lines[fix].split("==")[1][:4]), v


@pytest.mark.parametrize("t", [
    # uv's own summary starts with "Resolved": not a heading
    "$ uv pip install -r requirements.txt\nResolved 48 packages in 1.2s\n + torch==2.5.1\n",
    # a fix that did not work is what ran
    "pip install torch==2.1.0+cu118\nThis did not fix it.\n",
    "pip install torch==2.1.0+cu118\nI thought this would fix the issue, but it still fails\n",
    # a question
    "pip install torch==2.1.0+cu118\nWill this fix it?\n",
    # a heading that only starts with the word, inside a sentence
    "Solutions I tried so far all failed: reinstalling, rebooting.\npip install torch==2.1.0+cu118\n",
])
def test_what_ran_stays(t):
    doc = text(t)
    assert not fix_context.fix_lines(doc) & set(range(len(doc.lines))) - {
        i for i, line in enumerate(doc.lines) if not line.strip()}, sorted(fix_context.fix_lines(doc))


def test_expected_behaviour_section_holds_no_installed_packages():
    t = ("### Description\nconda env create installs pytorch-cpu.\n\n### Expected behavior\n"
         "dependencies:\n- pytorch=1.3.1=py3.6_cuda10.1.243_cudnn7.6.3_0\n- torchvision=0.4.2=py36_cu101\n")
    facts = explain_text(t).facts
    names = [p.name for p in facts.python.packages.get(())]
    assert "pytorch" not in names and "torchvision" not in names, names


def test_the_section_ends_at_the_next_heading():
    t = "## Workaround\npip install torch==2.4.1\n## Environment\npip install torch==2.8.0\n"
    assert fix_context.fix_lines(text(t)) == {1}
    assert _torch(t).value == "2.8.0"
