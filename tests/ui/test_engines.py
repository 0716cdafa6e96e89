"""Backend.engine_for: one engine per board in one process, on one queue, cache and outbox."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from tests.ui.across import board_id
from trello_tui.sandbox import Sandbox
from trello_tui.store.cache import Cache
from trello_tui.store.outbox import Outbox
from trello_tui.sync import ops
from trello_tui.trello.auth import Credentials
from trello_tui.trello.client import TrelloClient
from trello_tui.ui.backend import Backend


def _backend(sb: Sandbox, tmp_path: Path) -> Backend:
    creds = sb.credentials

    def client() -> TrelloClient:
        return TrelloClient(
            Credentials(key=creds.key, token=creds.token),
            sb.base_url,
            transport=httpx.ASGITransport(app=sb.app),
        )

    return Backend(
        client,
        Cache(tmp_path / "cache.sqlite3"),
        Outbox(tmp_path / "outbox.sqlite3"),
        me=creds.me,
        poll=False,
    )


async def test_side_engines_share_the_sender_and_are_promoted(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    roadmap, site = board_id(sb, "Product Roadmap"), board_id(sb, "Website Relaunch")
    backend = _backend(sb, tmp_path)
    heard: list[object] = []
    main = await backend.open_engine(roadmap, heard.append)
    try:
        # two quick asks for one board start one engine; the open board's is reused
        side, again = await asyncio.gather(
            backend.engine_for(site, heard.append), backend.engine_for(site, heard.append)
        )
        assert side is again and side is not main
        assert await backend.engine_for(roadmap, heard.append) is main
        assert side.state is not None and main.state is not None
        # writes on both boards at once: both engines send (one sender claim per process)
        mine = next(c for c in main.state.cards.values() if not c.closed)
        theirs = next(c for c in side.state.cards.values() if not c.closed)
        main.submit(ops.RenameCard(roadmap, card_id=mine.id, name="From the board"))
        side.submit(ops.RenameCard(site, card_id=theirs.id, name="From the agenda"))
        assert await main.settled(10) and await side.settled(10)
        assert sb.world.cards[mine.id].name == "From the board"
        assert sb.world.cards[theirs.id].name == "From the agenda"
        # another process (its own Outbox on the file) may not send meanwhile
        other = Outbox(tmp_path / "outbox.sqlite3")
        assert not other.claim_sender()
        other.close()
        # the side engine's changes reached the listener it was given
        assert any(getattr(e, "board_id", None) == site for e in heard)
        # opening that board keeps its engine: never two engines for one board
        opened = await backend.open_engine(site, heard.append)
        assert opened is side and backend.engine is side
        assert backend.engines() == [side]
        assert backend.live_engine(roadmap) is None
    finally:
        await backend.aclose()
