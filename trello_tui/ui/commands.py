"""Every user action, defined once: binding id, default keys, footer text, palette text.

The board screen's BINDINGS, the help screen, the command palette and the ``[keymap]``
overrides (``{"card.move-right": "ctrl+right"}``, applied with ``App.set_keymap``) are all
generated from ``COMMANDS``, so a key shown anywhere is the key that works.

Key conflict resolved here: DESIGN.md gives ``l`` both to "focus right" (vim) and to
"labels" (Trello). Focus wins (h j k l stay a set); labels open with ``#`` — the sign Trello's
composer uses for labels — and ``1``–``0`` toggle labels by colour as in Trello.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Iterable, Mapping

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.keys import format_key

from trello_tui.ui.safe import escape, highlight, plain
from trello_tui.ui.widgets.palette import NUMBER_KEY_COLORS


@dataclasses.dataclass(frozen=True, slots=True)
class Command:
    """One user action."""

    id: str
    #: Textual key names, comma separated ("" = palette only).
    keys: str
    #: The screen action it runs (``action_<name>``), with arguments if any.
    action: str
    #: Short text for the footer and the help screen.
    footer: str
    #: Longer text for the command palette.
    palette: str
    #: Shown in the footer.
    show: bool = False
    #: Group heading on the help screen.
    group: str = "Cards"


def _label_commands() -> list[Command]:
    return [
        Command(
            f"card.label-{color}",
            key,
            f"toggle_label_color('{color}')",
            f"{color} label",
            f"Toggle the {color} label on the focused card",
            group="Labels",
        )
        for key, color in NUMBER_KEY_COLORS.items()
    ]


COMMANDS: tuple[Command, ...] = (
    # Focus (Trello's arrows, vim's h j k l).
    Command("focus.left", "left,h", "focus_left", "←", "Focus the list on the left", group="Focus"),
    Command(
        "focus.right", "right,l", "focus_right", "→", "Focus the list on the right", group="Focus"
    ),
    Command("focus.up", "up,k", "focus_up", "↑", "Focus the card above", group="Focus"),
    Command("focus.down", "down,j", "focus_down", "↓", "Focus the card below", group="Focus"),
    Command("focus.top", "home,g", "focus_top", "first", "Focus the first card", group="Focus"),
    Command("focus.bottom", "end,G", "focus_bottom", "last", "Focus the last card", group="Focus"),
    Command(
        "focus.page-up", "pageup", "focus_page(-1)", "page up", "Focus a page up", group="Focus"
    ),
    Command(
        "focus.page-down",
        "pagedown",
        "focus_page(1)",
        "page down",
        "Focus a page down",
        group="Focus",
    ),
    # Moves.
    Command(
        "card.move-left",
        "less_than_sign,comma,H",
        "move_list(-1)",
        "◀ move",
        "Move the card to the list on the left",
        True,
        "Move",
    ),
    Command(
        "card.move-right",
        "greater_than_sign,full_stop,L",
        "move_list(1)",
        "move ▶",
        "Move the card to the list on the right",
        True,
        "Move",
    ),
    Command(
        "card.move-up",
        "K",
        "move_within(-1)",
        "move up",
        "Move the card up in its list",
        group="Move",
    ),
    Command(
        "card.move-down",
        "J",
        "move_within(1)",
        "move down",
        "Move the card down in its list",
        group="Move",
    ),
    Command(
        "card.move-top",
        "T",
        "move_end('top')",
        "to top",
        "Move the card to the top of its list",
        group="Move",
    ),
    Command(
        "card.move-bottom",
        "B",
        "move_end('bottom')",
        "to bottom",
        "Move the card to the bottom of its list",
        group="Move",
    ),
    Command(
        "card.move-to",
        "M",
        "move_to",
        "move to…",
        "Move the card to a list or board (picker)",
        group="Move",
    ),
    Command("undo", "z,u", "undo", "undo", "Undo the last change", True, "Move"),
    # Cards.
    Command("card.open", "enter", "open_card", "open", "Open the focused card", True),
    Command("card.new", "n", "new_card", "new", "Add a card below the focused one"),
    Command("card.archive", "c", "archive", "archive", "Archive the focused card"),
    Command("card.assign-me", "space", "assign_me", "me", "Assign or unassign yourself"),
    Command("card.labels", "number_sign", "labels", "labels", "Choose the card's labels"),
    Command("card.members", "m", "members", "members", "Choose the card's members"),
    Command("card.due", "d", "due", "due", "Set the due date"),
    Command("card.title", "t", "title", "title", "Edit the card's title"),
    Command("card.edit", "e", "edit_description", "edit", "Edit the description in $EDITOR"),
    Command("card.checklist", "minus", "add_checklist", "checklist", "Add a checklist"),
    Command("card.browser", "o", "open_browser", "browser", "Open the card in the browser"),
    Command("card.copy-url", "y", "copy_url", "copy URL", "Copy the card's URL"),
    *_label_commands(),
    # Marks: while cards are marked, the card keys above act on every marked card.
    Command("card.mark", "v", "toggle_mark", "mark", "Mark or unmark the card", group="Marks"),
    Command(
        "marks.all-shown",
        "V",
        "mark_shown",
        "mark all",
        "Mark every card the filter shows",
        group="Marks",
    ),
    Command("marks.clear", "escape", "clear_marks", "unmark", "Clear the marks", group="Marks"),
    # Finding things.
    Command("search", "slash", "search", "search", "Search cards and boards", True, "Find"),
    Command(
        "filter", "f", "filter", "filter", "Filter by text, label, member or due", True, "Find"
    ),
    Command("filter.mine", "q", "filter_mine", "my cards", "Show only my cards", group="Find"),
    Command("filter.clear", "x", "clear_filters", "clear", "Clear all filters", group="Find"),
    Command("card.jump", "", "jump_to_card", "jump", "Jump to a card by name", group="Find"),
    # App.
    Command("boards", "b", "boards", "boards", "Switch board", True, "App"),
    Command("agenda", "a", "agenda", "agenda", "Agenda: due cards across all boards", group="App"),
    Command("my-cards", "Q", "my_cards", "my cards…", "My cards across all boards", group="App"),
    Command(
        "refresh", "r", "refresh_board", "refresh", "Reload the board from Trello", group="App"
    ),
    Command("compact", "", "toggle_compact", "compact", "Toggle compact mode", group="App"),
    Command("help", "question_mark", "help", "help", "Show every key", True, "App"),
)

#: Keys of the agenda and my-cards screens only (they also take the board's card keys, by id).
SCREEN_COMMANDS: tuple[Command, ...] = (
    Command("screen.back", "escape", "back", "back", "Back to the board", True, "Agenda"),
    Command(
        "card.complete",
        "D",
        "toggle_complete",
        "done",
        "Mark the due date complete (or not)",
        True,
        "Agenda",
    ),
    Command(
        "agenda.month",
        "C",
        "toggle_month",
        "month",
        "Switch between the agenda and the month grid",
        True,
        "Agenda",
    ),
    Command(
        "agenda.previous-month",
        "left_square_bracket",
        "step_month(-1)",
        "◀ month",
        "Show the previous month",
        group="Agenda",
    ),
    Command(
        "agenda.next-month",
        "right_square_bracket",
        "step_month(1)",
        "month ▶",
        "Show the next month",
        group="Agenda",
    ),
)

BY_ID: Mapping[str, Command] = {command.id: command for command in (*COMMANDS, *SCREEN_COMMANDS)}


def bindings(commands: Iterable[Command] = COMMANDS) -> list[Binding]:
    """Textual bindings (with stable ids) for every command that has keys."""
    return [
        Binding(c.keys, c.action, c.footer, show=c.show, tooltip=c.palette, id=c.id)
        for c in commands
        if c.keys
    ]


def effective_keys(keymap: Mapping[str, str]) -> dict[str, str]:
    """Binding id -> the keys in force after the user's ``[keymap]`` overrides."""
    return {c.id: keymap.get(c.id, c.keys) for c in BY_ID.values()}


