"""Small modal pickers: type-to-filter lists (lists, labels, members) and the filter prompt.

``Picker`` is one reusable modal: an Input above an OptionList; typing narrows the options
(every word must appear), enter picks the highlighted one, escape cancels. Headings
(disabled options) group entries and stay visible while any of their entries match.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from trello_tui.sync.state import BoardState
from trello_tui.ui.filters import CardQuery, parse_query


@dataclasses.dataclass(frozen=True, slots=True)
class Entry:
    """A pickable row (``value`` None makes it a heading)."""

    text: str
    value: str | None
    search: str = ""


class Picker(ModalScreen[str | None]):
    """Choose one entry by typing and enter."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "cancel", id="picker.cancel"),
        Binding("down", "cursor(1)", show=False, id="picker.down"),
        Binding("up", "cursor(-1)", show=False, id="picker.up"),
    ]

    def __init__(
        self, title: str, entries: list[Entry], placeholder: str = "type to filter"
    ) -> None:
        super().__init__()
        self.heading = title
        self.entries = entries
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="picker"):
            yield Static(self.heading, classes="picker-title")
            yield Input(placeholder=self.placeholder, id="picker-input")
            yield OptionList(id="picker-options")

    def on_mount(self) -> None:
        # A blinking cursor makes headless renders (screenshots, snapshots) depend on timing.
        self.query_one(Input).cursor_blink = not self.app.is_headless
        self._fill("")

    def _fill(self, text: str) -> None:
        words = text.lower().split()
        options: list[Option] = []
        heading: Entry | None = None
        for entry in self.entries:
            if entry.value is None:
                heading = entry
                continue
            haystack = (entry.search or entry.text).lower()
            if all(word in haystack for word in words):
                if heading is not None:
                    options.append(Option(f"[b]{heading.text}[/]", disabled=True))
                    heading = None
                options.append(Option(entry.text, id=entry.value))
        option_list = self.query_one(OptionList)
        option_list.clear_options()
        option_list.add_options(options)
        first = next((i for i, o in enumerate(options) if not o.disabled), None)
        option_list.highlighted = first

    @on(Input.Changed)
    def changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted)
    def submitted(self) -> None:
        option_list = self.query_one(OptionList)
        if option_list.highlighted is not None:
            self.dismiss(option_list.get_option_at_index(option_list.highlighted).id)

    @on(OptionList.OptionSelected)
    def selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cursor(self, delta: int) -> None:
        option_list = self.query_one(OptionList)
        if delta > 0:
            option_list.action_cursor_down()
        else:
            option_list.action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)


class ListPicker(Picker):
    """Pick a list of the board (the card's own list is marked)."""

    def __init__(self, state: BoardState, current_list: str) -> None:
        entries = [
            Entry(f"{lst.name}{'  (current)' if lst.id == current_list else ''}", lst.id, lst.name)
            for lst in state.open_lists()
        ]
        super().__init__("Move to list", entries)


class FilterPrompt(ModalScreen[CardQuery | None]):
    """One line: words, #label, @member, due:overdue|soon|week|none|complete."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "cancel", id="filter.cancel"),
    ]

    def __init__(self, current: str) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="picker"):
            yield Static("Filter cards", classes="picker-title")
            yield Input(
                self.current,
                placeholder="words #label @member due:overdue|soon|week|none|complete",
                id="filter-input",
            )

    def on_mount(self) -> None:
        self.query_one(Input).cursor_blink = not self.app.is_headless

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        self.dismiss(parse_query(event.value))

    def action_cancel(self) -> None:
        self.dismiss(None)


class TextPrompt(ModalScreen[str | None]):
    """One line of text (a title, a due date, a checklist name); enter accepts."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "cancel", id="prompt.cancel"),
    ]

    def __init__(self, title: str, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self.heading = title
        self.value = value
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="picker"):
            yield Static(self.heading, classes="picker-title")
            yield Input(self.value, placeholder=self.placeholder, id="prompt-input")

    def on_mount(self) -> None:
        self.query_one(Input).cursor_blink = not self.app.is_headless

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
