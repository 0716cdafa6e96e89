"""The offline read cache: the last known server state of every board we opened.

One SQLite file (WAL) in the platformdirs cache directory (``paths.cache_db()``, so
``XDG_CACHE_HOME`` or ``TRELLO_TUI_CACHE_DIR`` move it). Each object is stored as the JSON its
model writes (``to_json``), so fields we do not model survive, beside the few columns a load or
an update needs (board, list, pos). Check items live inside their checklist's JSON, as Trello
serves them. The cache holds only what the server said: local edits that are not yet
confirmed live in the outbox and are re-applied on top at start-up, so nothing is applied twice.

Loading a board is one indexed query per table and one ``json.loads`` per table (the rows are
joined into one JSON array), which keeps a 5,000-card board well under 0.2 s cold.

The cache is only a copy of what Trello said, so no local fault stops the program: a file
SQLite proves damaged is set aside and rebuilt; when the disk is full, the folder read-only
or the file locked, what it holds is copied into memory and used from there for the rest of
the run (one message says so, with the fix), and nothing new is saved until the next run.

``Cache`` is synchronous and thread-safe; ``AsyncCache`` runs every call on one dedicated
worker thread so an event loop never waits on the disk.
"""

from __future__ import annotations

import asyncio
import logging
import marshal
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from trello_tui import paths
from trello_tui.store import across
from trello_tui.store.db import (
    Schema,
    StoreFault,
    fault,
    is_corrupt,
    memory_database,
    open_database,
    open_readonly,
    set_aside,
    sql_migration,
)
from trello_tui.store.rows import (
    PACKING,
    bump,
    dump,
    load_cards,
    load_rows,
    loads,
    no_collection,
    put_cards,
    put_checklists,
    put_labels,
    put_lists,
    put_members,
    read_snapshot,
    rows_json,
    snapshot_cards,
)
from trello_tui.trello.models import (
    Board,
    Card,
    Checklist,
    Label,
    Member,
    Organization,
    TrelloList,
)

log = logging.getLogger(__name__)

APPLICATION_ID = 0x54544331  # "TTC1"

_V1 = """
CREATE TABLE boards (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, closed INTEGER NOT NULL DEFAULT 0,
    id_organization TEXT, json TEXT NOT NULL, last_action_id TEXT, loaded_at REAL,
    mine INTEGER NOT NULL DEFAULT 0);
CREATE TABLE lists (
    id TEXT PRIMARY KEY, board_id TEXT NOT NULL, pos REAL NOT NULL, closed INTEGER NOT NULL,
    json TEXT NOT NULL);
CREATE INDEX lists_by_board ON lists(board_id);
CREATE TABLE cards (
    id TEXT PRIMARY KEY, board_id TEXT NOT NULL, list_id TEXT NOT NULL, pos REAL NOT NULL,
    closed INTEGER NOT NULL, json TEXT NOT NULL);
CREATE INDEX cards_by_board ON cards(board_id, list_id, pos);
CREATE TABLE checklists (
    id TEXT PRIMARY KEY, board_id TEXT NOT NULL, card_id TEXT NOT NULL, pos REAL NOT NULL,
    json TEXT NOT NULL);
CREATE INDEX checklists_by_board ON checklists(board_id);
CREATE INDEX checklists_by_card ON checklists(card_id);
CREATE TABLE labels (id TEXT PRIMARY KEY, board_id TEXT NOT NULL, json TEXT NOT NULL);
CREATE INDEX labels_by_board ON labels(board_id);
CREATE TABLE members (id TEXT PRIMARY KEY, username TEXT NOT NULL, json TEXT NOT NULL);
CREATE TABLE board_members (
    board_id TEXT NOT NULL, member_id TEXT NOT NULL, PRIMARY KEY (board_id, member_id));
CREATE TABLE organizations (id TEXT PRIMARY KEY, json TEXT NOT NULL);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)
"""

