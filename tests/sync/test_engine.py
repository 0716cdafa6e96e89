"""SyncEngine against the sandbox: optimistic writes, confirmation, rollback, undo, merges."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote

import httpx

from tests.sync.harness import as_teammate, demo_board_id, rig, world_order
from trello_tui.live.poller import Poller
from trello_tui.sandbox import Sandbox
from trello_tui.store.outbox import Outbox
from trello_tui.sync.events import IdsReplaced, Notice, Status
from trello_tui.sync.ops import ArchiveCard, CreateCard, MoveCard, RenameCard, SetDescription
from trello_tui.sync.ops_items import AddCheckItem, CreateChecklist, ToggleCheckItem
from trello_tui.trello import positions, writes
from trello_tui.trello.auth import Credentials
from trello_tui.trello.client import TrelloClient


async def test_a_move_shows_at_once_and_adopts_the_servers_pos(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    async with rig(sb, tmp_path) as r:
        state = r.engine.state
        assert state is not None
        lists = state.open_lists()
        card = state.cards_in(lists[0].id)[0]
        target = lists[1].id
        pos = positions.top([c.pos for c in state.cards_in(target)])
        assert pos is not None
        durable = r.engine.submit(MoveCard(state.id, card_id=card.id, list_id=target, pos=pos))
        # applied before anything was sent
        assert state.card_ids_in(target)[0] == card.id
        assert r.engine.status.pending == 1
        await durable
        assert await r.engine.settled(5)
        server = sb.world.cards[card.id]
        assert server.id_list == target
        assert state.cards[card.id].pos == server.pos
        assert r.engine.status.state == "synced" and r.engine.status.pending == 0
        assert Outbox(tmp_path / "outbox.sqlite3").count() == 0


async def test_create_then_dependent_writes_use_the_real_id(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    async with rig(sb, tmp_path) as r:
        state = r.engine.state
        assert state is not None
        lst = state.open_lists()[0].id
        create = CreateCard(state.id, list_id=lst, name="Write the launch post", pos=1.0)
        r.engine.submit(create)
        temp = create.card_id
        r.engine.submit(RenameCard(state.id, card_id=temp, name="Write the launch blog post"))
        checklist = CreateChecklist(state.id, card_id=temp, name="Steps")
        r.engine.submit(checklist)
        temp_checklist = checklist.checklist_id
        item = AddCheckItem(state.id, card_id=temp, checklist_id=checklist.checklist_id, name="a")
        r.engine.submit(item)
        r.engine.submit(
            ToggleCheckItem(
                state.id,
                card_id=temp,
                checklist_id=checklist.checklist_id,
                item_id=item.item_id,
                complete=True,
            )
        )
        assert temp in state.cards
        assert await r.engine.settled(5)
        made = [c for c in sb.world.cards.values() if c.name.startswith("Write the launch")]
        assert len(made) == 1 and made[0].name == "Write the launch blog post"
        real = made[0].id
        assert temp not in state.cards and state.cards[real].name == made[0].name
        (cl_id,) = made[0].checklist_ids
        assert [c.id for c in state.checklists_of(real)] == [cl_id]
        server_items = sb.world.checklists[cl_id].items
        assert [i.state for i in server_items] == ["complete"]
        swaps = {k: v for e in r.of(IdsReplaced) for k, v in e.mapping.items()}
        assert swaps[temp] == real and swaps[temp_checklist] == cl_id
        assert checklist.checklist_id == cl_id  # undo now deletes the real checklist


async def test_permanent_failure_rolls_back_and_can_be_retried_or_discarded(
    tmp_path: Path,
) -> None:
    sb = Sandbox.create(seed="demo")
    async with rig(sb, tmp_path) as r:
        state = r.engine.state
        assert state is not None
        lst = state.open_lists()[0].id
        card = state.cards_in(lst)[0]
        bad = MoveCard(state.id, card_id=card.id, list_id="5" * 24, pos=1.0)
        r.engine.submit(bad)
        later = SetDescription(state.id, card_id=card.id, desc="still wanted")
        r.engine.submit(later)
        assert await r.engine.settled(5)
        assert state.cards[card.id].id_list == lst  # rolled back …
        assert state.cards[card.id].desc == "still wanted"  # … without losing the later write
        assert sb.world.cards[card.id].desc == "still wanted"
        notices = [n for n in r.of(Notice) if n.level == "error"]
        assert notices and notices[0].text.startswith(f"Couldn't move '{card.name}': ")
        assert "idList" in notices[0].text and notices[0].op_id == bad.op_id
        assert r.engine.status.failed == 1 and "1 failed" in r.engine.status.text()
        await r.engine.discard(bad.op_id)
        assert r.engine.status.failed == 0
        assert Outbox(tmp_path / "outbox.sqlite3").count() == 0


async def test_transient_failures_keep_writes_pending_until_trello_answers(
    tmp_path: Path,
) -> None:
    sb = Sandbox.create(seed="demo")
    async with rig(sb, tmp_path) as r:
        state = r.engine.state
        assert state is not None
        card = state.cards_in(state.open_lists()[0].id)[0]
        sb.faults.update({"error_rate": 1.0, "error_status": 503})
        r.engine.submit(RenameCard(state.id, card_id=card.id, name="Renamed in the storm"))
        await asyncio.sleep(0.3)
        assert r.engine.status.state == "offline" and r.engine.status.pending == 1
        assert "offline" in r.engine.status.text()
        assert state.cards[card.id].name == "Renamed in the storm"
        sb.faults.update({"error_rate": 0.0})
        assert await r.engine.settled(5)
        assert sb.world.cards[card.id].name == "Renamed in the storm"
        assert any(isinstance(e, Status) and e.state == "offline" for e in r.events)


async def test_undo_submits_the_inverse(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    async with rig(sb, tmp_path) as r:
        state = r.engine.state
        assert state is not None
        card = state.cards_in(state.open_lists()[0].id)[0]
        r.engine.submit(ArchiveCard(state.id, card_id=card.id))
        assert await r.engine.settled(5)
        assert sb.world.cards[card.id].closed
        assert r.engine.undo()
        assert state.index_of(card.id) is not None
        assert await r.engine.settled(5)
        assert not sb.world.cards[card.id].closed
        assert not r.engine.undo()


async def test_unknown_outcome_after_a_restart_is_reconciled_not_duplicated(
    tmp_path: Path,
) -> None:
    sb = Sandbox.create(seed="demo")
    board_id = demo_board_id(sb)
    lst = next(iter(sb.world.boards[board_id].list_ids))
    # Two creates were sent by a previous run that died before hearing back; the first
    # reached Trello, the second did not.
    box = Outbox(tmp_path / "outbox.sqlite3")
    reached = CreateCard(board_id, list_id=lst, name="Reached Trello", pos=5.0)
    lost = CreateCard(board_id, list_id=lst, name="Never arrived", pos=6.0)
    for op in (reached, lost):
        box.add(op.op_id, board_id, op.kind, op.to_json())
        box.mark_sent(op.op_id)
    box.close()
    creds = sb.credentials
    async with TrelloClient(
        Credentials(key=creds.key, token=creds.token),
        base_url=sb.base_url,
        transport=httpx.ASGITransport(app=sb.app),
    ) as client:
        await client.send(writes.create_card(lst, "Reached Trello", pos=5.0))
    async with rig(sb, tmp_path) as r:
        assert await r.engine.settled(5)
        names = [c.name for c in sb.world.cards.values()]
        assert names.count("Reached Trello") == 1
        assert names.count("Never arrived") == 1
        state = r.engine.state
        assert state is not None
        assert sorted(c.name for c in state.cards.values() if c.name in names[-2:]) != []
        assert not any(c.id.startswith("tmp-") for c in state.cards.values())


async def test_remote_change_rebases_a_pending_write_field_by_field(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    async with rig(sb, tmp_path) as r:
        state = r.engine.state
        assert state is not None
        card = state.cards_in(state.open_lists()[0].id)[0]
        r.engine.editing = card.id
        r.engine.set_offline(True)
        r.engine.submit(SetDescription(state.id, card_id=card.id, desc="mine"))
        teammate = sb.credentials.tokens["sam"]
        async with TrelloClient(
            Credentials(key=sb.credentials.key, token=teammate),
            base_url=sb.base_url,
            transport=httpx.ASGITransport(app=sb.app),
        ) as client:
            await client.update_card(card.id, name="Sam's title", desc="sam's desc")
        r.engine.set_offline(False)
        poller = Poller(r.queue, [r.engine])
        await poller.poll_once()
        # the remote title arrived; the pending local description stays on top
        assert state.cards[card.id].name == "Sam's title"
        assert state.cards[card.id].desc == "mine"
        conflicts = [n for n in r.of(Notice) if n.level == "conflict"]
        assert conflicts and "while you were editing" in conflicts[0].text
        assert await r.engine.settled(5)
        assert sb.world.cards[card.id].name == "Sam's title"
        assert sb.world.cards[card.id].desc == "mine"


async def test_another_process_sending_the_outbox_holds_our_writes(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    other = Outbox(tmp_path / "outbox.sqlite3")
    assert other.claim_sender()  # e.g. a `trello-tui sync` running from cron
    async with rig(sb, tmp_path) as r:
        state = r.engine.state
        assert state is not None
        card = state.cards_in(state.open_lists()[0].id)[0]
        r.engine.submit(RenameCard(state.id, card_id=card.id, name="Held back"))
        await asyncio.sleep(0.3)
        assert sb.world.cards[card.id].name != "Held back"
        other.close()
        assert await r.engine.settled(5)
        assert sb.world.cards[card.id].name == "Held back"


async def test_a_damaged_cache_is_reported_as_a_notice(tmp_path: Path) -> None:
    (tmp_path / "cache.sqlite3").write_bytes(b"not sqlite at all" * 64)
    sb = Sandbox.create(seed="demo")
    async with rig(sb, tmp_path) as r:
        warnings = [n for n in r.of(Notice) if n.level == "warning"]
        assert warnings and "cache.sqlite3 could not be used" in warnings[0].text
        assert r.engine.state is not None


async def test_rapid_writes_to_one_card_end_where_the_last_one_put_it(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    rng = random.Random(7)
    async with rig(sb, tmp_path) as r:
        state = r.engine.state
        assert state is not None
        lists = [lst.id for lst in state.open_lists()]
        card = state.cards_in(lists[0])[0]
        target = lists[0]
        for n in range(12):
            target = rng.choice(lists)
            siblings = [c.pos for c in state.cards_in(target) if c.id != card.id]
            pos = positions.bottom(siblings) if n % 2 else positions.top(siblings)
            assert pos is not None
            r.engine.submit(MoveCard(state.id, card_id=card.id, list_id=target, pos=pos))
            r.engine.submit(RenameCard(state.id, card_id=card.id, name=f"name {n}"))
            # the answers to earlier writes arrive while later ones are being made
            assert state.cards[card.id].id_list == target
            assert state.cards[card.id].name == f"name {n}"
            await asyncio.sleep(rng.uniform(0, 0.01))
        assert await r.engine.settled(10)
        assert state.cards[card.id].id_list == target == sb.world.cards[card.id].id_list
        assert state.cards[card.id].name == "name 11" == sb.world.cards[card.id].name
        assert state.cards[card.id].pos == sb.world.cards[card.id].pos
        assert state.index_of(card.id) is not None


async def test_a_429_shows_rate_limited_and_the_write_goes_after_the_wait(
    tmp_path: Path,
) -> None:
    sb = Sandbox.create(seed="demo")
    async with rig(sb, tmp_path) as r:
        state = r.engine.state
        assert state is not None
        card = state.cards_in(state.open_lists()[0].id)[0]
        sb.faults.update({"burst_429": 1})
        r.engine.submit(RenameCard(state.id, card_id=card.id, name="After the wait"))
        assert await r.engine.settled(10)
        assert sb.world.cards[card.id].name == "After the wait"
        waits = [e for e in r.of(Status) if e.state == "rate_limited"]
        assert waits and waits[0].text().startswith("rate-limited, waiting ")


async def test_undo_of_a_write_not_sent_yet_withdraws_it(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    async with rig(sb, tmp_path, offline=False) as r:
        state = r.engine.state
        assert state is not None
        card = state.cards_in(state.open_lists()[0].id)[0]
        r.engine.set_offline(True)
        await r.engine.submit(RenameCard(state.id, card_id=card.id, name="Second thoughts"))
        served = sb.stats["requests"]
        assert r.engine.undo()
        assert state.cards[card.id].name == card.name and r.engine.status.pending == 0
        r.engine.set_offline(False)
        assert await r.engine.settled(5)
        await asyncio.sleep(0.1)
        assert sb.stats["requests"] == served  # nothing was sent, not even an inverse
        assert sb.world.cards[card.id].name == card.name
    assert Outbox(tmp_path / "outbox.sqlite3").count() == 0


class _HeldAnswer(httpx.ASGITransport):
    """Serves every request at once, but once armed holds back the first answer ``holds``
    picks (Trello has acted on the request; its answer is still on the way)."""

    def __init__(self, sb: Sandbox, *, armed: bool = False) -> None:
        super().__init__(app=sb.app)
        self.armed = armed
        self.served = asyncio.Event()
        self.release = asyncio.Event()

    def holds(self, request: httpx.Request) -> bool:
        raise NotImplementedError

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        if self.armed and self.holds(request):
            self.armed = False
            self.served.set()
            await self.release.wait()
        return response


class _HeldCardAnswer(_HeldAnswer):
    """Holds back the first answer that carries one card."""

    def __init__(self, sb: Sandbox, card_id: str) -> None:
        super().__init__(sb)
        self.card_id = card_id

    def holds(self, request: httpx.Request) -> bool:
        return request.method == "GET" and f"cards/{self.card_id}" in str(request.url)


class _HeldBoardLoad(_HeldAnswer):
    """Holds back the answer to the next full board load."""

    def __init__(self, sb: Sandbox, board_id: str) -> None:
        super().__init__(sb)
        self.path = f"/boards/{board_id}"

    def holds(self, request: httpx.Request) -> bool:
        url = unquote(str(request.url))  # (the queue may batch the load with other reads)
        return request.method == "GET" and f"{self.path}?" in url


async def test_a_board_load_older_than_a_confirmed_write_does_not_undo_it(
    tmp_path: Path,
) -> None:
    """A full load read by Trello before our move and our new card, and answered after both
    were confirmed, must not put the card back nor drop the new one."""
    sb = Sandbox.create(seed="demo")
    board_id = demo_board_id(sb)
    w = sb.world
    first, second = w.sorted_lists(w.boards[board_id])[:2]

    card_id = world_order(sb, first.id)[0]
    transport = _HeldBoardLoad(sb, board_id)
    async with rig(sb, tmp_path, transport=transport) as r:
        state = r.engine.state
        assert state is not None
        transport.armed = True
        load = asyncio.create_task(r.engine.refresh())
        await asyncio.wait_for(transport.served.wait(), 5)
        # Meanwhile the user moves a card to the next list and adds one; Trello confirms both.
        top = positions.top([c.pos for c in state.cards_in(second.id)])
        assert top is not None
        r.engine.submit(MoveCard(state.id, card_id=card_id, list_id=second.id, pos=top))
        r.engine.submit(CreateCard(state.id, list_id=first.id, name="Made meanwhile", pos=1.0))
        assert await r.engine.settled(5)
        made = next(c.id for c in w.cards.values() if c.name == "Made meanwhile")
        transport.release.set()  # now the board as it was before both arrives
        assert await asyncio.wait_for(load, 5)
        assert state.card_ids_in(second.id) == world_order(sb, second.id)
        assert state.card_ids_in(second.id)[0] == card_id
        assert state.card_ids_in(first.id) == world_order(sb, first.id)
        assert made in state.card_ids_in(first.id)
        assert state.cards[card_id].pos == w.cards[card_id].pos


class _HeldLoadThenCardsFail(_HeldBoardLoad):
    """Holds back a full load; once ``failing``, every read of one card gets a 503."""

    failing = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.failing and request.method == "GET" and "/cards/" in unquote(str(request.url)):
            return httpx.Response(503, text="Service Unavailable", request=request)
        return await super().handle_async_request(request)


async def test_a_load_older_than_our_answers_shows_what_they_said_while_the_fetch_fails(
    tmp_path: Path,
) -> None:
    """The load read before Trello answered our move and our archive: until the cards are
    fetched again (here that fails for a while), they stay as the answers left them — not
    moved back, not open again."""
    sb = Sandbox.create(seed="demo")
    board_id = demo_board_id(sb)
    w = sb.world
    first, second = w.sorted_lists(w.boards[board_id])[:2]
    mover, archived = world_order(sb, first.id)[:2]
    transport = _HeldLoadThenCardsFail(sb, board_id)
    async with rig(sb, tmp_path, transport=transport) as r:
        r.queue.batching = False
        state = r.engine.state
        assert state is not None
        transport.armed = True
        load = asyncio.create_task(r.engine.refresh())
        await asyncio.wait_for(transport.served.wait(), 5)
        top = positions.top([c.pos for c in state.cards_in(second.id)])
        assert top is not None
        r.engine.submit(MoveCard(state.id, card_id=mover, list_id=second.id, pos=top))
        r.engine.submit(ArchiveCard(state.id, card_id=archived))
        assert await r.engine.settled(5)
        transport.failing = True
        transport.release.set()
        assert await asyncio.wait_for(load, 5)
        assert state.card_ids_in(second.id)[0] == mover
        assert archived not in state.card_ids_in(first.id)
        assert state.card_ids_in(first.id) == world_order(sb, first.id)
        assert state.card_ids_in(second.id) == world_order(sb, second.id)
        transport.failing = False  # the fetch goes through at last: nothing changes
        for _ in range(100):
            if not r.engine._stale:
                break
            await asyncio.sleep(0.05)
        assert not r.engine._stale
        assert state.card_ids_in(second.id) == world_order(sb, second.id)


class _HeldCreateAnswer(_HeldAnswer):
    """Holds back the answer to the next card create (Trello has made the card)."""

    def holds(self, request: httpx.Request) -> bool:
        return request.method == "POST" and request.url.path.endswith("/cards")


async def test_a_poll_during_a_create_shows_the_new_card_once(tmp_path: Path) -> None:
    """A poll sees the card our create made before the create's answer is in: shown once
    (the answer adopts it in place of the one shown), and a teammate's card of the same name
    made meanwhile still appears once the answer says which card is ours."""
    sb = Sandbox.create(seed="demo")
    board_id = demo_board_id(sb)
    first = sb.world.sorted_lists(sb.world.boards[board_id])[0]
    transport = _HeldCreateAnswer(sb)
    async with rig(sb, tmp_path, transport=transport) as r:
        r.queue.batching = False
        state = r.engine.state
        assert state is not None
        since = r.engine.last_action_id
        transport.armed = True
        r.engine.submit(CreateCard(state.id, list_id=first.id, name="Same name", pos=1.0))
        await asyncio.wait_for(transport.served.wait(), 5)
        await as_teammate(sb, "POST", "/cards", idList=first.id, name="Same name", pos="bottom")
        actions = await r.client.board_actions(board_id, since=since, limit=50)
        assert await r.engine.merge_actions(actions, advance=True)

        def named() -> list[str]:
            return [i for i in state.card_ids_in(first.id) if state.cards[i].name == "Same name"]

        assert len(named()) == 1, "our card, shown once, under its temporary id"
        transport.release.set()
        assert await r.engine.settled(5)
        for _ in range(100):
            if len(named()) == 2:
                break
            await asyncio.sleep(0.05)
        assert sorted(named()) == sorted(
            c.id for c in sb.world.cards.values() if c.name == "Same name"
        )
        assert state.card_ids_in(first.id) == world_order(sb, first.id)


async def test_a_fetched_copy_older_than_a_confirmed_write_is_fetched_again(
    tmp_path: Path,
) -> None:
    """A poll's fetch of a card, read by Trello before our next move of it and answered after
    that move's confirmation, must not put the card back where it was."""
    sb = Sandbox.create(seed="demo")
    board_id = demo_board_id(sb)
    w = sb.world
    first = w.sorted_lists(w.boards[board_id])[0]

    ids = world_order(sb, first.id)
    card_id = ids[len(ids) // 2]
    transport = _HeldCardAnswer(sb, card_id)
    async with rig(sb, tmp_path, transport=transport) as r:
        state = r.engine.state
        assert state is not None
        top = positions.top([c.pos for c in state.cards_in(first.id)])
        assert top is not None
        r.engine.submit(MoveCard(state.id, card_id=card_id, list_id=first.id, pos=top))
        assert await r.engine.settled(5)
        assert state.card_ids_in(first.id)[0] == card_id
        # The poll sees our move to the top and fetches the card; Trello reads it at once.
        actions = await r.client.board_actions(board_id, limit=5)
        actions = [a for a in actions if a.card_id == card_id]
        assert actions
        transport.armed = True
        merge = asyncio.create_task(r.engine.merge_actions(actions, advance=True))
        await asyncio.wait_for(transport.served.wait(), 5)
        # Meanwhile the user moves it to the bottom, and Trello confirms that.
        bottom = positions.bottom([c.pos for c in state.cards_in(first.id)])
        assert bottom is not None
        r.engine.submit(MoveCard(state.id, card_id=card_id, list_id=first.id, pos=bottom))
        assert await r.engine.settled(5)
        assert state.card_ids_in(first.id)[-1] == card_id
        transport.release.set()  # now the copy read before the move arrives
        assert await asyncio.wait_for(merge, 5)
        truth = world_order(sb, first.id)
        assert truth[-1] == card_id
        assert state.card_ids_in(first.id) == truth
        assert state.cards[card_id].pos == sb.world.cards[card_id].pos


class _HeldWriteAnswer(_HeldAnswer):
    """Holds back the answer to the next write to a card."""

    def __init__(self, sb: Sandbox, card_id: str) -> None:
        super().__init__(sb, armed=True)
        self.card_id = card_id

    def holds(self, request: httpx.Request) -> bool:
        return request.method == "PUT" and f"cards/{self.card_id}" in str(request.url)


async def test_undo_of_a_move_a_poll_saw_before_its_answer_puts_the_card_back(
    tmp_path: Path,
) -> None:
    """Trello applied the move, a poll brought the moved card, then the answer came: the
    re-based move must still remember where the card was, so that z puts it back."""
    sb = Sandbox.create(seed="demo")
    board_id = demo_board_id(sb)
    w = sb.world
    first, second = w.sorted_lists(w.boards[board_id])[:2]

    was = world_order(sb, first.id)
    card_id = was[1]
    transport = _HeldWriteAnswer(sb, card_id)
    async with rig(sb, tmp_path, transport=transport) as r:
        state = r.engine.state
        assert state is not None
        top = positions.top([c.pos for c in state.cards_in(second.id)])
        assert top is not None
        r.engine.submit(MoveCard(state.id, card_id=card_id, list_id=second.id, pos=top))
        await asyncio.wait_for(transport.served.wait(), 5)
        actions = await r.client.board_actions(board_id, limit=5)
        assert await r.engine.merge_actions([a for a in actions if a.card_id == card_id])
        transport.release.set()
        assert await r.engine.settled(5)
        assert world_order(sb, second.id)[0] == card_id
        assert r.engine.undo()
        assert await r.engine.settled(5)
        assert world_order(sb, first.id) == was
        assert state.card_ids_in(first.id) == was


class _HeldLoadFailedFetch(_HeldBoardLoad):
    """A held board load, and then Trello failing every read of one card for a while."""

    def __init__(self, sb: Sandbox, board_id: str, card_id: str) -> None:
        super().__init__(sb, board_id)
        self.card_id = card_id
        self.failing = False
        self.refused = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = unquote(str(request.url))
        if self.failing and request.method == "GET" and f"cards/{self.card_id}" in url:
            self.refused += 1
            return httpx.Response(500, text="Internal server error", request=request)
        return await super().handle_async_request(request)


async def test_a_card_a_load_showed_too_old_is_fetched_again_until_trello_answers(
    tmp_path: Path,
) -> None:
    """The fetch that corrects a load read before our move's answer fails: the engine tries
    again later by itself (no poll would: the move's action is older than the load)."""
    sb = Sandbox.create(seed="demo")
    board_id = demo_board_id(sb)
    w = sb.world
    first, second = w.sorted_lists(w.boards[board_id])[:2]

    card_id = world_order(sb, first.id)[0]
    transport = _HeldLoadFailedFetch(sb, board_id, card_id)
    async with rig(sb, tmp_path, transport=transport) as r:
        state = r.engine.state
        assert state is not None
        transport.armed = True
        load = asyncio.create_task(r.engine.refresh())
        await asyncio.wait_for(transport.served.wait(), 5)
        top = positions.top([c.pos for c in state.cards_in(second.id)])
        assert top is not None
        r.engine.submit(MoveCard(state.id, card_id=card_id, list_id=second.id, pos=top))
        assert await r.engine.settled(5)
        transport.failing = True
        transport.release.set()
        assert await asyncio.wait_for(load, 5)  # the board is in; the correction failed
        assert transport.refused > 0
        # Not the load's older copy: the card stays as the move's answer left it meanwhile.
        assert state.card_ids_in(second.id)[:1] == [card_id]
        assert r.engine._stale == {card_id}  # still to fetch again
        transport.failing = False
        for _ in range(100):
            if not r.engine._stale:
                break
            await asyncio.sleep(0.05)
        assert not r.engine._stale, "fetched again by itself once Trello answered"
        assert state.card_ids_in(second.id) == world_order(sb, second.id)
        assert state.card_ids_in(first.id) == world_order(sb, first.id)


async def test_an_answer_showing_a_card_renumbered_relearns_its_lists_positions(
    tmp_path: Path,
) -> None:
    """A teammate's move makes Trello re-space a list; our rename's answer is the first we
    hear of it (the card's new pos): the engine learns the whole list again, so the next
    move is placed by Trello's numbers, not a mix of old and new."""
    sb = Sandbox.create(seed="demo")
    board_id = demo_board_id(sb)
    w = sb.world
    first = w.sorted_lists(w.boards[board_id])[0]

    def positions_in(list_id: str) -> list[tuple[str, float]]:
        open_cards = (c for c in w.cards.values() if c.id_list == list_id and not c.closed)
        return [(c.id, c.pos) for c in sorted(open_cards, key=lambda c: (c.pos, c.id))]

    async with rig(sb, tmp_path) as r:
        state = r.engine.state
        assert state is not None
        ids = [card_id for card_id, _ in positions_in(first.id)]
        creds = sb.credentials
        mate = TrelloClient(
            Credentials(key=creds.key, token=creds.tokens["sam"]),
            base_url=sb.base_url,
            transport=httpx.ASGITransport(app=sb.app),
        )
        try:  # to the top, then another to the same pos: Trello re-spaces the whole list
            top = (await mate.update_card(ids[-1], pos="top")).pos
            await mate.update_card(ids[-2], pos=top)
        finally:
            await mate.aclose()
        truth = positions_in(first.id)
        assert truth != [(c.id, c.pos) for c in state.cards_in(first.id)]  # not heard of yet
        r.engine.submit(RenameCard(state.id, card_id=ids[1], name="Renamed meanwhile"))
        assert await r.engine.settled(5)
        assert [(c.id, c.pos) for c in state.cards_in(first.id)] == truth


class _ChangeBetweenReads(httpx.ASGITransport):
    """Once armed: right after Trello serves the first of a full load's two reads, a teammate
    changes a card (so the change lands between the board and its newest-action marker)."""

    def __init__(self, sb: Sandbox, change: Callable[[], Awaitable[None]]) -> None:
        super().__init__(app=sb.app)
        self.change = change
        self.armed = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        if self.armed and request.method == "GET" and "/boards/" in request.url.path:
            self.armed = False
            await self.change()
        return response


async def test_a_change_between_a_loads_two_reads_is_not_skipped_by_polling(
    tmp_path: Path,
) -> None:
    sb = Sandbox.create(seed="demo")
    board_id = demo_board_id(sb)
    w = sb.world
    first = w.sorted_lists(w.boards[board_id])[0]
    card_id = next(c.id for c in w.cards.values() if c.id_list == first.id and not c.closed)
    creds = sb.credentials

    async def teammate_renames() -> None:
        async with TrelloClient(
            Credentials(key=creds.key, token=creds.tokens["sam"]),
            base_url=sb.base_url,
            transport=httpx.ASGITransport(app=sb.app),
        ) as mate:
            await mate.update_card(card_id, name="Renamed between the reads")

    transport = _ChangeBetweenReads(sb, teammate_renames)
    async with rig(sb, tmp_path, transport=transport) as r:
        r.queue.batching = False  # the two reads go out one by one, as they may on Trello
        transport.armed = True
        assert await r.engine.refresh()
        await Poller(r.queue, [r.engine]).poll_once()
        state = r.engine.state
        assert state is not None
        assert state.cards[card_id].name == "Renamed between the reads"


async def test_a_write_naming_a_new_card_by_its_temporary_id_reaches_the_real_card(
    tmp_path: Path,
) -> None:
    """A prompt opened on a card just created names it by its temporary id; Trello answers
    for the create while the prompt is open. The due date typed then must go to the real
    card — sent with the temporary id, Trello refused it ("invalid id") and it was lost."""
    from trello_tui.sync.ops import SetDue

    sb = Sandbox.create(seed="demo")
    board_id = demo_board_id(sb)
    first = sb.world.sorted_lists(sb.world.boards[board_id])[0]
    async with rig(sb, tmp_path) as r:
        state = r.engine.state
        assert state is not None
        create = CreateCard(state.id, list_id=first.id, name="Brand new", pos=1.0)
        temp = create.card_id
        r.engine.submit(create)
        assert await r.engine.settled(5)
        real = next(c.id for c in sb.world.cards.values() if c.name == "Brand new")
        due = datetime(2026, 12, 24, 12, 0, tzinfo=UTC)
        r.engine.submit(SetDue(state.id, card_id=temp, due=due))  # the prompt's card id
        assert await r.engine.settled(5)
        assert r.engine.failed_ops() == []
        assert sb.world.cards[real].due is not None
        assert state.cards[real].due == due
