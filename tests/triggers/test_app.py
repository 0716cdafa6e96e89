"""In the app: a teammate's changes, polled, raise notifications and run the triggers."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

import httpx

from tests.triggers.helpers import client_for, list_id
from tests.triggers.test_runner import lines, recorder
from trello_tui.config.settings import Trigger
from trello_tui.live.poller import Poller
from trello_tui.sandbox import Sandbox
from trello_tui.store.cache import Cache
from trello_tui.store.outbox import Outbox
from trello_tui.trello.auth import Credentials
from trello_tui.trello.client import TrelloClient
from trello_tui.ui.app import TrelloApp
from trello_tui.ui.backend import Backend
from trello_tui.ui.screens.board import BoardScreen


async def _until(predicate: object, within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"not within {within} s: {what}"
        await asyncio.sleep(0.02)


async def test_teammate_changes_notify_and_run_triggers_in_the_app(
    tmp_path: Path, monkeypatch: object
) -> None:
    monkeypatch.setenv("TRELLO_TUI_STATE_DIR", str(tmp_path / "state"))  # type: ignore[attr-defined]
    sb = Sandbox.create(seed="demo")
    board = next(b.id for b in sb.world.boards.values() if b.name == "Website Relaunch")
    done = list_id(sb, board, "Done")
    creds = sb.credentials
    out = tmp_path / "ran.jsonl"
    triggers = [
        Trigger("card_moved", recorder(out, "TRELLO_CARD_NAME"), list="Done", line=1),
        Trigger("card_moved", (sys.executable, "-c", "raise SystemExit(5)"), list="Done", line=6),
    ]

    def client() -> TrelloClient:
        transport = httpx.ASGITransport(app=sb.app)
        return TrelloClient(
            Credentials(key=creds.key, token=creds.token), sb.base_url, transport=transport
        )

    backend = Backend(
        client,
        Cache(tmp_path / "cache.sqlite3"),
        Outbox(tmp_path / "outbox.sqlite3"),
        me=creds.me,
        poll=False,
    )
    app = TrelloApp(backend, board_key=board, me=creds.me, triggers=triggers)
    async with app.run_test(size=(160, 45)) as pilot:
        await _until(
            lambda: (
                backend.engine is not None
                and backend.engine.state is not None
                and isinstance(app.screen, BoardScreen)
            ),
            15,
            "the board loaded",
        )
        engine = backend.engine
        assert engine is not None and engine.state is not None and backend.queue is not None
        poller = Poller(backend.queue, [engine])
        me = next(m.id for m in sb.world.members.values() if m.username == creds.me)
        card = next(
            c
            for lst in ("To do", "Doing")
            for c in sb.world.lists[list_id(sb, board, lst)].card_ids
            if me not in sb.world.cards[c].id_members and not sb.world.cards[c].closed
        )
        name = sb.world.cards[card].name
        async with client_for(sb, "sam") as sam:
            await sam.move_card(card, "top", id_list=done)
            await sam.add_card_member(card, me)
            await sam.add_comment(card, f"@{creds.me} could you check this?")
        await poller.poll_once()
        await _until(lambda: lines(out) == [[name]], 10, "the trigger ran")

        def messages() -> list[tuple[str, str]]:
            return [(n.title, n.message) for n in app._notifications]

        await _until(lambda: len(messages()) >= 4, 10, "the notifications")
        await pilot.pause()
        shown = messages()
        assert ("Card moved", f"Sam Okafor moved '{name}' to Done") in shown
        assert (
            "Assigned to you",
            f"Sam Okafor added you to '{name}' (Website Relaunch › Done)",
        ) in shown
        assert (
            "You were mentioned",
            f"Sam Okafor on '{name}': @{creds.me} could you check this?",
        ) in shown
        failed = [m for t, m in shown if t == "Trigger failed"]
        assert (
            len(failed) == 1 and "config.toml line 6" in failed[0] and "exited with 5" in failed[0]
        )
        # the card moved on screen too, and the app still answers keys
        assert engine.state.cards[card].id_list == done
        await pilot.press("down")
        # the same actions again (a webhook delivering what the poll brought): nothing new
        actions = await backend.queue.client.board_actions(board, limit=5)
        before = len(messages())
        await engine.merge_actions(actions)
        await pilot.pause()
        assert len(messages()) == before and lines(out) == [[name]]
