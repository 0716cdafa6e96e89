"""The composer: ``n`` opens a one-line card composer below the focused card.

It speaks the syntax of ``trello-tui add`` (trello_tui.capture.parse): ``#label``, ``@member``,
``^top`` / ``^bottom`` / ``^N`` / ``^List``, ``due:fri`` and a description after `` -- ``.
While typing, a preview shows what the line will create (label chips in their colours,
members, list, place, due date, and any token that matches nothing or several things), and a
popup completes the ``#``, ``@``, ``^`` or ``due:`` token under the cursor from the board's
labels, members and lists (tab or a click takes the highlighted one, up/down move).

``enter`` creates the card; ``shift+enter`` (or ``alt+enter``, for terminals that cannot tell
shift+enter apart) creates it and opens it. A line with a problem is not closed: the preview
says what is wrong. The card is created by ``CreateCard`` operations submitted to the sync
engine through the app, like every other edit: it appears at once (optimistic), is on disk
in the outbox before it is sent, and ``z`` undoes it. By default it goes right below the
focused card, in the focused card's list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.events import Key
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from trello_tui.capture.assist import Candidate, CapturePreview, Completions, completions, preview
from trello_tui.capture.ops import board_context, create_ops, created
from trello_tui.capture.parse import CaptureContext, parse_capture
from trello_tui.sync.events import IdsReplaced, Notice, Status
from trello_tui.sync.ops import CreateCard
from trello_tui.sync.state import BoardState
from trello_tui.ui.safe import plain
from trello_tui.ui.screens.modal import Modal
from trello_tui.ui.widgets.palette import label_style

if TYPE_CHECKING:
    from trello_tui.ui.screens.board import BoardScreen

Clock = Callable[[], datetime]
#: the composer box's width, and how much room it needs below the card before it flips up
WIDTH = 64
HEIGHT = 14


@dataclass(frozen=True)
class Composed:
    """What the user asked for: the line, and whether to open the card afterwards."""

    text: str
    open: bool = False


def render_preview(found: CapturePreview, list_name: str) -> Text:
    """The preview: title, then one line of chips, then problems (one per line)."""
    text = Text()
    text.append(found.title or "(no title yet)", style="bold" if found.title else "dim italic")
    chips = Text()
    for label in found.labels:
        style = label_style(label.color) or "reverse"
        chips.append(f" {label.name or label.color or 'label'} ", style=style)
        chips.append(" ")
    for member in found.members:
        chips.append(f"@{member.username} ", style="bold")
    where = found.list.name if found.list is not None else list_name
    place = f" ^{found.position}" if found.position is not None else ""
    chips.append(f"→ {where}{place}", style="italic")
    if found.due_text is not None:
        chips.append(f"  due {found.due_text}")
    text.append("\n")
    text.append_text(chips)
    if found.description:
        first = found.description.splitlines()[0]
        text.append("\n" + (first if len(first) < 60 else first[:59] + "…"), style="dim")
    for problem in found.errors:
        text.append("\n✗ " + problem, style="bold red")
    return text


def _option(candidate: Candidate) -> Option:
    label = Text()
    if candidate.kind == "label":
        label.append("  ", style=label_style(candidate.color) or "reverse")
        label.append(" ")
    label.append(candidate.display)
    return Option(label)


class Composer(Modal[Composed | None]):
    """One line of capture syntax, with completion and a live preview."""

    DEFAULT_CSS = """
    Composer {
        align: left top;
        background: $background 30%;
    }
    Composer > #composer {
        width: 64;
        height: auto;
        border: round $primary;
        background: $panel;
        padding: 0 1;
    }
    Composer #composer-title {
        color: $foreground-muted;
    }
    Composer #composer-completions {
        display: none;
        height: auto;
        max-height: 8;
    }
    Composer #composer-completions.-open {
        display: block;
    }
    Composer #composer-preview {
        height: auto;
        padding: 0 0 0 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "cancel", id="composer.cancel"),
        Binding("shift+enter,alt+enter", "create(True)", "create & open", id="composer.open"),
        Binding("tab", "complete", "complete", priority=True, id="composer.complete"),
        Binding("down", "choose(1)", show=False, priority=True, id="composer.down"),
        Binding("up", "choose(-1)", show=False, priority=True, id="composer.up"),
    ]

    def __init__(
        self,
        ctx: CaptureContext,
        clock: Clock,
        list_name: str,
        *,
        anchor: tuple[int, int] = (0, 0),
        text: str = "",
    ) -> None:
        super().__init__()
        self.ctx = ctx
        self.clock = clock
        self.list_name = list_name
        self.place_at = anchor
        self.initial = text
        self.found: Completions | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="composer"):
            name = self.list_name if len(self.list_name) <= 20 else self.list_name[:19] + "…"
            yield Static(
                plain(f"New card in {name} · enter: create · shift+enter: and open"),
                id="composer-title",
            )
            yield Input(
                self.initial,
                placeholder="Title #label @member ^top due:fri -- description",
                id="composer-input",
            )
            yield OptionList(id="composer-completions")
            yield Static(id="composer-preview")

    def on_mount(self) -> None:
        box = self.query_one("#composer")
        x, y = self.place_at
        box.styles.offset = (max(0, x), max(0, y))
        self.query_one(Input).focus()
        self._update(self.initial)

    @property
    def input(self) -> Input:
        return self.query_one(Input)

    @property
    def options(self) -> OptionList:
        return self.query_one(OptionList)

    def now(self) -> datetime:
        # Due dates are read in the user's zone ("fri 17:00" is their Friday evening).
        return self.clock().astimezone()

    # -- live preview and completion ---------------------------------------------------------

    @on(Input.Changed)
    def changed(self, event: Input.Changed) -> None:
        self._update(event.value)

    def _update(self, text: str) -> None:
        now = self.now()
        found = preview(text, self.ctx, now)
        self.query_one("#composer-preview", Static).update(render_preview(found, self.list_name))
        cursor = self.input.cursor_position if self.is_mounted else len(text)
        self.found = completions(text, cursor, self.ctx, now=now, limit=8)
        options = self.options
        options.clear_options()
        if self.found is not None and self.found.candidates:
            options.add_options([_option(c) for c in self.found.candidates])
            options.highlighted = 0
        options.set_class(self.found is not None and bool(self.found.candidates), "-open")

    def on_key(self, event: Key) -> None:
        # Moving the cursor changes which token is under it: refresh the popup after it.
        if event.key in ("left", "right", "home", "end"):
            self.call_after_refresh(self._update, self.input.value)

    def action_choose(self, delta: int) -> None:
        if self.options.has_class("-open"):
            if delta > 0:
                self.options.action_cursor_down()
            else:
                self.options.action_cursor_up()

    def action_complete(self) -> None:
        found = self.found
        index = self.options.highlighted
        if found is None or not found.candidates or index is None:
            return
        self._insert(found, found.candidates[index])

    @on(OptionList.OptionSelected)
    def picked(self, event: OptionList.OptionSelected) -> None:
        if self.found is not None and event.option_index < len(self.found.candidates):
            self._insert(self.found, self.found.candidates[event.option_index])
        self.input.focus()

    def _insert(self, found: Completions, candidate: Candidate) -> None:
        text = self.input.value
        rest = text[found.end :]
        spacer = "" if rest.startswith(" ") else " "
        value = text[: found.start] + candidate.insert + spacer + rest
        self.input.value = value
        self.input.cursor_position = found.start + len(candidate.insert) + len(spacer)
        self._update(value)

    # -- creating ----------------------------------------------------------------------------

    @on(Input.Submitted)
    def submitted(self) -> None:
        self.action_create(False)

    def action_create(self, open_card: bool = False) -> None:
        text = self.input.value
        result = parse_capture(text, self.ctx, self.now())
        if not result.ok:
            self.app.bell()
            self._update(text)
            return
        self.dismiss(Composed(text, open_card))

    def action_cancel(self) -> None:
        self.dismiss(None)


