"""The outbox: every write the user made, on disk before it is sent, until Trello confirms it.

One SQLite file in the state directory (``paths.outbox_db()``), WAL with ``synchronous=FULL``
so a committed row survives a kill or a power cut. Rows are kept in submission order
(``seq``) and move through these states::

    pending --mark_sent--> sent --confirm--> (row deleted)
       ^                     |
       |                     +--fail-------> failed --retry--> pending
       +---------------------+ (transient: back to pending)     \\--discard--> (deleted)

A row still ``sent`` when the program starts is a write whose outcome is unknown (killed
mid-request): the engine must reconcile it before sending it again, so a create is never
duplicated. ``sent_at`` and ``context`` (what the sender noted, such as Trello's clock
offset) help that.

When a create is confirmed, ``confirm`` deletes it, records ``temp id -> real id`` and rewrites
the later rows that named the temporary id, all in one transaction.

The store knows nothing of operations: a row's ``body`` is the operation's JSON.

The outbox is never set aside while it may hold a write that can still be read: it is checked
(``quick_check``) at every open, and a damaged file has every row SQLite can still read copied
into a fresh one before it is moved aside (``salvage``). A local fault (disk full, read-only
folder, locked by another program) raises ``StoreFault`` and leaves every row where it is;
``Outbox.reading`` opens such a file read-only, so the app can still show what is queued.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, ParamSpec, TextIO, TypeVar

from trello_tui import paths
from trello_tui.store.db import (
    Schema,
    StoreFault,
    fault,
    is_corrupt,
    memory_database,
    open_database,
    open_readonly,
    sql_migration,
)

APPLICATION_ID = 0x54544F31  # "TTO1"

_V1 = """
CREATE TABLE ops (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    op_id TEXT NOT NULL UNIQUE,
    board_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    sent_at REAL,
    context TEXT,
    error TEXT);
