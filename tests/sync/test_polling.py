"""Acceptance: a teammate's change arrives within one poll interval, and idle polling costs
exactly one request per interval per open board (counted by the sandbox, served on loopback).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from pathlib import Path

from tests.sync.harness import rig
from trello_tui.live.poller import Poller
from trello_tui.sandbox import Sandbox
from trello_tui.trello.auth import Credentials
from trello_tui.trello.client import TrelloClient

INTERVAL = 0.4


def _routes(sb: Sandbox) -> Counter[str]:
    return Counter({k: v["requests"] for k, v in sb.stats["routes"].items()})


async def _wait_for(predicate: object, within: float) -> float:
    start = time.monotonic()
    while not predicate():  # type: ignore[operator]
        if time.monotonic() - start > within:
            raise AssertionError("not within the deadline")
        await asyncio.sleep(0.005)
    return time.monotonic() - start


async def test_teammate_change_arrives_within_one_interval(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    async with sb.serve() as url, rig(sb, tmp_path, url=url) as r:
        state = r.engine.state
        assert state is not None
        poller = Poller(r.queue, [r.engine], active_s=INTERVAL, idle_after_s=600)
        task = asyncio.create_task(poller.run())
        teammate = TrelloClient(
            Credentials(key=sb.credentials.key, token=sb.credentials.tokens["sam"]), base_url=url
        )
        try:
            await asyncio.sleep(INTERVAL * 1.5)
            delays, polls = [], []
            for n in range(3):
                card = state.cards_in(state.open_lists()[n].id)[0]
                name = f"Sam renamed this ({n})"
                await teammate.update_card(card.id, name=name)
                started = poller.polls
                delays.append(
                    await _wait_for(lambda c=card.id, t=name: state.cards[c].name == t, 2.0)
                )
                polls.append(poller.polls - started)
            print(
                f"teammate change reached the engine after {[round(d, 3) for d in delays]} s "
                f"(interval {INTERVAL} s; polls started meanwhile: {polls})"
            )
            # the first poll that starts after the change brings it
            assert max(polls) <= 1
            assert max(delays) <= 2 * INTERVAL
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await teammate.aclose()


async def test_idle_polling_costs_one_request_per_interval_per_board(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    async with sb.serve() as url, rig(sb, tmp_path, url=url) as r:
        poller = Poller(r.queue, [r.engine], active_s=INTERVAL, idle_after_s=600)
        await poller.poll_once()  # settle: nothing new since the full load
        before, polls = _routes(sb), poller.polls
        task = asyncio.create_task(poller.run())
        await asyncio.sleep(INTERVAL * 8 + 0.1)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        spent = _routes(sb) - before
        ticks = poller.polls - polls
        print(f"one board: {ticks} polls cost {dict(spent)}")
        assert ticks >= 5
        assert spent == Counter({"GET /boards/{id}/actions": ticks})
        assert not any("/members" in route for route in spent)


async def test_several_boards_are_polled_in_one_batch(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    boards = [b.id for b in sb.world.boards.values() if not b.closed][:3]
    async with sb.serve() as url, contextlib.AsyncExitStack() as stack:
        rigs = [
            await stack.enter_async_context(rig(sb, tmp_path / str(n), url=url, board_id=board_id))
            for n, board_id in enumerate(boards)
        ]
        poller = Poller(rigs[0].queue, [x.engine for x in rigs], active_s=INTERVAL)
        # one queue for every board, as in the app
        for x in rigs[1:]:
            x.engine.queue = rigs[0].queue
        await poller.poll_once()
        before, polls = _routes(sb), poller.polls
        for _ in range(5):
            await poller.poll_once()
        spent = _routes(sb) - before
        print(f"{len(boards)} boards: {poller.polls - polls} polls cost {dict(spent)}")
        assert spent == Counter({"GET /batch": poller.polls - polls})
