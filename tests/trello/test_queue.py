"""RequestQueue: priorities, coalescing, batching, retries, create reconciliation, cancellation."""

from __future__ import annotations

import asyncio

import pytest

from tests.trello.fake_trello import LIST_A, LIST_B, FakeTrello
from trello_tui.trello import calls, writes
from trello_tui.trello.auth import Credentials
from trello_tui.trello.client import TrelloClient
from trello_tui.trello.errors import (
    NotFound,
    RequestCancelled,
    TrelloError,
    Unavailable,
    Unreachable,
)
from trello_tui.trello.limiter import RateLimiter
from trello_tui.trello.models import Card
from trello_tui.trello.queue import Priority, RequestQueue

CREDS = Credentials("0123456789abcdef0123456789abcdef", "b" * 64)


def make(
    fake: FakeTrello, *, limit: int = 100, window: float = 10.0, **kwargs: object
) -> tuple[TrelloClient, RequestQueue]:
    limiter = RateLimiter(token_limit=limit, window_s=window, margin=0.0, pad_s=0.0, jitter_s=0.01)
    client = TrelloClient(
        CREDS, base_url="http://trello.test/1", transport=fake.transport(), limiter=limiter
    )
    queue = RequestQueue(client, backoff_base_s=0.01, backoff_cap_s=0.05, **kwargs)  # type: ignore[arg-type]
    return client, queue


async def close(client: TrelloClient, queue: RequestQueue) -> None:
    await queue.aclose()
    await client.aclose()


async def seed_cards(fake: FakeTrello, count: int) -> list[str]:
    async with TrelloClient(
        CREDS, base_url="http://trello.test/1", transport=fake.transport()
    ) as client:
        return [(await client.create_card(LIST_A, f"card {i}")).id for i in range(count)]


async def test_interactive_overtakes_background() -> None:
    fake = FakeTrello()
    ids = await seed_cards(fake, 6)
    fake.seen.clear()
    # Room for 2 requests per 0.2 s: most work has to wait its turn.
    fake.token_max, fake.interval_ms = 2, 200
    client, queue = make(fake, limit=2, window=0.2, batching=False)
    background = [
        asyncio.create_task(
            queue.submit(writes.update_card(i, desc="bg"), priority=Priority.BACKGROUND)
        )
        for i in ids[:5]
    ]
    await asyncio.sleep(0.05)
    urgent = await queue.submit(writes.move_card(ids[5], 1.0), priority=Priority.INTERACTIVE)
    await asyncio.gather(*background)
    await close(client, queue)
    order = [s.path for s in fake.seen]
    assert isinstance(urgent, Card) and urgent.pos == 1.0
    # Sent after at most the two that were already going out.
    assert order.index(f"/1/cards/{ids[5]}") <= 2


async def test_identical_gets_are_coalesced() -> None:
    fake = FakeTrello()
    ids = await seed_cards(fake, 1)
    fake.seen.clear()
    client, queue = make(fake)
    results = await asyncio.gather(*(queue.submit(calls.card(ids[0])) for _ in range(5)))
    await close(client, queue)
    assert len(fake.seen) == 1 and all(r.id == ids[0] for r in results)
    assert queue.stats.coalesced == 4


async def test_waiting_gets_are_batched() -> None:
    fake = FakeTrello()
    ids = await seed_cards(fake, 7)
    fake.seen.clear()
    client, queue = make(fake)
    results = await asyncio.gather(
        *(queue.submit(calls.card(i), priority=Priority.BACKGROUND) for i in ids)
    )
    await close(client, queue)
    assert [r.id for r in results] == ids
    assert [s.path for s in fake.seen] == ["/1/batch"]
    assert queue.stats.batches == 1 and queue.stats.batched_calls == 7


async def test_idempotent_write_retried_through_faults() -> None:
    # (A refused connection is no longer among them: the queue tells it at once, below.)
    fake = FakeTrello()
    ids = await seed_cards(fake, 1)
    fake.seen.clear()
    fake.faults.extend(["500", "drop", "429"])
    client, queue = make(fake)
    card = await queue.submit(
        writes.move_card(ids[0], 777.0, LIST_B), priority=Priority.INTERACTIVE
    )
    await close(client, queue)
    assert card.pos == 777.0 and card.id_list == LIST_B
    assert len(fake.requests_to("PUT", f"/cards/{ids[0]}")) == 4
    assert queue.stats.retries == 3 and queue.stats.rate_limited == 1


