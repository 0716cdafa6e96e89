"""``trello-tui export BOARD [--format json|markdown|csv] [--output FILE]``.

Reads the board from the local cache only: it works offline, makes no request and needs no
credentials. ``BOARD`` is an id, short link or name, as ``--board``. A board the cache does not
hold (never opened, or only seen in the board list) is refused with exit code 1 and a message
saying how to get it there: open it once in the app, or ``trello-tui sync --board BOARD``.
Fetching it here instead would hide a network round trip (and the outbox drain ``sync`` does)
inside a command people run from scripts; being explicit keeps ``export`` fast and predictable.

The export is what Trello last confirmed: writes still waiting in the outbox are not in it,
and a note on stderr says how many there are. Output goes to stdout unless ``--output`` names
a file; it is always UTF-8, and CSV keeps its CRLF row ends byte for byte.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path
from typing import BinaryIO, TextIO

from trello_tui import paths
from trello_tui.cli_io import clean
from trello_tui.export import render
from trello_tui.store.cache import Cache


def _how_to_cache(key: str) -> str:
    return (
        f"Open it once in trello-tui (trello-tui --board {shlex.quote(key)}), or run "
        f"`trello-tui sync --board {shlex.quote(key)}`, then export again."
    )


def _pending_writes(board_id: str) -> int:
    """How many writes to this board wait in the outbox (0 when there is no outbox)."""
    path = paths.outbox_db()
    if not path.exists():
        return 0
    from trello_tui.store.db import StoreFault
    from trello_tui.store.outbox import Outbox

    try:
        outbox = Outbox(path)
    except StoreFault as problem:  # a full or read-only folder: what it holds is still readable
        outbox = Outbox.reading(path, problem)
    try:
        return outbox.count(board_id)
    finally:
        outbox.close()


def export(
    key: str,
    fmt: str,
    output: Path | None = None,
    *,
    out: BinaryIO | None = None,
    err: TextIO | None = None,
) -> int:
    """The command's work; returns the exit code (0 exported, 1 not cached or unwritable)."""
    err = clean(err if err is not None else sys.stderr)
    path = paths.cache_db()
    if not path.exists():
        err.write(f"No local cache yet, so board {key!r} is not cached. {_how_to_cache(key)}\n")
        return 1
    stream_err = err

    def note(message: str) -> None:  # a damaged cache file is set aside: say so
        stream_err.write(message + "\n")

    cache = Cache(path, report=note)
    try:
        board_id = cache.find_board(key)
        cached = cache.load_board(board_id) if board_id is not None else None
    finally:
        cache.close()
    if board_id is None:
        err.write(f"No board {key!r} in the local cache. {_how_to_cache(key)}\n")
        return 1
    if cached is None:
        err.write(
            f"Board {key!r} is in your board list, but its cards were never loaded. "
            f"{_how_to_cache(key)}\n"
        )
        return 1
    board = cached.board
    data = render(board, fmt).encode("utf-8")
    if output is None:
        stream = out if out is not None else sys.stdout.buffer
        try:
            stream.write(data)
            stream.flush()
        except BrokenPipeError:
            # `export … | head`: the reader has all it wanted; stay quiet at exit too
            if out is None:
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
    else:
        try:
            output.write_bytes(data)
        except OSError as error:
            err.write(f"Cannot write {output}: {error.strerror or error}\n")
            return 1
        err.write(
            f"Exported {board.name!r} ({len(board.lists)} lists, {len(board.cards)} cards) "
            f"as {fmt} to {output}\n"
        )
    pending = _pending_writes(board.id)
    if pending:
        err.write(
            f"Note: {pending} change(s) to this board are not yet confirmed by Trello and are "
            "not in the export (run `trello-tui sync` to send them).\n"
        )
    return 0


def run_from_cli(args: argparse.Namespace) -> int:
    """Entry point of ``trello-tui export`` (its arguments are declared in ``cli.py``)."""
    output = Path(args.output) if args.output else None
    return export(args.board, args.format, output)
