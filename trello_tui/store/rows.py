"""Row-level reads and writes of the cache tables (cache.py owns the schema and transactions).

Each object is stored as its model's JSON beside the columns a load needs. Cards and
checklists also carry the board revision they were written at, so a load can take every row
that is not newer than the board's packed snapshot from the snapshot (one ``marshal.loads``)
and read only the newer rows' JSON.

Cards in a snapshot are packed tuples (``codec.pack_card``), cards in rows are JSON read by
``codec.decode_card``.
"""

from __future__ import annotations

import contextlib
import gc
import json
import marshal
import sqlite3
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from trello_tui.store.codec import FORMAT, PACKED_LEN, decode_card, pack_card, unpack_card
from trello_tui.store.db import DamagedRow
from trello_tui.trello.models import Card, Checklist, Label, Member, TrelloList

#: marshal's format may change between Python versions, and the packed cards with the model's
#: fields: a snapshot packed otherwise is ignored (and rewritten by the next full load).
PACKING = f"{sys.version_info[0]}.{sys.version_info[1]}-{marshal.version}-{FORMAT}"


@contextlib.contextmanager
def no_collection() -> Iterator[None]:
    """Pause the cyclic garbage collector while a board's rows are decoded.

    A 5,000-card board is some 50,000 new containers (dicts, lists, Cards): they trigger
    dozens of collections, including full ones that walk every object of the process, and
    every one finds them all alive (decoded rows hold no cycles, and reference counting
    frees them when they go). Pausing saves that walk; the collector runs as usual after.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def dump(obj: Any) -> str:
    return json.dumps(obj.to_json(), separators=(",", ":"), ensure_ascii=False)


def loads(text: str) -> Any:
    """``json.loads`` whose failure counts as a damaged database (the cache is then rebuilt)."""
    try:
        return json.loads(text)
    except (ValueError, TypeError) as exc:
        raise DamagedRow(f"unreadable row ({type(exc).__name__})") from None


def rows_json(rows: Iterable[tuple[str]]) -> list[dict[str, Any]]:
    # One parse of one array is several times faster than one json.loads per row.
    parsed: list[dict[str, Any]] = loads("[" + ",".join(row[0] for row in rows) + "]")
    return parsed


def put_lists(conn: sqlite3.Connection, board_id: str, items: Iterable[TrelloList]) -> None:
    conn.executemany(
        "INSERT OR REPLACE INTO lists (id, board_id, pos, closed, json) VALUES (?,?,?,?,?)",
        [(i.id, board_id, i.pos, int(i.closed), dump(i)) for i in items],
    )


def bump(conn: sqlite3.Connection, board_id: str) -> int:
    """The board's next revision (rows written in this transaction carry it)."""
    conn.execute("INSERT OR IGNORE INTO boards (id, name, json) VALUES (?, '', '{}')", (board_id,))
    row = conn.execute(
        "UPDATE boards SET rev = rev + 1 WHERE id=? RETURNING rev", (board_id,)
    ).fetchone()
    return int(row[0])


def _text(data: dict[str, Any]) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def put_cards(
    conn: sqlite3.Connection,
    board_id: str,
    items: Iterable[Card],
    rev: int,
    dumped: Sequence[dict[str, Any]] | None = None,
) -> None:
    items = list(items)
    data = dumped if dumped is not None else [i.to_json() for i in items]
    conn.executemany(
        "INSERT OR REPLACE INTO cards (id, board_id, list_id, pos, closed, json, rev)"
        " VALUES (?,?,?,?,?,?,?)",
        [
            (i.id, board_id, i.id_list, i.pos, int(i.closed), _text(d), rev)
            for i, d in zip(items, data, strict=True)
        ],
    )


def put_checklists(
    conn: sqlite3.Connection,
    board_id: str,
    items: Iterable[Checklist],
    rev: int,
    dumped: Sequence[dict[str, Any]] | None = None,
) -> None:
    items = list(items)
    data = dumped if dumped is not None else [i.to_json() for i in items]
    conn.executemany(
        "INSERT OR REPLACE INTO checklists (id, board_id, card_id, pos, json, rev)"
        " VALUES (?,?,?,?,?,?)",
        [
            (i.id, board_id, i.id_card, i.pos, _text(d), rev)
            for i, d in zip(items, data, strict=True)
        ],
    )


