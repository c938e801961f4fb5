"""Reading pasted input: normalisation, and one clear error for input that is not a paste."""

from __future__ import annotations

import io

import pytest

from envcheck.errors import EnvcheckError
from envcheck.explain import source


def test_normalise_strips_markdown_colour_quotes_and_entities():
    raw = ("> ```bash\r\n> $ nvidia-smi\r\n> ```\r\n"
           "NVIDIA-SMI has failed because it couldn\u2018t communicate\n"
           "\x1b[31mRuntimeError\x1b[0m: x &gt; y\n"
           "run `nvidia-smi` now\n")
    doc = source.normalise(raw)
    assert doc.lines == ("", "$ nvidia-smi", "", "NVIDIA-SMI has failed because it couldn't communicate",
                         "RuntimeError: x > y", "run nvidia-smi now", "")


def test_utf16_with_bom_from_powershell_is_read():
    data = "NVIDIA-SMI 552.12   Driver Version: 552.12\r\n".encode("utf-16")
    assert source.from_bytes(data).lines[0] == "NVIDIA-SMI 552.12   Driver Version: 552.12"


def test_utf16_without_bom_is_read():
    data = "Driver Version: 552.12\n".encode("utf-16-le")
    assert source.from_bytes(data).lines[0] == "Driver Version: 552.12"


def test_eight_bit_code_page_falls_back_to_latin1():
    data = "Nvidia driver version: 552.12 \xe9\xe8\xe0 caf\xe9\n".encode("latin-1") * 40
    assert source.from_bytes(data).lines[0].startswith("Nvidia driver version: 552.12")


@pytest.mark.parametrize("data, message", [
    (b"", "empty, nothing to explain"),
    (b"  \n\t\n", "empty, nothing to explain"),
    (b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00" + bytes(range(256)) * 4, "looks like a binary file"),
    (b"\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f" * 100, "looks like a binary file"),
])
def test_bad_input_is_one_line(data, message):
    with pytest.raises(EnvcheckError) as exc:
        source.from_bytes(data, "paste.txt")
    assert str(exc.value).startswith("paste.txt: ") and message in str(exc.value)
    assert "\n" not in str(exc.value)


def test_oversized_input_is_refused():
    with pytest.raises(EnvcheckError, match="larger than a pasted report can be"):
        source.from_bytes(b"a" * (source.MAX_BYTES + 1))


def test_read_file_errors(tmp_path):
    with pytest.raises(EnvcheckError, match="no such file"):
        source.read(str(tmp_path / "missing.txt"))
    with pytest.raises(EnvcheckError, match="is a directory"):
        source.read(str(tmp_path))


def test_read_stdin_dash():
    doc = source.read("-", stdin=io.BytesIO(b"Nvidia driver version: 550.90.07\n"))
    assert doc.lines[0] == "Nvidia driver version: 550.90.07"


def test_read_stdin_stops_past_the_limit():
    # The reader never slurps more than the limit, however much stdin holds.
    with pytest.raises(EnvcheckError, match="larger than"):
        source.read("-", stdin=io.BytesIO(b"x" * (source.MAX_BYTES + 100)))


def test_quote_markers_do_not_eat_python_prompts():
    assert source.normalise(">>> torch.cuda.is_available()\n> >>> import torch\n>> quoted twice\n").lines[:3] == (
        ">>> torch.cuda.is_available()", ">>> import torch", "quoted twice")


def test_a_title_ended_by_st_is_removed_and_does_not_eat_the_paste():
    # OSC (window title, hyperlink) ends with BEL or with ST = ESC \; the old pattern knew
    # only BEL, so an ST-ended title ran on to the next BEL, lines later.
    raw = ("\x1b]0;user@host: ~\x1b\\$ nvidia-smi\n"
           "Driver Version: 550.90.07\n"
           "\x1b]8;;https://example.org\x1b\\link\x1b]8;;\x1b\\ done\x07\n")
    assert source.normalise(raw).lines == ("$ nvidia-smi", "Driver Version: 550.90.07", "link done\x07", "")


def test_every_kind_of_escape_goes_and_an_open_string_stops_at_the_line_end():
    raw = ("\x1b[1;31mred\x1b[0m \x1b(Bplain \x1b7saved\x1b8 \x1bPdcs\x1b\\x \x1b]0;bel\x07y\n"
           "\x1b]2;a title that never ends\n"
           "Driver Version: 550.90.07\n")
    assert source.normalise(raw).lines == ("red plain saved x y", "", "Driver Version: 550.90.07", "")


def test_a_flood_of_escape_introducers_is_stripped_in_one_pass():
    # 200 KB of "ESC ]" took 13 s with the old pattern (each unterminated OSC scanned to the
    # end of the text); the time is measured by benchmarks/explain_speed.py, not here.
    assert source.normalise("\x1b]" * 100_000 + "\nDriver Version: 550.90.07").lines == (
        "", "Driver Version: 550.90.07")


def test_gnu_quotes_stay_markdown_backticks_go():
    doc = source.normalise("`nvidia-smi` doesn't work\n"
                           "libstdc++.so.6: version `GLIBCXX_3.4.30' not found\n")
    assert doc.lines[:2] == ("nvidia-smi doesn't work", "libstdc++.so.6: version `GLIBCXX_3.4.30' not found")


def test_log_collectors_prefixes_go():
    doc = source.normalise("2022-11-02T18:32:26.8593953Z 01:00.0 3D controller: NVIDIA Corporation Device 2237\n"
                           "2025-01-05T01:35:23.210402 - Total VRAM 24564 MB\n"
                           "kokoro-tts-1     | CUDA available: False\n"
                           "|   0  Tesla V100  Off |\n")
    assert doc.lines[:4] == ("01:00.0 3D controller: NVIDIA Corporation Device 2237", "Total VRAM 24564 MB",
                             "CUDA available: False", "|   0  Tesla V100  Off |")


def test_markdown_bold_goes_python_operators_stay():
    assert source.normalise("- **PyTorch Version:** 2.1.0\nx = 2**20; f(**kw)\n").lines[:2] == (
        "- PyTorch Version: 2.1.0", "x = 2**20; f(**kw)")


@pytest.mark.parametrize("raw, lines", [
    ("```python\nimport torch\n```", ("", "import torch", "")),
    ("~~~ console\n$ nvidia-smi\n~~~", ("", "$ nvidia-smi", "")),
    # Text written on the fence's own line is the block's first line, not an info string.
    ("```NVIDIA GeForce RTX 5090 with CUDA capability sm_120 is not compatible\nx\n```",
     ("NVIDIA GeForce RTX 5090 with CUDA capability sm_120 is not compatible", "x", "")),
])
def test_a_fence_goes_but_text_on_its_line_stays(raw, lines):
    assert source.normalise(raw).lines == lines
