"""Reads across every cached board: the cards with a due date, the cards of one member.

The agenda and "my cards" screens show cards from all boards the cache holds, without loading
each board whole: one query per board picks the matching open cards (in open lists) straight
from their stored JSON, and each board comes back as a ``Board`` carrying its lists, labels and
members but only those cards. Boards never fully loaded, and archived boards, are left out.

Plain functions over a connection; ``Cache`` wraps them in its transaction guard.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from trello_tui.store.rows import loads, rows_json
from trello_tui.trello.models import Board

#: Open cards in open lists of one board (the board id is the first parameter).
_CARDS = (
    "SELECT c.json FROM cards c JOIN lists l ON l.id = c.list_id"
    " WHERE c.board_id=? AND c.closed=0 AND l.closed=0 AND {where} ORDER BY c.pos, c.id"
)
DUE = "json_extract(c.json, '$.due') IS NOT NULL"
#: The member is named by username (the app knows the signed-in user by that name).
MEMBER = (
    "EXISTS (SELECT 1 FROM json_each(c.json, '$.idMembers') j"
    " JOIN members m ON m.id = j.value WHERE m.username = ?)"
)


def boards_with_cards(conn: sqlite3.Connection, where: str, args: tuple[Any, ...]) -> list[Board]:
    """Every loaded, open board with at least one card matching ``where``, by name."""
    boards: list[Board] = []
    rows = conn.execute(
        "SELECT id, json FROM boards WHERE loaded_at IS NOT NULL AND closed=0 ORDER BY name, id"
    ).fetchall()
    for board_id, board_json in rows:
        cards = rows_json(conn.execute(_CARDS.format(where=where), (board_id, *args)))
        if not cards:
            continue
        data: dict[str, Any] = loads(board_json)
        query = "SELECT json FROM {} WHERE board_id=?"
        data["lists"] = rows_json(conn.execute(query.format("lists"), (board_id,)))
        data["labels"] = rows_json(conn.execute(query.format("labels"), (board_id,)))
        data["members"] = rows_json(
            conn.execute(
                "SELECT m.json FROM members m JOIN board_members b ON b.member_id = m.id"
                " WHERE b.board_id=?",
                (board_id,),
            )
        )
        data["cards"] = cards
        data["checklists"] = []
        boards.append(Board.from_json(data))
    return boards
