"""Round 23 t: torch/__init__.py's DLL failure retyped without its exception line, for any DLL
in torch\\lib ("WinError 127 Error loading D:\\…\\torch\\lib\\caffe2.dll or one of its
dependencies": explain/parsers/torch_dll_prose.py, rules/torch_health.py). Near-misses: a
condition, advice, a failure said to be over, a question, a directory listing, another DLL.
Texts written for the test after torch/__init__.py's strerror ('Error loading "{dll}" or one
of its dependencies.')."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import errors, findings

IMPORT = "torch_import_failed"
PATH = r"D:\Python\Python37\Lib\site-packages\torch\lib"


@pytest.mark.parametrize("paste", [
    rf"WinError 127 Error loading {PATH}\caffe2.dll or one of its dependencies.",
    rf"when I import torch: Error loading {PATH}\caffe2_detectron_ops_gpu.dll or one of its dependencies",
])
def test_retold_torch_lib_dll(paste):
    f = findings(paste)
    assert IMPORT in f, sorted(f)
    assert f[IMPORT].confidence.value == "likely"


@pytest.mark.parametrize("paste", [
    rf"If you get Error loading {PATH}\caffe2.dll or one of its dependencies, install the VC++ redistributable.",
    rf"Error loading {PATH}\caffe2.dll or one of its dependencies - solved after installing the VC++ runtime.",
    rf"Why would there be an Error loading {PATH}\caffe2.dll or one of its dependencies?",
    rf"dir {PATH}\n{PATH}\caffe2.dll\n{PATH}\c10.dll",
    r"Error loading C:\Program Files\Foo\bin\foo.dll or one of its dependencies.",
])
def test_no_retold_import_failure(paste):
    assert IMPORT not in findings(paste)
    assert not errors(paste)


def test_upstream_line_still_confirmed():
    paste = (r'OSError: [WinError 126] The specified module could not be found. Error loading '
             rf'"{PATH}\c10.dll" or one of its dependencies.')
    f = findings(paste)
    assert IMPORT in f
    assert f[IMPORT].confidence.value != "likely"
