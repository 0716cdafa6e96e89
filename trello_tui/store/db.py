"""Opening our SQLite files safely: WAL, a versioned schema, and a way out of bad files.

Both the cache and the outbox are SQLite files we own. Each carries an ``application_id``
(so a foreign SQLite file is recognised) and a ``user_version`` (the schema version, raised by
the migrations in order). A file that is not SQLite, is damaged, belongs to something else or
was written by a newer trello-tui is never opened for writing: it is renamed aside with its
``-wal``/``-shm`` companions, a message is reported, and a fresh file is built. We never crash
and never silently destroy data a newer version may still want.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

#: A migration brings the schema from version ``index`` to ``index + 1``.
Migration = Callable[[sqlite3.Connection], None]


class UnusableDatabase(Exception):
    """The file exists but must not be used (foreign, newer or corrupt)."""


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


def _configure(conn: sqlite3.Connection, *, durable: bool) -> None:
    mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()
    if mode is None or str(mode[0]).lower() != "wal":
        raise UnusableDatabase("cannot switch to WAL")
    # NORMAL in WAL mode can lose the last commits on power loss but never corrupts; the
    # outbox asks for FULL because a write the user made must survive anything.
    conn.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=5000")


def _check_and_migrate(conn: sqlite3.Connection, schema: Schema) -> None:
    app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    if app_id != schema.application_id and not (app_id == 0 and tables == 0):
        raise UnusableDatabase("not a trello-tui file")
    if version > schema.version:
        raise UnusableDatabase(f"written by a newer trello-tui (schema {version})")
    if version < schema.version:
        # One transaction for all steps: a kill mid-migration leaves the old version intact.
        with conn:
            conn.execute("BEGIN IMMEDIATE")
            for step in schema.migrations[version:]:
                step(conn)
            conn.execute(f"PRAGMA application_id={schema.application_id}")
            conn.execute(f"PRAGMA user_version={schema.version}")


def set_aside(path: Path, reason: str) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.{reason}-{stamp}")
    n = 1
    while target.exists():
        target = path.with_name(f"{path.name}.{reason}-{stamp}-{n}")
        n += 1
    for suffix in ("", "-wal", "-shm"):
        companion = Path(str(path) + suffix)
        if companion.exists():
            companion.replace(Path(str(target) + suffix))
    return target


def open_database(
    path: Path,
    schema: Schema,
    *,
    durable: bool = False,
    report: Callable[[str], None] | None = None,
) -> sqlite3.Connection:
    """Open (creating or migrating) ``path``; a bad file is moved aside and rebuilt.

    ``report`` receives a one-line message for the user whenever a file was set aside.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    for attempt in range(2):
        conn: sqlite3.Connection | None = None
        try:
            # isolation_level=None: we manage transactions ourselves (explicit BEGIN).
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            _configure(conn, durable=durable)
            _check_and_migrate(conn, schema)
            return conn
        except (sqlite3.DatabaseError, UnusableDatabase) as exc:
            if conn is not None:
                conn.close()
            if attempt:
                raise
            reason = "newer" if "newer" in str(exc) else "unusable"
            moved = set_aside(path, reason)
            message = (
                f"{path.name} could not be used ({exc}); "
                f"moved it to {moved.name} and started afresh"
            )
            log.warning(message)
            if report is not None:
                report(message)
    raise AssertionError("unreachable")  # pragma: no cover
