"""The whole live path on loopback: sandbox (thread) → stand-in tunnel → receiver → engine.

The app side is the real thing: TrelloClient, RequestQueue, SyncEngine (cache and outbox in a
temporary directory), Poller and LiveUpdates, all in the test's event loop. A teammate acts
through their own token with a second TrelloClient. Timings are shrunk through settings.
"""

from __future__ import annotations

import asyncio
import contextlib
import shlex
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trello_tui.live.poller import Poller
from trello_tui.live.updates import LiveSettings, LiveUpdates, merge_into
from trello_tui.sandbox import Sandbox
from trello_tui.sandbox.core import SandboxConfig
from trello_tui.store.cache import AsyncCache, Cache
from trello_tui.store.outbox import AsyncOutbox, Outbox
from trello_tui.sync.engine import SyncEngine
from trello_tui.trello.auth import Credentials
from trello_tui.trello.client import TrelloClient
from trello_tui.trello.queue import RequestQueue

BOARD_NAME = "Website Relaunch"
PROXY = f"{shlex.quote(sys.executable)} -m trello_tui.sandbox.forward_proxy --to {{local_url}}"
ACTIONS_ROUTE = "GET /boards/{id}/actions"

#: settings for tests: everything that waits is shrunk
FAST = LiveSettings(
    tunnel_command=PROXY,
    health_interval=0.2,
    status_interval=3600.0,
    delivery_grace=1.0,
    probe_timeout=1.0,
    retry_initial=0.2,
    retry_max=1.0,
    tunnel_start_timeout=10.0,
    tunnel_backoff_initial=1.0,
    tunnel_backoff_max=2.0,
)


@contextlib.contextmanager
def served_sandbox(**config: Any) -> Iterator[tuple[Sandbox, str]]:
    """A demo sandbox on loopback in its own thread, retrying failed deliveries quickly."""
    options: dict[str, Any] = {"webhook_timeout_s": 2.0, "webhook_retry_delays": (0.3, 0.6, 1.2)}
    options.update(config)
    sb = Sandbox.create(seed="demo", config=SandboxConfig(**options))
    with sb.serve_in_thread(host="127.0.0.1", port=0) as url:
        yield sb, url


@dataclass
class LiveRig:
    sb: Sandbox
    url: str
    board_id: str
    client: TrelloClient
    engine: SyncEngine
    poller: Poller
    live: LiveUpdates
    mate: TrelloClient

    def my_requests(self, route: str | None = None) -> int:
        """Requests sent with my token (all, or on one route) as the sandbox counted them."""
        if route is None:
            return int(self.sb.stats_data.requests_by_token[self.sb.credentials.me])
        return int(self.sb.stats_data.requests_by_route[route])

    def card_name(self, card_id: str) -> str | None:
        state = self.engine.state
        card = state.cards.get(card_id) if state is not None else None
        return card.name if card is not None else None

    def open_card_ids(self) -> list[str]:
        state = self.engine.state
        assert state is not None
        return [c.id for c in state.cards.values() if not c.closed]

    async def rename_as_teammate(self, card_id: str, name: str) -> float:
        """Rename a card as the teammate; seconds until the engine's board shows it."""
        await self.mate.update_card(card_id, name=name)
        start = time.monotonic()
        await wait_for(lambda: self.card_name(card_id) == name, within=5.0)
        return time.monotonic() - start


async def wait_for(condition: Callable[[], bool], within: float, step: float = 0.005) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {within} s")
        await asyncio.sleep(step)


@contextlib.asynccontextmanager
async def live_rig(
    sb: Sandbox, url: str, tmp: Path, settings: LiveSettings = FAST, **poller_options: Any
) -> AsyncIterator[LiveRig]:
    creds = sb.credentials
    board_id = next(b.id for b in sb.world.boards.values() if b.name == BOARD_NAME)
    client = TrelloClient(Credentials(creds.key, creds.token, creds.secret), base_url=url)
    mate_name = next(name for name in creds.tokens if name != creds.me)
    mate = TrelloClient(Credentials(creds.key, creds.tokens[mate_name]), base_url=url)
    queue = RequestQueue(client)
    cache = AsyncCache(Cache(tmp / "cache.sqlite3"))
    outbox = AsyncOutbox(Outbox(tmp / "outbox.sqlite3"))
    engine = SyncEngine(queue, cache, outbox, board_id)
    options: dict[str, Any] = {"active_s": 0.25, "idle_s": 0.25, "max_s": 0.5, "probe_s": 3600.0}
    options.update(poller_options)
    poller = Poller(queue, [engine], **options)
    live = LiveUpdates(
        client,
        creds.secret,
        settings,
        merge_into(lambda bid: engine if bid == engine.board_id else None),
        poller=poller,
    )
    await engine.start(refresh=False)
    await engine.refresh()
    poll_task = asyncio.create_task(poller.run())
    try:
        await live.start([board_id])
        yield LiveRig(sb, url, board_id, client, engine, poller, live, mate)
    finally:
        await live.stop()
        poll_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await poll_task
        await engine.close()
        await queue.aclose()
        await client.aclose()
        await mate.aclose()
        await cache.close()
        await outbox.close()
