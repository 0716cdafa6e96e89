"""A warm start asks for the actions since the cache's newest, and loads the board only when
they say it must (issue 20, §4); a ``sync`` of queued writes loads each board at most once.

The cache's numbers are trusted when the actions since cover the whole gap (loading.py, warm
starts); every test here counts the requests the sandbox saw, by its own request log.
"""

from __future__ import annotations

import io
import json
import sqlite3
import time
from pathlib import Path
from typing import Any

import httpx

from tests.sync.harness import demo_board_id, hide_at, rig, world_order
from trello_tui.sandbox import Sandbox
from trello_tui.sandbox.ops import record
from trello_tui.store.cache import Cache
from trello_tui.store.outbox import Outbox
from trello_tui.sync import cli as sync_cli
from trello_tui.sync.engine import SyncEngine
from trello_tui.sync.loading import unsure_key
from trello_tui.sync.ops import CreateCard, MoveCard
from trello_tui.sync.state import BoardState
from trello_tui.trello import positions
from trello_tui.trello.auth import Credentials
from trello_tui.trello.client import TrelloClient

Request = tuple[str, str, dict[str, Any]]


def request_log(sb: Sandbox) -> list[Request]:
    """Every /1 request the sandbox handles from now on, as (method, path, params); the URLs
    of a /1/batch one by one."""
    log: list[Request] = []
    handle = sb.handle

    async def logged(
        method: str, path: str, params: dict[str, Any], authorization: str | None, **kw: Any
    ) -> Any:
        if path == "/batch":
            for url in str(params.get("urls", "")).split(","):
                sub, _, query = url.partition("?")
                log.append(("GET", sub.removeprefix("/1"), dict(httpx.QueryParams(query))))
        else:
            log.append(
                (method, path, {k: v for k, v in params.items() if k not in ("key", "token")})
            )
        return await handle(method, path, params, authorization, **kw)

    sb.handle = logged  # type: ignore[method-assign]
    return log


def loads(log: list[Request], board_id: str) -> int:
    return sum(1 for m, p, _ in log if (m, p) == ("GET", f"/boards/{board_id}"))


def paths(log: list[Request]) -> list[tuple[str, str]]:
    return [(m, p) for m, p, _ in log]


async def warm_start(engine: SyncEngine) -> None:
    """``start()`` as the app calls it, then until its background catch-up is done."""
    assert await engine.start()
    assert engine._refresher is not None
    await engine._refresher
    assert await engine.settled(10)


async def test_nothing_changed_costs_one_request_on_a_5000_card_board(tmp_path: Path) -> None:
    sb = Sandbox.create("cards:5000")
    board_id = next(iter(sb.world.boards))
    async with rig(sb, tmp_path, board_id=board_id) as first:
        newest = first.engine.last_action_id
    log = request_log(sb)
    began = time.monotonic()
    async with rig(sb, tmp_path, board_id=board_id, start=False) as r:
        await warm_start(r.engine)
        took = time.monotonic() - began
        asked = [(m, p, q.get("since"), q.get("limit")) for m, p, q in log]
        assert asked == [("GET", f"/boards/{board_id}/actions", newest, "1000")], asked
        assert r.engine.status.state == "synced"
        assert r.engine.full_loads == 0
        assert took < 5, f"warm start took {took:.2f} s"
        # The numbers are trusted: a move goes out by them, with no load first.
        state = r.engine.state
        assert state is not None
        lst = state.open_lists()[0].id
        ids = list(state.card_ids_in(lst))
        mid = (state.cards[ids[0]].pos + state.cards[ids[1]].pos) / 2
        del log[:]
        r.engine.submit(MoveCard(board_id, card_id=ids[5], list_id=lst, pos=mid))
        assert await r.engine.settled(10)
        assert paths(log) == [("PUT", f"/cards/{ids[5]}")], paths(log)
        assert world_order(sb, lst)[:3] == [ids[0], ids[5], ids[1]]


async def test_an_action_the_merge_cannot_apply_loads_the_board_once(tmp_path: Path) -> None:
    sb = Sandbox.create("demo")
    board_id = demo_board_id(sb)
    async with rig(sb, tmp_path):
        pass
    board = sb.world.boards[board_id]
    actor = next(iter(sb.world.members))
    record(sb.world, actor, "enablePowerUp", board, {"plugin": {"id": "x"}}, [])
    log = request_log(sb)
    async with rig(sb, tmp_path, start=False) as r:
        await warm_start(r.engine)
        assert paths(log) == [
            ("GET", f"/boards/{board_id}/actions"),
            ("GET", f"/boards/{board_id}/actions"),  # (the load's newest action first)
            ("GET", f"/boards/{board_id}"),
        ], paths(log)
        assert r.engine.full_loads == 1