def anchor_below(screen: BoardScreen, box_height: int = HEIGHT) -> tuple[int, int]:
    """Screen cell where the composer's top-left goes: just below the focused card."""
    column = screen.view.current
    if column is None:
        return 2, 2
    region = column.region
    top, height = column.card_region(column.cursor) if column.ids else (0, -1)
    y = region.y + top + height + 1 - round(column.scroll_offset.y)
    y = max(region.y, min(y, region.y + region.height - 1))
    if y + box_height > screen.size.height:  # no room below: open above the card instead
        y = max(0, region.y + top - round(column.scroll_offset.y) - box_height)
    x = min(region.x, max(0, screen.size.width - WIDTH))
    return x, y


def open_composer(screen: BoardScreen) -> None:
    """``n`` on the board: compose a card to go right below the focused one."""
    app = screen.tapp
    state = screen.state
    column = screen.view.current
    lists = state.open_lists()
    if column is None and not lists:
        app.notify("This board has no open list to add a card to", severity="warning")
        return
    list_id = column.list_id if column is not None else lists[0].id
    focused = screen.view.focused_card_id
    ids = state.card_ids_in(list_id)
    index = ids.index(focused) + 1 if focused in ids else 0
    ctx = board_context(state, app.me)
    name = state.lists[list_id].name if list_id in state.lists else ""

    def done(result: Composed | None) -> None:
        if result is not None:
            create(screen, state, ctx, result, list_id, index)

    composer = Composer(ctx, app.clock, name, anchor=anchor_below(screen))
    app.push_screen(composer, done)


