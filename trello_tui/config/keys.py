"""Helpers for reading config.toml: where each key sits, and what a plausible key string is.

Kept apart from :mod:`trello_tui.config.settings` so that module stays about settings. Neither
imports Textual: the key-name rules below mirror Textual's (``ctrl+s``, ``question_mark``,
``f5``) so a bad ``[keymap]`` entry is reported before the app starts.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Final

MODIFIERS: Final = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
NAMED_KEYS: Final = frozenset(
    {
        "escape",
        "enter",
        "return",
        "tab",
        "backspace",
        "delete",
        "insert",
        "home",
        "end",
        "up",
        "down",
        "left",
        "right",
        "pageup",
        "pagedown",
        "space",
        "newline",
        *(f"f{n}" for n in range(1, 25)),
    }
)
# Textual's friendlier names for some Unicode character names.
_REPLACEMENTS: Final = {
    "solidus": "slash",
    "reverse_solidus": "backslash",
    "commercial_at": "at",
    "hyphen_minus": "minus",
    "plus_sign": "plus",
    "low_line": "underscore",
}

_HEADER: Final = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY_PART: Final = r"""(?:[A-Za-z0-9_-]+|"[^"\n]*"|'[^'\n]*')"""
_ASSIGN: Final = re.compile(rf"^\s*({_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*=")


@cache
def character_key_names() -> frozenset[str]:
    """Names Textual gives to punctuation keys: ``question_mark``, ``full_stop``, ``slash``..."""
    names: set[str] = set()
    for code in [*range(0x21, 0x7F), *range(0xA1, 0x100)]:
        char = chr(code)
        if char.isalnum():
            continue
        name = unicodedata.name(char, "").lower().replace("-", "_").replace(" ", "_")
        if name:
            names.add(name)
            names.add(_REPLACEMENTS.get(name, name))
    return frozenset(names)


def key_problem(key: str) -> str | None:
    """Why ``key`` is not a plausible Textual key string, or ``None`` when it is."""
    if not key:
        return "an empty key"
    if any(ch.isspace() for ch in key):
        return f'"{key}" contains a space (write space, or separate keys with commas)'
    if len(key) == 1:
        return None if key.isprintable() else f"{key!r} is not a key"
    *modifiers, base = key.split("+")
    if not base:
        return f'"{key}" ends with "+" (the plus key is written plus)'
    for modifier in modifiers:
        if modifier not in MODIFIERS:
            return f'"{modifier}" in "{key}" is not a modifier ({", ".join(sorted(MODIFIERS))})'
    if len(set(modifiers)) != len(modifiers):
        return f'"{key}" repeats a modifier'
    if len(base) == 1 and base.isprintable():
        return None
    if base in NAMED_KEYS or base in character_key_names():
        return None
    if base.lower() in NAMED_KEYS or base.lower() in character_key_names():
        return f'"{key}": key names are lower case ({base.lower()})'
    return f'"{base}" is not a key name (try a character, enter, escape, f5, question_mark)'


def _unquote(part: str) -> str:
    part = part.strip()
    if len(part) >= 2 and part[0] == part[-1] and part[0] in "\"'":
        return part[1:-1]
    return part


def _split_dotted(path: str) -> list[str]:
    return [_unquote(p) for p in re.findall(_KEY_PART, path)]


class LineIndex:
    """Line numbers of tables and keys in a TOML text, found by scanning the raw lines.

    tomllib does not report positions, so errors point at the first line that assigns the key
    inside the right table (``[[triggers]]`` tables are counted, so the third trigger's
    ``run`` is found in the third block). Lines are 1-based.
    """

    def __init__(self, text: str) -> None:
        self._lines: dict[tuple[str, int, str | None], int] = {}
        self._counts: dict[str, int] = {}
        table, occurrence = "", 0
        in_multiline = False
        for number, line in enumerate(text.splitlines(), start=1):
            # Skip the inside of multi-line strings: their text is not keys.
            if line.count('"""') % 2 == 1 or line.count("'''") % 2 == 1:
                in_multiline = not in_multiline
                if not in_multiline:
                    continue
            elif in_multiline:
                continue
            header = _HEADER.match(line)
            if header and not _ASSIGN.match(line):
                table = ".".join(_split_dotted(header[2]))
                occurrence = self._counts.get(table, 0) if header[1] == "[[" else 0
                if header[1] == "[[":
                    self._counts[table] = occurrence + 1
                self._lines.setdefault((table, occurrence, None), number)
                continue
            assign = _ASSIGN.match(line)
            if assign:
                parts = _split_dotted(assign[1])
                # Register "a.b = 1" under this table as key "a.b" and under table "a" as "b".
                self._lines.setdefault((table, occurrence, ".".join(parts)), number)
                for cut in range(1, len(parts)):
                    prefix = ".".join(filter(None, [table, *parts[:cut]]))
                    self._lines.setdefault((prefix, occurrence, ".".join(parts[cut:])), number)
                    self._lines.setdefault((prefix, occurrence, None), number)

    def line(self, table: str, key: str | None = None, occurrence: int = 0) -> int | None:
        """The line of ``key`` in ``table`` (``""`` is the top level), else of the table."""
        found = self._lines.get((table, occurrence, key))
        if found is None and key is not None:
            found = self._lines.get((table, occurrence, None))
            if found is None and "." in table:
                # An inline table ("sync = {poll_active_s = 1}"): point at its line.
                parent, _, name = table.rpartition(".")
                found = self._lines.get((parent, occurrence, name))
            if found is None and table and "." not in table:
                found = self._lines.get(("", 0, table))
            if found is None:
                # A key that is itself a table ("[nope]" at the top level): its header.
                found = self._lines.get((".".join(filter(None, [table, key])), 0, None))
        return found
