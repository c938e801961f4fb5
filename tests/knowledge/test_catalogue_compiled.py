"""The catalogue's patterns, compiled from the tree read for their shapes, are re.compile's."""

import re

from envcheck.knowledge import messages
from envcheck.knowledge.message_scan import parse_checked, parse_shaped, shape_of
from envcheck.lazyre import lazy


def test_compiled_from_the_tree_equals_re_compile():
    cat = messages.load()
    for m in cat.messages:
        # Pattern == compares the text, the flags and the compiled code.
        assert m.pattern.compiled == re.compile(m.pattern.pattern), m.id
        assert m.pattern.compiled.groupindex == re.compile(m.pattern.pattern).groupindex, m.id


def test_parse_shaped_is_parse_checked_and_shape_of():
    for p in (r"(?<=ab)cuda (?P<v>\d+)", r"\bno CUDA GPUs are available\b", r"(?i)driver version\s+\d+"):
        parsed, shape = parse_shaped(p)
        assert shape == shape_of(parse_checked(p))
        assert lazy(p, 0, parsed).compiled == re.compile(p)


def test_parse_shaped_refuses_what_re_compile_refuses():
    try:
        parse_shaped(r"(?<=a+)b")
    except re.error:
        return
    raise AssertionError("a variable-width look-behind passed")