def create(
    screen: BoardScreen,
    state: BoardState,
    ctx: CaptureContext,
    result: Composed,
    list_id: str,
    index: int,
) -> None:
    """Submit the card's operations through the app (the engine applies them at once)."""
    app = screen.tapp
    parsed = parse_capture(result.text, ctx, app.clock().astimezone())
    if not parsed.ok:
        return
    ops = create_ops(state, parsed.draft, list_id=list_id, index=index)
    for op in ops:
        app.submit(op)
    card_id = created(ops).card_id
    if card_id not in state.cards:  # the app refused the write (read-only): it said why
        return
    screen.call_after_refresh(screen.view.focus_card, card_id)
    if result.open:
        open_when_created(screen, created(ops))


def open_when_created(screen: BoardScreen, op: CreateCard, wait_s: float = 2.0) -> None:
    """Open the new card once Trello has given it its id (about one round trip).

    The card is on the board at once; its detail screen waits for the real id because the
    temporary one disappears when Trello answers. Offline, or when the answer is slow, it
    opens under the temporary id and follows the real one when it comes.
    """
    engine = screen.tapp.backend.engine
    temp = op.card_id
    if engine is None or engine.offline:
        screen.open_card(temp)
        follow_real_id(screen, temp)
        return
    done = False

    def open_(card_id: str) -> None:
        nonlocal done
        if done:
            return
        finish()
        if card_id in screen.state.cards:
            screen.open_card(card_id)
            if card_id == temp:
                follow_real_id(screen, temp)

    def seen(event: object) -> None:
        if isinstance(event, IdsReplaced) and temp in event.mapping:
            screen.app.call_later(open_, event.mapping[temp])
        elif isinstance(event, Notice) and event.op_id == op.op_id:
            finish()  # refused: the card is gone again and the notice says why
        elif isinstance(event, Status) and event.state == "offline":
            screen.app.call_later(open_, temp)

    def finish() -> None:
        nonlocal done
        done = True
        stop()
        timer.stop()

    stop = engine.subscribe(seen)
    timer = screen.set_timer(wait_s, lambda: open_(temp))


def follow_real_id(screen: BoardScreen, temp_id: str) -> None:
    """Point the card screen opened under a temporary id at the real one once it exists."""
    engine = screen.tapp.backend.engine
    if engine is None:
        return

    def replaced(event: object) -> None:
        if not isinstance(event, IdsReplaced) or temp_id not in event.mapping:
            return
        stop()
        real = event.mapping[temp_id]
        # At once, not later: the card screen must never look up the vanished temporary id.
        for other in screen.app.screen_stack:
            if getattr(other, "card_id", None) == temp_id:
                other.card_id = real  # type: ignore[attr-defined]
                fill = getattr(other, "fill", None)
                if callable(fill) and real in screen.state.cards:
                    screen.app.call_later(fill)

    stop = engine.subscribe(replaced)
