"""HelpScreen (``?``): every key, generated from ui.commands and the user's keymap."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.keys import format_key
from textual.widgets import Static

from trello_tui.ui.commands import COMMANDS, Command
from trello_tui.ui.screens.modal import Modal


def key_text(keys: str) -> str:
    """``less_than_sign,comma,H`` -> ``<  ,  H``."""
    return "  ".join(format_key(key.strip()) for key in keys.split(",") if key.strip())


KEY_WIDTH = 14


def help_columns(
    keymap: Mapping[str, str], count: int = 2, commands: Iterable[Command] = COMMANDS
) -> list[Text]:
    """The keys, grouped as in COMMANDS, dealt into ``count`` columns of whole groups.

    Plain Text with fixed key widths (not an auto-sized table) so the screen looks the same
    at every size and in every run.
    """
    groups: dict[str, list[Command]] = {}
    for command in commands:
        groups.setdefault(command.group, []).append(command)
    blocks: list[Text] = []
    for name, commands in groups.items():
        block = Text(f"{name}\n", style="bold underline")
        for command in commands:
            keys = keymap.get(command.id, command.keys)
            shown = key_text(keys) if keys else "palette"
            block.append(f"{shown:<{KEY_WIDTH}}", style="bold" if keys else "dim")
            block.append(f"{command.palette}\n")
        blocks.append(block)
    total = sum(len(b.plain.splitlines()) for b in blocks)
    columns = [Text() for _ in range(count)]
    used = 0
    for block in blocks:
        index = min(count - 1, used * count // max(1, total))
        columns[index].append_text(block)
        columns[index].append("\n")
        used += len(block.plain.splitlines())
    return columns


class HelpScreen(Modal[None]):
    """A modal listing every binding; any of escape, q or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "close", id="help.close"),
    ]

    def __init__(
        self, keymap: Mapping[str, str] | None = None, commands: Iterable[Command] = COMMANDS
    ) -> None:
        super().__init__()
        self.keymap = dict(keymap or {})
        #: the board's commands, or another screen's (the agenda lists its own keys)
        self.commands = tuple(commands)

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="help"):
            yield Static("[b]Keys[/]  (change any of them under \\[keymap] in config.toml, by id)")
            with Horizontal(classes="help-columns"):
                for column in help_columns(self.keymap, commands=self.commands):
                    yield Static(column, classes="help-column")

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
