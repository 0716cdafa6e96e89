"""``trello-tui add``: capture cards from any shell, in the syntax of Trello's own composer.

    trello-tui add "Fix login #bug @alice due:fri ^top" [--board B] [--list L] [--json]
    grep TODO notes.md | trello-tui add - --board Inbox          # one card per line

The board and list default to ``[capture] board`` / ``list`` in config.toml. Names resolve
against the offline cache, so a warm cache costs exactly one request per card (the create);
a cold one loads the board once first. Every line is parsed before anything is sent: a token
that matches nothing or several things stops the command (exit 1) with the candidates, and
nothing is created.

Cards are created the way the app creates them: a ``CreateCard`` operation submitted to the
``SyncEngine``, so it is on disk in the outbox before it is sent, goes through the
``RequestQueue`` (which paces a batch under Trello's rate limits), and a create whose outcome
is unknown is reconciled before it is ever sent again. When Trello cannot be reached, the
cards stay in the outbox, the command says they are queued and exits 0; the next
``trello-tui sync`` or app start creates them, exactly once. So does a Trello that asks us to
slow down (429) or goes silent: each network step has an overall deadline (``[sync]
answer_within_s``, see :mod:`trello_tui.cli_waits`), after which what is on disk stays queued.

Output: each card's URL on its own line (``--json``: one JSON object per card), or a
``queued:`` line. Exit codes: 0 created or queued; 1 nothing created (bad input, a line that
is not UTF-8, unknown board or list, or Trello refused a card); 2 no credentials or no board
(or an argument that is not UTF-8); 75 (EX_TEMPFAIL) nothing created or queued only because
the board is not cached yet and Trello could not be asked (unreachable, silent or rate
limiting): the same command later will work; 74 (EX_IOERR) the outbox can't be written (disk
full, read-only, locked: the message names the file and the fix, and every write already
queued is kept). Everything printed goes through
:func:`trello_tui.cli_io.clean`. Never imports Textual.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from typing import TextIO

from trello_tui.capture.adding import (
    EXIT_NOT_CREATED,
    EXIT_SETUP,
    EXIT_STORE,
    STALL_S,
    Capture,
    CaptureFailure,
)
from trello_tui.cli_io import clean, not_utf8_advice, read_text, undecodable
from trello_tui.store.cache import AsyncCache, Cache
from trello_tui.store.db import StoreFault
from trello_tui.store.outbox import AsyncOutbox, Outbox, fault_note
from trello_tui.trello.client import TrelloClient


def read_lines(texts: Sequence[str], stdin: TextIO) -> list[tuple[int, str]]:
    """The cards to capture as (line number, text): the argument, or stdin's non-blank lines.

    Bytes on stdin that are not UTF-8 come back as lone surrogates: see :func:`not_utf8`."""
    text = " ".join(texts)
    if text.strip() == "-":
        lines = read_text(stdin).splitlines()
        return [(n, line) for n, line in enumerate(lines, 1) if line.strip()]
    return [(1, text)] if text.strip() else []


def not_utf8(lines: Sequence[tuple[int, str]]) -> list[str]:
    """A message for each line that is not UTF-8 (refused: nothing is created, as for any
    line with a problem, rather than stored with its bad bytes replaced)."""
    problems = []
    for number, text in lines:
        problem = undecodable(text)
        if problem is not None:
            where = f"line {number}: " if len(lines) > 1 else ""
            problems.append(f"{where}{problem}")
    return problems


async def run(
    client: TrelloClient,
    lines: Sequence[tuple[int, str]],
    board_key: str,
    list_key: str | None = None,
    *,
    strict_list: bool = True,
    as_json: bool = False,
    cache: Cache | None = None,
    outbox: Outbox | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
    answer_within_s: float = STALL_S,
) -> int:
    """The command's work; returns the exit code."""
    out = clean(out if out is not None else sys.stdout)
    err = clean(err if err is not None else sys.stderr)

    def note(message: str) -> None:
        err.write(f"trello-tui add: {message}\n")

    try:
        aoutbox = AsyncOutbox(outbox if outbox is not None else Outbox(report=note))
    except StoreFault as problem:
        note(fault_note(problem))
        return EXIT_STORE
    acache = AsyncCache(cache if cache is not None else Cache(report=note))
    capture = Capture(
        client, acache, aoutbox, out=out, err=err, as_json=as_json, answer_within_s=answer_within_s
    )
    try:
        return await capture.run(lines, board_key, list_key, strict_list=strict_list)
    except CaptureFailure as failure:
        note(str(failure))
        return failure.code
    except StoreFault as problem:
        note(fault_note(problem))
        return EXIT_STORE
    finally:
        await capture.aclose()
        await acache.close()
        await aoutbox.close()


def run_from_cli(args: argparse.Namespace) -> int:
    """Entry point of ``trello-tui add``."""
    from trello_tui.cli_waits import answer_within_s
    from trello_tui.config.settings import load_credentials, load_settings, resolve_api_url

    loaded = load_settings()
    for issue in loaded.issues:
        if issue.key.startswith("capture"):
            sys.stderr.write(f"trello-tui add: {issue}\n")
    settings = loaded.settings
    board_key = args.board or settings.capture.board
    list_key = args.list or settings.capture.list
    if not board_key:
        sys.stderr.write(
            "trello-tui add: which board? Pass --board B, or set it once in "
            f'{loaded.path}:\n\n[capture]\nboard = "Inbox"\nlist = "To Do"\n'
        )
        return EXIT_SETUP
    stored = load_credentials()
    credentials = stored.for_client()
    if credentials is None:
        sys.stderr.write(
            "trello-tui add: no Trello credentials. Run `trello-tui auth`, "
            "or set TRELLO_API_KEY and TRELLO_TOKEN.\n"
        )
        return EXIT_SETUP
    lines = read_lines(args.text, sys.stdin)
    if problems := not_utf8(lines):
        for problem in problems:
            sys.stderr.write(f"trello-tui add: {problem}\n")
        sys.stderr.write(f"trello-tui add: {not_utf8_advice()} (nothing was created)\n")
        return EXIT_NOT_CREATED
    if not lines:
        sys.stderr.write("trello-tui add: nothing to add (give the card's text, or - for stdin)\n")
        return EXIT_NOT_CREATED
    url = resolve_api_url(settings, stored)
    # --list or a board given on the command line with the config's list: that list may
    # well not exist on this board, so it is only a preference there.
    strict = bool(args.list) or not args.board or args.board == settings.capture.board

    async def main() -> int:
        async with TrelloClient(credentials, base_url=url) as client:
            return await run(
                client,
                lines,
                board_key,
                list_key,
                strict_list=strict,
                as_json=args.json,
                answer_within_s=answer_within_s(settings),
            )

    return asyncio.run(main())
