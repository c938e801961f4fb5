"""explain shows nothing the doctor would hide.

Secrets are dropped from every output; UUIDs, serials, user names and home paths go with
redaction (``diagnose(..., redact=True)``: the CLI's ``--redact``, and always ``--markdown``)."""

from __future__ import annotations

import pytest

from envcheck import snapshot
from envcheck.explain import diagnose, source
from envcheck.report import render

PASTE = """\
kgk2@bock:~$ export NVIDIA_API_KEY=nvapi-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789
kgk2@bock:~$ export CUDA_VISIBLE_DEVICES=hf_AbCdEfGhIjKlMnOpQrStUvWxYz0123
kgk2@bock:~$ docker run -e HF_TOKEN=abc123secretvalue --gpus all img
kgk2@bock:~$ nvidia-smi -L
GPU 0: NVIDIA GeForce RTX 4090 (UUID: GPU-5f2c1b8e-3d4a-11ee-9b2a-0242ac120002)
kgk2@bock:~$ python train.py
ImportError: /home/kgk2/venv/lib/python3.10/site-packages/torch/lib/libtorch_cuda.so: undefined symbol: ncclCommRegister
RuntimeError: CUDA error: no kernel image is available for execution on the device (token ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789)
"""
SECRETS = ("nvapi-AbCd", "hf_AbCd", "abc123secretvalue", "ghp_AbCd")
IDENTITY = ("kgk2", "5f2c1b8e")


def _outputs(redact: bool):
    _, report = diagnose(source.normalise(PASTE), collected_at="2026-01-01T00:00:00+00:00", redact=redact)
    return {fmt: render(report, fmt, colour=False, unicode=True) for fmt in ("text", "json", "markdown")}


@pytest.mark.parametrize("redact", [False, True])
def test_secrets_never_reach_any_output(redact):
    for fmt, out in _outputs(redact).items():
        assert not any(s in out for s in SECRETS), fmt
    facts = diagnose(source.normalise(PASTE), collected_at="x")[0].facts
    assert "NVIDIA_API_KEY" not in facts.env.variables.value
    assert "CUDA_VISIBLE_DEVICES" not in facts.env.variables.value  # allow-listed name, token value
    assert "withheld" in facts.env.variables.detail


def test_identities_go_only_with_redaction():
    plain = _outputs(False)["json"]
    assert all(s in plain for s in IDENTITY)
    for fmt, out in _outputs(True).items():
        assert not any(s in out for s in IDENTITY), fmt


@pytest.mark.parametrize("text, scrubbed", [
    ("token github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz here", "token <secret removed> here"),
    ("key=AKIAIOSFODNN7EXAMPLE", "key=<secret removed>"),
    ("OPENAI_API_KEY: sk-proj-abcdefghijklmnopqrstuvwx", "OPENAI_API_KEY: <secret removed>"),
    ("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws_secret_access_key = <secret removed>"),
    ('-e "HF_TOKEN=hf_abc"', '-e "HF_TOKEN=<secret removed>"'),
    ("Key was rejected by service", "Key was rejected by service"),
    ("NVIDIA_VISIBLE_DEVICES=all", "NVIDIA_VISIBLE_DEVICES=all"),
])
def test_scrub_secrets(text, scrubbed):
    assert snapshot.scrub_secrets(text) == scrubbed


def test_user_names_from_prompts_and_homes():
    names = snapshot.user_names("(base) dell@dell:~$ ls\n[alice@gpu01 ~]$ x\nC:\\Users\\emone\\Desktop\n"
                                "/Users/bob/x /home/root/y root@3f2a1b4c5d6e:/# ls\n")
    assert names == ("emone", "bob", "dell", "alice")


def test_this_machines_home_and_user_are_redacted(monkeypatch):
    monkeypatch.setenv("HOME", "/data/people/zhangzhe103")
    monkeypatch.setattr(snapshot.getpass, "getuser", lambda: "zhangzhe103")
    doc = source.normalise("ImportError: /data/people/zhangzhe103/envs/x/lib/python3.10/site-packages/torch/lib/"
                           "libtorch_cpu.so: undefined symbol: iJIT_NotifyEvent\n")
    _, report = diagnose(doc, collected_at="x", redact=True)
    out = render(report, "json", colour=False, unicode=True)
    assert "zhangzhe103" not in out and "/data/people/USER/envs" in out