Snapshot = tuple[int, dict[str, list[dict[str, Any]]]]


def read_snapshot(conn: sqlite3.Connection, board_id: str) -> Snapshot | None:
    row = conn.execute(
        "SELECT rev, python, blob FROM snapshots WHERE board_id=?", (board_id,)
    ).fetchone()
    if row is None or row[1] != PACKING:
        return None
    try:
        packed = marshal.loads(row[2])
    except (ValueError, EOFError, TypeError):
        return None  # a damaged snapshot only costs speed: the rows are the truth
    return (int(row[0]), packed) if isinstance(packed, dict) else None


def _json_id(item: Any) -> Any:
    return item.get("id") if type(item) is dict else None


def load_rows(
    conn: sqlite3.Connection,
    table: str,
    board_id: str,
    snapshot: Snapshot | None,
    id_of: Callable[[Any], Any] = _json_id,
) -> list[Any]:
    """A table's objects of one board: from the snapshot where it is current (in its packed
    form), else the rows' JSON (as dicts)."""
    if snapshot is None:
        return rows_json(conn.execute(f"SELECT json FROM {table} WHERE board_id=?", (board_id,)))
    rev, packed = snapshot
    items = packed.get(table, [])
    # Rows at or below the snapshot's revision are the snapshot's minus deleted ones: when
    # none is newer and none was deleted, the snapshot is the table (no per-row pass).
    older, newest = conn.execute(
        f"SELECT count(*), max(rev) FROM {table} WHERE board_id=?", (board_id,)
    ).fetchone()
    if older == len(items) and (newest is None or newest <= rev):
        return list(items)
    cached = {id_of(item): item for item in items}
    out: list[Any] = []
    newer: list[str] = []
    for object_id, row_rev in conn.execute(
        f"SELECT id, rev FROM {table} WHERE board_id=?", (board_id,)
    ):
        item = cached.get(object_id) if row_rev <= rev else None
        if item is None:
            newer.append(object_id)
        else:
            out.append(item)
    for start in range(0, len(newer), 500):
        chunk = newer[start : start + 500]
        marks = ",".join("?" * len(chunk))
        out.extend(
            rows_json(conn.execute(f"SELECT json FROM {table} WHERE id IN ({marks})", chunk))
        )
    return out


def _packed_id(item: Any) -> Any:
    if type(item) is tuple and len(item) == PACKED_LEN:
        return item[0]
    return _json_id(item)


def snapshot_cards(cards: Iterable[Card]) -> list[Any]:
    """The cards as the snapshot stores them (packed, see ``codec``)."""
    if FORMAT == "cards-json":
        return [card.to_json() for card in cards]
    return [pack_card(card) for card in cards]


def load_cards(conn: sqlite3.Connection, board_id: str, snapshot: Snapshot | None) -> list[Card]:
    """A board's cards: the snapshot's unpacked, newer rows decoded from their JSON."""
    items = load_rows(conn, "cards", board_id, snapshot, _packed_id)
    try:
        return [
            unpack_card(item) if isinstance(item, tuple) else decode_card(item)
            for item in items
            if isinstance(item, tuple | dict)
        ]
    except (IndexError, TypeError, ValueError, AttributeError):
        # A snapshot in an unexpected shape only costs speed: the rows are the truth.
        rows = rows_json(conn.execute("SELECT json FROM cards WHERE board_id=?", (board_id,)))
        return [decode_card(item) for item in rows if type(item) is dict]


def put_labels(conn: sqlite3.Connection, board_id: str, items: Iterable[Label]) -> None:
    conn.executemany(
        "INSERT OR REPLACE INTO labels (id, board_id, json) VALUES (?,?,?)",
        [(i.id, board_id, dump(i)) for i in items],
    )


def put_members(conn: sqlite3.Connection, board_id: str, items: Iterable[Member]) -> None:
    rows = [(i.id, i.username, dump(i)) for i in items]
    conn.executemany("INSERT OR REPLACE INTO members (id, username, json) VALUES (?,?,?)", rows)
    conn.executemany(
        "INSERT OR IGNORE INTO board_members (board_id, member_id) VALUES (?,?)",
        [(board_id, row[0]) for row in rows],
    )
