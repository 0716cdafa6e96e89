"""A board as a CSV table: one row per card, modelled on Trello's (paid) CSV export.

Columns follow Trello's names where it has one (``Card ID``, ``Card Name``, ``Card URL``,
``Labels``, ``Members``, ``Due Date``, ``Checklist Item Total Count`` …) and add what a
spreadsheet needs and Trello leaves out (``Member Usernames``, ``Checklists``, ``Position``).
Quoting is RFC 4180 by the stdlib ``csv`` module: fields with commas, quotes or line breaks are
quoted, quotes doubled, rows end in CRLF. Dates are Trello's ISO-8601 UTC strings; booleans are
``true``/``false``. Every card is a row, archived ones included (``Archived`` says which), in
board order: list by list, top to bottom.

Cells are other people's text, so two things are done to each (see :func:`cell`): controls
are shown as inert characters (``visible``; tabs, line feeds and CRLF line breaks kept), and
a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, which a
spreadsheet would run as a formula (``=HYPERLINK(...)``, ``@SUM(...)``, DDE), gets a
leading ``'``, as OWASP recommends against CSV injection. The quote shows in the cell; the
rest of the text is kept exactly.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping

from trello_tui.export.board_json import Ordered, number
from trello_tui.trello.models import Board, Card, Checklist, Label, Member, format_date
from trello_tui.trello.text import visible

#: what makes a spreadsheet read a cell as a formula (OWASP's list for CSV injection)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CSV_COLUMNS: tuple[str, ...] = (
    "Card ID",
    "Card Name",
    "Card URL",
    "Card Description",
    "Labels",
    "Members",
    "Member Usernames",
    "Due Date",
    "Due Complete",
    "Start Date",
    "Checklist Item Total Count",
    "Checklist Item Completed Count",
    "Checklists",
    "Vote Count",
    "Comment Count",
    "Attachment Count",
    "Last Activity Date",
    "List ID",
    "List Name",
    "Board ID",
    "Board Name",
    "Archived",
    "Position",
)


def cell(text: str) -> str:
    """One CSV cell: nothing a terminal obeys, nothing a spreadsheet runs."""
    # A CRLF inside a cell is a line break as written (kept byte for byte); a lone CR is not.
    shown = "\r\n".join(visible(part, multiline=True) for part in text.split("\r\n"))
    if text.startswith(FORMULA_STARTS) or shown.startswith(FORMULA_STARTS):
        return "'" + shown
    return shown


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _label(label_id: str, labels: Mapping[str, Label]) -> str:
    label = labels.get(label_id)
    if label is None:
        return label_id
    return f"{label.name} ({label.color or 'no colour'})"


def _row(
    board: Board,
    card: Card,
    checklists: tuple[Checklist, ...],
    list_names: Mapping[str, str],
    labels: Mapping[str, Label],
    members: Mapping[str, Member],
) -> list[str]:
    people = [members.get(m) for m in card.id_members]
    total = sum(len(cl.check_items) for cl in checklists)
    done = sum(cl.done for cl in checklists)
    if not checklists:  # no checklist cached for it: trust the card's badges
        total, done = card.badges.check_items, card.badges.check_items_checked
    return [
        card.id,
        card.name,
        card.url,
        card.desc,
        ", ".join(_label(i, labels) for i in card.id_labels),
        ", ".join(p.full_name if p else m for p, m in zip(people, card.id_members, strict=True)),
        ", ".join(p.username if p else m for p, m in zip(people, card.id_members, strict=True)),
        format_date(card.due) or "",
        _flag(card.due_complete),
        format_date(card.start) or "",
        str(total),
        str(done),
        "; ".join(f"{cl.name}: {cl.done}/{len(cl.check_items)}" for cl in checklists),
        str(card.badges.votes),
        str(card.badges.comments),
        str(card.badges.attachments),
        format_date(card.date_last_activity) or "",
        card.id_list,
        list_names.get(card.id_list, ""),
        board.id,
        board.name,
        _flag(card.closed),
        str(number(card.pos)),
    ]


def to_csv(board: Board) -> str:
    order = Ordered.of(board)
    list_names = {lst.id: lst.name for lst in order.lists}
    labels = {label.id: label for label in order.labels}
    members = {member.id: member for member in board.members}
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for card in order.cards:
        checklists = order.card_checklists.get(card.id, ())
        row = _row(board, card, checklists, list_names, labels, members)
        writer.writerow([cell(value) for value in row])
    return buffer.getvalue()
