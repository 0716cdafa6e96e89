"""A real trello-tui app, headless, in a process of its own, driven by lines on stdin.

    python -m tests.processes.driver --board KEY [--watch PREFIX] [--size 160x45]

The app is built the way ``trello-tui`` builds it (ui/launch.py ``run_tui``): credentials and
the API's URL from the environment (``TRELLO_API_KEY``, ``TRELLO_TOKEN``, ``TRELLO_API_URL``),
the cache and the outbox in ``TRELLO_TUI_CACHE_DIR`` / ``TRELLO_TUI_STATE_DIR``, polling on,
the signed-in user from ``TRELLO_USERNAME``. Only the terminal is missing: it runs under
``App.run_test()``, so it competes with the other processes on the machine as a user's app.

Commands (one per line on stdin):

* ``move`` — move the next card of the board's first list to the top of the second one, the
  way ``>`` does (``plan_move`` then ``app.submit_move``);
* ``screen`` — report the screen's text (what a terminal would show, toasts included);
* ``quit`` — leave the app (its engine closes as on ``q``).

Reports, one JSON object per line on stdout (``t`` is ``time.time()``):
``started``; ``ready`` (the board is on screen from its engine); ``seen`` (names starting with
``--watch`` newly on the board screen's columns); ``status`` (the status line's sync text when it
changes); ``moved`` / ``move_skipped``; ``screen``; ``error``; ``exited``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def report(event: str, **fields: Any) -> None:
    """One line on the real stdout (Textual may capture ``print`` while the app runs)."""
    line = json.dumps({"event": event, "t": time.time(), **fields}, ensure_ascii=False) + "\n"
    os.write(1, line.encode())


def screen_text(app: Any) -> str:
    """The screen as a terminal shows it (the compositor's full render, as plain text)."""
    from rich.console import Console

    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    update = app.screen._compositor.render_update(
        full=True, screen_stack=app._background_screens, simplify=True
    )
    console.print(update)
    return console.export_text(styles=False)


class Driver:
    def __init__(self, app: Any, watch: str) -> None:
        self.app = app
        self.watch = watch
        self.seen: set[str] = set()
        self.status = ""
        self.ready = False
        self.candidates: list[str] = []
        self.target: str | None = None

    def board_screen(self) -> Any:
        from trello_tui.ui.screens.board import BoardScreen

        for screen in reversed(self.app.screen_stack):
            if isinstance(screen, BoardScreen) and screen.is_mounted:
                return screen
        return None

    def scan(self) -> None:
        app = self.app
        engine = app.backend.engine
        screen = self.board_screen()
        if screen is None:
            return
        loaded = engine is not None and engine.state is not None
        if not self.ready and loaded and app.state is engine.state is screen.state:
            self.ready = True
            self._choose_moves(engine.state)
            report("ready", board_id=engine.board_id, cards=len(engine.state.cards))
        text = str(screen.status.sync_text)
        if text != self.status:
            self.status = text
            report("status", text=text)
        if not self.watch:
            return
        state = screen.state
        new = []
        for column in screen.view.columns:
            for card_id in column.ids:
                card = state.cards.get(card_id)
                known = card is None or card.name in self.seen
                if not known and card.name.startswith(self.watch):
                    self.seen.add(card.name)
                    new.append(card.name)
        if new:
            report("seen", names=new)

    def _choose_moves(self, state: Any) -> None:
        lists = state.open_lists()
        if len(lists) < 2:
            return
        self.target = lists[1].id
        self.candidates = [
            cid
            for cid in state.card_ids_in(lists[0].id)
            if not state.cards[cid].name.startswith(self.watch or "\0")
        ]

    def move(self) -> None:
        from trello_tui.ui.moves import plan_move

        state = self.app.state
        if not self.ready or state is None or self.target is None or not self.candidates:
            report("move_skipped", why="not ready" if not self.ready else "no card to move")
            return
        card_id = self.candidates.pop(0)
        plan = plan_move(state, card_id, self.target, 0)
        if plan is None:
            report("move_skipped", why="nothing to change", card=card_id)
            return
        self.app.submit_move(plan)
        report("moved", card=card_id, to=self.target)


async def drive(args: argparse.Namespace) -> None:
    from trello_tui import paths
    from trello_tui.store.cache import Cache
    from trello_tui.ui.app import TrelloApp
    from trello_tui.ui.backend import Backend
    from trello_tui.ui.launch import _stored_client_factory

    factory = _stored_client_factory()
    me = os.environ.get("TRELLO_USERNAME") or None
    backend = Backend(factory, Cache(paths.cache_db()), me=me)
    app = TrelloApp(backend, board_key=args.board, me=me)
    width, height = (int(x) for x in args.size.split("x"))
    loop = asyncio.get_running_loop()
    commands: asyncio.Queue[str] = asyncio.Queue()

    def read_stdin() -> None:
        for line in sys.stdin:
            loop.call_soon_threadsafe(commands.put_nowait, line.strip())
        loop.call_soon_threadsafe(commands.put_nowait, "quit")  # the parent is gone

    threading.Thread(target=read_stdin, daemon=True, name="commands").start()
    async with app.run_test(size=(width, height)) as pilot:
        report("started", pid=os.getpid())
        driver = Driver(app, args.watch)
        while True:
            try:
                driver.scan()
            except Exception as exc:  # a screen being swapped: look again next tick
                report("error", text=f"scan: {type(exc).__name__}: {exc}")
            command = ""
            with contextlib.suppress(TimeoutError):
                command = await asyncio.wait_for(commands.get(), 0.1)
            if command == "quit":
                break
            if command == "move":
                driver.move()
            elif command == "screen":
                report("screen", text=screen_text(app), screen=type(app.screen).__name__)
        await pilot.pause()
    report("exited")


def main() -> None:
    if os.environ.get("TRELLO_TUI_DRIVER_LOG"):  # (a folder: one debug log per app process)
        import logging

        folder = Path(os.environ["TRELLO_TUI_DRIVER_LOG"])
        logging.basicConfig(
            filename=folder / f"app-{os.getpid()}.log",
            level=logging.DEBUG,
            format="%(created).3f %(name)s %(message).200s",
        )
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--board", default=None)
    parser.add_argument("--watch", default="", help="report card names with this prefix")
    parser.add_argument("--size", default="160x45")
    asyncio.run(drive(parser.parse_args()))


if __name__ == "__main__":
    main()
