"""CardRows: cards from many boards as one-line rows under headings, with a cursor.

The agenda and "my cards" are lists, not columns: each card is one line — due chip, name,
where it lives (board › list), labels — in the card faces' own styles (the same pieces from
card_face, the same ``card-face--*`` component classes). Rows are drawn with the line API, so
a few thousand cards cost one Strip per visible line; headings are rows the cursor skips.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from trello_tui.trello.models import Card
from trello_tui.ui.widgets.card_face import FaceContext, Piece, due_piece, label_pieces

#: Cells kept for the due chip, so names line up ("  ◷ Nov 18 2027 ✓ " is the widest).
DUE_WIDTH = 18


@dataclasses.dataclass(frozen=True, slots=True)
class Row:
    """A heading (``card`` is None) or one card with what its face needs."""

    text: str
    card: Card | None = None
    board_id: str = ""
    where: str = ""
    context: FaceContext | None = None
    #: headings: 1 (a group or a board) or 2 (a list under its board)
    level: int = 1


def heading(text: str, level: int = 1) -> Row:
    return Row(text, level=level)


def _fit(text: str, width: int) -> str:
    """Cut (with an ellipsis) or pad ``text`` to exactly ``width`` cells."""
    if width <= 0:
        return ""
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…"
    return set_cell_size(text, width)


def row_pieces(row: Row, width: int, *, show_where: bool) -> list[Piece]:
    """The pieces of a card row, laid out in columns that fit ``width`` cells."""
    card, ctx = row.card, row.context
    assert card is not None and ctx is not None
    due = due_piece(card, ctx.now)
    # Dates right-aligned in their column; the names after them line up.
    if due is not None:
        pieces: list[Piece] = [(" " * max(1, DUE_WIDTH - cell_len(due[0])), "plain"), due]
    else:
        pieces = [(" " * DUE_WIDTH, "plain")]
    pieces.append(("  ", "plain"))
    rest = max(10, width - DUE_WIDTH - 2)
    where_width = min(40, rest * 2 // 5) if show_where else 0
    name_width = min(60, max(10, rest - where_width - 24))
    pending = "⟳ " if card.id in ctx.pending else ""
    pieces.append((_fit(pending + card.name, name_width), "name"))
    pieces.append(("  ", "plain"))
    if show_where:
        pieces.append((_fit(row.where, where_width), "badge"))
        pieces.append(("  ", "plain"))
    for chip in label_pieces(card, ctx):
        pieces.extend((chip, (" ", "plain")))
    return pieces


class CardRows(ScrollView, can_focus=True, inherit_bindings=False):
    """Rows of cards under headings; keys live on the screen, the cursor lives here."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "card-face--cursor",
        "card-face--name",
        "card-face--badge",
        "card-face--overdue",
        "card-face--due-soon",
        "card-face--due-complete",
        "card-face--label-plain",
        "card-face--plain",
        "card-face--empty",
        "card-rows--heading",
        "card-rows--subheading",
    }

    class Chosen(Message):
        """A card row was double-clicked."""

        def __init__(self, row: Row) -> None:
            super().__init__()
            self.row = row

    def __init__(
        self, *, show_where: bool = True, empty: str = "Nothing here.", id: str | None = None
    ):
        super().__init__(id=id)
        self.rows: list[Row] = []
        self.cursor = -1
        self.show_where = show_where
        self.empty = empty

    # -- data -------------------------------------------------------------------------------

    @property
    def card_rows(self) -> list[int]:
        return [i for i, row in enumerate(self.rows) if row.card is not None]

    @property
    def current(self) -> Row | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    @property
    def current_card_id(self) -> str | None:
        row = self.current
        return row.card.id if row is not None and row.card is not None else None

    def set_rows(self, rows: list[Row], keep: str | None = None) -> None:
        """Show ``rows``; the cursor stays on ``keep`` (default its card), else near its place."""
        keep = keep or self.current_card_id
        old = self.cursor
        self.rows = rows
        found = next(
            (i for i, r in enumerate(rows) if r.card is not None and r.card.id == keep), None
        )
        if found is None:
            cards = self.card_rows
            after = [i for i in cards if i >= old]
            found = after[0] if after else (cards[-1] if cards else -1)
        self.cursor = found
        self.virtual_size = Size(self.size.width, len(rows))
        self.scroll_to_cursor()
        self.refresh()

    def select(self, card_id: str) -> bool:
        for i, row in enumerate(self.rows):
            if row.card is not None and row.card.id == card_id:
                self.move_cursor(i)
                return True
        return False

    def move_cursor(self, index: int) -> None:
        if index < 0 or index >= len(self.rows) or self.rows[index].card is None:
            return
        self.cursor = index
        self.scroll_to_cursor()
        self.refresh()

    def step(self, delta: int) -> None:
        """The next (``delta`` > 0) or previous card row, ``abs(delta)`` cards away."""
        cards = self.card_rows
        if not cards:
            return
        place = cards.index(self.cursor) if self.cursor in cards else 0
        self.move_cursor(cards[max(0, min(len(cards) - 1, place + delta))])

    def page(self, direction: int) -> None:
        height = max(1, self.scrollable_content_region.height - 1)
        target = max(0, min(len(self.rows) - 1, self.cursor + direction * height))
        cards = self.card_rows
        if not cards:
            return
        ahead = [i for i in cards if (i >= target if direction > 0 else i <= target)]
        self.move_cursor((ahead[0] if direction > 0 else ahead[-1]) if ahead else cards[-1])

    def scroll_to_cursor(self) -> None:
        if self.cursor < 0 or not self.is_mounted:
            return
        height = self.scrollable_content_region.height
        top = self.scroll_offset.y
        # Keep the heading above the first card of a group in view.
        wanted = (
            self.cursor - 1
            if self.cursor > 0 and self.rows[self.cursor - 1].card is None
            else self.cursor
        )
        if wanted < top:
            self.scroll_to(y=wanted, animate=False)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False)

    # -- painting ---------------------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, len(self.rows))
        self.scroll_to_cursor()

    def _style(self, key: str | Style) -> Style:
        if isinstance(key, Style):
            return key
        return self.get_component_rich_style(f"card-face--{key}", partial=True)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = y + self.scroll_offset.y
        base = self.rich_style
        if not self.rows:
            if y == 1:
                style = self.get_component_rich_style("card-face--empty")
                return Strip([Segment(f"  {self.empty}", style)]).adjust_cell_length(width, base)
            return Strip.blank(width, base)
        if index >= len(self.rows):
            return Strip.blank(width, base)
        row = self.rows[index]
        if row.card is None:
            key = "card-rows--heading" if row.level == 1 else "card-rows--subheading"
            style = self.get_component_rich_style(key)
            text = _fit(f" {row.text}", width)
            return Strip([Segment(text, style)], width).simplify()
        pieces = row_pieces(row, width, show_where=self.show_where)
        strip = Strip([Segment(text, self._style(style)) for text, style in pieces])
        if index == self.cursor:
            strip = strip.apply_style(self.get_component_rich_style("card-face--cursor"))
        return strip.adjust_cell_length(width, base).crop(0, width).simplify()

    def on_click(self, event: events.Click) -> None:
        index = event.y + self.scroll_offset.y
        if 0 <= index < len(self.rows) and self.rows[index].card is not None:
            self.move_cursor(index)
            if event.chain >= 2:
                self.post_message(self.Chosen(self.rows[index]))
