"""Opening our SQLite files safely: WAL, a versioned schema, and a way out of bad files.

Both the cache and the outbox are SQLite files we own. Each carries an ``application_id``
(so a foreign SQLite file is recognised) and a ``user_version`` (the schema version, raised by
the migrations in order).

Two kinds of trouble are kept apart:

- **The file is bad**: SQLite itself says so (``SQLITE_CORRUPT``, ``SQLITE_NOTADB``, a failed
  ``PRAGMA quick_check``), or it belongs to something else, or a newer trello-tui wrote it.
  It is never opened for writing: it is renamed aside with its ``-wal``/``-shm`` companions,
  a message is reported, and a fresh file is built. A ``salvage`` function (the outbox has
  one) first reads every row it still can, and they are copied into the fresh file.
- **The place is bad** (a local fault): the disk is full, the folder is read-only, another
  program holds the lock, an I/O error. The file is left exactly as it is and
  ``StoreFault`` is raised, whose message names the file and says what to do. Treating these
  as corruption moved a full outbox aside and lost the writes in it.

We never crash and never silently destroy data a newer version may still want.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

log = logging.getLogger(__name__)

#: A migration brings the schema from version ``index`` to ``index + 1``.
Migration = Callable[[sqlite3.Connection], None]
#: Reads what it can of a damaged file: (table, column names, rows) to copy into the new one.
Rows = Sequence[tuple[str, Sequence[str], Sequence[Sequence[Any]]]]
Salvage = Callable[[Path], Rows]

#: a local fault, or ("damaged") a file found corrupt while in use: set aside at next open
Fault = Literal["full", "read-only", "locked", "io", "damaged"]

BUSY_TIMEOUT_S = 5.0


class UnusableDatabase(Exception):
    """The file exists but must not be used (foreign, newer or corrupt)."""


class DamagedRow(sqlite3.DatabaseError):
    """A row SQLite read but we cannot decode: the file is damaged (set aside like corrupt)."""


class StoreFault(Exception):
    """A local fault (disk full, read-only, locked, I/O): the file is fine and left as it is.

    ``str()`` is one line for the user: the file, what is wrong and what to do. A command it
    stops exits with ``EXIT_CODE`` (sysexits' EX_IOERR).
    """

    EXIT_CODE = 74

    def __init__(self, path: Path, kind: Fault, detail: str = "") -> None:
        self.path = path
        self.kind = kind
        self.detail = detail
        super().__init__(fault_message(path, kind))


def fault_message(path: Path, kind: Fault) -> str:
    folder = path.parent
    if kind == "full":
        return (
            f"{path} can't be written: the disk is full. Free some space on the disk of "
            f"{folder}, then run the command again"
        )
    if kind == "read-only":
        return (
            f"{path} can't be written: {folder} is read-only. Make it writable again "
            "(its mount or permissions), then run the command again"
        )
    if kind == "locked":
        return (
            f"{path} is locked by another program (another trello-tui, or a tool that has it "
            "open). Let it finish or close it, then run the command again"
        )
    return (
        f"{path} can't be read or written (I/O error). Check the disk, then run the command again"
    )


@dataclass(frozen=True, slots=True)
class Schema:
    """What a file of ours must look like."""

    application_id: int
    migrations: Sequence[Migration]

    @property
    def version(self) -> int:
        return len(self.migrations)


def sql_migration(script: str) -> Migration:
    """A migration that is a plain SQL script."""

    def run(conn: sqlite3.Connection) -> None:
        for statement in script.split(";"):
            if statement.strip():
                conn.execute(statement)

    return run


# -- telling a bad file from a bad place ------------------------------------------------------


def is_corrupt(exc: BaseException) -> bool:
    """True only when SQLite (or our decoding of its rows) proves the file damaged."""
    if isinstance(exc, DamagedRow | UnusableDatabase):
        return True
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None and str(exc).startswith("Could not decode to UTF-8"):
        return True  # bytes in a text column that we never wrote: damaged pages
    return isinstance(code, int) and code & 0xFF in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)


def _place_fault(path: Path) -> Fault | None:
    """What is wrong with the folder, if anything can be seen from outside."""
    folder = path.parent if path.parent.exists() else path.parent.parent
    try:
        if shutil.disk_usage(folder).free < 16 * 1024:
            return "full"
    except OSError:
        pass
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        return "read-only"
    return None


def classify(exc: BaseException, path: Path) -> Fault:
    """The local fault behind an error that does not prove the file corrupt."""
    if isinstance(exc, OSError):
        if exc.errno == errno.ENOSPC:
            return "full"
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return "read-only"
        return _place_fault(path) or "io"
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    if primary == sqlite3.SQLITE_FULL:
        return "full"
    if primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return "locked"
    if primary in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM):
        return "read-only"
    # CANTOPEN, IOERR and the rest: the folder usually tells (a -shm that can't be made).
    return _place_fault(path) or "io"


def fault(exc: BaseException, path: Path) -> StoreFault:
    detail = getattr(exc, "sqlite_errorname", None) or type(exc).__name__
    return StoreFault(path, classify(exc, path), str(detail))


# -- opening ----------------------------------------------------------------------------------


def _configure(conn: sqlite3.Connection, path: Path, *, durable: bool) -> None:
    conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
    mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()
    if mode is None or str(mode[0]).lower() != "wal":
        # A file SQLite could only open read-only stays in its old mode: not its fault.
        place = _place_fault(path)
        if place is not None:
            raise StoreFault(path, place, "journal_mode")
        raise UnusableDatabase("cannot switch to WAL")
    # NORMAL in WAL mode can lose the last commits on power loss but never corrupts; the
    # outbox asks for FULL because a write the user made must survive anything.
    conn.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
    conn.execute("PRAGMA foreign_keys=ON")


def _check(conn: sqlite3.Connection, schema: Schema, *, thorough: bool) -> int:
    """The file's schema version; raises UnusableDatabase for a file that is not ours."""
    app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    if app_id != schema.application_id and not (app_id == 0 and tables == 0):
        raise UnusableDatabase("not a trello-tui file")
    if version > schema.version:
        raise UnusableDatabase(f"written by a newer trello-tui (schema {version})")
    if thorough:
        found = conn.execute("PRAGMA quick_check(1)").fetchone()
        if found is None or found[0] != "ok":
            raise UnusableDatabase("damaged (quick_check failed)")
    return version


def _check_and_migrate(conn: sqlite3.Connection, schema: Schema, *, thorough: bool) -> None:
    version = _check(conn, schema, thorough=thorough)
    if version < schema.version:
        # One transaction for all steps: a kill mid-migration leaves the old version intact.
        with conn:
            conn.execute("BEGIN IMMEDIATE")
            for step in schema.migrations[version:]:
                step(conn)
            conn.execute(f"PRAGMA application_id={schema.application_id}")
            conn.execute(f"PRAGMA user_version={schema.version}")


def set_aside(path: Path, reason: str) -> Path:
    """Rename ``path`` and its companions aside; raises StoreFault if the folder won't let us."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.{reason}-{stamp}")
    n = 1
    while target.exists():
        target = path.with_name(f"{path.name}.{reason}-{stamp}-{n}")
        n += 1
    try:
        for suffix in ("", "-wal", "-shm"):
            companion = Path(str(path) + suffix)
            if companion.exists():
                companion.replace(Path(str(target) + suffix))
    except OSError as exc:
        raise fault(exc, path) from None
    return target


def _connect(path: Path, schema: Schema, *, durable: bool, thorough: bool) -> sqlite3.Connection:
    # isolation_level=None: we manage transactions ourselves (explicit BEGIN).
    conn = sqlite3.connect(
        path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_S
    )
    try:
        _configure(conn, path, durable=durable)
        _check_and_migrate(conn, schema, thorough=thorough)
    except BaseException:
        conn.close()
        raise
    return conn


def _copy_salvaged(conn: sqlite3.Connection, rows: Rows) -> int:
    """Insert the salvaged rows in one transaction; returns how many ``ops`` rows were kept."""
    copied = 0
    conn.execute("BEGIN IMMEDIATE")
    try:
        for table, columns, values in rows:
            marks = ",".join("?" * len(columns))
            sql = f"INSERT OR IGNORE INTO {table} ({','.join(columns)}) VALUES ({marks})"
            for value in values:
                done = conn.execute(sql, value).rowcount
                copied += done if table == "ops" else 0
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return copied


def open_database(
    path: Path,
    schema: Schema,
    *,
    durable: bool = False,
    thorough: bool = False,
    salvage: Salvage | None = None,
    report: Callable[[str], None] | None = None,
) -> sqlite3.Connection:
    """Open (creating or migrating) ``path``; a bad file is moved aside and rebuilt.

    ``thorough`` runs ``PRAGMA quick_check`` (cheap for a small file such as the outbox).
    ``salvage`` reads what it can of a damaged file before it is moved; its rows are copied
    into the fresh file. ``report`` receives a one-line message for the user whenever a file
    was set aside. A local fault raises ``StoreFault`` and leaves the file as it is.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise fault(exc, path) from None
    try:
        return _connect(path, schema, durable=durable, thorough=thorough)
    except (sqlite3.DatabaseError, UnusableDatabase) as exc:
        if not is_corrupt(exc):
            raise fault(exc, path) from None
        problem = exc
    reason = "newer" if "newer" in str(problem) else "unusable"
    if salvage is not None and reason != "newer":
        moved, copied = _rebuild(path, schema, salvage, reason)
    else:
        moved, copied = set_aside(path, reason), 0
    try:
        conn = _connect(path, schema, durable=durable, thorough=False)
    except (sqlite3.DatabaseError, UnusableDatabase) as exc:
        raise fault(exc, path) from None
    kept = f" with the {copied} write(s) still readable in it" if salvage is not None else ""
    why = str(problem).split(" with text ")[0][:80]  # never echo stored data
    message = (
        f"{path.name} could not be used ({why}); moved it to {moved.name} and started afresh{kept}"
    )
    log.warning(message)
    if report is not None:
        report(message)
    return conn


def _companions(path: Path) -> list[Path]:
    return [Path(str(path) + suffix) for suffix in ("", "-wal", "-shm")]


def _rebuild(path: Path, schema: Schema, salvage: Salvage, reason: str) -> tuple[Path, int]:
    """Copy what ``path`` still holds into a fresh file, then swap them; (moved to, rows kept).

    The fresh file is complete before the damaged one is moved: a fault meanwhile (a full
    disk) leaves the damaged file in place, with every row it still holds.
    """
    rows = salvage(path)
    fresh = path.with_name(path.name + ".salvage")
    try:
        for leftover in _companions(fresh):
            leftover.unlink(missing_ok=True)
        conn = _connect(fresh, schema, durable=True, thorough=False)
        try:
            copied = _copy_salvaged(conn, rows)
        finally:
            conn.close()  # the last connection checkpoints: all of it is in the main file
    except (sqlite3.DatabaseError, UnusableDatabase, OSError) as exc:
        for leftover in _companions(fresh):
            with contextlib.suppress(OSError):
                leftover.unlink(missing_ok=True)
        raise fault(exc, path) from None
    moved = set_aside(path, reason)
    try:
        fresh.replace(path)
    except OSError as exc:
        raise fault(exc, path) from None
    return moved, copied


def open_readonly(path: Path, schema: Schema) -> sqlite3.Connection | None:
    """A read-only connection to what ``path`` holds (for a folder we can't write), or None.

    ``mode=ro`` still needs a ``-shm`` file; where even that can't be made, ``immutable=1``
    reads the main file as it is (the last checkpointed state).
    """
    if not path.exists():
        return None
    for options in ("mode=ro", "mode=ro&immutable=1"):
        try:
            conn = sqlite3.connect(
                f"{path.resolve().as_uri()}?{options}",
                uri=True,
                isolation_level=None,
                check_same_thread=False,
                timeout=BUSY_TIMEOUT_S,
            )
        except sqlite3.DatabaseError:
            continue
        try:
            conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
            if _check(conn, schema, thorough=False) == schema.version:
                return conn
        except (sqlite3.DatabaseError, UnusableDatabase):
            pass
        conn.close()
    return None


def memory_database(schema: Schema, source: sqlite3.Connection | None = None) -> sqlite3.Connection:
    """An in-memory file of ``schema``: a copy of ``source`` if it can be read, else empty."""
    conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    if source is not None:
        try:
            source.backup(conn)
            if _check(conn, schema, thorough=False) == schema.version:
                return conn
        except (sqlite3.DatabaseError, UnusableDatabase):
            pass
        conn.close()
        conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    _check_and_migrate(conn, schema, thorough=False)
    return conn