# v2: a packed snapshot of each board's cards and checklists, so a cold load of a large
# board unpacks one blob instead of parsing thousands of JSON rows. Rows stay the truth:
# every row carries the board revision it was written at, and rows newer than the snapshot
# (or missing from it) are read from their JSON.
_V2 = """
ALTER TABLE boards ADD COLUMN rev INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cards ADD COLUMN rev INTEGER NOT NULL DEFAULT 0;
ALTER TABLE checklists ADD COLUMN rev INTEGER NOT NULL DEFAULT 0;
CREATE TABLE snapshots (
    board_id TEXT PRIMARY KEY, rev INTEGER NOT NULL, python TEXT NOT NULL, blob BLOB NOT NULL)
"""

SCHEMA = Schema(application_id=APPLICATION_ID, migrations=(sql_migration(_V1), sql_migration(_V2)))

T = TypeVar("T")
P = ParamSpec("P")


@dataclass(frozen=True, slots=True)
class CachedBoard:
    """A board as the cache last saw it."""

    board: Board
    last_action_id: str | None
    loaded_at: float | None


@dataclass(slots=True)
class CacheWrite:
    """Changes to one board, written in one transaction (the engine batches them)."""

    board_id: str
    cards: dict[str, Card] = field(default_factory=dict)
    deleted_cards: set[str] = field(default_factory=set)
    lists: dict[str, TrelloList] = field(default_factory=dict)
    checklists: dict[str, Checklist] = field(default_factory=dict)
    deleted_checklists: set[str] = field(default_factory=set)
    labels: dict[str, Label] = field(default_factory=dict)
    members: dict[str, Member] = field(default_factory=dict)
    last_action_id: str | None = None

    @property
    def empty(self) -> bool:
        return not (
            self.cards
            or self.deleted_cards
            or self.lists
            or self.checklists
            or self.deleted_checklists
            or self.labels
            or self.members
            or self.last_action_id
        )


