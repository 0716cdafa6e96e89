"""A move is sent only by Trello's current numbers: after a re-spacing, or from a stale cache.

Found by the chaos machine (tests/reliability): Trello re-spaced a list, the board load that
should have taught the engine the new numbers failed under faults, and the next move — its
``pos`` computed from the old numbers — landed one card off. The same happens to a move made
at start-up from a cache older than a re-spacing, sent before the first load. Now such a
list is *unsure* until a full load succeeds; a move or create into it waits for that load and
is re-planned between the cards it was put between (sync/placing.py).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from tests.sync.harness import as_teammate, demo_board_id, hide_at, rig, world_order
from trello_tui.sandbox import Sandbox
from trello_tui.sync.ops import MoveCard


class _LoadsFail(httpx.ASGITransport):
    """Once armed by a card's write being answered, the next ``count`` reads get a 503."""

    def __init__(self, sb: Sandbox, card_id: str, count: int) -> None:
        super().__init__(app=sb.app)
        self.card_id = card_id
        self.count = count
        self.armed = False
        self.failed = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.armed and request.method == "GET" and self.failed < self.count:
            self.failed += 1
            return httpx.Response(503, text="Service Unavailable", request=request)
        response = await super().handle_async_request(request)
        if request.method == "PUT" and self.card_id in str(request.url):
            self.armed = True
        return response


async def test_a_move_after_a_respacing_waits_for_a_load_that_succeeds(tmp_path: Path) -> None:
    sb = Sandbox.create("demo")
    board = sb.world.boards[demo_board_id(sb)]
    first = sb.world.sorted_lists(board)[0]
    c = [sb.world.cards[i] for i in world_order(sb, first.id)]
    hidden = c[-1]  # archived (unseen by the app), right where the first move asks to go
    hide_at(hidden, (c[0].pos + c[1].pos) / 2)
    transport = _LoadsFail(sb, c[5].id, count=4)  # two whole loads fail (two tries each)
    async with rig(sb, tmp_path, transport=transport) as r:
        r.queue.batching = False
        state = r.engine.state
        assert state is not None
        shown = list(state.card_ids_in(first.id))
        # 1) c[5] between c[0] and c[1] on the archived card's pos: Trello re-spaces the list,
        #    and the loads that would tell the engine the new numbers fail.
        mid = (state.cards[shown[0]].pos + state.cards[shown[1]].pos) / 2
        r.engine.submit(MoveCard(board.id, card_id=shown[5], list_id=first.id, pos=mid))
        # 2) queued at once, by the old numbers: c[6] between c[2] and c[3].
        low, high = state.cards[shown[2]].pos, state.cards[shown[3]].pos
        r.engine.submit(
            MoveCard(board.id, card_id=shown[6], list_id=first.id, pos=(low + high) / 2)
        )
        assert await r.engine.settled(20)
        assert r.engine.failed_ops() == []
        want = [shown[0], shown[5], shown[1], shown[2], shown[6], shown[3], shown[4]]
        got = world_order(sb, first.id)
        assert got == want, ([shown.index(i) for i in got], [shown.index(i) for i in want])
        assert state.card_ids_in(first.id) == want
        assert transport.failed == 4


