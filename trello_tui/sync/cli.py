"""``trello-tui sync [--board B] [--all]``: refresh the cache and drain the outbox, headless.

Which boards: ``--board`` (an id, short link or name; repeatable), or ``--all`` (every open
board of the user, listed with one request), or by default the boards that have writes
waiting in the outbox, the last board opened in the app, and every board already cached.
Each board gets a full load into the cache, then its outbox is sent in order (a write whose
outcome is unknown is reconciled first, as in the app). The user's board list and workspaces
are refreshed too, so the board picker works offline.

Progress goes to stderr (through :func:`trello_tui.cli_io.clean`: a board's name is shown,
never obeyed): a bar on a terminal, one line per board otherwise. Each request to Trello has
an overall deadline (``[sync] answer_within_s``): when Trello does not answer in time the
command says so and stops asking, every write staying in the outbox. The exit code is
0 when every board synced and every write was confirmed, 1 when something is left (a write
Trello refused, a board that could not be loaded, the board list refused or rate limited,
Trello silent), 2 without credentials or when Trello refuses them, 74 (EX_IOERR) when
the outbox can't be written (disk full, read-only, locked: the message names the file and the
fix; every write in it is kept, and nothing is sent that could not be marked sent first).

Never imports Textual: it runs from shell scripts and cron.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TextIO

from trello_tui.cli_io import clean, control
from trello_tui.cli_waits import DEFAULT_S, advice, answer_within_s, no_answer
from trello_tui.store.cache import AsyncCache, Cache
from trello_tui.store.db import StoreFault
from trello_tui.store.outbox import AsyncOutbox, Outbox, fault_note
from trello_tui.sync.engine import SyncEngine
from trello_tui.trello import calls
from trello_tui.trello.client import TrelloClient
from trello_tui.trello.errors import AuthError, TrelloError
from trello_tui.trello.models import Board
from trello_tui.trello.queue import RequestQueue

#: the outbox can't be written (sysexits' EX_IOERR)
EXIT_STORE = StoreFault.EXIT_CODE

#: how long one board's outbox may take to drain before the command gives up on it
DRAIN_LIMIT_S = 120.0


class _Silent(Exception):
    """Trello did not answer within the deadline: nothing more is asked of it this run."""


class Progress:
    """A one-line progress bar on a terminal; plain lines elsewhere."""

    def __init__(self, total: int, stream: TextIO | None = None, width: int = 24) -> None:
        self.total = max(1, total)
        self.done = 0
        self.stream = clean(stream if stream is not None else sys.stderr)
        self.width = width
        self.tty = self.stream.isatty()

    def show(self, text: str) -> None:
        filled = round(self.width * self.done / self.total)
        bar = "#" * filled + "-" * (self.width - filled)
        line = f"[{bar}] {self.done}/{self.total} {text}"
        if self.tty:
            control(self.stream, "\r\x1b[2K")  # back to the line's start, erase it
            self.stream.write(line[:200])
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def step(self, text: str) -> None:
        self.done += 1
        self.show(text)

    def finish(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


async def _board_ids(
    client: TrelloClient,
    cache: AsyncCache,
    outbox: AsyncOutbox,
    keys: list[str],
    every: bool,
    last_board: str | None,
    err: TextIO,
    within_s: float = DEFAULT_S,
) -> tuple[list[str], dict[str, str], int]:
    """The boards to sync, their names, and the exit code so far (1: a requested board was
    not found or the list could not be had; 2: Trello refuses the credentials)."""
    names: dict[str, str] = {}
    mine: list[Board] = []
    code = 0
    try:
        async with asyncio.timeout(within_s):
            mine = await client.send(calls.my_boards())
            await cache.save_my_boards(mine)
            orgs = await client.send(calls.my_organizations())
            await cache.put_organizations(orgs)
    except TimeoutError:
        raise _Silent from None
    except AuthError as error:
        err.write(f"Could not list your boards: {advice(error)}\n")
        return [], names, 2  # every other request would be refused the same way
    except TrelloError as error:
        err.write(f"Could not list your boards: {advice(error)}\n")
        code = 1
    names.update({b.id: b.name for b in mine})
    if keys:
        wanted: list[str] = []
        for key in keys:
            match = next((b.id for b in mine if key in (b.id, b.short_link, b.name)), None)
            match = match or await cache.find_board(key)
            if match is None:
                err.write(f"No board named {key!r}.\n")
                code = 1
            elif match not in wanted:
                wanted.append(match)
        return wanted, names, code
    if every:
        return [b.id for b in mine if not b.closed], names, code
    ids = await outbox.run(outbox.sync.board_ids)
    ids += [last_board] if last_board else []
    ids += await cache.loaded_board_ids()
    return list(dict.fromkeys(ids)), names, code


async def _sync_board(
    queue: RequestQueue,
    cache: AsyncCache,
    outbox: AsyncOutbox,
    board_id: str,
    within_s: float = DEFAULT_S,
) -> tuple[bool, list[str]]:
    """Load one board into the cache and drain its outbox; (loaded, problems)."""
    engine = SyncEngine(queue, cache, outbox, board_id)
    problems: list[str] = []
    await engine.start(refresh=False)
    try:
        async with asyncio.timeout(within_s):
            loaded = await engine.resume()  # (the actions since the cache, or a full load)
    except TimeoutError:
        await engine.close()
        raise _Silent from None
    if not loaded:
        problems.append(f"could not load it ({engine.status.text()})")
    sender = await outbox.run(outbox.sync.claim_sender)
    if loaded and not sender and engine.status.pending:
        # The app (or another sync) is sending this outbox: it will deliver these writes.
        problems.append(f"{engine.status.pending} writes left to the trello-tui that is running")
    elif loaded and not await engine.settled(DRAIN_LIMIT_S):
        problems.append(f"{engine.status.pending} writes still pending")
    elif not loaded and engine.status.pending:
        problems.append(f"{engine.status.pending} writes kept for the next sync")
    problems += [f"write refused: {message}" for _, message in engine.failed_ops()]
    await engine.close()
    if engine.store_fault is not None:
        raise engine.store_fault
    return loaded, problems


async def run(
    client: TrelloClient,
    keys: list[str],
    every: bool,
    *,
    last_board: str | None = None,
    cache: Cache | None = None,
    outbox: Outbox | None = None,
    err: TextIO | None = None,
    within_s: float = DEFAULT_S,
) -> int:
    """The command's work; returns the exit code."""
    stream = clean(err if err is not None else sys.stderr)

    def note(message: str) -> None:
        stream.write(message + "\n")

    try:
        aoutbox = AsyncOutbox(outbox if outbox is not None else Outbox(report=note))
    except StoreFault as stopped:
        note(fault_note(stopped))
        return EXIT_STORE
    acache = AsyncCache(cache if cache is not None else Cache(report=note))
    err = stream
    queue = RequestQueue(client)
    code = 0
    try:
        progress = Progress(0, err)
        try:
            board_ids, names, code = await _board_ids(
                client, acache, aoutbox, keys, every, last_board, err, within_s
            )
            progress = Progress(len(board_ids), err)
            progress.show("starting")
            for board_id in board_ids:
                name = names.get(board_id, board_id)
                progress.show(f"syncing {name}")
                loaded, problems = await _sync_board(queue, acache, aoutbox, board_id, within_s)
                progress.step(f"{name}: {'ok' if loaded and not problems else 'incomplete'}")
                for problem in problems:
                    err.write(f"\n  {name}: {problem}\n" if progress.tty else f"  {problem}\n")
                    code = 1
        except _Silent:
            err.write(
                ("\n" if progress.tty else "")
                + f"{no_answer(within_s)}; stopped asking (check the network, or run "
                "`trello-tui sync` again later)\n"
            )
            code = 1
            board_ids = []
        progress.finish()
        left = await aoutbox.run(aoutbox.sync.count)
        err.write(f"synced {len(board_ids)} board(s); {left} write(s) left in the outbox\n")
    except StoreFault as stopped:
        note(("\n" if err.isatty() else "") + fault_note(stopped))
        code = EXIT_STORE
    finally:
        await queue.aclose()
        await acache.close()
        await aoutbox.close()
    return code


def run_from_cli(args: argparse.Namespace) -> int:
    """Entry point of ``trello-tui sync``."""
    from trello_tui.config.settings import (
        load_credentials,
        load_settings,
        load_state,
        resolve_api_url,
    )

    stored = load_credentials()
    credentials = stored.for_client()
    if credentials is None:
        sys.stderr.write("No Trello credentials: run `trello-tui auth` first.\n")
        return 2
    settings = load_settings().settings
    url = resolve_api_url(settings, stored)

    async def main() -> int:
        async with TrelloClient(credentials, base_url=url) as client:
            return await run(
                client,
                list(args.board or []),
                bool(args.all),
                last_board=load_state().last_board_id,
                within_s=answer_within_s(settings),
            )

    return asyncio.run(main())
