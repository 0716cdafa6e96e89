"""CardScreen: the back of a card — labels, members, dates, Markdown description, checklists
(toggle with space/enter), comments (loaded in a worker, newest first).

Edits go through the app's facade to the sync engine, like moves on the board; the screen
re-reads the card from the BoardState when a change names it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown, OptionList, Static
from textual.widgets.option_list import Option

from trello_tui.sync.state import BoardChange, BoardState
from trello_tui.trello.models import Action, Card
from trello_tui.ui.widgets.card_face import due_piece
from trello_tui.ui.widgets.palette import label_style

if TYPE_CHECKING:
    from trello_tui.ui.app import TrelloApp


class CheckItems(OptionList):
    """A checklist's items; space or enter toggles the highlighted one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "select", "toggle", id="checklist.toggle"),
    ]


class CardScreen(ModalScreen[None]):
    """One card, opened from the board."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "close", id="card.close"),
        Binding("e", "edit_description", "edit", id="card-screen.edit"),
        Binding("o", "open_browser", "browser", id="card-screen.browser"),
        Binding("y", "copy_url", "copy URL", id="card-screen.copy-url"),
        Binding("c", "archive", "archive", id="card-screen.archive"),
    ]

    def __init__(self, state: BoardState, card_id: str) -> None:
        super().__init__()
        self.state = state
        self.card_id = card_id
        self.comments: list[Action] | None = None

    @property
    def tapp(self) -> TrelloApp:
        from trello_tui.ui.app import TrelloApp

        assert isinstance(self.app, TrelloApp)
        return self.app

    @property
    def card(self) -> Card:
        return self.state.cards[self.card_id]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="card-box"):
            yield Static(id="card-title", classes="card-title")
            yield Static(id="card-meta", classes="card-meta")
            yield Static("Description", classes="card-section")
            yield Markdown(id="card-desc")
            yield Static(id="checklists-title", classes="card-section")
            yield CheckItems(id="check-items")
            yield Static("Comments", classes="card-section")
            yield Static(id="card-comments")

    def on_mount(self) -> None:
        self.fill()
        self.query_one(CheckItems).focus()
        self.load_comments()

    # -- painting ---------------------------------------------------------------------------

    def meta_text(self) -> Text:
        card = self.card
        text = Text()
        lst = self.state.lists.get(card.id_list)
        text.append(f"in list {lst.name if lst else '?'}\n")
        for label_id in card.id_labels:
            label = self.state.labels.get(label_id)
            if label is None:
                continue
            style = label_style(label.color)
            text.append(f" {label.name or label.color or 'label'} ", style=style or "reverse")
            text.append(" ")
        if card.id_labels:
            text.append("\n")
        names = [
            self.state.members[m].full_name or self.state.members[m].username
            for m in card.id_members
            if m in self.state.members
        ]
        if names:
            text.append("members: " + ", ".join(names) + "\n")
        due = due_piece(card, self.tapp.clock())
        if due is not None:
            state = {"overdue": "overdue", "due-soon": "due soon", "due-complete": "complete"}
            note = f"  ({state[str(due[1])]})" if str(due[1]) in state else ""
            text.append(f"due {card.due:%Y-%m-%d %H:%M} UTC{note}\n")
        if card.start is not None:
            text.append(f"starts {card.start:%Y-%m-%d}\n")
        return text

    def fill(self) -> None:
        card = self.card
        self.query_one("#card-title", Static).update(Text(card.name))
        self.query_one("#card-meta", Static).update(self.meta_text())
        self.query_one("#card-desc", Markdown).update(card.desc or "*No description.*")
        items = self.query_one(CheckItems)
        highlighted = items.highlighted
        items.clear_options()
        checklists = self.state.checklists_of(card.id)
        total = sum(len(c.check_items) for c in checklists)
        done = sum(c.done for c in checklists)
        items.display = bool(checklists)
        self.query_one("#checklists-title", Static).update(
            f"Checklists  {done}/{total}" if checklists else "Checklists  (none)"
        )
        for checklist in checklists:
            items.add_option(Option(Text(checklist.name, style="bold"), disabled=True))
            for item in checklist.check_items:
                mark = "☑" if item.complete else "☐"
                items.add_option(Option(f"  {mark} {item.name}", id=f"{checklist.id}:{item.id}"))
        if highlighted is not None and highlighted < items.option_count:
            items.highlighted = highlighted
        self._paint_comments()

    def _paint_comments(self) -> None:
        target = self.query_one("#card-comments", Static)
        if self.comments is None:
            target.update(Text("loading…", style="dim"))
            return
        if not self.comments:
            target.update(Text("No comments.", style="dim"))
            return
        text = Text()
        for action in self.comments:
            who = action.member_creator.full_name if action.member_creator else "someone"
            when = f"{action.date:%Y-%m-%d %H:%M}" if action.date else ""
            text.append(f"{who}", style="bold")
            text.append(f"  {when}\n", style="dim")
            text.append(f"{action.text}\n\n")
        target.update(text)

    @work(exclusive=True, group="comments", exit_on_error=False)
    async def load_comments(self) -> None:
        self.comments = await self.tapp.load_comments(self.card_id)
        self._paint_comments()

    def apply_change(self, change: BoardChange) -> None:
        named = self.card_id in change.cards or change.structure
        if named and self.card_id in self.state.cards:
            self.fill()

    # -- actions ----------------------------------------------------------------------------

    @on(OptionList.OptionSelected, "#check-items")
    def toggled(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is None:
            return
        checklist_id, item_id = event.option.id.split(":", 1)
        self.tapp.toggle_check_item(self.card_id, checklist_id, item_id)

    def action_close(self) -> None:
        self.dismiss(None)

    def action_edit_description(self) -> None:
        self.tapp.edit_description(self.card_id)

    def action_open_browser(self) -> None:
        self.app.open_url(self.card.url or self.card.short_url)

    def action_copy_url(self) -> None:
        self.app.copy_to_clipboard(self.card.url or self.card.short_url)
        self.notify("Card URL copied")

    def action_archive(self) -> None:
        self.tapp.archive(self.card_id)
        self.dismiss(None)
