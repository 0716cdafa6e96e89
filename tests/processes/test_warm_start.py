"""A warm start of a 5,000-card board with nothing changed asks only for the actions since
the last one it saw (issue 20, §4); the sandbox's request log says what was asked."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from trello_tui.sandbox import Sandbox
from trello_tui.store.cache import Cache
from trello_tui.store.outbox import Outbox
from trello_tui.trello import calls
from trello_tui.trello.auth import Credentials
from trello_tui.trello.client import TrelloClient
from trello_tui.ui.app import TrelloApp
from trello_tui.ui.backend import Backend
from trello_tui.ui.screens.board import BoardScreen

pytestmark = pytest.mark.timeout(90)
SIZE = (160, 45)


def request_log(sb: Sandbox) -> list[tuple[str, str, dict[str, Any]]]:
    """Every /1 request the sandbox handles from now on, as (method, path, params); the URLs
    of a /1/batch are logged one by one."""
    log: list[tuple[str, str, dict[str, Any]]] = []
    handle = sb.handle

    async def logged(
        method: str, path: str, params: dict[str, Any], authorization: str | None, **kw: Any
    ) -> Any:
        shown = {k: v for k, v in params.items() if k not in ("key", "token")}
        if path == "/batch":
            for url in str(params.get("urls", "")).split(","):
                sub, _, query = url.partition("?")
                log.append(("GET", sub.removeprefix("/1"), dict(httpx.QueryParams(query))))
        else:
            log.append((method, path, shown))
        return await handle(method, path, params, authorization, **kw)

    sb.handle = logged  # type: ignore[method-assign]
    return log


async def test_a_warm_start_with_nothing_changed_asks_only_actions_since(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="cards:5000")
    board_id = next(iter(sb.world.boards))
    creds = sb.credentials

    def client() -> TrelloClient:
        transport = httpx.ASGITransport(app=sb.app)
        return TrelloClient(Credentials(creds.key, creds.token), sb.base_url, transport=transport)

    # The cache as the last run left it: the board and the newest action it had seen.
    async with client() as c:
        board = await c.send(calls.load_board(board_id))
        newest = await c.send(calls.board_actions(board_id, limit=1))
    last = newest[0].id
    cache = Cache(tmp_path / "cache.sqlite3")
    cache.save_board(board, last_action_id=last)

    log = request_log(sb)
    backend = Backend(client, cache, Outbox(tmp_path / "outbox.sqlite3"), me=creds.me)
    app = TrelloApp(backend, board_key=board_id, me=creds.me)
    async with app.run_test(size=SIZE) as pilot:
        deadline = time.monotonic() + 30
        calm_since: float | None = None
        while True:  # idle: the engine's board on screen, synced and quiet for a second
            engine = backend.engine
            shown = (
                engine is not None
                and engine.state is not None
                and app.state is engine.state
                and isinstance(app.screen, BoardScreen)
            )
            synced = shown and engine is not None and engine.status.state == "synced"
            calm_since = (calm_since or time.monotonic()) if synced else None
            if calm_since is not None and time.monotonic() - calm_since >= 1.0:
                break
            assert time.monotonic() < deadline, f"never idle; requests so far: {log}"
            await asyncio.sleep(0.05)
        before_idle = list(log)
        await pilot.pause()
    # The token's access check (GET /tokens/{token}, once per run: read-only or revoked
    # tokens) is not the board's; everything else before idle must be the one poll.
    board_requests = [r for r in before_idle if not r[1].startswith("/tokens/")]
    summary = [(m, p, {k: v for k, v in q.items() if k in ("since", "limit")}) for m, p, q in
               board_requests]  # fmt: skip
    assert len(board_requests) == 1, f"requests before idle: {summary}"
    method, path, params = board_requests[0]
    assert (method, path) == ("GET", f"/boards/{board_id}/actions"), summary
    assert params.get("since") == last, summary
