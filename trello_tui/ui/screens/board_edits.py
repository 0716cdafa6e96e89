"""The board's card edits (title, due, labels, members, checklist, description).

New cards (``n``) are the composer's, in screens/capture.py.

Each one asks what it needs in a small modal, then hands one operation to the app, which
submits it to the sync engine (applied on screen at once, sent in the background, undoable).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from trello_tui.capture import dates
from trello_tui.sync import ops, ops_items
from trello_tui.trello import positions
from trello_tui.ui.screens.pickers import Entry, Picker, TextPrompt
from trello_tui.ui.widgets.board_view import BoardView

if TYPE_CHECKING:
    from trello_tui.sync.state import BoardState
    from trello_tui.ui.app import TrelloApp


class CardEdits:
    """Mixed into BoardScreen: actions for the focused card."""

    state: BoardState

    @property
    def tapp(self) -> TrelloApp:
        raise NotImplementedError  # BoardScreen provides it

    @property
    def view(self) -> BoardView:
        raise NotImplementedError  # BoardScreen provides it

    def _focused(self) -> str | None:
        return self.view.focused_card_id

    def action_title(self) -> None:
        card_id = self._focused()
        if card_id is None:
            return
        card = self.state.cards[card_id]

        def done(name: str | None) -> None:
            if name and name.strip() and name.strip() != card.name:
                self.tapp.submit(ops.RenameCard(self.state.id, card_id=card_id, name=name.strip()))

        self.tapp.push_screen(TextPrompt("Card title", card.name), done)

    def action_due(self) -> None:
        card_id = self._focused()
        if card_id is None:
            return
        now = self.tapp.clock()

        def done(text: str | None) -> None:
            if text is None:
                return
            if text.strip().lower() in ("", "none", "clear"):
                self.tapp.submit(ops.SetDue(self.state.id, card_id=card_id, due=None))
                return
            if text.strip().lower() in ("done", "complete"):
                self.tapp.submit(ops.SetDue(self.state.id, card_id=card_id, due_complete=True))
                return
            parsed = dates.parse_date(text, now)
            if isinstance(parsed, dates.DateError):
                self.tapp.notify(str(parsed), severity="error", markup=False)
                return
            self.tapp.submit(ops.SetDue(self.state.id, card_id=card_id, due=parsed))

        self.tapp.push_screen(
            TextPrompt("Due date", placeholder="fri 5pm · tomorrow · 2026-12-01 · done · none"),
            done,
        )

    def action_labels(self) -> None:
        card_id = self._focused()
        if card_id is None:
            return
        card = self.state.cards[card_id]
        entries = [
            Entry(
                f"{'☑' if lb.id in card.id_labels else '☐'} {lb.name or '(no name)'}"
                f"  {lb.color or ''}",
                lb.id,
                f"{lb.name} {lb.color or ''}",
            )
            for lb in sorted(self.state.labels.values(), key=lambda x: (x.name.lower(), x.id))
        ]

        def done(label_id: str | None) -> None:
            if label_id is not None:
                current = self.state.cards[card_id].id_labels
                kind = ops.RemoveLabel if label_id in current else ops.AddLabel
                self.tapp.submit(kind(self.state.id, card_id=card_id, target=label_id))

        self.tapp.push_screen(Picker("Toggle a label", entries), done)

    def action_members(self) -> None:
        card_id = self._focused()
        if card_id is None:
            return
        card = self.state.cards[card_id]
        entries = [
            Entry(
                f"{'☑' if m.id in card.id_members else '☐'} {m.full_name} (@{m.username})",
                m.id,
                f"{m.full_name} {m.username} {m.initials}",
            )
            for m in sorted(self.state.members.values(), key=lambda x: x.full_name.lower())
        ]

        def done(member_id: str | None) -> None:
            if member_id is not None:
                current = self.state.cards[card_id].id_members
                kind = ops.RemoveMember if member_id in current else ops.AddMember
                self.tapp.submit(kind(self.state.id, card_id=card_id, target=member_id))

        self.tapp.push_screen(Picker("Toggle a member", entries), done)

    def action_add_checklist(self) -> None:
        card_id = self._focused()
        if card_id is None:
            return
        existing = [c.pos for c in self.state.checklists_of(card_id)]

        def done(name: str | None) -> None:
            if name and name.strip():
                pos = positions.bottom(existing) or positions.INITIAL_POS
                op = ops_items.CreateChecklist(
                    self.state.id, card_id=card_id, name=name.strip(), pos=pos
                )
                self.tapp.submit(op)

        self.tapp.push_screen(TextPrompt("New checklist", "Checklist"), done)

    def action_edit_description(self) -> None:
        card_id = self._focused()
        if card_id is not None:
            self.tapp.edit_description(card_id)