async def test_a_refused_connection_is_told_at_once_not_retried() -> None:
    """Issue 20: no connection could be made, so nothing was sent; retrying it with backoff
    kept the caller (the engine's status) on "syncing…" for half a minute. It fails at once,
    once; the caller's own retry then goes through."""
    fake = FakeTrello()
    ids = await seed_cards(fake, 1)
    fake.seen.clear()
    fake.faults.append("connect")
    client, queue = make(fake)
    with pytest.raises(Unreachable) as refused:
        await queue.submit(writes.move_card(ids[0], 777.0, LIST_B), priority=Priority.INTERACTIVE)
    assert not refused.value.maybe_applied and "refused" in refused.value.detail
    assert len(fake.requests_to("PUT", f"/cards/{ids[0]}")) == 1 and queue.stats.retries == 0
    with pytest.raises(Unreachable):  # a read too (the poller's, the board's load)
        fake.faults.append("connect")
        await queue.submit(calls.card(ids[0]))
    card = await queue.submit(writes.move_card(ids[0], 777.0, LIST_B))  # the caller's retry
    await close(client, queue)
    assert card.pos == 777.0 and card.id_list == LIST_B


async def test_refused_after_an_attempt_that_may_have_landed_says_so() -> None:
    """A create whose first attempt broke after sending, then can't connect for its lookup:
    the caller is told at once, and told it may exist (so it reconciles, never duplicates)."""
    fake = FakeTrello()
    fake.faults.extend(["drop", "connect"])
    client, queue = make(fake, reconcile_delay_s=0.0)
    with pytest.raises(Unreachable) as refused:
        await queue.submit(writes.create_card(LIST_A, "Write report"))
    assert refused.value.maybe_applied
    # The next attempt (the engine's) finds the card the first one made: still one card.
    assert [c["name"] for c in fake.cards.values()] == ["Write report"]
    await close(client, queue)


@pytest.mark.parametrize("fault", ["drop", "500", "429"])
async def test_create_lands_exactly_once(fault: str) -> None:
    fake = FakeTrello()
    fake.faults.append(fault)
    client, queue = make(fake)
    card = await queue.submit(
        writes.create_card(LIST_A, "Write report"), priority=Priority.INTERACTIVE
    )
    await close(client, queue)
    assert [c["name"] for c in fake.cards.values()] == ["Write report"]
    assert card.id in fake.cards
    posts = fake.requests_to("POST", "/cards")
    lookups = fake.requests_to("GET", f"/lists/{LIST_A}/cards")
    if fault == "drop":  # applied, then the connection broke: adopted, not sent again
        assert len(posts) == 1 and len(lookups) == 1 and queue.stats.reconciled == 1
    elif fault == "500":  # may have been applied: looked, found nothing, sent again
        assert len(posts) == 2 and len(lookups) == 1 and queue.stats.reconciled == 0
    else:  # refused by the rate limit: sent again without looking
        assert len(posts) == 2 and not lookups


async def test_a_create_refused_a_connection_lands_once_when_sent_again() -> None:
    """(``connect`` was a case above while the queue retried it itself: now the caller
    hears at once, nothing was created, and its retry makes exactly one card, unlooked.)"""
    fake = FakeTrello()
    fake.faults.append("connect")
    client, queue = make(fake)
    with pytest.raises(Unreachable) as refused:
        await queue.submit(writes.create_card(LIST_A, "Write report"))
    assert not refused.value.maybe_applied and not fake.cards
    card = await queue.submit(writes.create_card(LIST_A, "Write report"))
    await close(client, queue)
    assert [c["name"] for c in fake.cards.values()] == ["Write report"] and card.id in fake.cards
    assert len(fake.requests_to("POST", "/cards")) == 2
    assert not fake.requests_to("GET", f"/lists/{LIST_A}/cards")


async def test_same_name_creates_stay_distinct() -> None:
    fake = FakeTrello()
    client, queue = make(fake)
    first = await queue.submit(writes.create_card(LIST_A, "Same"))
    fake.faults.append("drop")
    second = await queue.submit(writes.create_card(LIST_A, "Same"))
    await close(client, queue)
    assert first.id != second.id
    assert sorted(fake.cards) == sorted([first.id, second.id])


async def test_delete_retried_after_drop_counts_as_done() -> None:
    fake = FakeTrello()
    ids = await seed_cards(fake, 1)
    fake.faults.append("drop")
    client, queue = make(fake)
    assert await queue.submit(writes.delete_card(ids[0])) is None
    await close(client, queue)
    assert not fake.cards


async def test_permanent_errors_are_not_retried() -> None:
    fake = FakeTrello()
    client, queue = make(fake)
    with pytest.raises(NotFound):
        await queue.submit(writes.move_card("5f0000000000000000000fff", 1.0))
    await close(client, queue)
    assert len(fake.seen) == 1


async def test_give_up_after_max_attempts() -> None:
    fake = FakeTrello()
    fake.faults.extend(["503"] * 10)
    client, queue = make(fake, max_attempts=3)
    with pytest.raises(Unavailable):
        await queue.submit(calls.me())
    await close(client, queue)
    assert len(fake.seen) == 3


