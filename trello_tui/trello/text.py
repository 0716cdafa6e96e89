"""Text written by other people, made safe to show on a terminal.

Everything on a shared board (names, descriptions, comments, checklist items, label, list,
board and member names, a server's error text) is written by someone else. Shown raw, a
control character or an escape sequence in it is obeyed by the terminal: it can set the window
title, write the clipboard (OSC 52), clear the screen, or ask the terminal a question whose
answer comes back as keys the app then acts on (DA1/DA2/DSR). ``visible`` turns every such
character into a visible, inert stand-in, so the sequence shows as text and does nothing:

- ESC becomes ``␛``; the rest of any sequence it introduced (CSI, OSC, DCS, APC, PM, SOS,
  terminated or not) is then plain printable text;
- every other C0 control and DEL becomes its Control Picture (``␀``, ``␇``, ``␈``, ``␡``);
  tab and newline are kept in multi-line fields (a description, a comment) and become a space
  in single-line ones (a name);
- the C1 controls U+0080–U+009F (8-bit CSI, OSC, DCS, ST ...), the bidi override and isolate
  controls, and lone surrogates (which cannot even be encoded) become ``�``.

Everything else is kept exactly: zero-width joiners inside emoji, variation selectors, wide
CJK and emoji characters. The check is one regular-expression search, so clean text (almost
all of it) costs a scan and no copy.

The product applies it where Trello's data enters (the models' readers, error bodies) and
where text leaves for a terminal outside Textual (the CLI's output): the first keeps every
screen, export and log line clean whatever path a name takes through the code, the second
covers what never was a model (the user's own arguments, a server's raw error text).
"""

from __future__ import annotations

import re

#: What stands in for a C1 control, a bidi control or a lone surrogate.
REPLACEMENT = "\ufffd"

_BIDI = "\u202a-\u202e\u2066-\u2069"
_SURROGATES = "\ud800-\udfff"
#: Any character that must not reach a terminal as it is (tab, newline and CR included: what
#: becomes of them depends on the field).
_UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}{_SURROGATES}\u2028\u2029]")
#: The same without tab and newline, which a multi-line field keeps: a description's lines
#: cost one search and no copy, like a clean name.
_UNSAFE_MULTILINE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}{_SURROGATES}\u2028\u2029]")


def _picture(char: str) -> str:
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return REPLACEMENT


def _single_line(match: re.Match[str]) -> str:
    char = match.group()
    if char in "\t\n\u2028\u2029":
        return " "
    if char == "\r":
        return " "
    return _picture(char)


def _multi_line(match: re.Match[str]) -> str:
    char = match.group()
    if char in "\t\n":
        return char
    if char in "\r\u2028\u2029":
        return "\n"
    return _picture(char)


def visible(text: str, *, multiline: bool = False) -> str:
    """``text`` with every control, escape and bidi override shown as an inert character."""
    if multiline:
        if _UNSAFE_MULTILINE.search(text) is None:
            return text
        return _UNSAFE.sub(_multi_line, text.replace("\r\n", "\n"))
    if _UNSAFE.search(text) is None:
        return text
    return _UNSAFE.sub(_single_line, text)


def is_visible(text: str, *, multiline: bool = False) -> bool:
    """True when ``visible`` would return ``text`` unchanged."""
    return visible(text, multiline=multiline) == text