async def test_a_cache_older_than_the_full_refresh_interval_is_loaded(tmp_path: Path) -> None:
    sb = Sandbox.create("demo")
    board_id = demo_board_id(sb)
    async with rig(sb, tmp_path):
        pass
    with sqlite3.connect(tmp_path / "cache.sqlite3") as conn:
        conn.execute("UPDATE boards SET loaded_at=? WHERE id=?", (time.time() - 3600, board_id))
    conn.close()
    log = request_log(sb)
    async with rig(sb, tmp_path, start=False) as r:
        await warm_start(r.engine)
        assert loads(log, board_id) == 1, paths(log)
        assert not any(q.get("since") for _, _, q in log), log


class _BoardLoadsFail(httpx.ASGITransport):
    """Full board loads get a 503 (other requests go through)."""

    def __init__(self, sb: Sandbox, board_id: str) -> None:
        super().__init__(app=sb.app)
        self.path = f"/1/boards/{board_id}"

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and request.url.path == self.path:
            return httpx.Response(503, text="Service Unavailable", request=request)
        return await super().handle_async_request(request)


async def test_a_list_re_spaced_in_an_earlier_run_is_loaded_at_the_next_start(
    tmp_path: Path,
) -> None:
    sb = Sandbox.create("demo")
    board_id = demo_board_id(sb)
    first = sb.world.sorted_lists(sb.world.boards[board_id])[0].id
    async with rig(sb, tmp_path):
        pass
    # Run 1 (warm): a move makes Trello re-space the list, and the load that would bring the
    # new numbers fails; the run ends with the list unsure.
    ids = world_order(sb, first)
    cards = sb.world.cards
    async with rig(sb, tmp_path, start=False, transport=_BoardLoadsFail(sb, board_id)) as r:
        await warm_start(r.engine)
        state = r.engine.state
        assert state is not None
        hide_at(cards[ids[-1]], (cards[ids[0]].pos + cards[ids[1]].pos) / 2)
        mid = (state.cards[ids[0]].pos + state.cards[ids[1]].pos) / 2
        r.engine.submit(MoveCard(board_id, card_id=ids[4], list_id=first, pos=mid))
        assert not await r.engine.settled(1)  # (the put-back waits for a load)
        assert first in r.engine._unsure
    assert json.loads(Cache(tmp_path / "cache.sqlite3").meta(unsure_key(board_id)) or "[]") == [
        first
    ]
    # Run 2: the actions since cannot tell (Trello re-spaces unannounced): the board is loaded.
    for card in cards.values():
        if card.id_list == first and not card.closed:
            card.pos += 0.25  # (renumbered again, silently)
    log = request_log(sb)
    async with rig(sb, tmp_path, start=False) as r:
        await warm_start(r.engine)
        assert loads(log, board_id) == 1, paths(log)
        state = r.engine.state
        assert state is not None
        shown = list(state.card_ids_in(first))
        assert shown == world_order(sb, first)
        assert [state.cards[i].pos for i in shown] == [cards[i].pos for i in shown]
    assert json.loads(Cache(tmp_path / "cache.sqlite3").meta(unsure_key(board_id)) or "[]") == []


async def test_sync_of_queued_creates_loads_the_board_at_most_once(tmp_path: Path) -> None:
    """Creates an ``add`` sent and gave up on (rows left 'sent': each outcome unknown), half
    of them landed: each is reconciled, none is made twice, and the board is loaded once."""
    sb = Sandbox.create("cards:4900")  # (room for the new cards under Trello's 5,000)
    board_id = next(iter(sb.world.boards))
    async with rig(sb, tmp_path, board_id=board_id):
        pass
    cached = Cache(tmp_path / "cache.sqlite3").load_board(board_id)
    assert cached is not None
    state = BoardState(cached.board)
    lst = state.open_lists()[0].id
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    creds = sb.credentials
    client = TrelloClient(
        Credentials(creds.key, creds.token), sb.base_url, transport=httpx.ASGITransport(sb.app)
    )
    names = [f"queued {i}" for i in range(12)]
    async with client:
        for i, name in enumerate(names):
            ids = list(state.card_ids_in(lst))
            where = positions.place([state.cards[c].pos for c in ids], len(ids))
            op = CreateCard(board_id, list_id=lst, name=name, pos=where.pos)
            op.apply(state)  # (as the engine does: its number off the whole numbers)
            outbox.add(op.op_id, board_id, op.kind, op.to_json())
            outbox.mark_sent(op.op_id, {"server_offset": 0.0})
            if i % 2:
                await client.send(op.call())  # it landed; its answer was lost
        log = request_log(sb)
        err = io.StringIO()
        code = await sync_cli.run(
            client, [board_id], False, cache=Cache(tmp_path / "cache.sqlite3"), outbox=outbox,
            err=err,
        )  # fmt: skip
    assert code == 0, err.getvalue()
    assert loads(log, board_id) <= 1, paths(log)
    made = [c.name for c in sb.world.cards.values() if c.name in names and not c.closed]
    assert sorted(made) == sorted(names)
    assert Outbox(tmp_path / "outbox.sqlite3").count() == 0
