"""New cards go to Trello side by side (engine ``_may_fly``): a queue of captures waits for
Trello's limit, not for one round trip after another; everything else still goes alone and in
order, and each card is made once."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.sync.harness import rig, world_order
from trello_tui.sandbox import Sandbox
from trello_tui.sync.engine import FLYING
from trello_tui.sync.ops import CreateCard, MoveCard
from trello_tui.trello import positions


@dataclass
class Watched(httpx.AsyncBaseTransport):
    """The sandbox in-process, each write's start and end noted (and the first ``fail`` POSTs
    answered 503 without reaching it)."""

    sb: Sandbox
    fail: int = 0
    writes: list[tuple[str, str, float, float]] = field(default_factory=list)
    aloft: int = 0
    most_aloft: int = 0

    def __post_init__(self) -> None:
        self.inner = httpx.ASGITransport(app=self.sb.app)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return await self.inner.handle_async_request(request)
        if request.method == "POST" and self.fail > 0:
            self.fail -= 1
            return httpx.Response(503, text="Service Unavailable")
        self.aloft += 1
        self.most_aloft = max(self.most_aloft, self.aloft)
        began = time.monotonic()
        try:
            answer = await self.inner.handle_async_request(request)
            await answer.aread()
        finally:
            self.aloft -= 1
        self.writes.append((request.method, request.url.path, began, time.monotonic()))
        return answer


def names_in(sb: Sandbox, list_id: str) -> list[str]:
    return [sb.world.cards[i].name for i in world_order(sb, list_id)]


async def test_new_cards_go_out_side_by_side_and_land_once_in_order(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    sb.faults.latency_s = 0.05
    watched = Watched(sb)
    async with rig(sb, tmp_path, transport=watched) as r:
        state = r.engine.state
        assert state is not None
        lst = state.open_lists()[0].id
        names = [f"Captured {i:02d}" for i in range(12)]
        for name in names:
            bottom = positions.bottom([c.pos for c in state.cards_in(lst)])
            r.engine.submit(CreateCard(state.id, list_id=lst, name=name, pos=bottom))
        assert await r.engine.settled(10)
        assert 1 < watched.most_aloft <= FLYING
        assert [n for n in names_in(sb, lst) if n.startswith("Captured")] == names
        made = [c for c in sb.world.cards.values() if c.name.startswith("Captured")]
        assert len(made) == len(names)


async def test_a_move_goes_alone_after_the_cards_before_it(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    sb.faults.latency_s = 0.05
    watched = Watched(sb)
    async with rig(sb, tmp_path, transport=watched) as r:
        state = r.engine.state
        assert state is not None
        first, second = (lst.id for lst in state.open_lists()[:2])
        for i in range(3):
            bottom = positions.bottom([c.pos for c in state.cards_in(first)])
            r.engine.submit(CreateCard(state.id, list_id=first, name=f"Before {i}", pos=bottom))
        made = next(c for c in state.cards_in(first) if c.name == "Before 2")
        top = positions.top([c.pos for c in state.cards_in(second)])
        assert top is not None
        r.engine.submit(MoveCard(state.id, card_id=made.id, list_id=second, pos=top))
        bottom = positions.bottom([c.pos for c in state.cards_in(first)])
        r.engine.submit(CreateCard(state.id, list_id=first, name="After", pos=bottom))
        assert await r.engine.settled(10)
        (move,) = [w for w in watched.writes if w[0] == "PUT"]
        posts = [w for w in watched.writes if w[0] == "POST"]
        assert all(post[3] <= move[2] for post in posts[:3])  # the creates before it answered
        assert posts[3][2] >= move[3]  # the create after it left once it was answered
        assert names_in(sb, second)[0] == "Before 2"
        assert sum(c.name == "Before 2" for c in sb.world.cards.values()) == 1


async def test_a_refused_flight_is_sent_again_and_made_once(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    sb.faults.latency_s = 0.02
    watched = Watched(sb, fail=2)
    async with rig(sb, tmp_path, transport=watched) as r:
        state = r.engine.state
        assert state is not None
        lst = state.open_lists()[0].id
        names = [f"Retried {i}" for i in range(6)]
        for name in names:
            bottom = positions.bottom([c.pos for c in state.cards_in(lst)])
            r.engine.submit(CreateCard(state.id, list_id=lst, name=name, pos=bottom))
        assert await r.engine.settled(10)
        await asyncio.sleep(0.1)
        made = [c.name for c in sb.world.cards.values() if c.name.startswith("Retried")]
        assert sorted(made) == names
        assert [n for n in names_in(sb, lst) if n.startswith("Retried")] == names
        assert not r.engine.failed_ops()