class Cache:
    """The cache file; every public method is one transaction."""

    def __init__(
        self, path: Path | None = None, *, report: Callable[[str], None] | None = None
    ) -> None:
        self.path = path if path is not None else paths.cache_db()
        self._report = report
        #: messages for the user (files set aside); the UI shows them once.
        self.messages: list[str] = []
        #: the file could not be used (a local fault): the cache lives in memory this run
        self.in_memory = False
        self._lock = threading.RLock()
        self._conn = self._open()

    def _note(self, message: str) -> None:
        log.warning("%s", message)
        self.messages.append(message)
        if self._report is not None:
            self._report(message)

    def _open(self) -> sqlite3.Connection:
        try:
            return open_database(self.path, SCHEMA, report=self._note)
        except StoreFault as problem:
            return self._in_memory(problem, open_readonly(self.path, SCHEMA))

    def _in_memory(
        self, problem: StoreFault, source: sqlite3.Connection | None
    ) -> sqlite3.Connection:
        """Go on from a copy in memory of what ``source`` holds (empty if nothing is readable)."""
        try:
            conn = memory_database(SCHEMA, source)
        finally:
            if source is not None and source is not getattr(self, "_conn", None):
                source.close()
        self.in_memory = True
        self._note(f"{problem}; until then the cache is used from memory and not saved")
        return conn

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def _guard(self, fn: Callable[[sqlite3.Connection], T], fallback: T) -> T:
        """Run ``fn``; a file found damaged is set aside and rebuilt, a local fault (disk
        full, read-only, locked) moves the cache into memory; ``fn`` is then run once more."""
        with self._lock:
            try:
                return fn(self._conn)
            except sqlite3.DatabaseError as exc:
                local = type(exc) in (sqlite3.DatabaseError, sqlite3.OperationalError)
                if not (local or is_corrupt(exc)):
                    # A constraint or a misuse of ours: a bug, not the file's fault.
                    log.error("cache: %s", exc)
                    return fallback
                self._recover(exc)
            try:
                return fn(self._conn)
            except sqlite3.DatabaseError:
                return fallback

    def _recover(self, exc: sqlite3.DatabaseError) -> None:
        if self.in_memory:
            return  # (memory does not fill up or lock; a failure here is fn's own)
        if not is_corrupt(exc):
            self._conn = self._in_memory(fault(exc, self.path), self._conn)
            return
        self._conn.close()
        reason = str(exc).split(" with text ")[0][:80]  # never echo stored data
        try:
            moved = set_aside(self.path, "unusable")
        except StoreFault as problem:
            self._conn = self._in_memory(problem, None)
            return
        self._note(
            f"{self.path.name} was damaged ({reason}); moved it to {moved.name} and started afresh"
        )
        self._conn = self._open()

    def _write(self, fn: Callable[[sqlite3.Connection], None]) -> None:
        def run(conn: sqlite3.Connection) -> None:
            conn.execute("BEGIN IMMEDIATE")
            try:
                fn(conn)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

        self._guard(run, None)

    # -- boards ------------------------------------------------------------------------------

    def save_board(self, board: Board, *, last_action_id: str | None = None) -> None:
        """Replace everything stored for ``board`` with this full load."""

        def run(conn: sqlite3.Connection) -> None:
            for table in ("lists", "cards", "checklists", "labels", "board_members"):
                conn.execute(f"DELETE FROM {table} WHERE board_id=?", (board.id,))
            self._put_board_row(conn, board, last_action_id, loaded_at=time.time())
            rev = bump(conn, board.id)
            put_lists(conn, board.id, board.lists)
            cards = [card.to_json() for card in board.cards]
            checklists = [checklist.to_json() for checklist in board.checklists]
            put_cards(conn, board.id, board.cards, rev, cards)
            put_checklists(conn, board.id, board.checklists, rev, checklists)
            put_labels(conn, board.id, board.labels)
            put_members(conn, board.id, board.members)
            packed = {"cards": snapshot_cards(board.cards), "checklists": checklists}
            blob = marshal.dumps(packed)
            conn.execute(
                "INSERT OR REPLACE INTO snapshots (board_id, rev, python, blob) VALUES (?,?,?,?)",
                (board.id, rev, PACKING, blob),
            )

        self._write(run)

    @staticmethod
    def _put_board_row(
        conn: sqlite3.Connection,
        board: Board,
        last_action_id: str | None,
        loaded_at: float | None,
    ) -> None:
        summary = board.with_changes(lists=(), cards=(), labels=(), members=(), checklists=())
        conn.execute(
            "INSERT INTO boards (id, name, closed, id_organization, json, last_action_id,"
            " loaded_at) VALUES (?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET"
            " name=excluded.name, closed=excluded.closed,"
            " id_organization=excluded.id_organization, json=excluded.json,"
            " last_action_id=coalesce(excluded.last_action_id, boards.last_action_id),"
            " loaded_at=coalesce(excluded.loaded_at, boards.loaded_at)",
            (
                board.id,
                board.name,
                int(board.closed),
                board.id_organization,
                dump(summary),
                last_action_id,
                loaded_at,
            ),
        )

    def load_board(self, board_id: str) -> CachedBoard | None:
        """The cached board with its lists, cards, checklists, labels and members, or None."""

        def run(conn: sqlite3.Connection) -> CachedBoard | None:
            row = conn.execute(
                "SELECT json, last_action_id, loaded_at FROM boards WHERE id=?", (board_id,)
            ).fetchone()
            if row is None or row[2] is None:
                return None
            data: dict[str, Any] = loads(row[0])
            q = "SELECT json FROM {} WHERE board_id=?"
            data["lists"] = rows_json(conn.execute(q.format("lists"), (board_id,)))
            data["labels"] = rows_json(conn.execute(q.format("labels"), (board_id,)))
            data["members"] = rows_json(
                conn.execute(
                    "SELECT m.json FROM members m JOIN board_members b ON b.member_id = m.id"
                    " WHERE b.board_id=?",
                    (board_id,),
                )
            )
            with no_collection():
                snapshot = read_snapshot(conn, board_id)
                # The cards are most of a big board: unpacked or decoded fast (rows.codec).
                cards = tuple(load_cards(conn, board_id, snapshot))
                data["checklists"] = load_rows(conn, "checklists", board_id, snapshot)
                data.pop("cards", None)
                board = Board.from_json(data)
            return CachedBoard(board.with_changes(cards=cards), row[1], row[2])

        return self._guard(run, None)

    def board_lists(self, board_id: str) -> list[TrelloList] | None:
        """A loaded board's open lists, left to right, without its cards; None if never loaded."""

        def run(conn: sqlite3.Connection) -> list[TrelloList] | None:
            row = conn.execute("SELECT loaded_at FROM boards WHERE id=?", (board_id,)).fetchone()
            if row is None or row[0] is None:
                return None
            rows = conn.execute(
                "SELECT json FROM lists WHERE board_id=? AND closed=0 ORDER BY pos, id", (board_id,)
            )
            return [TrelloList.from_json(item) for item in rows_json(rows)]

        return self._guard(run, None)

    def find_board(self, key: str) -> str | None:
        """The id of a cached board named ``key`` (id, short link or name), or None."""

        def run(conn: sqlite3.Connection) -> str | None:
            for row in conn.execute("SELECT id, name, json FROM boards"):
                if key in (row[0], row[1]) or loads(row[2]).get("shortLink") == key:
                    return str(row[0])
            return None

        return self._guard(run, None)

    def save_my_boards(self, boards: Sequence[Board]) -> None:
        """Remember the user's boards (the board picker works offline)."""

        def run(conn: sqlite3.Connection) -> None:
            conn.execute("UPDATE boards SET mine=0")
            for board in boards:
                self._put_board_row(conn, board, None, loaded_at=None)
                conn.execute("UPDATE boards SET mine=1 WHERE id=?", (board.id,))

        self._write(run)

    def my_boards(self) -> list[Board]:
        def run(conn: sqlite3.Connection) -> list[Board]:
            rows = conn.execute("SELECT json FROM boards WHERE mine=1 ORDER BY name")
            return [Board.from_json(item) for item in rows_json(rows)]

        return self._guard(run, [])

    def loaded_board_ids(self) -> list[str]:
        """Boards that have been fully loaded at least once (``sync --all`` refreshes them)."""

        def run(conn: sqlite3.Connection) -> list[str]:
            rows = conn.execute("SELECT id FROM boards WHERE loaded_at IS NOT NULL ORDER BY id")
            return [str(row[0]) for row in rows]

        return self._guard(run, [])

    def last_action_id(self, board_id: str) -> str | None:
        def run(conn: sqlite3.Connection) -> str | None:
            row = conn.execute(
                "SELECT last_action_id FROM boards WHERE id=?", (board_id,)
            ).fetchone()
            return None if row is None or row[0] is None else str(row[0])

        return self._guard(run, None)

    # -- incremental updates -----------------------------------------------------------------

    def apply(self, change: CacheWrite) -> None:
        """Write a batch of changes to one board in one transaction."""
        if change.empty:
            return

        def run(conn: sqlite3.Connection) -> None:
            board_id = change.board_id
            rev = bump(conn, board_id)
            put_lists(conn, board_id, change.lists.values())
            put_cards(conn, board_id, change.cards.values(), rev)
            if change.deleted_cards:
                # Scoped to this board: a card moved away keeps its row on its new board.
                conn.executemany(
                    "DELETE FROM cards WHERE id=? AND board_id=?",
                    [(i, board_id) for i in change.deleted_cards],
                )
            put_checklists(conn, board_id, change.checklists.values(), rev)
            if change.deleted_checklists:
                conn.executemany(
                    "DELETE FROM checklists WHERE id=?",
                    [(i,) for i in change.deleted_checklists],
                )
            put_labels(conn, board_id, change.labels.values())
            put_members(conn, board_id, change.members.values())
            if change.last_action_id:
                conn.execute(
                    "UPDATE boards SET last_action_id=? WHERE id=?",
                    (change.last_action_id, board_id),
                )

        self._write(run)

    def put_organizations(self, organizations: Iterable[Organization]) -> None:
        def run(conn: sqlite3.Connection) -> None:
            conn.executemany(
                "INSERT OR REPLACE INTO organizations (id, json) VALUES (?,?)",
                [(org.id, dump(org)) for org in organizations],
            )

        self._write(run)

    def organizations(self) -> list[Organization]:
        def run(conn: sqlite3.Connection) -> list[Organization]:
            rows = conn.execute("SELECT json FROM organizations ORDER BY id")
            return [Organization.from_json(item) for item in rows_json(rows)]

        return self._guard(run, [])

    def set_meta(self, key: str, value: str) -> None:
        def run(conn: sqlite3.Connection) -> None:
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?,?)", (key, value))

        self._write(run)

    def meta(self, key: str) -> str | None:
        def run(conn: sqlite3.Connection) -> str | None:
            row = conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
            return None if row is None else str(row[0])

        return self._guard(run, None)

    # -- across boards (the agenda, my cards) ----------------------------------------------

    def due_cards(self) -> list[Board]:
        """Each cached board with only its open cards that have a due date."""
        return self._guard(lambda conn: across.boards_with_cards(conn, across.DUE, ()), [])

    def member_cards(self, username: str) -> list[Board]:
        """Each cached board with only the open cards assigned to ``username``."""
        return self._guard(
            lambda conn: across.boards_with_cards(conn, across.MEMBER, (username,)), []
        )


