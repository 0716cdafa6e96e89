"""Trello's label colours (the current palette), as background and text hex.

These are data colours — the colour a user picked for a label — so they live here rather than
in the theme: a "red" label is red in every theme. Unknown colour names (a newer Trello) have
no entry and are rendered plainly by the caller, never raising.
"""

from __future__ import annotations

from rich.style import Style

# name -> (background, foreground); from Trello's own palette (research/trello-product.md §4).
LABEL_HEX: dict[str, tuple[str, str]] = {
    "green_light": ("#BAF3DB", "#164B35"),
    "green": ("#4BCE97", "#164B35"),
    "green_dark": ("#1F845A", "#FFFFFF"),
    "yellow_light": ("#F8E6A0", "#533F04"),
    "yellow": ("#F5CD47", "#533F04"),
    "yellow_dark": ("#946F00", "#FFFFFF"),
    "orange_light": ("#FEDEC8", "#702E00"),
    "orange": ("#FEA362", "#702E00"),
    "orange_dark": ("#C25100", "#FFFFFF"),
    "red_light": ("#FFD5D2", "#5D1F1A"),
    "red": ("#F87168", "#5D1F1A"),
    "red_dark": ("#C9372C", "#FFFFFF"),
    "purple_light": ("#DFD8FD", "#352C63"),
    "purple": ("#9F8FEF", "#352C63"),
    "purple_dark": ("#6E5DC6", "#FFFFFF"),
    "blue_light": ("#CCE0FF", "#09326C"),
    "blue": ("#579DFF", "#09326C"),
    "blue_dark": ("#0C66E4", "#FFFFFF"),
    "sky_light": ("#C6EDFB", "#164555"),
    "sky": ("#6CC3E0", "#164555"),
    "sky_dark": ("#227D9B", "#FFFFFF"),
    "lime_light": ("#D3F1A7", "#37471F"),
    "lime": ("#94C748", "#37471F"),
    "lime_dark": ("#5B7F24", "#FFFFFF"),
    "pink_light": ("#FDD0EC", "#50253F"),
    "pink": ("#E774BB", "#50253F"),
    "pink_dark": ("#AE4787", "#FFFFFF"),
    "black_light": ("#DCDFE4", "#091E42"),
    "black": ("#8590A2", "#091E42"),
    "black_dark": ("#626F86", "#FFFFFF"),
}

#: Trello's number keys: 1 green … 0 black.
NUMBER_KEY_COLORS: dict[str, str] = {
    "1": "green",
    "2": "yellow",
    "3": "orange",
    "4": "red",
    "5": "purple",
    "6": "blue",
    "7": "sky",
    "8": "lime",
    "9": "pink",
    "0": "black",
}

_STYLES: dict[str, Style] = {
    name: Style(bgcolor=bg, color=fg) for name, (bg, fg) in LABEL_HEX.items()
}


def label_style(color: str | None) -> Style | None:
    """The chip style of a known colour, or None (no colour, or one we do not know)."""
    if color is None:
        return None
    return _STYLES.get(color)


def color_family(color: str | None) -> str | None:
    """``green_dark`` -> ``green``: the family the number keys toggle."""
    if color is None:
        return None
    return color.removesuffix("_dark").removesuffix("_light")