class _SlowLoads(httpx.ASGITransport):
    """Reads take a while (a big board): a write can be answered before a load is."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            await asyncio.sleep(0.3)
        return await super().handle_async_request(request)


async def test_a_move_made_from_a_stale_cache_lands_where_it_was_put(tmp_path: Path) -> None:
    sb = Sandbox.create("demo")
    board = sb.world.boards[demo_board_id(sb)]
    first = sb.world.sorted_lists(board)[0]
    async with rig(sb, tmp_path):
        pass  # the board is in the cache now
    ids = world_order(sb, first.id)
    for i, card_id in enumerate(ids):  # Trello re-spaces the list while the app is closed
        sb.world.cards[card_id].pos = 1000.0 * (i + 1)
    async with rig(sb, tmp_path, start=False, transport=_SlowLoads(app=sb.app)) as r:
        await r.engine.start(refresh=False)  # painted from the cache, its old numbers
        state = r.engine.state
        assert state is not None
        shown = list(state.card_ids_in(first.id))
        assert shown == ids
        # The last card up between the first two, by the cache's numbers (the load that
        # brings Trello's runs meanwhile, as at the app's start).
        mid = (state.cards[shown[0]].pos + state.cards[shown[1]].pos) / 2
        assert mid > 1000.0 * len(ids)  # by Trello's numbers: below every card
        load = asyncio.get_running_loop().create_task(r.engine.refresh())
        r.engine.submit(MoveCard(board.id, card_id=shown[-1], list_id=first.id, pos=mid))
        assert await r.engine.settled(10)
        assert await load
        want = [shown[0], shown[-1], *shown[1:-1]]
        got = world_order(sb, first.id)
        assert got == want, [shown.index(i) for i in got]
        assert state.card_ids_in(first.id) == want


class _BoardLoadsFail(httpx.ASGITransport):
    """While ``failing``, every full board load gets a 503 (other requests go through)."""

    def __init__(self, sb: Sandbox, board_id: str) -> None:
        super().__init__(app=sb.app)
        self.path = f"/1/boards/{board_id}"
        self.failing = False
        self.failed = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.failing and request.method == "GET" and request.url.path == self.path:
            self.failed += 1
            return httpx.Response(503, text="Service Unavailable", request=request)
        return await super().handle_async_request(request)


async def test_a_renumbered_list_keeps_its_shown_order_until_a_full_load_brings_it(
    tmp_path: Path,
) -> None:
    """Trello re-spaced a list behind the app's back. A rename's answer and a polled change
    each carry one card's number in the new numbering while its neighbours are still shown by
    the old one: adopted alone, that card would jump rows. It keeps its shown place until a
    full load (the next poll's, once the first reload failed) brings every number at once."""
    from trello_tui.live.poller import Poller
    from trello_tui.sync.ops import RenameCard
    from trello_tui.trello import calls
    from trello_tui.trello.queue import Priority

    sb = Sandbox.create("demo")
    board = sb.world.boards[demo_board_id(sb)]
    first = sb.world.sorted_lists(board)[0]
    transport = _BoardLoadsFail(sb, board.id)
    async with rig(sb, tmp_path, transport=transport) as r:
        r.queue.batching = False
        state = r.engine.state
        assert state is not None
        shown = list(state.card_ids_in(first.id))
        # Trello re-spaces the list (same order, tiny numbers), and its reloads fail for now.
        for i, card_id in enumerate(world_order(sb, first.id)):
            sb.world.cards[card_id].pos = float(i + 1)
        transport.failing = True
        since = r.engine.last_action_id
        # 1) The user renames the fourth card: its answer says pos 4.0.
        r.engine.submit(RenameCard(board.id, card_id=shown[3], name="Renamed"))
        assert await r.engine.settled(10)
        assert transport.failed >= 1, "the reload the answer asked for failed"
        assert r.engine.needs_load
        assert state.card_ids_in(first.id) == shown
        assert state.cards[shown[3]].name == "Renamed"
        # 2) A teammate renames the sixth card; the poll fetches it with pos 6.0.
        await as_teammate(sb, "PUT", f"/cards/{shown[5]}", name="Sam's")
        actions = await r.queue.submit(
            calls.board_actions(board.id, since=since, limit=1000), priority=Priority.SYNC
        )
        assert await r.engine.merge_actions(actions)
        assert state.cards[shown[5]].name == "Sam's"
        assert state.card_ids_in(first.id) == shown
        # 3) Trello answers loads again: the next poll is a full load, which brings them all.
        transport.failing = False
        poller = Poller(r.queue, [r.engine])
        await poller.poll_once()
        assert not r.engine.needs_load
        assert state.card_ids_in(first.id) == shown == world_order(sb, first.id)
        assert [state.cards[i].pos for i in shown] == [float(i + 1) for i in range(len(shown))]


class _HeldCardRead(httpx.ASGITransport):
    """Once armed, serves the next read of one card at once but holds its answer back."""

    def __init__(self, sb: Sandbox, card_id: str) -> None:
        super().__init__(app=sb.app)
        self.card_id = card_id
        self.armed = False
        self.served = asyncio.Event()
        self.release = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        if self.armed and request.method == "GET" and f"cards/{self.card_id}" in str(request.url):
            self.armed = False
            self.served.set()
            await self.release.wait()
        return response


async def test_a_polled_copy_read_before_trello_re_spaced_its_list_does_not_bring_old_numbers(
    tmp_path: Path,
) -> None:
    """Found by the chaos machine: a poll fetched a card (a teammate renamed it); Trello read
    it, then our move made Trello re-space its list and the engine loaded the new numbers; the
    fetched copy came in last, with the card's old number among the new ones: a row off."""
    from trello_tui.trello import calls
    from trello_tui.trello.queue import Priority

    sb = Sandbox.create("demo")
    board = sb.world.boards[demo_board_id(sb)]
    first = sb.world.sorted_lists(board)[0]
    c = [sb.world.cards[i] for i in world_order(sb, first.id)]
    for i, card in enumerate(c):  # numbers far from Trello's own spacing
        card.pos = 1000.0 * (i + 1)
    hidden = c[-1]  # archived, where the move below asks to go: Trello re-spaces the list
    hide_at(hidden, (c[0].pos + c[1].pos) / 2)
    fetched = c[4]
    old_pos = fetched.pos
    transport = _HeldCardRead(sb, fetched.id)
    async with rig(sb, tmp_path, transport=transport) as r:
        r.queue.batching = False
        state = r.engine.state
        assert state is not None
        shown = list(state.card_ids_in(first.id))
        since = r.engine.last_action_id
        await as_teammate(sb, "PUT", f"/cards/{fetched.id}", name="Sam's")
        actions = await r.queue.submit(
            calls.board_actions(board.id, since=since, limit=1000), priority=Priority.SYNC
        )
        transport.armed = True
        merge = asyncio.create_task(r.engine.merge_actions(actions))
        await asyncio.wait_for(transport.served.wait(), 5)  # read by Trello, answer held
        mid = (state.cards[shown[0]].pos + state.cards[shown[1]].pos) / 2
        r.engine.submit(MoveCard(board.id, card_id=shown[5], list_id=first.id, pos=mid))
        assert await r.engine.settled(10)
        assert fetched.pos != old_pos  # re-spaced, and loaded
        assert state.cards[fetched.id].pos == fetched.pos
        transport.release.set()
        assert await asyncio.wait_for(merge, 10)
        assert state.cards[fetched.id].name == "Sam's"
        want = [shown[0], shown[5], *shown[1:5], *shown[6:]]
        assert world_order(sb, first.id) == want
        assert state.card_ids_in(first.id) == want
        assert state.cards[fetched.id].pos == sb.world.cards[fetched.id].pos


async def test_a_card_moved_below_another_follows_it_when_that_ones_move_is_re_planned(
    tmp_path: Path,
) -> None:
    """Found by the chaos machine: X was moved to the bottom of a list, then Y below X, both
    still to be sent. A teammate's change re-planned X's move (its upper neighbour went
    further down) but not Y's, which names X only as a neighbour: Y kept a number above X's
    new one. Re-checked just before it leaves, Y goes below X."""
    sb = Sandbox.create("demo")
    board = sb.world.boards[demo_board_id(sb)]
    first, second = sb.world.sorted_lists(board)[:2]
    async with rig(sb, tmp_path) as r:
        r.queue.batching = False
        state = r.engine.state
        assert state is not None
        shown = list(state.card_ids_in(first.id))
        x, y = state.card_ids_in(second.id)[:2]
        since = r.engine.last_action_id
        r.engine.set_offline(True)
        last = state.cards[shown[-1]].pos
        r.engine.submit(MoveCard(board.id, card_id=x, list_id=first.id, pos=last + 16384))
        below_x = state.cards[x].pos + 16384
        r.engine.submit(MoveCard(board.id, card_id=y, list_id=first.id, pos=below_x))
        assert state.card_ids_in(first.id) == [*shown, x, y]
        # The teammate moves the last card far down and renames X; a poll brings both.
        await as_teammate(sb, "PUT", f"/cards/{shown[-1]}", pos=str(last + 100_000))
        await as_teammate(sb, "PUT", f"/cards/{x}", name="Renamed by Sam")
        actions = await r.client.board_actions(board.id, since=since, limit=50)
        assert await r.engine.merge_actions(actions, advance=True)
        r.engine.set_offline(False)
        assert await r.engine.settled(10)
        assert r.engine.failed_ops() == []
        want = [*shown, x, y]
        assert world_order(sb, first.id) == want
        assert state.card_ids_in(first.id) == want
