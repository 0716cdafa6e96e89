"""``trello-tui watch [--board B ...] [--interval S] [--json]``: the command line.

The work is in :mod:`trello_tui.automation.watcher`, imported only when the command runs, so that
registering the subcommand costs the other commands (``add`` above all) nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
from datetime import timedelta

#: the default window of ``card_due_soon``, in hours (as ``trello_tui.automation.notify.DUE_SOON``)
DUE_WITHIN_HOURS = 24.0


def run_from_cli(args: argparse.Namespace) -> int:
    """Entry point of ``trello-tui watch``."""
    from trello_tui.automation.watcher import run
    from trello_tui.cli_waits import answer_within_s
    from trello_tui.config.settings import load_credentials, load_settings, resolve_api_url
    from trello_tui.trello.client import TrelloClient

    stored = load_credentials()
    credentials = stored.for_client()
    if credentials is None:
        sys.stderr.write("No Trello credentials: run `trello-tui auth` first.\n")
        return 2
    loaded = load_settings()
    for issue in loaded.issues:
        sys.stderr.write(f"{issue}\n")
    settings = loaded.settings
    url = resolve_api_url(settings, stored)
    interval = args.interval if args.interval is not None else settings.sync.poll_active_s

    async def main() -> int:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()

        def on_signal() -> None:
            if stop.is_set():  # asked twice: the user means it
                sys.stderr.write("trello-tui watch: stopped without cleaning up\n")
                os._exit(130)
            stop.set()

        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(signum, on_signal)
        async with TrelloClient(credentials, base_url=url) as client:
            return await run(
                client,
                list(args.board or []),
                settings.triggers,
                stop,
                interval_s=interval,
                full_every_s=settings.sync.full_refresh_s,
                as_json=bool(args.json),
                due_within=timedelta(hours=args.due_within),
                answer_within_s=answer_within_s(settings),
            )

    return asyncio.run(main())


def _positive(text: str) -> float:
    value = float(text)
    if not 0 < value <= 86_400:
        raise argparse.ArgumentTypeError("must be between 0 and 86400")
    return value


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``watch`` on the main parser's subcommands."""
    parser = sub.add_parser(
        "watch", help="print board events and run [[triggers]], without the UI (Ctrl-C stops)"
    )
    parser.add_argument(
        "--board",
        action="append",
        metavar="B",
        help="a board id, short link or name (repeatable); default: every open board of yours",
    )
    parser.add_argument(
        "--interval",
        type=_positive,
        metavar="S",
        help="seconds between polls (default: [sync] poll_active_s)",
    )
    parser.add_argument(
        "--due-within",
        type=_positive,
        default=DUE_WITHIN_HOURS,
        metavar="HOURS",
        help="card_due_soon: cards due within this many hours (default 24)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object per event")
