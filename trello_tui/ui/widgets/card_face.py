"""The front of a card as lines of styled pieces: labels, wrapped name, badges, members.

Layout is split from painting so a column can learn every card's height cheaply (layout is
plain string work) and turn into Strips only the cards that are on screen. Styles are named
by key (``"overdue"``, ``"member"`` …) and resolved by the widget from its CSS component
classes, so colours follow the theme; label chips carry Trello's own colours.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from trello_tui.trello.models import Card, Checklist, Label, Member
from trello_tui.ui.widgets.palette import label_style

#: A piece of a line: its text and either a style key (theme) or a concrete Rich style.
Piece = tuple[str, str | Style]
Line = list[Piece]

#: Due within this long (and not overdue, not complete) is "due soon", as in Trello.
DUE_SOON = timedelta(hours=24)
#: Width of an unnamed label's colour block.
BLOCK = 4


@dataclasses.dataclass(frozen=True, slots=True)
class FaceContext:
    """What a card's face needs besides the card: the board's labels, members, checklists."""

    labels: Mapping[str, Label]
    members: Mapping[str, Member]
    checklists: Mapping[str, Checklist]
    now: datetime
    pending: frozenset[str] = frozenset()


def _width(text: str) -> int:
    # Most card text is ASCII, where a character is a cell: skip the Unicode width tables.
    return len(text) if text.isascii() else cell_len(text)


def wrap(text: str, width: int) -> list[str]:
    """Greedy word wrap by terminal cells; words longer than a line are broken."""
    width = max(1, width)
    words = text.split()
    if not words:
        return [""]
    ascii_only = text.isascii()
    size = len if ascii_only else cell_len
    lines: list[str] = []
    current: list[str] = []
    used = 0
    for word in words:
        length = size(word)
        while length > width:
            if current:
                lines.append(" ".join(current))
                current, used = [], 0
            head = word[:width] if ascii_only else set_cell_size(word, width)
            lines.append(head)
            word = word[len(head) :]
            length = size(word)
        if not word:
            continue
        if current and used + 1 + length <= width:
            current.append(word)
            used += 1 + length
        elif current:
            lines.append(" ".join(current))
            current, used = [word], length
        else:
            current, used = [word], length
    if current:
        lines.append(" ".join(current))
    return lines


def flow(pieces: Iterable[Piece], width: int) -> list[Line]:
    """Place pieces left to right, one space apart, starting a new line when one is full."""
    lines: list[Line] = []
    line: Line = []
    used = 0
    for text, style in pieces:
        size = _width(text)
        if size > width:
            text, size = set_cell_size(text, width), width
        gap = 1 if line else 0
        if line and used + gap + size > width:
            lines.append(line)
            line, used, gap = [], 0, 0
        if gap:
            line.append((" ", "plain"))
        line.append((text, style))
        used += gap + size
    if line:
        lines.append(line)
    return lines


def label_pieces(card: Card, ctx: FaceContext) -> list[Piece]:
    """Chips in Trello's colours; unnamed as blocks; unknown colours as plain text."""
    pieces: list[Piece] = []
    embedded = {label.id: label for label in card.labels}
    for label_id in card.id_labels:
        label = ctx.labels.get(label_id) or embedded.get(label_id)
        if label is None:
            continue
        style = label_style(label.color)
        if style is not None:
            pieces.append((f" {label.name} " if label.name else " " * BLOCK, style))
        elif label.name or label.color:
            # No colour, or a colour this version does not know: plain, never a crash.
            pieces.append((f"[{label.name or label.color}]", "label-plain"))
    return pieces


def checklist_counts(card: Card, ctx: FaceContext) -> tuple[int, int]:
    """(done, total) from the board's checklists, else from Trello's badges."""
    lists = [ctx.checklists[cid] for cid in card.id_checklists if cid in ctx.checklists]
    if any(c.check_items for c in lists):
        return sum(c.done for c in lists), sum(len(c.check_items) for c in lists)
    return card.badges.check_items_checked, card.badges.check_items


def due_piece(card: Card, now: datetime) -> Piece | None:
    due = card.due
    if due is None:
        return None
    text = f"◷ {due.strftime('%b')} {due.day}"
    if due.year != now.year:
        text += f" {due.year}"
    # The coloured states are chips, padded so the colour does not touch the next badge.
    if card.due_complete:
        return (f" {text} ✓ ", "due-complete")
    if due < now:
        return (f" {text} ", "overdue")
    if due - now <= DUE_SOON:
        return (f" {text} ", "due-soon")
    return (text, "badge")


def badge_pieces(card: Card, ctx: FaceContext) -> list[Piece]:
    pieces: list[Piece] = []
    if card.id in ctx.pending:
        pieces.append(("⟳ pending", "pending"))
    due = due_piece(card, ctx.now)
    if due is not None:
        pieces.append(due)
    if card.desc or card.badges.description:
        pieces.append(("≡", "badge"))
    if card.badges.comments:
        pieces.append((f"✉ {card.badges.comments}", "badge"))
    if card.badges.attachments:
        pieces.append((f"⎘ {card.badges.attachments}", "badge"))
    done, total = checklist_counts(card, ctx)
    if total:
        pieces.append((f"✓ {done}/{total}", "check-done" if done == total else "badge"))
    for member_id in card.id_members:
        member = ctx.members.get(member_id)
        pieces.append((member.initials if member else "??", "member"))
    return pieces


def layout_card(card: Card, ctx: FaceContext, width: int) -> list[Line]:
    """The lines of a card's face at ``width`` cells of text (no padding)."""
    lines = flow(label_pieces(card, ctx), width)
    lines.extend([(text, "name")] for text in wrap(card.name, width))
    lines.extend(flow(badge_pieces(card, ctx), width))
    return lines


def paint(lines: list[Line], width: int, style_of: Callable[[str], Style]) -> list[Strip]:
    """Turn laid-out lines into Strips of exactly ``width`` cells plus one cell of padding
    each side; the card's background is applied later, so the cursor can restyle it."""
    strips: list[Strip] = []
    for line in lines:
        segments = [Segment(" ")]
        used = 0
        for text, style in line:
            segments.append(Segment(text, style if isinstance(style, Style) else style_of(style)))
            used += _width(text)
        segments.append(Segment(" " * (max(0, width - used) + 1)))
        strips.append(Strip(segments, width + 2))
    return strips
