"""CardColumn: one list's cards, virtualised with Textual's line API.

No widget is mounted per card. The column keeps, per card, its laid-out face (string work,
cheap, done for every card so heights and the scrollbar are exact) and, only for cards that
have been on screen, its painted Strips. A change to one card drops that card's cache entries
and repaints its lines; a change of order rebuilds the offsets (one pass over the heights).
``render_line`` finds the card under a screen line with a bisect over those offsets.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from trello_tui.sync.state import BoardState
from trello_tui.trello.models import Card
from trello_tui.ui import heap
from trello_tui.ui.widgets.card_face import FaceContext, Line, layout_card, paint

#: Padding inside a card (left + right), in cells.
PADDING = 2
#: Lines below the viewport laid out exactly on every relayout.
LOOKAHEAD = 60
#: Cards laid out per step when finishing a long column's layout after a paint.
CHUNK = 1000
#: Painted cards kept per column; on-screen cards are a few dozen, so this bounds memory.
PAINT_CACHE = 512
#: A column this long, once laid out, freezes the heap (see ``_settle_heap``).
FREEZE_MIN = 1000

CardFilter = Callable[[Card], bool]


class CardColumn(ScrollView, can_focus=True, inherit_bindings=False):
    """The cards of one list, top to bottom, with a cursor on one of them."""

    BINDINGS: ClassVar[list[BindingType]] = []

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "card-face--card",
        "card-face--cursor",
        "card-face--name",
        "card-face--badge",
        "card-face--overdue",
        "card-face--due-soon",
        "card-face--due-complete",
        "card-face--check-done",
        "card-face--member",
        "card-face--label-plain",
        "card-face--pending",
        "card-face--plain",
        "card-face--empty",
        "card-face--marked",
        "card-face--mark",
    }

    class CardClicked(Message):
        """A card was clicked (``chain`` 2 is a double click)."""

        def __init__(self, column: CardColumn, card_id: str, chain: int) -> None:
            super().__init__()
            self.column = column
            self.card_id = card_id
            self.chain = chain

        @property
        def control(self) -> CardColumn:
            return self.column

    class CardDropped(Message):
        """A card dragged from this column was released over ``target`` at ``index``."""

        def __init__(self, column: CardColumn, card_id: str, target: CardColumn, index: int):
            super().__init__()
            self.column = column
            self.card_id = card_id
            self.target = target
            self.index = index

        @property
        def control(self) -> CardColumn:
            return self.column

    def __init__(
        self,
        state: BoardState,
        list_id: str,
        context: Callable[[], FaceContext],
        *,
        card_filter: CardFilter | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.state = state
        self.list_id = list_id
        self.context = context
        self.card_filter = card_filter
        self.ids: list[str] = []
        self.cursor = 0
        self._heights: list[int] = []
        self._offsets: list[int] = [0]
        self._text_width = 0
        # card id -> (the Card laid out, layout, height with the gap line); identity of the
        # Card detects staleness.
        self._layouts: dict[str, tuple[Card, list[Line], int]] = {}
        self._painted: dict[str, list[Strip]] = {}
        self._drag: str | None = None
        self.active = False
        self._estimated = False
        self._finishing = False
        self._froze = False
        #: styles read during the current screen update (see ``render_lines``)
        self._frame_styles: dict[str, Style] = {}
        #: marked cards (bulk actions): the screen's own set, read at paint time
        self.marks: AbstractSet[str] = frozenset()

    # -- data -------------------------------------------------------------------------------

    @property
    def cursor_id(self) -> str | None:
        return self.ids[self.cursor] if 0 <= self.cursor < len(self.ids) else None

    def visible_ids(self) -> list[str]:
        ids = self.state.card_ids_in(self.list_id)
        if self.card_filter is None:
            return list(ids)
        cards, keep = self.state.cards, self.card_filter
        return [card_id for card_id in ids if keep(cards[card_id])]

    def reload(self, keep: str | None = None) -> None:
        """Re-read the list's order; the cursor stays on ``keep`` (default: its card)."""
        keep = keep or self.cursor_id
        old_index = self.cursor
        self.ids = self.visible_ids()
        if keep is not None and keep in self._index_cache():
            self.cursor = self._index[keep]
        else:
            self.cursor = min(old_index, max(0, len(self.ids) - 1))
        self._relayout()

    def _index_cache(self) -> dict[str, int]:
        self._index = {card_id: i for i, card_id in enumerate(self.ids)}
        return self._index

    def invalidate(self, card_ids: Iterable[str]) -> None:
        """Faces of these cards changed: lay them out again and repaint their lines.

        A face that keeps its height repaints only its own lines; a new height shifts the
        cards below it (the offsets are summed again, without another pass over the cards).
        """
        touched = [
            card_id
            for card_id in card_ids
            if self._painted.pop(card_id, None) is not None
            or self._layouts.pop(card_id, None) is not None
        ]
        for card_id in touched:
            self._layouts.pop(card_id, None)
        if not touched or not self._heights or self._estimated:
            if touched:
                self._relayout()
            return
        index = self._index_cache() if len(touched) > 8 else None
        regions: list[int] = []
        resized = False
        ctx = self.context()
        for card_id in touched:
            row = index.get(card_id) if index is not None else self._row_of(card_id)
            if row is None or row >= len(self._heights):
                continue
            height = len(self._layout_of(card_id, ctx)) + 1
            if height != self._heights[row]:
                self._heights[row] = height
                resized = True
            regions.append(row)
        if resized:
            self._offsets = [0, *itertools.accumulate(self._heights)]
            self.virtual_size = Size(self.virtual_size.width, self._offsets[-1])
            self.refresh()
            return
        for row in regions:
            top, height = self.card_region(row)
            self.refresh_lines(top, height + 1)

    def _row_of(self, card_id: str) -> int | None:
        try:
            return self.ids.index(card_id)
        except ValueError:
            return None

    def invalidate_all(self) -> None:
        self._layouts.clear()
        self._painted.clear()
        self._relayout()

    def _layout_of(self, card_id: str, ctx: FaceContext | None = None) -> list[Line]:
        card = self.state.cards.get(card_id)
        cached = self._layouts.get(card_id)
        if card is None:
            # Gone from the state (a created card's temporary id swapped for Trello's, a
            # remote delete) before this column hears of it: keep its last face until then.
            return cached[1] if cached is not None else []
        if cached is not None and cached[0] is card:
            return cached[1]
        lines = layout_card(card, ctx or self.context(), self._text_width)
        self._layouts[card_id] = (card, lines, len(lines) + 1)
        self._painted.pop(card_id, None)
        return lines

    def _card_width(self) -> int:
        """Cells a card spans: the widget minus the scrollbar's column, which is always
        reserved, so a scrollbar appearing never changes the layout (or a screenshot)."""
        return self.size.width - self.styles.scrollbar_size_vertical

    def _relayout(self, *, exact: bool = False) -> None:
        """Heights and offsets of every card, exact down to the bottom of the viewport.

        Below it, cards not laid out yet get an estimate, and the exact layout is finished
        in chunks after the next paint: the first paint of a 5,000-card list costs what a
        screenful costs. ``exact`` lays out everything now (a jump to the bottom needs it).
        """
        width = self._card_width()
        if width <= 0:
            return
        text_width = max(1, width - PADDING)
        if text_width != self._text_width:
            self._text_width = text_width
            self._layouts.clear()
            self._painted.clear()
        horizon = self.scroll_offset.y + self.size.height + LOOKAHEAD
        cards, layouts = self.state.cards, self._layouts
        get_layout, get_card = layouts.get, cards.get
        # One C-speed pass for the usual case (every card laid out and current); a height of
        # 0 marks the cards still to lay out or estimate (heights are never 0: + the gap).
        heights = [
            cached[2]
            if (cached := get_layout(card_id)) is not None and cached[0] is get_card(card_id)
            else 0
            for card_id in self.ids
        ]
        estimated = False
        if 0 in heights:
            ctx: FaceContext | None = None
            line = 0
            for row, card_id in enumerate(self.ids):
                height = heights[row]
                if not height:
                    if not exact and line > horizon:
                        # Below the viewport: the cards not laid out yet get the average
                        # height above (one C-speed pass); the exact layout follows in
                        # chunks after the paint.
                        guess = max(2, round(line / row)) if row else 4
                        heights[row:] = [h or guess for h in heights[row:]]
                        estimated = True
                        break
                    ctx = ctx or self.context()
                    height = len(self._layout_of(card_id, ctx)) + 1
                    heights[row] = height
                line += height
        self._heights = heights
        self._offsets = [0, *itertools.accumulate(heights)]
        self._estimated = estimated
        self.virtual_size = Size(width, self._offsets[-1])
        self.refresh()
        if not estimated and len(heights) >= FREEZE_MIN and not self._froze:
            self._settle_heap()
        if estimated and not self._finishing:
            self._finishing = True
            self.call_after_refresh(self._finish_layout)

    def _settle_heap(self) -> None:
        """Freeze the board, its cards and their layouts, now laid out, until this column goes.

        A big board is hundreds of thousands of long-lived objects made after its screen's
        first paint (the exact layout pass). Cards and layouts hold no cycles, so reference
        counting still frees them when they change (heap.py).
        """
        self._froze = True
        heap.hold(self)

    def on_unmount(self) -> None:
        if self._froze:
            self._froze = False
            heap.let_go(self)

    def _finish_layout(self) -> None:
        """Lay out the next chunk of cards below the viewport, then again until done."""
        self._finishing = False
        if not self._estimated:
            return
        ctx = self.context()
        done = 0
        cards, layouts = self.state.cards, self._layouts
        for card_id in self.ids:
            cached = layouts.get(card_id)
            if cached is None or cached[0] is not cards.get(card_id):
                self._layout_of(card_id, ctx)
                done += 1
                if done >= CHUNK:
                    break
        self._relayout()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        # Scrolled before the layout was finished: make it exact before painting there.
        self._ensure_exact()
        super().watch_scroll_y(old_value, new_value)

    def _ensure_exact(self) -> None:
        if self._estimated:
            self._relayout(exact=True)

    # -- painting ---------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        # The theme changed: painted strips carry the old colours.
        self._painted.clear()
        self._frame_styles.clear()

    def render_lines(self, crop: Region) -> list[Strip]:
        # Styles are read once per screen update, not once per line: working out a widget's
        # style walks its ancestors, and a column repaints dozens of lines at a time.
        self._frame_styles.clear()
        return super().render_lines(crop)

    def _frame_style(self, key: str) -> Style:
        """The widget's style (``key`` "") or a component's, as of this screen update."""
        style = self._frame_styles.get(key)
        if style is None:
            style = self.get_component_rich_style(key) if key else self.rich_style
            self._frame_styles[key] = style
        return style

    def on_mount(self) -> None:
        # The board screen owns the marks; sharing its set means a mark needs only a repaint.
        self.marks = getattr(self.screen, "card_marks", self.marks)
        self.reload()

    def on_resize(self, event: events.Resize) -> None:
        self._relayout()

    def set_active(self, active: bool) -> None:
        """Whether this is the board's current column (its cursor card is highlighted).

        Kept apart from focus on purpose: a dialog taking focus must not repaint the board
        behind it (and screenshots must not depend on when that repaint happens).
        """
        if active != self.active:
            self.active = active
            if self.ids and self._heights:
                top, height = self.card_region(self.cursor)
                self.refresh_lines(top, height)

    def _style(self, key: str) -> Style:
        return self.get_component_rich_style(f"card-face--{key}", partial=True)

    def _strips(self, index: int) -> list[Strip]:
        card_id = self.ids[index]
        painted = self._painted.get(card_id)
        if painted is None:
            painted = paint(self._layout_of(card_id), self._text_width, self._style)
            if len(self._painted) >= PAINT_CACHE:
                self._painted.pop(next(iter(self._painted)))
            self._painted[card_id] = painted
        return painted

    def render_line(self, y: int) -> Strip:
        width = self._card_width()
        line = self.scroll_offset.y + y
        index = bisect.bisect_right(self._offsets, line) - 1
        if not self.ids:
            if line == 0:
                empty = self._frame_style("card-face--empty")
                return Strip([Segment(" (no cards)", empty)]).adjust_cell_length(
                    width, self._frame_style("")
                )
            return Strip.blank(width, self._frame_style(""))
        if index >= len(self.ids):
            return Strip.blank(width, self._frame_style(""))
        row = line - self._offsets[index]
        strips = self._strips(index)
        if row >= len(strips):
            return Strip.blank(width, self._frame_style(""))
        # Only the board's current column shows its cursor: one highlighted card, as in Trello.
        key = "card-face--cursor" if index == self.cursor and self.active else "card-face--card"
        strip = strips[row]
        if self.marks and self.ids[index] in self.marks:
            # A marked card: a bar in its left padding cell, and its own background.
            mark = Strip([Segment("▌", self._frame_style("card-face--mark"))], 1)
            strip = Strip.join([mark, strip.crop(1)])
            key = key if key == "card-face--cursor" else "card-face--marked"
        strip = strip.apply_style(self._frame_style(key))
        # simplify(): equal styles merged into one segment the same way on every paint, so
        # an exported screenshot does not depend on which lines were repainted when.
        return strip.adjust_cell_length(width, self._frame_style("")).simplify()

    # -- cursor -----------------------------------------------------------------------------

    def refresh_cards(self, card_ids: Iterable[str]) -> None:
        """Repaint these cards' lines (their faces are unchanged: a mark was set or cleared)."""
        index = self._index_cache()
        for card_id in card_ids:
            if card_id in index:
                top, height = self.card_region(index[card_id])
                self.refresh_lines(top, height)

    def card_region(self, index: int) -> tuple[int, int]:
        """(first line, height without the gap) of the card at ``index``."""
        if index >= len(self._heights):  # not laid out yet (no width before the first resize)
            return 0, 0
        return self._offsets[index], self._heights[index] - 1

    def move_cursor(self, index: int) -> None:
        self._ensure_exact()
        if not self.ids:
            self.cursor = 0
            return
        old = self.cursor
        self.cursor = max(0, min(index, len(self.ids) - 1))
        for i in {old, self.cursor}:
            if 0 <= i < len(self.ids):
                top, height = self.card_region(i)
                self.refresh_lines(top, height)
        self.scroll_to_cursor()

    def select(self, card_id: str) -> bool:
        index = self._index_cache().get(card_id)
        if index is None:
            return False
        self.move_cursor(index)
        return True

    def scroll_to_cursor(self, animate: bool = False) -> None:
        if not self.ids or len(self._heights) <= self.cursor:
            return
        top, height = self.card_region(self.cursor)
        view = self.scrollable_content_region.height
        y = self.scroll_offset.y
        if top < y:
            self.scroll_to(y=top, animate=animate, immediate=True)
        elif top + height + 1 > y + view:
            self.scroll_to(y=max(0, top + height + 1 - view), animate=animate, immediate=True)

    def index_at(self, content_y: int) -> int:
        """The card index at a content line (clamped; the end for below the last card)."""
        self._ensure_exact()
        index = bisect.bisect_right(self._offsets, content_y) - 1
        return max(0, min(index, len(self.ids)))

    # -- mouse ------------------------------------------------------------------------------

    def on_mouse_down(self, event: events.MouseDown) -> None:
        index = self.index_at(event.y + self.scroll_offset.y)
        if index < len(self.ids):
            self._drag = self.ids[index]
            self.capture_mouse()

    def on_mouse_up(self, event: events.MouseUp) -> None:
        card_id, self._drag = self._drag, None
        self.capture_mouse(False)
        if card_id is None:
            return
        target, _ = self.screen.get_widget_at(event.screen_x, event.screen_y)
        if not isinstance(target, CardColumn):
            return
        y = event.screen_y - target.content_region.y + target.scroll_offset.y
        index = target.index_at(y)
        if target is self and self.ids[min(index, len(self.ids) - 1)] == card_id:
            return
        self.post_message(self.CardDropped(self, card_id, target, index))

    def on_click(self, event: events.Click) -> None:
        index = self.index_at(event.y + self.scroll_offset.y)
        if index < len(self.ids):
            self.focus()
            self.move_cursor(index)
            self.post_message(self.CardClicked(self, self.ids[index], event.chain))
