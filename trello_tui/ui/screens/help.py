"""HelpScreen (``?``): every key, generated from ui.commands and the user's keymap."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.keys import format_key
from textual.screen import ModalScreen
from textual.widgets import Static

from trello_tui.ui.commands import COMMANDS, Command


def key_text(keys: str) -> str:
    """``less_than_sign,comma,H`` -> ``<  ,  H``."""
    return "  ".join(format_key(key.strip()) for key in keys.split(",") if key.strip())


def help_table(keymap: Mapping[str, str], width: int = 2) -> Table:
    """The keys, grouped as in COMMANDS, in ``width`` side-by-side groups."""
    groups: dict[str, list[Command]] = {}
    for command in COMMANDS:
        groups.setdefault(command.group, []).append(command)
    grid = Table.grid(padding=(0, 4))
    for _ in range(width):
        grid.add_column()
    cells: list[Table] = []
    for name, commands in groups.items():
        table = Table(title=name, title_justify="left", box=None, show_header=False)
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for command in commands:
            keys = keymap.get(command.id, command.keys)
            table.add_row(key_text(keys) if keys else Text("palette", style="dim"), command.palette)
        cells.append(table)
    for start in range(0, len(cells), width):
        grid.add_row(*cells[start : start + width])
    return grid


class HelpScreen(ModalScreen[None]):
    """A modal listing every binding; any of escape, q or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "close", id="help.close"),
    ]

    def __init__(self, keymap: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self.keymap = dict(keymap or {})

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="help"):
            yield Static("[b]Keys[/]  (change any of them under [keymap] in config.toml, by id)")
            yield Static(help_table(self.keymap))

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
