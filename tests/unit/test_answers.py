"""The one answer normaliser: the shapes notebook code and ``--answer`` produce (str, bytes,
``!docker`` line lists, ipaddress objects, bools, exceptions) read the same in every check."""

from __future__ import annotations

import ipaddress

import pytest

from grader.checks.answers import answer_bool, answer_lines, answer_text


def test_one_line_answers_from_strings_bytes_line_lists_and_objects() -> None:
    assert answer_text(" 172.17.0.0/16\n") == "172.17.0.0/16"
    assert answer_text(b"172.17.0.1") == "172.17.0.1"
    assert answer_text(['"172.17.0.0/16"']) == "172.17.0.0/16"
    assert answer_text(["  abc  "]) == "abc" and answer_text("'abc'\n") == "abc"
    assert answer_text(ipaddress.ip_network("172.17.0.0/16")) == "172.17.0.0/16"
    assert answer_text(["a", "b"]) == "a b"  # two lines are not one answer: shown joined, matching nothing


def test_unset_and_empty_answers_are_none() -> None:
    assert answer_text(None) is None and answer_text("   ") is None
    assert answer_text(["", "  "]) is None and answer_text("''") is None


def test_multi_line_answers_keep_their_lines() -> None:
    assert answer_lines(["line one", "line two"]) == "line one\nline two"
    assert answer_lines(None) == "" and answer_lines(" x \n") == "x"
    assert answer_lines(RuntimeError("port is already allocated")) == "port is already allocated"
    assert answer_lines(b"Bind for 0.0.0.0:8000 failed") == "Bind for 0.0.0.0:8000 failed"


def test_booleans_parse_in_any_case_and_refuse_the_rest() -> None:
    assert answer_bool(True) is True and answer_bool("FALSE") is False and answer_bool(" yes ") is True
    assert answer_bool(["False"]) is False and answer_bool(0) is False
    with pytest.raises(ValueError, match="expected True or False, got 'maybe'"):
        answer_bool("maybe")
    with pytest.raises(ValueError, match=r"got \['a', 'b'\]"):
        answer_bool(["a", "b"])