class AsyncCache:
    """The cache for code on an event loop: every call runs on one dedicated worker thread.

    One thread (not ``to_thread``'s pool) keeps the calls in submission order, so a later
    write can never overtake an earlier one.
    """

    def __init__(self, cache: Cache) -> None:
        self.sync = cache
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="trello-cache")

    @classmethod
    async def open(
        cls, path: Path | None = None, *, report: Callable[[str], None] | None = None
    ) -> AsyncCache:
        loop = asyncio.get_running_loop()
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="trello-cache")
        cache = await loop.run_in_executor(executor, partial(Cache, path, report=report))
        self = cls.__new__(cls)
        self.sync = cache
        self._executor = executor
        return self

    async def _run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, partial(fn, *args, **kwargs))

    async def load_board(self, board_id: str) -> CachedBoard | None:
        return await self._run(self.sync.load_board, board_id)

    async def save_board(self, board: Board, *, last_action_id: str | None = None) -> None:
        await self._run(self.sync.save_board, board, last_action_id=last_action_id)

    async def apply(self, change: CacheWrite) -> None:
        await self._run(self.sync.apply, change)

    async def save_my_boards(self, boards: Sequence[Board]) -> None:
        await self._run(self.sync.save_my_boards, boards)

    async def my_boards(self) -> list[Board]:
        return await self._run(self.sync.my_boards)

    async def put_organizations(self, organizations: Iterable[Organization]) -> None:
        await self._run(self.sync.put_organizations, list(organizations))

    async def loaded_board_ids(self) -> list[str]:
        return await self._run(self.sync.loaded_board_ids)

    async def find_board(self, key: str) -> str | None:
        return await self._run(self.sync.find_board, key)

    async def last_action_id(self, board_id: str) -> str | None:
        return await self._run(self.sync.last_action_id, board_id)

    async def due_cards(self) -> list[Board]:
        return await self._run(self.sync.due_cards)

    async def member_cards(self, username: str) -> list[Board]:
        return await self._run(self.sync.member_cards, username)

    async def close(self) -> None:
        await self._run(self.sync.close)
        self._executor.shutdown(wait=False)
