"""AgendaScreen (``a``): every card with a due date across the cached boards, by when it is due.

Groups, in the clock's zone: Overdue (past and not complete), Today, This week (the next
seven days), Later, and Done (past and complete). ``C`` switches to a month grid with the cards
on their due days; ``[`` and ``]`` go to the previous and next month. The card keys are the
board's: j/k move, enter opens the card on its board, ``D`` marks the due date complete, ``d``
reschedules with the same natural dates, ``<``/``>`` move to the adjacent list of its board.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import Footer

from trello_tui.sync.state import BoardState
from trello_tui.trello.models import Board, Card
from trello_tui.ui.commands import BY_ID, bindings
from trello_tui.ui.screens.across import CardsAcross
from trello_tui.ui.widgets.card_rows import Row, heading
from trello_tui.ui.widgets.month_grid import MonthGrid, due_day

GROUPS = ("Overdue", "Today", "This week", "Later", "Done")
MONTH_KEYS = ("agenda.month", "agenda.previous-month", "agenda.next-month")


def group_of(card: Card, now: datetime) -> str:
    """Which agenda group a card with a due date falls in."""
    assert card.due is not None
    today = now.date()
    day = card.due.astimezone(now.tzinfo).date() if now.tzinfo is not None else card.due.date()
    if card.due < now and not card.due_complete:
        return "Overdue"
    if day < today:
        return "Done"
    if day == today:
        return "Today"
    if day <= today + timedelta(days=7):
        return "This week"
    return "Later"


def _chronological(row: Row) -> tuple[datetime, str]:
    assert row.card is not None and row.card.due is not None
    return (row.card.due, row.card.id)


def _month_step(month: date, delta: int) -> date:
    index = month.year * 12 + month.month - 1 + delta
    return date(index // 12, index % 12 + 1, 1)


class AgendaScreen(CardsAcross):
    """Due cards of every cached board: a list by group, or a month grid."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *CardsAcross.BINDINGS,
        *bindings(BY_ID[command_id] for command_id in MONTH_KEYS),
    ]
    heading = "Agenda"
    empty = "No card in the cache has a due date."

    def __init__(self) -> None:
        super().__init__()
        self.grid = MonthGrid(datetime.now().astimezone(), id="month")
        self.grid.display = False
        self.month: date | None = None

    def compose(self) -> ComposeResult:
        yield self.info
        yield self.rows_view
        yield self.grid
        yield Footer()

    @property
    def month_view(self) -> bool:
        return bool(self.grid.display)

    async def fetch(self) -> list[Board]:
        return await self.tapp.backend.due_cards()

    def keep(self, state: BoardState, card: Card) -> bool:
        return card.due is not None

    def build_rows(self, rows: list[Row]) -> list[Row]:
        now = self.tapp.clock()
        groups: dict[str, list[Row]] = {name: [] for name in GROUPS}
        for row in sorted(rows, key=_chronological):
            assert row.card is not None
            groups[group_of(row.card, now)].append(row)
        out: list[Row] = []
        for name, members in groups.items():
            if members:
                out.append(heading(f"{name} ({len(members)})"))
                out.extend(members)
        return out

    def repaint(self) -> None:
        super().repaint()
        self.show_month()

    # -- the month grid ---------------------------------------------------------------------

    def chronological(self) -> list[Row]:
        return sorted((r for r in self.rows_view.rows if r.card is not None), key=_chronological)

    def show_month(self) -> None:
        now = self.tapp.clock()
        self.grid.now = now
        current = self.rows_view.current
        if self.month is None:
            day = due_day(current, now) if current is not None else None
            self.month = (day or now.date()).replace(day=1)
        self.grid.show(self.chronological(), self.month, self.rows_view.current_card_id)
        if self.month_view:
            self.info.update(
                Text.assemble(
                    (f"{self.heading}  ", "bold"), f"{self.month:%B %Y}  ·  [ ] month  ·  C list"
                )
            )

    def follow_cursor(self) -> None:
        """The month shown follows the cursor card."""
        current = self.rows_view.current
        day = due_day(current, self.tapp.clock()) if current is not None else None
        if day is not None:
            self.month = day.replace(day=1)
        self.show_month()

    @on(MonthGrid.CardClicked)
    def clicked(self, event: MonthGrid.CardClicked) -> None:
        if self.rows_view.select(event.card_id):
            self.show_month()
            if event.chain >= 2:
                self.action_open_card()

    def action_toggle_month(self) -> None:
        self.grid.display = not self.grid.display
        self.rows_view.display = not self.grid.display
        if self.month_view:
            # The calendar opens on this month, at the first card due from today on.
            now = self.tapp.clock()
            self.month = now.date().replace(day=1)
            current = self.rows_view.current
            if current is None or (due_day(current, now) or date.min).replace(day=1) != self.month:
                ahead = [
                    r for r in self.chronological() if (due_day(r, now) or date.min) >= now.date()
                ]
                if ahead and ahead[0].card is not None:
                    self.rows_view.select(ahead[0].card.id)
            self.show_month()
        else:
            self.show_info()

    def action_step_month(self, delta: int) -> None:
        now = self.tapp.clock()
        current = self.rows_view.current
        start = self.month if self.month_view else None
        if start is None:
            day = due_day(current, now) if current is not None else None
            start = (day or now.date()).replace(day=1)
        self.month = _month_step(start, delta)
        first = next(
            (r for r in self.chronological() if (due_day(r, now) or date.min) >= self.month), None
        )
        if first is not None and first.card is not None:
            in_month = (due_day(first, now) or date.min).replace(day=1) == self.month
            if in_month:
                self.rows_view.select(first.card.id)
        self.show_month()

    def _step_chronological(self, delta: int) -> None:
        ordered = self.chronological()
        current = self.rows_view.current_card_id
        ids = [r.card.id for r in ordered if r.card is not None]
        if not ids:
            return
        at = ids.index(current) if current in ids else 0
        self.rows_view.select(ids[max(0, min(len(ids) - 1, at + delta))])
        self.follow_cursor()

    def action_focus_up(self) -> None:
        if self.month_view:
            self._step_chronological(-1)
        else:
            super().action_focus_up()

    def action_focus_down(self) -> None:
        if self.month_view:
            self._step_chronological(1)
        else:
            super().action_focus_down()
