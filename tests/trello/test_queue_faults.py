"""300 writes through the queue while the sandbox fails 20 % of requests: each lands once.

Faults, per request: 429 bursts (the sandbox's ``burst_429``, armed on ~2.5 % of requests, three
429s each), 5xx answers (``error_rate`` 6 %, status 500, so the queue cannot tell whether a
create was applied), connections dropped before the sandbox acts (``drop_rate`` 4 %) and
connections dropped *after* it acted (``ChaosTransport``, 4 %). The sandbox's own state is the
proof: one card per created name, one comment per text, every move and rename in place.
"""

from __future__ import annotations

import asyncio
import random
from typing import Any

from tests.trello.sandbox_helpers import ChaosTransport, client_for
from trello_tui.sandbox import Sandbox, SandboxConfig
from trello_tui.trello import writes
from trello_tui.trello.jobs import Delivery
from trello_tui.trello.queue import Priority, RequestQueue

CREATES = 150
COMMENTS = 50
MOVES = 50
RENAMES = 50


async def test_300_writes_land_exactly_once_under_faults() -> None:
    # Trello's real budget shape (100 per window) with a 1 s window, to keep the test short.
    sb = Sandbox.create(seed="demo", config=SandboxConfig(token_limit=100, window_s=1.0))
    async with client_for(sb) as plain:
        board = await plain.load_board((await plain.my_boards())[0].id)
    lists = [lst.id for lst in board.lists]
    existing = [card.id for card in board.cards][: MOVES + RENAMES]
    assert len(existing) == MOVES + RENAMES, "the demo board needs enough cards"

    faults = sb.faults
    faults.update({"error_rate": 0.06, "error_status": 500, "drop_rate": 0.04})
    chaos = ChaosTransport(sb, post_drop_rate=0.04, burst_rate=0.025, burst_size=3, seed=7)
    client = client_for(sb, chaos, jitter_s=0.2)
    queue = RequestQueue(client, backoff_base_s=0.05, backoff_cap_s=1.0, max_attempts=20)
    rng = random.Random(3)
    jobs: list[Any] = []
    for i in range(CREATES):
        call = writes.create_card(rng.choice(lists), f"Task {i:03d}", desc=f"created {i}")
        jobs.append(queue.submit(call, priority=Priority.INTERACTIVE, tag=board.id))
    for i in range(COMMENTS):
        call = writes.add_comment(existing[i], f"comment number {i}")
        jobs.append(queue.submit(call, priority=Priority.CAPTURE, tag=board.id))
    moves = {card_id: rng.choice(lists) for card_id in existing[:MOVES]}
    for card_id, list_id in moves.items():
        call = writes.move_card(card_id, "top", list_id)
        jobs.append(queue.submit(call, priority=Priority.INTERACTIVE, tag=board.id))
    renames = {card_id: f"Renamed {n}" for n, card_id in enumerate(existing[MOVES:])}
    for card_id, name in renames.items():
        call = writes.update_card(card_id, name=name)
        jobs.append(queue.submit(call, priority=Priority.SYNC, tag=board.id))

    # No exception may escape: gather without return_exceptions re-raises the first one.
    results = await asyncio.wait_for(asyncio.gather(*jobs), timeout=90)
    await queue.aclose()
    await client.aclose()
    faults.update({"error_rate": 0.0, "drop_rate": 0.0})
    assert len(results) == CREATES + COMMENTS + MOVES + RENAMES

    world = sb.world
    names = [card.name for card in world.cards.values() if card.name.startswith("Task ")]
    assert sorted(names) == [f"Task {i:03d}" for i in range(CREATES)], (
        "a create was lost or doubled"
    )
    texts = [
        action.data.get("text")
        for action in world.actions.values()
        if action.type == "commentCard"
        and str(action.data.get("text", "")).startswith("comment number")
    ]
    assert sorted(texts) == sorted(f"comment number {i}" for i in range(COMMENTS))
    for card_id, list_id in moves.items():
        assert world.cards[card_id].id_list == list_id
    for card_id, name in renames.items():
        assert world.cards[card_id].name == name
    created_ids = {r.id for r in results[:CREATES]}
    assert len(created_ids) == CREATES and created_ids <= set(world.cards)

    # The faults really happened, on about a fifth of the requests.
    answered = sum(chaos.statuses.values())
    dropped = chaos.injected["sandbox_drop"] + chaos.injected["post_drop"]
    failed = dropped + chaos.statuses.get(429, 0) + chaos.statuses.get(500, 0)
    share = failed / (answered + chaos.injected["sandbox_drop"])
    print(
        f"requests={answered + chaos.injected['sandbox_drop']} faults={share:.1%} "
        f"statuses={chaos.statuses} injected={chaos.injected} stats={queue.stats.retries} "
        f"reconciled={queue.stats.reconciled} lookups={queue.stats.reconcile_lookups}"
    )
    assert 0.15 <= share <= 0.35
    assert chaos.injected["post_drop"] >= 5 and chaos.injected["sandbox_drop"] >= 5
    assert chaos.statuses.get(429, 0) >= 5 and chaos.statuses.get(500, 0) >= 5
    assert queue.stats.reconciled >= 1


async def test_a_write_sent_again_after_an_attempt_that_may_have_landed_says_so() -> None:
    sb = Sandbox.create(seed="demo")
    async with client_for(sb) as plain:
        board = await plain.load_board((await plain.my_boards())[0].id)
    card_id = board.cards[0].id
    client = client_for(sb)
    queue = RequestQueue(client, backoff_base_s=0.01, backoff_cap_s=0.05, max_attempts=5)
    try:
        calm = Delivery()
        await queue.submit(writes.update_card(card_id, name="First"), delivery=calm)
        sb.faults.update({"error_rate": 1.0, "error_status": 500})
        failing = asyncio.create_task(
            queue.submit(writes.update_card(card_id, name="Second"), delivery=(again := Delivery()))
        )
        for _ in range(2000):  # until Trello has answered 500 once
            if sb.faults.fired["error"]:
                break
            await asyncio.sleep(0.005)
        sb.faults.update({"error_rate": 0.0})
        await asyncio.wait_for(failing, 10)
        limited = Delivery()  # a 429 is never applied: nothing to say
        sb.faults.update({"burst_429": 2})
        await queue.submit(writes.update_card(card_id, name="Third"), delivery=limited)
    finally:
        await queue.aclose()
        await client.aclose()
    assert not calm.maybe_repeated
    assert again.maybe_repeated  # a 500 may have been applied before it was sent again
    assert not limited.maybe_repeated
    assert sb.world.cards[card_id].name == "Third"
