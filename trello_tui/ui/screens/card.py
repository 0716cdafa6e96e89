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
from textual.widgets import Markdown, OptionList, Static
from textual.widgets.option_list import Option

from trello_tui.sync import ops, ops_items
from trello_tui.sync.state import BoardChange, BoardState
from trello_tui.trello import positions
from trello_tui.trello.models import Action, Card
from trello_tui.ui.safe import plain
from trello_tui.ui.screens.board_edits import CardEdits
from trello_tui.ui.screens.modal import Modal
from trello_tui.ui.screens.pickers import TextPrompt
from trello_tui.ui.widgets.card_face import due_piece
from trello_tui.ui.widgets.palette import label_style

if TYPE_CHECKING:
    from trello_tui.ui.app import TrelloApp
    from trello_tui.ui.widgets.board_view import BoardView


class CheckItems(OptionList):
    """A checklist's items; space or enter toggles the highlighted one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "select", "toggle", id="checklist.toggle"),
    ]


class CardScreen(CardEdits, Modal[None]):
    """One card, opened from the board: the same edit keys as on the board, plus items and
    comments."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "close", id="card.close"),
        Binding("e", "edit_description", "edit", id="card-screen.edit"),
        Binding("t", "title", "title", id="card-screen.title"),
        Binding("d", "due", "due", id="card-screen.due"),
        Binding("number_sign", "labels", "labels", id="card-screen.labels"),
        Binding("m", "members", "members", id="card-screen.members"),
        Binding("minus", "add_checklist", "checklist", id="card-screen.checklist"),
        Binding("plus,a", "add_item", "add item", id="card-screen.add-item"),
        Binding("r", "rename_item", "rename item", id="card-screen.rename-item"),
        Binding("delete,x", "delete_item", "delete item", id="card-screen.delete-item"),
        Binding("C", "comment", "comment", id="card-screen.comment"),
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
    def view(self) -> BoardView:
        # CardEdits asks the board for the focused card; here it is always this card.
        from trello_tui.ui.screens.board import BoardScreen

        board = next(s for s in self.app.screen_stack if isinstance(s, BoardScreen))
        return board.view

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
            plain(f"Checklists  {done}/{total}" if checklists else "Checklists  (none)")
        )
        for checklist in checklists:
            items.add_option(Option(Text(checklist.name, style="bold"), id=checklist.id))
            for item in checklist.check_items:
                mark = "☑" if item.complete else "☐"
                shown = plain(f"  {mark} {item.name}")
                items.add_option(Option(shown, id=f"{checklist.id}:{item.id}"))
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
        if event.option.id is None or ":" not in event.option.id:
            return  # a checklist's heading
        checklist_id, item_id = event.option.id.split(":", 1)
        self.tapp.toggle_check_item(self.card_id, checklist_id, item_id)

    def action_close(self) -> None:
        self.dismiss(None)

    def _focused(self) -> str | None:
        return self.card_id

    def _item(self) -> tuple[str, str | None] | None:
        """(checklist id, item id or None on a checklist heading) under the cursor."""
        items = self.query_one(CheckItems)
        if items.highlighted is None:
            checklists = self.state.checklists_of(self.card_id)
            return (checklists[0].id, None) if checklists else None
        option_id = items.get_option_at_index(items.highlighted).id
        if option_id is None:
            return None
        checklist_id, _, item_id = option_id.partition(":")
        return checklist_id, item_id or None

    def action_add_item(self) -> None:
        found = self._item()
        if found is None:
            self.notify("Add a checklist first (-)")
            return
        checklist_id = found[0]
        checklist = self.state.checklists.get(checklist_id)
        existing = [i.pos for i in checklist.check_items] if checklist else []

        def done(name: str | None) -> None:
            if name and name.strip():
                pos = positions.bottom(existing) or positions.INITIAL_POS
                self.tapp.submit(
                    ops_items.AddCheckItem(
                        self.state.id,
                        card_id=self.card_id,
                        checklist_id=checklist_id,
                        name=name.strip(),
                        pos=pos,
                    )
                )

        self.app.push_screen(TextPrompt("New item"), done)

    def action_rename_item(self) -> None:
        found = self._item()
        if found is None or found[1] is None:
            return
        checklist_id, item_id = found
        checklist = self.state.checklists.get(checklist_id)
        item = (
            next((i for i in checklist.check_items if i.id == item_id), None) if checklist else None
        )
        if item is None:
            return

        def done(name: str | None) -> None:
            if name and name.strip() and name.strip() != item.name:
                self.tapp.submit(
                    ops_items.RenameCheckItem(
                        self.state.id,
                        card_id=self.card_id,
                        checklist_id=checklist_id,
                        item_id=item.id,
                        name=name.strip(),
                    )
                )

        self.app.push_screen(TextPrompt("Rename item", item.name), done)

    def action_delete_item(self) -> None:
        found = self._item()
        if found is None:
            return
        checklist_id, item_id = found
        if item_id is None:
            op: ops.Op = ops_items.DeleteChecklist(
                self.state.id, card_id=self.card_id, checklist_id=checklist_id
            )
        else:
            op = ops_items.DeleteCheckItem(
                self.state.id, card_id=self.card_id, checklist_id=checklist_id, item_id=item_id
            )
        self.tapp.submit(op)

    def action_comment(self) -> None:
        def done(text: str | None) -> None:
            if text and text.strip():
                self.tapp.submit(
                    ops_items.AddComment(self.state.id, card_id=self.card_id, text=text.strip())
                )
                self.load_comments()

        self.app.push_screen(TextPrompt("Comment"), done)

    def action_open_browser(self) -> None:
        self.app.open_url(self.card.url or self.card.short_url)

    def action_copy_url(self) -> None:
        self.app.copy_to_clipboard(self.card.url or self.card.short_url)
        self.notify("Card URL copied")

    def action_archive(self) -> None:
        self.tapp.archive(self.card_id)
        self.dismiss(None)
