"""A SyncEngine wired to a sandbox, with its cache and outbox in a temporary directory."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from trello_tui.sandbox import Sandbox
from trello_tui.store.cache import AsyncCache, Cache
from trello_tui.store.outbox import AsyncOutbox, Outbox
from trello_tui.sync.engine import Event, SyncEngine
from trello_tui.trello.auth import Credentials
from trello_tui.trello.client import TrelloClient
from trello_tui.trello.queue import RequestQueue

DEMO_BOARD = "Website Relaunch"


def demo_board_id(sb: Sandbox) -> str:
    boards = list(sb.world.boards.values())
    return next((b.id for b in boards if b.name == DEMO_BOARD), boards[0].id)


def world_order(sb: Sandbox, list_id: str) -> list[str]:
    """Open cards of a list in the sandbox, in Trello's order."""
    cards = [c for c in sb.world.cards.values() if c.id_list == list_id and not c.closed]
    return [c.id for c in sorted(cards, key=lambda c: (c.pos, c.id))]


def hide_at(card: Any, pos: float) -> None:
    """Archive a sandbox card (the app never loads it) right where the app sends a card it
    places at ``pos`` — off the whole numbers (``placing.off_grid``): Trello finds the two
    equal and re-spaces the list."""
    card.closed, card.pos = True, pos if pos != int(pos) else pos + 0.5


async def as_teammate(sb: Sandbox, method: str, path: str, **params: str) -> Any:
    """One request to the sandbox with the teammate's (sam's) token; its JSON answer."""
    auth = {"key": sb.credentials.key, "token": sb.credentials.tokens["sam"]}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sb.app)) as client:
        answer = await client.request(method, f"{sb.base_url}{path}", params={**auth, **params})
    assert answer.status_code == 200, answer.text
    return answer.json()


@dataclass
class Rig:
    sb: Sandbox
    client: TrelloClient
    queue: RequestQueue
    engine: SyncEngine
    events: list[Event] = field(default_factory=list)

    def of(self, kind: type[Any]) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]


def make_queue(client: TrelloClient) -> RequestQueue:
    # Few, quick retries: the engine's own retry loop is what the tests exercise.
    return RequestQueue(client, max_attempts=2, backoff_base_s=0.01, backoff_cap_s=0.05)


@contextlib.asynccontextmanager
async def rig(
    sb: Sandbox,
    tmp: Path,
    *,
    url: str | None = None,
    token: str | None = None,
    offline: bool = False,
    start: bool = True,
    board_id: str | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> AsyncIterator[Rig]:
    creds = sb.credentials
    if transport is None and not url:
        transport = httpx.ASGITransport(app=sb.app)
    client = TrelloClient(
        Credentials(key=creds.key, token=token or creds.token),
        base_url=url or sb.base_url,
        transport=transport,
        timeout=5.0,
    )
    queue = make_queue(client)
    cache = AsyncCache(Cache(tmp / "cache.sqlite3"))
    outbox = AsyncOutbox(Outbox(tmp / "outbox.sqlite3"))
    engine = SyncEngine(
        queue,
        cache,
        outbox,
        board_id or demo_board_id(sb),
        offline=offline,
        retry_delay_s=0.05,
        max_retry_delay_s=0.2,
    )
    r = Rig(sb, client, queue, engine)
    engine.subscribe(r.events.append)
    try:
        if start:
            await engine.start(refresh=False)
            if not offline:
                await engine.refresh()
        yield r
    finally:
        await engine.close()
        await queue.aclose()
        await client.aclose()
        await cache.close()
        await outbox.close()
