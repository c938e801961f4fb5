"""Round 17, speed (s): the word index's two shelves (ASCII words, the others) give a needle's
lines exactly as a search of each line does, whichever shelf is empty; clause_start is the
prose readers' "back to the last full stop"."""

import pytest

from envcheck.explain.sentences import clause_start
from envcheck.knowledge.token_index import TokenIndex


def _plain(text: str, needle: str):
    return tuple(k for k, line in enumerate(text.split("\n")) if needle in line)


@pytest.mark.parametrize("text", [
    "cuda 12.1 driver\nno gpu found\ncuda version 12.1",  # ASCII words only: no second shelf
    "显卡 驱动\n版本 显卡\nß",  # none ASCII: the ASCII shelf empty
    "torch 的 cuda版本 是 12.1\ncuda 12.1\n显卡是3060 🚀\nrtx 3060",  # both, ASCII inside words that are not
])
@pytest.mark.parametrize("needle", ["cuda", "12.1", "显卡", "版本", "3060", "🚀", "cuda版", "cuda 12", " 12.1", "是 12",
                                    "rtx 3060", "x", "ß", "absent", "是3"])
def test_the_shelves_find_what_a_search_of_each_line_finds(text, needle):
    index = TokenIndex(text)
    assert index.lines_of(needle) == _plain(text, needle)
    assert index.lines_of(needle) == _plain(text, needle)  # and again, from what it kept


def test_the_words_stay_in_order_of_first_appearance():
    assert TokenIndex("b 显卡 a\na b ß").words == "b\n显卡\na\nß"


@pytest.mark.parametrize("line, at, stops, expected", [
    ("It fails. Then it works", 15, ".!?;", 9),
    ("no stop here", 5, ".!?;", 0),
    ("a; b, c", 6, ".!?;", 2),
    ("a; b, c", 6, ".!?;,", 5),
    ("显卡坏了。驱动好", 7, ".!?;。！？", 5),
    ("end.", 3, ".!?;", 0),  # only what stands before ``at``
])
def test_clause_start(line, at, stops, expected):
    assert clause_start(line, at, stops) == expected
    assert clause_start(line, at, stops) == max(line.rfind(c, 0, at) for c in stops) + 1


# The catalogue's checks of its ids (messages.parse), with the set of ids made once.
def _rows():
    import copy

    from envcheck.datafile import read_toml
    from envcheck.knowledge import messages
    return copy.deepcopy(read_toml(messages.DATA_FILE))


def test_the_catalogue_refuses_an_id_listed_twice():
    from envcheck.errors import SetupError
    from envcheck.knowledge import messages
    data = _rows()
    data["message"].append(dict(data["message"][0]))
    with pytest.raises(SetupError, match=f"ids listed twice: {data['message'][0]['id']}"):
        messages.parse(data)


@pytest.mark.parametrize("key, said", [("overlaps", "overlaps unknown ids"), ("voided_by", "is voided by unknown ids")])
def test_the_catalogue_refuses_an_unknown_id(key, said):
    from envcheck.errors import SetupError
    from envcheck.knowledge import messages
    data = _rows()
    data["message"][0][key] = ["no_such_message"]
    with pytest.raises(SetupError, match=said):
        messages.parse(data)


def test_the_packaged_catalogue_loads():
    from envcheck.knowledge import messages
    assert len({m.id for m in messages.load().messages}) == len(messages.load().messages)


# freetext's container patterns, each gated by its words: the same claims as ungated.
@pytest.mark.parametrize("line, kind", [
    ("I run it inside a docker container", "docker"),
    ("docker run --gpus all nvidia/cuda:12.2.0-base nvidia-smi", "docker"),
    ("FROM nvcr.io/nvidia/pytorch:24.01-py3", "docker"),
    ("image: my-pytorch-2.1:cuda12.1", "docker"),
    ("podman run --device nvidia.com/gpu=all ubuntu", "podman"),
    ("on a Kubernetes node", "kubernetes"),
    ("apptainer exec --nv image.sif python", "other"),
    ("IN A CONTAINER it fails", "docker"),
    ("İnside a container", "docker"),  # a letter IGNORECASE folds: searched ungated
    ("not inside a container", None),
    ("the host, no docker at all", None),
    ("PyTorch:2.1 built for CUDA 12.1", None),  # "pytorch" with capitals: the image pattern is case-sensitive
    ("kubelet restarted", None),
])
def test_container_claims(line, kind):
    from envcheck.explain.parsers import freetext
    from envcheck.explain.partial import Found
    f = Found("free text", 0)
    freetext._container(f, line, 0)
    said = [c.reading.value for c in f.claims if c.path == "host.container"]
    assert said == ([kind] if kind else [])


def test_the_container_gates_hold_every_match():
    from envcheck.explain.parsers import freetext
    for gated, _ in freetext._CONTAINERS:
        gated.check()


def test_sentence_around_is_the_sentence_holding_the_span():
    from envcheck.explain.sentences import sentence_around

    line = "Hello there. The nvidia module is not loaded! Next one"
    assert sentence_around(line, 17, 30) == " The nvidia module is not loaded!"
    assert sentence_around(line, 0, 5) == "Hello there."
    assert sentence_around(line, 47, 51) == " Next one"  # no stop after it: to the line's end
    assert sentence_around("驱动没有加载。重启后正常", 0, 2) == "驱动没有加载。"
