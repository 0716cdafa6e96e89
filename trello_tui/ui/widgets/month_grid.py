"""MonthGrid: a calendar month, seven columns wide, with cards on their due days.

The agenda's calendar view. It shows the same card rows as the agenda's list, placed by due
day (in the clock's zone), each card name in its due style; the agenda's cursor card is
highlighted, and the day that holds it scrolls its cards so the cursor is always visible.
Drawn with the line API from lines built once per change of data, month or size.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date, datetime
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from trello_tui.ui.widgets.card_face import due_piece
from trello_tui.ui.widgets.card_rows import Row

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def due_day(row: Row, now: datetime) -> date | None:
    """The card's due day in ``now``'s zone."""
    due = row.card.due if row.card is not None else None
    if due is None:
        return None
    return due.astimezone(now.tzinfo).date() if now.tzinfo is not None else due.date()


def month_weeks(month: date) -> list[list[date]]:
    """The weeks (Monday first) that show ``month``, days of the months around included."""
    return calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)


def _cell(text: str, width: int) -> str:
    if cell_len(text) > width:
        return set_cell_size(text, max(0, width - 1)) + "…" if width > 0 else ""
    return set_cell_size(text, width)


class MonthGrid(Widget):
    """A month of days; set ``rows``, ``month``, ``cursor`` and ``now``, then ``refresh``."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "card-face--cursor",
        "card-face--badge",
        "card-face--overdue",
        "card-face--due-soon",
        "card-face--due-complete",
        "month--title",
        "month--weekday",
        "month--day",
        "month--today",
        "month--other",
        "month--rule",
        "month--more",
    }

    def __init__(self, now: datetime, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.now = now
        self.month = now.date().replace(day=1)
        self.rows: Sequence[Row] = ()
        self.cursor: str | None = None
        self._lines: list[Strip] | None = None
        self._cell = 1
        #: (line, weekday column) -> the card drawn there
        self._hits: dict[tuple[int, int], str] = {}

    class CardClicked(Message):
        """A card in the grid was clicked (``chain`` 2 is a double click)."""

        def __init__(self, card_id: str, chain: int) -> None:
            super().__init__()
            self.card_id = card_id
            self.chain = chain

    def show(self, rows: Sequence[Row], month: date, cursor: str | None) -> None:
        self.rows, self.month, self.cursor = rows, month.replace(day=1), cursor
        self._lines = None
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self._lines = None

    def by_day(self) -> dict[date, list[Row]]:
        days: dict[date, list[Row]] = {}
        for row in self.rows:
            day = due_day(row, self.now)
            if day is not None:
                days.setdefault(day, []).append(row)
        return days

    def _s(self, key: str) -> Style:
        return self.get_component_rich_style(key)

    def _build(self, width: int, height: int) -> list[Strip]:
        weeks = month_weeks(self.month)
        cell = max(3, (width - 8) // 7)
        self._cell = cell
        self._hits = {}
        title = f"{calendar.month_name[self.month.month]} {self.month.year}"
        left = max(0, (width - len(title)) // 2)
        lines = [
            Strip([Segment(" " * left, self.rich_style), Segment(title, self._s("month--title"))])
        ]
        rule = self._s("month--rule")
        header = [Segment("│", rule)]
        for name in WEEKDAYS:
            header += [
                Segment(_cell(f" {name}", cell), self._s("month--weekday")),
                Segment("│", rule),
            ]
        lines.append(Strip(header))
        per_week = max(2, (height - 2) // len(weeks) - 1)
        days = self.by_day()
        for week in weeks:
            lines.append(Strip([Segment(("┼" + "─" * cell) * 7 + "┼", rule)]))
            cells = [self._day_cell(day, days.get(day, []), cell, per_week) for day in week]
            for i in range(per_week):
                segments = [Segment("│", rule)]
                for x, (column, ids) in enumerate(cells):
                    segments += [*column[i], Segment("│", rule)]
                    card_id = ids[i]
                    if card_id is not None:
                        self._hits[(len(lines), x)] = card_id
                lines.append(Strip(segments))
        lines.append(Strip([Segment(("┴" + "─" * cell) * 7 + "┴", rule)]))
        return [line.adjust_cell_length(width, self.rich_style) for line in lines]

    def _day_cell(
        self, day: date, rows: list[Row], width: int, height: int
    ) -> tuple[list[list[Segment]], list[str | None]]:
        """``height`` lines of ``width`` cells (the day's number, then its cards), and the
        card shown on each line (for clicks)."""
        if day.month != self.month.month:
            number = self._s("month--other")
        elif day == self.now.astimezone(self.now.tzinfo).date():
            number = self._s("month--today")
        else:
            number = self._s("month--day")
        out = [[Segment(_cell(f" {day.day}", width), number)]]
        ids: list[str | None] = [None]
        if day.month != self.month.month:
            rows = []
        room = height - 1
        shown = rows
        if len(rows) > room:
            at = next((i for i, r in enumerate(rows) if r.card and r.card.id == self.cursor), 0)
            start = max(0, min(at - (room - 2), len(rows) - (room - 1)))
            shown = rows[start : start + room - 1]
        for row in shown:
            assert row.card is not None
            piece = due_piece(row.card, self.now)
            key = piece[1] if piece is not None and isinstance(piece[1], str) else "badge"
            style = self._s(f"card-face--{key}")
            mark = "✓" if row.card.due_complete else "•"
            if row.card.id == self.cursor:
                style = style + self._s("card-face--cursor")
            out.append([Segment(_cell(f"{mark}{row.card.name}", width), style)])
            ids.append(row.card.id)
        if len(shown) < len(rows):
            more = len(rows) - len(shown)
            out.append([Segment(_cell(f" +{more} more", width), self._s("month--more"))])
        while len(out) < height:
            out.append([Segment(" " * width, self._s("month--day"))])
        ids += [None] * (height - len(ids))
        return out[:height], ids[:height]

    def render_line(self, y: int) -> Strip:
        width, height = self.size
        if self._lines is None:
            self._lines = self._build(width, height)
        if y < len(self._lines):
            return self._lines[y]
        return Strip.blank(width, self.rich_style)

    def on_click(self, event: events.Click) -> None:
        column = (event.x - 1) // (self._cell + 1)
        card_id = self._hits.get((event.y, column))
        if card_id is not None:
            self.post_message(self.CardClicked(card_id, event.chain))