CREATE INDEX ops_by_board ON ops(board_id, seq);
CREATE TABLE id_map (temp_id TEXT PRIMARY KEY, real_id TEXT NOT NULL, board_id TEXT NOT NULL)
"""

#: rows taken back (an undo before sending, a refused write dropped): another process that
#: showed the write then rolls it back instead of taking it for confirmed
_V2 = """
CREATE TABLE dropped (op_id TEXT PRIMARY KEY, board_id TEXT NOT NULL, at REAL NOT NULL)
"""

SCHEMA = Schema(application_id=APPLICATION_ID, migrations=(sql_migration(_V1), sql_migration(_V2)))
#: how long a dropped row is remembered (another process re-reads within a second)
DROPPED_KEEP_S = 24 * 3600.0

PENDING = "pending"
SENT = "sent"
FAILED = "failed"

T = TypeVar("T")
P = ParamSpec("P")

try:
    import fcntl  # noqa: F401

    _HAS_FLOCK = True
except ImportError:  # pragma: no cover - not POSIX: no cross-process guard
    _HAS_FLOCK = False


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """One stored write."""

    seq: int
    op_id: str
    board_id: str
    kind: str
    body: dict[str, Any]
    state: str
    attempts: int
    created_at: float
    sent_at: float | None
    context: dict[str, Any] | None
    error: str | None


def _dumps(data: Mapping[str, Any]) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


_COLUMNS = "seq, op_id, board_id, kind, body, state, attempts, created_at, sent_at, context, error"
_TABLES = (("ops", tuple(_COLUMNS.split(", "))), ("id_map", ("temp_id", "real_id", "board_id")))
#: a damaged file is read row by row up to this many rows (a real outbox holds a few dozen)
_SALVAGE_LIMIT = 100_000


def _readable_rows(conn: sqlite3.Connection, table: str, columns: tuple[str, ...]) -> list[Any]:
    """Every row of ``table`` SQLite can still read: all at once, else one rowid at a time."""
    names = ",".join(columns)
    try:
        return conn.execute(f"SELECT {names} FROM {table} ORDER BY rowid").fetchall()
    except sqlite3.DatabaseError:
        pass
    try:
        top = int(conn.execute(f"SELECT max(rowid) FROM {table}").fetchone()[0] or 0)
    except sqlite3.DatabaseError:
        top = _SALVAGE_LIMIT
    rows: list[Any] = []
    for rowid in range(1, min(top, _SALVAGE_LIMIT) + 1):
        with contextlib.suppress(sqlite3.DatabaseError):
            rows += conn.execute(f"SELECT {names} FROM {table} WHERE rowid=?", (rowid,)).fetchall()
    return rows


def salvage(path: Path) -> list[tuple[str, tuple[str, ...], list[Any]]]:
    """What a damaged outbox still holds, table by table (never raises: nothing is nothing)."""
    for options in ("mode=ro", "mode=ro&immutable=1"):
        try:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?{options}", uri=True)
        except sqlite3.DatabaseError:
            continue
        try:
            return [(table, cols, _readable_rows(conn, table, cols)) for table, cols in _TABLES]
        finally:
            conn.close()
    return []


def _drop(conn: sqlite3.Connection, op_id: str, condition: str) -> bool:
    """Delete a row (``condition`` narrows it) and remember that it was dropped."""
    row = conn.execute(f"SELECT board_id FROM ops WHERE op_id=?{condition}", (op_id,)).fetchone()
    if row is None:
        return False
    conn.execute("DELETE FROM ops WHERE op_id=?", (op_id,))
    now = time.time()
    conn.execute("DELETE FROM dropped WHERE at < ?", (now - DROPPED_KEEP_S,))
    conn.execute("INSERT OR REPLACE INTO dropped VALUES (?,?,?)", (op_id, row[0], now))
    return True


def _entry(row: tuple[Any, ...]) -> OutboxEntry:
    return OutboxEntry(
        seq=int(row[0]),
        op_id=str(row[1]),
        board_id=str(row[2]),
        kind=str(row[3]),
        body=json.loads(row[4]),
        state=str(row[5]),
        attempts=int(row[6]),
        created_at=float(row[7]),
        sent_at=None if row[8] is None else float(row[8]),
        context=None if row[9] is None else json.loads(row[9]),
        error=None if row[10] is None else str(row[10]),
    )


class Outbox:
    """The outbox file; every public method is one durable transaction.

    Only one process may send the outbox at a time (the app and a ``trello-tui sync`` from
    cron must not both send the same write): ``claim_sender`` takes an advisory lock on a
    companion ``.lock`` file for as long as this object lives (or until ``release_sender``).
    The kernel drops the lock when its holder dies, so a process that tries again takes the
    role over (``SyncEngine`` tries every second while it has writes to send).

    Every other process reaches the sender through the file: ``data_version`` changes when
    another connection commits, so the sender notices new rows with one cheap read (no
    socket or wake-up file to leave behind after a kill). The sender ``claim``s a row in a
    transaction before its request leaves, and only while it holds the lock.
    """

    def __init__(
        self, path: Path | None = None, *, report: Callable[[str], None] | None = None
    ) -> None:
        self.path = path if path is not None else paths.outbox_db()
        self.messages: list[str] = []

        def note(message: str) -> None:
            self.messages.append(message)
            if report is not None:
                report(message)

        self._lock = threading.RLock()
        #: set when the file can only be read (``reading``): every write raises it
        self.fault: StoreFault | None = None
        self._conn = open_database(
            self.path, SCHEMA, durable=True, thorough=True, salvage=salvage, report=note
        )
        self._sender_lock: TextIO | None = None

    @classmethod
    def reading(cls, path: Path | None, problem: StoreFault) -> Outbox:
        """The outbox of a folder with a local fault, read-only: what it holds can be shown
        (empty if it can't be read at all); every write raises ``problem``."""
        self = cls.__new__(cls)
        self.path = path if path is not None else paths.outbox_db()
        self.messages = []
        self._lock = threading.RLock()
        self.fault = problem
        self._sender_lock = None
        self._conn = open_readonly(self.path, SCHEMA) or memory_database(SCHEMA)
        return self

    def _fault(self, exc: sqlite3.DatabaseError) -> StoreFault:
        if is_corrupt(exc):
            return StoreFault(self.path, "damaged", getattr(exc, "sqlite_errorname", ""))
        return fault(exc, self.path)

    @staticmethod
    def _local(exc: BaseException) -> bool:
        """An error of the file or of its place (not a constraint or a misuse of ours)."""
        return type(exc) in (sqlite3.DatabaseError, sqlite3.OperationalError) or is_corrupt(exc)

    def close(self) -> None:
        with self._lock:
            self._conn.close()
            if self._sender_lock is not None:
                self._sender_lock.close()  # closing the file releases the lock
                self._sender_lock = None

    def claim_sender(self) -> bool:
        """True if this process may send the outbox (no other process is sending it)."""
        with self._lock:
            if self._sender_lock is not None:
                return True
            if self.fault is not None:
                raise self.fault  # nothing may be sent that can't be marked sent first
            try:
                import fcntl
            except ImportError:  # pragma: no cover - not POSIX: no cross-process guard
                return True
            lock_path = Path(str(self.path) + ".lock")
            try:
                handle = open(lock_path, "a", encoding="utf-8")  # noqa: SIM115
            except OSError as exc:
                raise fault(exc, self.path) from None
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.close()
                return False
            self._sender_lock = handle
            return True

    @property
    def holds_sender(self) -> bool:
        """Whether this object holds the sender lock now."""
        return self._sender_lock is not None

    def release_sender(self) -> None:
        """Give up the sender role (another process may take it at once)."""
        with self._lock:
            if self._sender_lock is not None:
                self._sender_lock.close()
                self._sender_lock = None

    def data_version(self) -> int:
        """A number that changes whenever another connection (another process, or another
        Outbox object on the file) commits a change: ``PRAGMA data_version``."""
        return self._read(lambda conn: int(conn.execute("PRAGMA data_version").fetchone()[0]))

    def _tx(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        with self._lock:
            if self.fault is not None:
                raise self.fault
            conn = self._conn
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    result = fn(conn)
                    conn.execute("COMMIT")
                except BaseException:
                    # SQLite may have rolled back already (a full disk does).
                    if conn.in_transaction:
                        with contextlib.suppress(sqlite3.Error):
                            conn.execute("ROLLBACK")
                    raise
            except sqlite3.DatabaseError as exc:
                if self._local(exc):
                    raise self._fault(exc) from None
                raise
            return result

    def _read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        with self._lock:
            try:
                return fn(self._conn)
            except sqlite3.DatabaseError as exc:
                if self._local(exc):
                    raise self._fault(exc) from None
                raise

    def _query(self, sql: str, args: tuple[Any, ...] = ()) -> list[OutboxEntry]:
        return self._read(lambda conn: [_entry(row) for row in conn.execute(sql, args)])

    # -- writing -----------------------------------------------------------------------------

    def add(self, op_id: str, board_id: str, kind: str, body: Mapping[str, Any]) -> int:
        """Store a new write; returns its sequence number."""

        def run(conn: sqlite3.Connection) -> int:
            cur = conn.execute(
                "INSERT INTO ops (op_id, board_id, kind, body, created_at) VALUES (?,?,?,?,?)",
                (op_id, board_id, kind, _dumps(body), time.time()),
            )
            return int(cur.lastrowid or 0)

        return self._tx(run)

    def update(self, op_id: str, body: Mapping[str, Any]) -> None:
        """Store a changed body (re-based, or merged with a later write)."""
        self._tx(
            lambda conn: (
                conn.execute("UPDATE ops SET body=? WHERE op_id=?", (_dumps(body), op_id)).rowcount
            )
        )

    def mark_sent(self, op_id: str, context: Mapping[str, Any] | None = None) -> None:
        """Recorded just before the request leaves: from now on the outcome may be unknown."""
        self._tx(
            lambda conn: (
                conn.execute(
                    "UPDATE ops SET state='sent', attempts=attempts+1, sent_at=?,"
                    " context=coalesce(?, context) WHERE op_id=?",
                    (time.time(), None if context is None else _dumps(context), op_id),
                ).rowcount
            )
        )

    def claim(self, op_id: str, context: Mapping[str, Any] | None = None) -> bool:
        """The sender's claim, just before the request leaves: ``mark_sent`` in one
        transaction, only while this object holds the sender lock and only for a row still
        waiting (``pending``, or ``sent`` by a sender whose answer was lost: reconciled first).
        False if the row was confirmed, discarded or refused meanwhile (by another process
        that sent before it gave the role up): it must not be sent."""
        if not self.holds_sender and _HAS_FLOCK:
            return False

        def run(conn: sqlite3.Connection) -> bool:
            cur = conn.execute(
                "UPDATE ops SET state='sent', attempts=attempts+1, sent_at=?,"
                " context=coalesce(?, context) WHERE op_id=? AND state IN ('pending', 'sent')",
                (time.time(), None if context is None else _dumps(context), op_id),
            )
            return cur.rowcount == 1

        return self._tx(run)

    def mark_pending(self, op_id: str, error: str | None = None) -> None:
        """A transient failure that surely did not apply: send again later."""
        self._tx(
            lambda conn: (
                conn.execute(
                    "UPDATE ops SET state='pending', error=? WHERE op_id=? AND state='sent'",
                    (error, op_id),
                ).rowcount
            )
        )

    def confirm(
        self,
        op_id: str,
        *,
        swap: tuple[str, str] | None = None,
        rewritten: Iterable[tuple[str, Mapping[str, Any]]] = (),
    ) -> None:
        """Trello confirmed ``op_id``: delete it, remember an id swap, store rewritten rows."""
        items = list(rewritten)

        def run(conn: sqlite3.Connection) -> None:
            row = conn.execute("SELECT board_id FROM ops WHERE op_id=?", (op_id,)).fetchone()
            if row is None:
                return  # confirmed (or discarded) already: its later rows were rewritten then
            conn.execute("DELETE FROM ops WHERE op_id=?", (op_id,))
            if swap is not None and row is not None:
                conn.execute(
                    "INSERT OR REPLACE INTO id_map (temp_id, real_id, board_id) VALUES (?,?,?)",
                    (swap[0], swap[1], row[0]),
                )
            conn.executemany(
                "UPDATE ops SET body=? WHERE op_id=?", [(_dumps(b), i) for i, b in items]
            )

        self._tx(run)

    def fail(self, op_id: str, error: str) -> None:
        """Trello refused the write for good: keep it for the user to retry or discard."""
        self._tx(
            lambda conn: (
                conn.execute(
                    "UPDATE ops SET state='failed', error=? WHERE op_id=?"
                    " AND state IN ('pending', 'sent')",
                    (error, op_id),
                ).rowcount
            )
        )

    def retry(self, op_id: str) -> None:
        """Send a failed write again, after everything stored so far (it is re-applied last)."""

        def run(conn: sqlite3.Connection) -> None:
            top = conn.execute("SELECT coalesce(max(seq), 0) FROM ops").fetchone()[0]
            conn.execute(
                "UPDATE ops SET seq=?, state='pending', error=NULL WHERE op_id=?",
                (int(top) + 1, op_id),
            )

        self._tx(run)

    def discard(self, op_id: str) -> None:
        """Forget a write for good (a refused one the user dropped)."""
        self._tx(lambda conn: _drop(conn, op_id, ""))

    def withdraw(self, op_id: str) -> bool:
        """Take back a write not sent yet (an undo); False if the sender has claimed it."""
        return self._tx(lambda conn: _drop(conn, op_id, " AND state='pending'"))

    # -- reading -----------------------------------------------------------------------------

    def entries(self, board_id: str | None = None) -> list[OutboxEntry]:
        """Every stored write (all states), oldest first."""
        if board_id is None:
            return self._query(f"SELECT {_COLUMNS} FROM ops ORDER BY seq")
        return self._query(f"SELECT {_COLUMNS} FROM ops WHERE board_id=? ORDER BY seq", (board_id,))

    def get(self, op_id: str) -> OutboxEntry | None:
        found = self._query(f"SELECT {_COLUMNS} FROM ops WHERE op_id=?", (op_id,))
        return found[0] if found else None

    def count(self, board_id: str | None = None, state: str | None = None) -> int:
        sql = "SELECT count(*) FROM ops WHERE 1=1"
        args: list[Any] = []
        if board_id is not None:
            sql += " AND board_id=?"
            args.append(board_id)
        if state is not None:
            sql += " AND state=?"
            args.append(state)
        return self._read(lambda conn: int(conn.execute(sql, args).fetchone()[0]))

    def snapshot(self, board_id: str) -> tuple[list[OutboxEntry], dict[str, str], set[str]]:
        """A board's rows, its id map and the rows dropped from it, read in one transaction
        (so a row confirmed between two reads is never seen missing without its id)."""

        def run(conn: sqlite3.Connection) -> tuple[list[OutboxEntry], dict[str, str], set[str]]:
            conn.execute("BEGIN")
            try:
                rows = conn.execute(
                    f"SELECT {_COLUMNS} FROM ops WHERE board_id=? ORDER BY seq", (board_id,)
                )
                entries = [_entry(row) for row in rows]
                ids = conn.execute(
                    "SELECT temp_id, real_id FROM id_map WHERE board_id=?", (board_id,)
                )
                id_map = {str(a): str(b) for a, b in ids}
                gone = conn.execute("SELECT op_id FROM dropped WHERE board_id=?", (board_id,))
                dropped = {str(row[0]) for row in gone}
            finally:
                conn.execute("COMMIT")
            return entries, id_map, dropped

        return self._read(run)

    def board_ids(self) -> list[str]:
        def run(conn: sqlite3.Connection) -> list[str]:
            rows = conn.execute("SELECT DISTINCT board_id FROM ops ORDER BY board_id")
            return [str(row[0]) for row in rows]

        return self._read(run)

    def id_map(self, board_id: str | None = None) -> dict[str, str]:
        def run(conn: sqlite3.Connection) -> dict[str, str]:
            if board_id is None:
                rows = conn.execute("SELECT temp_id, real_id FROM id_map")
            else:
                rows = conn.execute(
                    "SELECT temp_id, real_id FROM id_map WHERE board_id=?", (board_id,)
                )
            return {str(a): str(b) for a, b in rows}

        return self._read(run)


class AsyncOutbox:
    """The outbox for code on an event loop: calls run in order on one worker thread."""

    def __init__(self, outbox: Outbox) -> None:
        self.sync = outbox
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="trello-outbox")

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, partial(fn, *args, **kwargs))

    async def close(self) -> None:
        await self.run(self.sync.close)
        self._executor.shutdown(wait=False)


def fault_note(problem: StoreFault, done: str = "Nothing new was queued or sent") -> str:
    """The message for a command stopped by an outbox fault: the fix, what was ``done``, and
    how many writes the file keeps."""
    if problem.path.name != paths.outbox_db().name or not problem.path.exists():
        return f"{problem}. {done}"
    try:
        kept = Outbox.reading(problem.path, problem)
        try:
            count = kept.count()
        finally:
            kept.close()
    except (StoreFault, sqlite3.Error):
        return f"{problem}. {done}; the writes waiting in it are kept"
    return f"{problem}. {done}; the {count} write(s) waiting in it are kept"
