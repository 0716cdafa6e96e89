"""Acceptance: started offline, the last board reads from the cache with an offline marker;
changes made while offline reach the sandbox once it is back.
"""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

from tests.sync.harness import rig
from trello_tui.sandbox import Sandbox
from trello_tui.store.outbox import Outbox
from trello_tui.sync.ops import CreateCard, MoveCard, RenameCard
from trello_tui.trello import positions


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_offline_start_reads_the_cache_and_writes_reach_trello_later(
    tmp_path: Path,
) -> None:
    sb = Sandbox.create(seed="demo")
    async with rig(sb, tmp_path) as online:  # a first, online run fills the cache
        assert online.engine.state is not None
        expected = {c.id: c.name for c in online.engine.state.cards.values()}
    served = sum(sb.stats_data.requests_by_token.values())

    # `trello-tui --offline`: nothing is sent, the cached board shows, marked offline
    async with rig(sb, tmp_path, offline=True) as offline:
        state = offline.engine.state
        assert state is not None
        assert {c.id: c.name for c in state.cards.values()} == expected
        status = offline.engine.status
        assert status.state == "offline" and status.text().startswith("offline (cached)")
        first, second = state.open_lists()[0].id, state.open_lists()[1].id
        card = state.cards_in(first)[0]
        pos = positions.top([c.pos for c in state.cards_in(second)])
        assert pos is not None
        offline.engine.submit(MoveCard(state.id, card_id=card.id, list_id=second, pos=pos))
        create = CreateCard(state.id, list_id=first, name="Written on the train", pos=1.0)
        offline.engine.submit(create)
        await offline.engine.submit(RenameCard(state.id, card_id=create.card_id, name="On a train"))
        assert offline.engine.status.pending == 3
        assert "3 writes pending" in offline.engine.status.text()
        await asyncio.sleep(0.2)
    assert sum(sb.stats_data.requests_by_token.values()) == served  # not one request
    assert Outbox(tmp_path / "outbox.sqlite3").count() == 3

    # back online: the outbox drains into the sandbox
    async with rig(sb, tmp_path) as back:
        assert await back.engine.settled(5)
    assert sb.world.cards[card.id].id_list == second
    made = [c for c in sb.world.cards.values() if c.name == "On a train"]
    assert len(made) == 1 and made[0].id_list == first
    assert Outbox(tmp_path / "outbox.sqlite3").count() == 0


async def test_writes_wait_while_trello_is_unreachable_and_go_when_it_returns(
    tmp_path: Path,
) -> None:
    sb = Sandbox.create(seed="demo")
    async with rig(sb, tmp_path):
        pass  # cache filled
    port = _free_port()
    url = f"http://127.0.0.1:{port}/1"
    async with rig(sb, tmp_path, url=url, start=False) as r:
        assert await r.engine.start(refresh=False)  # painted from the cache
        state = r.engine.state
        assert state is not None
        card = state.cards_in(state.open_lists()[0].id)[0]
        r.engine.submit(RenameCard(state.id, card_id=card.id, name="Sent when back"))
        await asyncio.sleep(0.3)
        assert r.engine.status.state == "offline"
        assert r.engine.status.text().startswith("offline, retrying")
        async with sb.serve(port=port):
            assert await r.engine.settled(5)
        assert sb.world.cards[card.id].name == "Sent when back"
