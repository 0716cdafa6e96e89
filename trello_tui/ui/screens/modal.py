"""The base of every screen that opens over the board (pickers, prompts, the card detail).

A modal screen shows the board behind it, dimmed: Textual re-renders the board and tints each
of its segments whenever the modal paints in full (it opens, it lays out again), working the
blended colours out afresh for every segment — a few thousand on a full board, tens of
milliseconds of the event loop at each open. A board uses a few dozen distinct styles, so
:class:`Modal` tints each distinct style once and reuses it: the same picture, a fraction
of the work.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from rich.console import RenderableType
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.renderables.background_screen import BackgroundScreen
from textual.screen import ModalScreen

ResultT = TypeVar("ResultT")

#: (style, tint) -> the tinted style; bounded, cleared when full (a theme change, say)
_TINTED: dict[tuple[Style | None, Color], Style] = {}
_TINTED_MAX = 4096


class TintedBoard(BackgroundScreen):
    """Textual's dimmed background screen, with each distinct style tinted only once."""

    @classmethod
    def process_segments(cls, segments: Iterable[Segment], color: Color) -> Iterable[Segment]:
        tint = super().process_segments
        for segment in segments:
            text, style, control = segment
            if control:
                yield segment
                continue
            key = (style, color)
            tinted = _TINTED.get(key)
            if tinted is None:
                if len(_TINTED) >= _TINTED_MAX:
                    _TINTED.clear()
                (sample,) = tint([Segment(" ", style)], color)
                tinted = _TINTED[key] = sample.style or Style()
            yield Segment(text, tinted)


class Modal(ModalScreen[ResultT]):
    """A screen over the board, its dimmed background tinted style by style (see above)."""

    def render(self) -> RenderableType:
        found = super().render()
        if type(found) is BackgroundScreen:
            return TintedBoard(found.screen, found.color)
        return found