def unknown_ids(keymap: Mapping[str, str]) -> list[str]:
    """Keymap entries that name no binding (reported to the user, not silently ignored)."""
    return sorted(key for key in keymap if key not in BY_ID)


class BoardCommands(Provider):
    """The command palette's entries: every command, with its keys, run on the board."""

    def _hits(self) -> list[tuple[str, str, Command]]:
        keymap = dict(getattr(self.app, "user_keymap", {}))
        out = []
        for command in COMMANDS:
            keys = keymap.get(command.id, command.keys)
            shown = ", ".join(format_key(k.strip()) for k in keys.split(",") if k.strip())
            out.append((command.palette, f"{command.id}  {shown}".strip(), command))
        return out

    def _runner(self, command: Command) -> Callable[[], Awaitable[None]]:
        screen = self.screen

        async def run() -> None:
            await screen.run_action(command.action)

        return run

    # Titles are shown as they are; the help (always read as markup) is escaped: it holds
    # the keys from the user's [keymap].
    async def discover(self) -> Hits:
        for title, help_text, command in self._hits():
            yield DiscoveryHit(
                plain(title), self._runner(command), text=title, help=escape(help_text)
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, command in self._hits():
            score = matcher.match(f"{title} {command.id}")
            if score > 0:
                runner = self._runner(command)
                shown = highlight(matcher, title)
                yield Hit(score, shown, runner, text=title, help=escape(help_text))
