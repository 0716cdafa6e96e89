"""A board as a readable Markdown document.

The board's name is the title and its description follows; each open list is a section in
board order, its open cards are items in list order: the name in bold, then labels, dates and
members as a nested list, the card's description (Trello descriptions are Markdown already, so
they are kept as written, as a block quote inside the item), and each checklist as a task list
(``- [x]``). Archived cards, and the cards of archived lists, close the document in their own
section so the board reads as it does in Trello.

Dates are written in UTC (``2026-12-01 17:00 UTC``) so a document means the same everywhere.
Names and labels are escaped; descriptions are not (they are Markdown).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime

from trello_tui.export.board_json import Ordered
from trello_tui.trello.models import Board, Card, Checklist, Label, Member

_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")
INDENT = "  "


def escape(text: str) -> str:
    """Inline text (a name) that Markdown shows as written, on one line."""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def when(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def label_text(label: Label) -> str:
    name = escape(label.name)
    colour = (label.color or "no colour").replace("_", " ")
    return f"{name} ({colour})" if name else f"({colour})"


def member_text(member_id: str, members: Mapping[str, Member]) -> str:
    member = members.get(member_id)
    if member is None:
        return escape(member_id)
    return f"{escape(member.full_name or member.username)} (@{escape(member.username)})"


def _details(card: Card, labels: Mapping[str, Label], members: Mapping[str, Member]) -> list[str]:
    lines: list[str] = []
    if card.id_labels:
        names = [label_text(labels[i]) if i in labels else escape(i) for i in card.id_labels]
        lines.append("Labels: " + ", ".join(names))
    if card.start is not None:
        lines.append(f"Start: {when(card.start)}")
    if card.due is not None:
        done = " (complete)" if card.due_complete else ""
        lines.append(f"Due: {when(card.due)}{done}")
    if card.id_members:
        lines.append("Members: " + ", ".join(member_text(m, members) for m in card.id_members))
    return [f"{INDENT}- {line}" for line in lines]


def _checklist(checklist: Checklist, members: Mapping[str, Member]) -> list[str]:
    total = len(checklist.check_items)
    lines = ["", f"{INDENT}**{escape(checklist.name) or 'Checklist'}** ({checklist.done}/{total})"]
    if checklist.check_items:
        lines.append("")
    for item in checklist.check_items:
        mark = "x" if item.complete else " "
        extra = ""
        if item.due is not None:
            extra += f" — due {when(item.due)}"
        if item.id_member:
            extra += f" — {member_text(item.id_member, members)}"
        lines.append(f"{INDENT}- [{mark}] {escape(item.name)}{extra}")
    return lines


def card_lines(
    card: Card,
    order: Ordered,
    labels: Mapping[str, Label],
    members: Mapping[str, Member],
    where: str = "",
) -> list[str]:
    """One card as a list item with its details, description and checklists."""
    lines = [f"- **{escape(card.name) or '(untitled)'}**{where}"]
    lines += _details(card, labels, members)
    if card.desc.strip():
        # quoted, so a description's own headings and task lists do not pass for the card's
        lines.append("")
        lines += [f"{INDENT}> {line}".rstrip() for line in card.desc.strip("\n").splitlines()]
    for checklist in order.card_checklists.get(card.id, ()):
        lines += _checklist(checklist, members)
    return lines


def to_markdown(board: Board) -> str:
    order = Ordered.of(board)
    labels = {label.id: label for label in order.labels}
    members = {member.id: member for member in board.members}
    out = [f"# {escape(board.name) or '(untitled board)'}", ""]
    if board.closed:
        out += ["_This board is closed._", ""]
    if board.desc.strip():
        out += [board.desc.strip("\n"), ""]
    if board.url:
        out += [f"<{board.url}>", ""]
    open_lists = [lst for lst in order.lists if not lst.closed]
    list_names = {lst.id: lst.name for lst in order.lists}
    archived: list[Card] = []
    for lst in open_lists:
        cards = [c for c in order.cards if c.id_list == lst.id]
        archived += [c for c in cards if c.closed]
        shown = [c for c in cards if not c.closed]
        out += [f"## {escape(lst.name) or '(untitled list)'}", ""]
        if not shown:
            out += ["_No cards._", ""]
        for card in shown:
            out += card_lines(card, order, labels, members)
            out.append("")
    open_ids = {lst.id for lst in open_lists}
    archived += [c for c in order.cards if c.id_list not in open_ids]
    if archived:
        out += ["## Archived", ""]
        for card in archived:
            where = f" — in {escape(list_names.get(card.id_list, '?'))}"
            out += card_lines(card, order, labels, members, where)
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"