async def test_cancel_drops_background_work_but_keeps_user_writes() -> None:
    fake = FakeTrello()
    ids = await seed_cards(fake, 4)
    fake.seen.clear()
    fake.token_max, fake.interval_ms = 1, 300
    client, queue = make(fake, limit=1, window=0.3, batching=False)
    first = asyncio.create_task(queue.submit(calls.card(ids[0]), tag="b1"))
    bg = [
        asyncio.create_task(queue.submit(calls.card(i), priority=Priority.BACKGROUND, tag="b1"))
        for i in ids[1:3]
    ]
    write = asyncio.create_task(
        queue.submit(
            writes.update_card(ids[3], name="kept"), priority=Priority.INTERACTIVE, tag="b1"
        )
    )
    await asyncio.sleep(0.02)
    cancelled = queue.cancel("b1")
    assert cancelled >= 2
    for task in bg:
        with pytest.raises(RequestCancelled):
            await task
    assert (await write).name == "kept"
    await asyncio.gather(first, return_exceptions=True)
    await close(client, queue)
    assert not any(s.path.endswith(ids[1]) or s.path.endswith(ids[2]) for s in fake.seen)


async def test_factory_is_built_at_send_time() -> None:
    fake = FakeTrello()
    ids = await seed_cards(fake, 1)
    client, queue = make(fake)
    built: list[float] = []

    def factory() -> object:
        built.append(1.0)
        return writes.move_card(ids[0], 42.0)

    card = await queue.submit(factory, priority=Priority.INTERACTIVE)  # type: ignore[arg-type]
    await close(client, queue)
    assert built == [1.0] and card.pos == 42.0


async def test_coalesced_get_moves_up_to_the_more_urgent_priority() -> None:
    fake = FakeTrello()
    ids = await seed_cards(fake, 3)
    fake.seen.clear()
    fake.token_max, fake.interval_ms = 1, 200
    client, queue = make(fake, limit=1, window=0.2, batching=False)
    first = asyncio.create_task(queue.submit(calls.card(ids[0]), priority=Priority.SYNC))
    other = asyncio.create_task(queue.submit(calls.card(ids[1]), priority=Priority.SYNC))
    late = asyncio.create_task(queue.submit(calls.card(ids[2]), priority=Priority.BACKGROUND))
    await asyncio.sleep(0.01)
    # The same GET as `late`, asked for by the user: it now goes before `other`.
    urgent = await queue.submit(calls.card(ids[2]), priority=Priority.INTERACTIVE)
    await asyncio.gather(first, other, late)
    await close(client, queue)
    paths = [s.path for s in fake.seen]
    assert urgent.id == ids[2] and paths.count(f"/1/cards/{ids[2]}") == 1
    assert paths.index(f"/1/cards/{ids[2]}") < paths.index(f"/1/cards/{ids[1]}")


async def test_a_full_members_window_does_not_hold_up_other_routes() -> None:
    fake = FakeTrello()
    ids = await seed_cards(fake, 1)
    client, queue = make(fake)
    members_window = client.limiter.windows["member"]
    for _ in range(100):  # the members window (100 / 900 s) is used up, the others are not
        members_window.record(client.limiter.now())
    members = asyncio.create_task(queue.submit(calls.me(), priority=Priority.INTERACTIVE))
    card = await asyncio.wait_for(queue.submit(calls.card(ids[0])), timeout=2)
    assert card.id == ids[0] and not members.done()
    await close(client, queue)
    with pytest.raises(RequestCancelled):
        await members


async def test_a_broken_factory_fails_only_its_caller() -> None:
    fake = FakeTrello()
    ids = await seed_cards(fake, 1)
    client, queue = make(fake)

    def broken() -> object:
        raise RuntimeError("bug")

    with pytest.raises(TrelloError):
        await queue.submit(broken)  # type: ignore[arg-type]
    assert (await queue.submit(calls.card(ids[0]))).id == ids[0]
    await close(client, queue)


async def test_cancel_never_touches_a_sent_write() -> None:
    fake = FakeTrello()
    ids = await seed_cards(fake, 1)
    fake.latency_s = 0.2
    client, queue = make(fake)
    write = asyncio.create_task(
        queue.submit(writes.update_card(ids[0], name="sent"), priority=Priority.SYNC, tag="b")
    )
    await asyncio.sleep(0.05)  # on the wire now
    assert queue.cancel("b") == 0
    assert (await write).name == "sent"
    await close(client, queue)


async def test_close_rejects_waiting_requests() -> None:
    fake = FakeTrello()
    fake.token_max, fake.interval_ms = 1, 5000
    client, queue = make(fake, limit=1, window=5.0)
    first = await queue.submit(calls.me())
    waiting = asyncio.create_task(queue.submit(calls.my_boards()))
    await asyncio.sleep(0.01)
    await close(client, queue)
    assert first.username == "me"
    with pytest.raises(RequestCancelled):
        await waiting
    with pytest.raises(RequestCancelled):
        await queue.submit(calls.me())
