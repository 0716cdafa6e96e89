"""Row-level reads and writes of the cache tables (cache.py owns the schema and transactions).

Each object is stored as its model's JSON beside the columns a load needs. Cards and
checklists also carry the board revision they were written at, so a load can take every row
that is not newer than the board's packed snapshot from the snapshot (one ``marshal.loads``)
and read only the newer rows' JSON.

``decode_card`` turns a stored card back into a ``Card``: the rows were written by
``Card.to_json``, so each typed field is there with its JSON type, and the decoder only checks
that (a row that fails the check takes ``Card.from_json``). It builds the same ``Card`` as
``Card.from_json`` at about half the cost, which is most of a 5,000-card board's cold load.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import json
import marshal
import sqlite3
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from trello_tui.trello.models import Badges, Card, Checklist, Label, Member, TrelloList, parse_date

#: marshal's format may change between Python versions; a snapshot from another is ignored.
PACKING = f"{sys.version_info[0]}.{sys.version_info[1]}-{marshal.version}"


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
        raise sqlite3.DatabaseError(f"unreadable row ({type(exc).__name__})") from None


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


def load_rows(
    conn: sqlite3.Connection, table: str, board_id: str, snapshot: Snapshot | None
) -> list[dict[str, Any]]:
    """A table's objects of one board: from the snapshot where it is current, else JSON."""
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
    cached = {item.get("id"): item for item in items}
    out: list[dict[str, Any]] = []
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


# -- decoding cards ---------------------------------------------------------------------------

#: Card's fields in declaration order: decode_card builds cards positionally and is used only
#: while the model still has exactly these (a new field falls back to Card.from_json).
_CARD_FIELDS = (
    "id", "id_board", "id_list", "name", "pos", "desc", "closed", "due", "start",
    "due_complete", "id_labels", "id_members", "id_checklists", "labels", "badges", "id_short",
    "short_link", "short_url", "url", "date_last_activity", "subscribed", "raw",
)  # fmt: skip
_BADGE_FIELDS = (
    "check_items", "check_items_checked", "comments", "attachments", "description", "votes",
)  # fmt: skip
_FAST = (
    tuple(f.name for f in dataclasses.fields(Card)) == _CARD_FIELDS
    and tuple(f.name for f in dataclasses.fields(Badges)) == _BADGE_FIELDS
)
_NO_BADGES = Badges()


def _str_ids(value: object) -> tuple[str, ...] | None:
    """A list of ids as a tuple, or None when it is not a list of strings."""
    if type(value) is not list:
        return None
    if not value:
        return ()
    for item in value:
        if type(item) is not str:
            return None
    return tuple(value)


def _labels(items: list[Any]) -> tuple[Label, ...] | None:
    """A card's nested labels (``Label.from_json`` of each), or None when one looks unusual."""
    out = []
    for item in items:
        if type(item) is not dict:
            return None
        try:
            label_id, board, name, color = item["id"], item["idBoard"], item["name"], item["color"]
        except KeyError:
            return None
        if not (
            type(label_id) is str
            and type(board) is str
            and type(name) is str
            and (color is None or type(color) is str)
        ):
            return None
        out.append(Label(label_id, board, name, color, item))
    return tuple(out)


def _badges(value: object) -> Badges | None:
    if type(value) is not dict:
        return _NO_BADGES if value is None else None
    try:
        checks, checked, comments = (
            value["checkItems"],
            value["checkItemsChecked"],
            value["comments"],
        )
        attachments, description, votes = value["attachments"], value["description"], value["votes"]
    except KeyError:
        return None
    if not (
        type(checks) is int
        and type(checked) is int
        and type(comments) is int
        and type(attachments) is int
        and type(description) is bool
        and type(votes) is int
    ):
        return None
    return Badges(checks, checked, comments, attachments, description, votes)


def decode_card(data: dict[str, Any]) -> Card:
    """``Card.from_json(data)`` for a row the cache wrote (the same Card, built faster).

    ``data`` becomes the card's ``raw`` without a copy: the caller hands over a fresh dict.
    """
    if not _FAST:
        return Card.from_json(data)
    try:
        card_id, board, list_id, name = data["id"], data["idBoard"], data["idList"], data["name"]
        pos, desc, closed, complete = data["pos"], data["desc"], data["closed"], data["dueComplete"]
        short_link, short_url, url = data["shortLink"], data["shortUrl"], data["url"]
        id_short, subscribed, labels = data["idShort"], data["subscribed"], data["labels"]
        id_labels, id_members = data["idLabels"], data["idMembers"]
        id_checklists = data["idChecklists"]
    except KeyError:
        return Card.from_json(data)
    if not (
        type(card_id) is str
        and type(board) is str
        and type(list_id) is str
        and type(name) is str
        and type(pos) is float
        and type(desc) is str
        and type(closed) is bool
        and type(complete) is bool
        and type(short_link) is str
        and type(short_url) is str
        and type(url) is str
        and type(id_short) is int
        and type(subscribed) is bool
        and type(labels) is list
    ):
        return Card.from_json(data)
    label_objects = _labels(labels) if labels else ()
    label_ids, member_ids = _str_ids(id_labels), _str_ids(id_members)
    checklist_ids, badges = _str_ids(id_checklists), _badges(data.get("badges"))
    if (
        label_objects is None
        or label_ids is None
        or member_ids is None
        or checklist_ids is None
        or badges is None
    ):
        return Card.from_json(data)
    due, start, active = data.get("due"), data.get("start"), data.get("dateLastActivity")
    return Card(
        card_id,
        board,
        list_id,
        name,
        pos,
        desc,
        closed,
        None if due is None else parse_date(due),
        None if start is None else parse_date(start),
        complete,
        label_ids,
        member_ids,
        checklist_ids,
        label_objects,
        badges,
        id_short,
        short_link,
        short_url,
        url,
        None if active is None else parse_date(active),
        subscribed,
        data,
    )
