"""Plausible Textual key strings, and the line finder's corner cases."""

from __future__ import annotations

import pytest

from trello_tui.config.keys import LineIndex, key_problem


@pytest.mark.parametrize(
    "key",
    [
        "a",
        "J",
        "?",
        "<",
        "+",
        "1",
        "é",
        "enter",
        "escape",
        "space",
        "tab",
        "f5",
        "f24",
        "pageup",
        "ctrl+s",
        "ctrl+shift+up",
        "alt+enter",
        "shift+tab",
        "question_mark",
        "comma",
        "full_stop",
        "slash",
        "backslash",
        "less_than_sign",
        "greater_than_sign",
        "minus",
        "plus",
        "underscore",
        "at",
        "ctrl+question_mark",
        "number_sign",
    ],
)
def test_plausible_keys(key: str) -> None:
    assert key_problem(key) is None


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        ("", "an empty key"),
        ("ctrl+", 'ends with "+"'),
        ("control+s", '"control" in "control+s" is not a modifier'),
        ("ctrl+ctrl+s", "repeats a modifier"),
        ("Enter", "key names are lower case (enter)"),
        ("f25", '"f25" is not a key name'),
        ("ctrl+rigth", '"rigth" is not a key name'),
        ("a b", "contains a space"),
        ("\x07", "is not a key"),
    ],
)
def test_implausible_keys(key: str, problem: str) -> None:
    found = key_problem(key)
    assert found is not None
    assert problem in found


def test_line_index_tables_keys_and_dotted_keys() -> None:
    index = LineIndex(
        """top = 1
[sync]
poll_active_s = 2
[keymap]
card.move-right = "x"
"focus.left" = "y"
[[triggers]]
on = "a"
[[triggers]]
run = ["b"]
[ "quoted" . inner ]
k = 1
"""
    )
    assert index.line("", "top") == 1
    assert index.line("sync") == 2
    assert index.line("sync", "poll_active_s") == 3
    assert index.line("sync", "missing") == 2  # falls back to the table's header
    assert index.line("keymap", "card.move-right") == 5
    assert index.line("keymap.card", "move-right") == 5
    assert index.line("keymap", "focus.left") == 6
    assert index.line("triggers", "on", 0) == 8
    assert index.line("triggers", None, 1) == 9
    assert index.line("triggers", "run", 1) == 10
    assert index.line("quoted.inner", "k") == 12
    assert index.line("nowhere", "x") is None
