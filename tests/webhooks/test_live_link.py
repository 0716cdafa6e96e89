"""LiveLink: the app opens one board after another; live updates follow the board on screen."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.webhooks.rig import FAST, served_sandbox, wait_for
from trello_tui.live.link import LiveLink
from trello_tui.live.poller import Poller
from trello_tui.sandbox import Sandbox
from trello_tui.store.cache import AsyncCache, Cache
from trello_tui.store.outbox import AsyncOutbox, Outbox
from trello_tui.sync.engine import SyncEngine
from trello_tui.trello.auth import Credentials
from trello_tui.trello.client import TrelloClient
from trello_tui.trello.queue import RequestQueue

pytestmark = pytest.mark.timeout(60)


@contextlib.asynccontextmanager
async def opened(
    queue: RequestQueue, tmp: Path, board_id: str
) -> AsyncIterator[tuple[SyncEngine, Poller]]:
    """What the UI's Backend does when a board is opened: an engine and a poller for it."""
    engine = SyncEngine(
        queue,
        AsyncCache(Cache(tmp / f"{board_id}.cache")),
        AsyncOutbox(Outbox(tmp / f"{board_id}.outbox")),
        board_id,
    )
    await engine.start()
    await wait_for(lambda: engine.state is not None, within=5.0)
    poller = Poller(queue, [engine], active_s=0.25, idle_s=0.25, max_s=0.5, probe_s=3600.0)
    task = asyncio.create_task(poller.run())
    try:
        yield engine, poller
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await engine.close()


def board(sb: Sandbox, name: str) -> str:
    return next(b.id for b in sb.world.boards.values() if b.name == name)


async def test_live_follows_the_open_board(tmp_path: Path) -> None:
    with served_sandbox() as (sb, url):
        creds = sb.credentials
        client = TrelloClient(Credentials(creds.key, creds.token), base_url=url)
        mate = TrelloClient(Credentials(creds.key, creds.tokens["sam"]), base_url=url)
        queue = RequestQueue(client)
        link = LiveLink(creds.secret, FAST)
        heard: list[str] = []
        link.listen(lambda status: heard.append(status.mode))
        first, second = board(sb, "Website Relaunch"), board(sb, "Product Roadmap")
        try:
            async with opened(queue, tmp_path, first) as (engine, poller):
                link.show(client, engine, poller)
                await wait_for(lambda: link.mode == "live", within=5.0)
                assert poller.mode == "live"
            async with opened(queue, tmp_path, second) as (engine, poller):
                link.show(client, engine, poller)
                await wait_for(lambda: link.mode == "live" and poller.mode == "live", within=5.0)
                assert engine.state is not None
                card = next(c for c in engine.state.cards.values() if not c.closed)
                await mate.update_card(card.id, name="Seen on the second board")
                await wait_for(
                    lambda: (
                        engine.state is not None
                        and engine.state.cards[card.id].name == "Seen on the second board"
                    ),
                    within=1.0,
                )
                hooked = {h.id_model for h in sb.world.webhooks.values()}
                assert {first, second} <= hooked
        finally:
            await link.aclose()
            await queue.aclose()
            await client.aclose()
            await mate.aclose()
        assert link.mode == "polling"
        assert "live" in heard and heard[-1] == "polling"


def test_without_the_app_secret_it_stays_polling_and_says_why() -> None:
    link = LiveLink(None, FAST)
    assert link.mode == "polling"
    assert "TRELLO_API_SECRET" in link.status.reason
