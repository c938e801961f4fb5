"""``--device``: one vocabulary and one parser for bench, verify and burn."""

import pytest

from envcheck import devices
from envcheck.errors import EnvcheckError, SetupError


@pytest.mark.parametrize("text, gpus, labels", [
    ("all", 2, ("cuda:0", "cuda:1")),
    ("auto", 2, ("cuda:0",)),
    ("auto", 0, ("cpu",)),
    ("cpu", 0, ("cpu",)),
    ("cuda", 1, ("cuda:0",)),
    ("cuda:1", 2, ("cuda:1",)),
    ("1,0", 2, ("cuda:1", "cuda:0")),
    ("0,cuda:0", 2, ("cuda:0",)),
    ("cpu,all", 0, ("cpu",)),
    ("cpu,all", 2, ("cpu", "cuda:0", "cuda:1")),
    (" CUDA:0 ", 1, ("cuda:0",)),
])
def test_resolve(text, gpus, labels):
    assert devices.resolve(devices.parse(text), gpus) == labels


@pytest.mark.parametrize("text", ["", "gpu0", "cuda:x", "tpu", "cuda:-1", "0;1"])
def test_a_word_outside_the_vocabulary_is_a_usage_error(text):
    with pytest.raises(EnvcheckError) as exc:
        devices.parse(text)
    assert exc.value.exit_code == 2 and "--device" in str(exc.value)


@pytest.mark.parametrize("text, gpus, message", [
    ("all", 0, "--device all: no driver (run `envcheck doctor`"),
    ("cuda:0", 0, "--device cuda:0: no driver"),
    ("cpu,cuda:0", 0, "--device cpu,cuda:0: no driver"),
    ("cuda:3", 2, "--device cuda:3: only 2 CUDA device(s) visible (cuda:0..cuda:1)"),
])
def test_a_missing_device_is_one_line_and_exit_4(text, gpus, message):
    with pytest.raises(SetupError) as exc:
        devices.resolve(devices.parse(text), gpus, "no driver")
    assert exc.value.exit_code == 4 and str(exc.value).startswith(message)


def test_one_device_commands_refuse_several():
    assert devices.one(devices.parse("auto"), 3) == "cuda:0"
    with pytest.raises(EnvcheckError, match="runs on one device; choose one of cuda:0, cuda:1"):
        devices.one(devices.parse("all"), 2)


def test_a_request_built_in_code_names_itself():
    assert devices.DeviceRequest(cuda=(1,)).label == "cuda:1"
    assert devices.DeviceRequest(all=True) == devices.parse("all")
