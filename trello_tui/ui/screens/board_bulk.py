"""Bulk actions on the board: mark cards, then one key changes all of them (one undo step).

``v`` marks or unmarks the focused card, ``V`` marks every card the filter shows, escape
clears the marks. While cards are marked, the card keys act on every marked card: ``<`` ``>``
move them to the list beside the focused one, ``M`` to a list picked from this board (both
at its bottom, in board order), ``1``–``0`` and ``#`` toggle a label, space assigns me, ``m``
toggles a member, ``d`` sets the due date and ``c`` archives. A toggle adds to the cards that
lack it, or removes from all when every marked card has it.

Each card's change is its own operation (built by sync/bulk.py) and the whole action is one
undo step (``SyncEngine.submit_group``): ``z`` puts every card back. The writes leave one at
a time through the request queue, which spreads them over Trello's rate budget. Marks stay
after an action (so it can be followed by another), except on cards that were archived.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from trello_tui.capture import dates
from trello_tui.sync import bulk
from trello_tui.sync.ops import Op
from trello_tui.ui.screens.board_edits import CardEdits
from trello_tui.ui.screens.pickers import Entry, ListPicker, Picker, TextPrompt

if TYPE_CHECKING:
    from trello_tui.ui.widgets.status import StatusLine


class BulkActions(CardEdits):
    """Mixed into BoardScreen: marks, and the card actions applied to every marked card."""

    #: ids of the marked cards (the columns share this set to paint the marks)
    card_marks: set[str]

    @property
    def status(self) -> StatusLine:
        raise NotImplementedError  # BoardScreen provides it

    # -- marks ------------------------------------------------------------------------------

    def marked_ids(self) -> list[str]:
        """The marked cards still open on this board, in board order (others are unmarked)."""
        alive = bulk.in_board_order(self.state, self.card_marks)
        if len(alive) != len(self.card_marks):
            self._set_marks(set(alive))
        return alive

    def _set_marks(self, marks: set[str]) -> None:
        changed = self.card_marks ^ marks
        # Mutated in place: the columns hold this very set.
        self.card_marks.clear()
        self.card_marks.update(marks)
        for column in self.view.columns:
            column.refresh_cards(changed)
        self.status.marked = len(marks)

    def prune_marks(self) -> None:
        """After a change: drop marks of cards that left the board or were archived."""
        if self.card_marks:
            self.marked_ids()

    def action_toggle_mark(self) -> None:
        card_id = self.view.focused_card_id
        if card_id is not None:
            self._set_marks(self.card_marks ^ {card_id})

    def action_mark_shown(self) -> None:
        shown = {card_id for column in self.view.columns for card_id in column.ids}
        self._set_marks(self.card_marks | shown)

    def action_clear_marks(self) -> None:
        if self.card_marks:
            self._set_marks(set())

    def _submit(self, group: list[Op]) -> bool:
        return self.tapp.submit_group(group)

    # -- hooks: BoardScreen's own card actions call these first ------------------------------

    def bulk_move_list(self, delta: int) -> bool:
        """``<`` / ``>`` with marks: to the list beside the focused column, at its bottom."""
        if not self.card_marks:
            return False
        column = self.view.current
        columns = self.view.columns
        target = columns.index(column) + delta if column is not None else -1
        if 0 <= target < len(columns):
            self._move_marked(columns[target].list_id)
        return True

    def bulk_move_to(self) -> bool:
        """``M`` with marks: a list of this board, picked."""
        if not self.card_marks:
            return False
        focused = self.view.focused_card_id
        current = self.state.cards[focused].id_list if focused else ""

        def chosen(list_id: str | None) -> None:
            if list_id is not None:
                self._move_marked(list_id)

        self.tapp.push_screen(ListPicker(self.state, current), chosen)
        return True

    def _move_marked(self, list_id: str) -> None:
        focused = self.view.focused_card_id
        try:
            moves = bulk.move_to_bottom(self.state, self.marked_ids(), list_id)
        except bulk.NoRoom:
            self.tapp.notify("No room at the bottom of that list", severity="error")
            return
        if self._submit(list(moves)) and focused is not None:
            self.view.call_after_refresh(self.view.focus_card, focused)

    def bulk_label_color(self, color: str) -> bool:
        if not self.card_marks:
            return False
        label = self.tapp.label_for_color(color)
        if label is not None:
            self._submit(bulk.toggle_label(self.state, self.marked_ids(), label.id))
        return True

    def bulk_assign_me(self) -> bool:
        if not self.card_marks:
            return False
        member = self.state.member_by_username(self.tapp.me or "")
        if member is None:
            self.tapp.notify("You are not a member of this board")
        else:
            self._submit(bulk.toggle_member(self.state, self.marked_ids(), member.id))
        return True

    def bulk_archive(self) -> bool:
        if not self.card_marks:
            return False
        marked = self.marked_ids()
        if self._submit(bulk.archive(self.state, marked)):
            self._set_marks(set())
            self.tapp.notify(f"Archived {len(marked)} cards — z to undo", markup=False)
        return True

    # -- the card edits' modals, for every marked card ---------------------------------------

    def action_labels(self) -> None:
        if not self.card_marks:
            super().action_labels()
            return
        marked = self.marked_ids()
        entries = [
            Entry(
                f"{_tick(sum(lb.id in self.state.cards[c].id_labels for c in marked), marked)} "
                f"{lb.name or '(no name)'}  {lb.color or ''}",
                lb.id,
                f"{lb.name} {lb.color or ''}",
            )
            for lb in sorted(self.state.labels.values(), key=lambda x: (x.name.lower(), x.id))
        ]

        def done(label_id: str | None) -> None:
            if label_id is not None:
                self._submit(bulk.toggle_label(self.state, self.marked_ids(), label_id))

        self.tapp.push_screen(Picker(f"Toggle a label on {len(marked)} cards", entries), done)

    def action_members(self) -> None:
        if not self.card_marks:
            super().action_members()
            return
        marked = self.marked_ids()
        entries = [
            Entry(
                f"{_tick(sum(m.id in self.state.cards[c].id_members for c in marked), marked)} "
                f"{m.full_name} (@{m.username})",
                m.id,
                f"{m.full_name} {m.username} {m.initials}",
            )
            for m in sorted(self.state.members.values(), key=lambda x: x.full_name.lower())
        ]

        def done(member_id: str | None) -> None:
            if member_id is not None:
                self._submit(bulk.toggle_member(self.state, self.marked_ids(), member_id))

        self.tapp.push_screen(Picker(f"Toggle a member on {len(marked)} cards", entries), done)

    def action_due(self) -> None:
        if not self.card_marks:
            super().action_due()
            return
        count = len(self.marked_ids())
        now = self.tapp.clock()

        def done(text: str | None) -> None:
            if text is None:
                return
            word = text.strip().lower()
            if word in ("", "none", "clear"):
                self._submit(bulk.set_due(self.state, self.marked_ids(), due=None))
            elif word in ("done", "complete"):
                self._submit(bulk.set_due(self.state, self.marked_ids(), due_complete=True))
            elif isinstance(parsed := dates.parse_date(text, now), dates.DateError):
                self.tapp.notify(str(parsed), severity="error", markup=False)
            else:
                self._submit(bulk.set_due(self.state, self.marked_ids(), due=parsed))

        self.tapp.push_screen(
            TextPrompt(
                f"Due date for {count} cards",
                placeholder="fri 5pm · tomorrow · 2026-12-01 · done · none",
            ),
            done,
        )


def _tick(having: int, marked: list[str]) -> str:
    """☑ all of the marked cards have it, ◩ some, ☐ none."""
    if having and having == len(marked):
        return "☑"
    return "◩" if having else "☐"
