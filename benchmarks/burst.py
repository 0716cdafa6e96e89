"""Burst benchmark: 500 user writes through the RequestQueue while background GETs compete.

The sandbox runs on loopback in a thread with Trello's real limits (100 requests per 10 s per
token, 300 per key). The "user" moves and renames cards in bursts of 1-4 key presses
(INTERACTIVE priority, about 7 per second on average); meanwhile a prefetcher keeps the queue
stocked with BACKGROUND GETs (batched 10 to a request) and a poller asks for new actions every
2 s (SYNC). Each write touches its own card, so the sandbox's state can prove that each landed
exactly once: the card shows the change and carries exactly one ``updateCard`` action.

Figures:
* ``landed``: writes whose effect is in the sandbox with exactly one action;
* ``rate_limited``: 429s the sandbox answered us (must be 0);
* ``budget_use``: requests the sandbox counted for our token during the run, over what
  100 per 10 s allows in that time;
* ``interactive_wait_p95_s``: 95th percentile of key press to Trello's answer.

Usage: ``uv run python benchmarks/burst.py [--writes 500] [--rate 7]``; last line is JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from trello_tui.sandbox import Sandbox
from trello_tui.trello import calls, writes
from trello_tui.trello.auth import Credentials
from trello_tui.trello.client import TrelloClient
from trello_tui.trello.errors import TrelloError
from trello_tui.trello.queue import Priority, RequestQueue


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def background(
    queue: RequestQueue,
    card_ids: list[str],
    list_ids: list[str],
    stop: asyncio.Event,
    counts: dict[str, int],
) -> None:
    """Keep ~40 background GETs waiting, as a prefetcher of other cards would."""
    rng = random.Random(11)
    tasks: set[asyncio.Task[Any]] = set()
    while not stop.is_set():
        while len(tasks) < 40:
            if rng.random() < 0.8:
                call: Any = calls.card(rng.choice(card_ids))
            else:
                call = calls.list_cards(rng.choice(list_ids))
            task = asyncio.create_task(queue.submit(call, priority=Priority.BACKGROUND))
            tasks.add(task)
            counts["background_gets"] += 1
            task.add_done_callback(tasks.discard)
        await asyncio.sleep(0.02)
    for task in list(tasks):
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def poller(
    queue: RequestQueue, board_id: str, stop: asyncio.Event, counts: dict[str, int]
) -> None:
    since: str | None = None
    while not stop.is_set():
        actions = await queue.submit(
            calls.board_actions(board_id, since=since, limit=1000),
            priority=Priority.SYNC,
            tag=board_id,
        )
        counts["polls"] += 1
        if actions:
            since = actions[0].id
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=2.0)


async def run(url: str, sb: Sandbox, n_writes: int, rate: float) -> dict[str, Any]:
    creds = Credentials(sb.credentials.key, sb.credentials.token, sb.credentials.secret)
    client = TrelloClient(creds, base_url=url)
    queue = RequestQueue(client)
    boards = await queue.submit(calls.my_boards(), priority=Priority.INTERACTIVE)
    board = await queue.submit(calls.load_board(boards[0].id), priority=Priority.INTERACTIVE)
    lists = [lst.id for lst in board.lists]
    cards = sorted(board.cards, key=lambda c: c.id)
    assert len(cards) >= n_writes, "seed the sandbox with at least one card per write"
    rng = random.Random(5)
    plan: list[tuple[str, str, Any]] = []  # (kind, card id, target)
    for i, card in enumerate(cards[:n_writes]):
        if i % 5 < 3:  # 60 % moves to another list, 40 % renames
            target = rng.choice([lst for lst in lists if lst != card.id_list])
            plan.append(("move", card.id, target))
        else:
            plan.append(("rename", card.id, f"{card.name} (edited {i})"))
    rng.shuffle(plan)

    before = sb.stats["tokens"].get(sb.credentials.me, {}).get("requests", 0)
    stop = asyncio.Event()
    counts = {"background_gets": 0, "polls": 0}
    helpers = [
        asyncio.create_task(background(queue, [c.id for c in cards], lists, stop, counts)),
        asyncio.create_task(poller(queue, board.id, stop, counts)),
    ]
    started = time.monotonic()

    async def write(kind: str, card_id: str, target: Any) -> Any:
        call = (
            writes.move_card(card_id, "top", target)
            if kind == "move"
            else writes.update_card(card_id, name=target)
        )
        try:
            return await queue.submit(call, priority=Priority.INTERACTIVE, tag=board.id)
        except TrelloError as error:
            return error

    jobs: list[asyncio.Task[Any]] = []
    index = 0
    while index < len(plan):
        burst = rng.randint(1, 4)
        for kind, card_id, target in plan[index : index + burst]:
            jobs.append(asyncio.create_task(write(kind, card_id, target)))
        index += burst
        # Bursts of 2.5 presses on average, spaced to give `rate` presses per second.
        await asyncio.sleep(rng.expovariate(rate / 2.5))
    results = await asyncio.gather(*jobs)
    finished = time.monotonic()
    stop.set()
    await asyncio.gather(*helpers)
    await queue.aclose()
    await client.aclose()
    duration = finished - started
    after = sb.stats["tokens"].get(sb.credentials.me, {}).get("requests", 0)
    requests = after - before
    return {
        "plan": plan,
        "results": results,
        "duration_s": duration,
        "requests": requests,
        "counts": counts,
        "queue": queue.stats,
    }


def landed(sb: Sandbox, plan: list[tuple[str, str, Any]]) -> int:
    """Writes whose effect is in the sandbox and recorded by exactly one action.

    A move must appear as one ``updateCard`` whose ``old`` holds ``idList``, a rename as one
    whose ``old`` holds ``name`` (re-spacing a list adds pos-only updates, which do not count).
    """
    changes: dict[tuple[str, str], int] = {}
    for action in sb.world.actions.values():
        data = action.data if isinstance(action.data, dict) else {}
        card, old = data.get("card"), data.get("old")
        if action.type == "updateCard" and isinstance(card, dict) and isinstance(old, dict):
            for field in old:
                key = (str(card.get("id")), field)
                changes[key] = changes.get(key, 0) + 1
    count = 0
    for kind, card_id, target in plan:
        card = sb.world.cards.get(card_id)
        if card is None:
            continue
        if kind == "move" and card.id_list == target and changes.get((card_id, "idList")) == 1:
            count += 1
        if kind == "rename" and card.name == target and changes.get((card_id, "name")) == 1:
            count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=500)
    parser.add_argument("--rate", type=float, default=7.0, help="key presses per second")
    args = parser.parse_args()
    sb = Sandbox.create(seed=f"cards:{max(args.writes, 50)}")
    with sb.serve_in_thread(host="127.0.0.1", port=0) as url:
        out = asyncio.run(run(url, sb, args.writes, args.rate))
    stats = out["queue"]
    waits = stats.latencies.get(Priority.INTERACTIVE, [])
    queue_waits = stats.waits.get(Priority.INTERACTIVE, [])
    allowed = 100 * out["duration_s"] / 10.0
    figures = {
        "writes": args.writes,
        "landed": landed(sb, out["plan"]),
        "rate_limited": sb.stats["429"],
        "budget_use": round(out["requests"] / allowed, 3),
        "interactive_wait_p95_s": round(percentile(waits, 0.95), 3),
        "interactive_wait_p50_s": round(statistics.median(waits), 3) if waits else 0.0,
        "interactive_queue_p95_s": round(percentile(queue_waits, 0.95), 3),
        "interactive_wait_max_s": round(max(waits), 3) if waits else 0.0,
        "duration_s": round(out["duration_s"], 1),
        "requests": out["requests"],
        "batches": stats.batches,
        "batched_gets": stats.batched_calls,
        "background_gets": out["counts"]["background_gets"],
        "polls": out["counts"]["polls"],
        "failed_writes": sum(isinstance(r, TrelloError) for r in out["results"]),
    }
    print(
        f"{args.writes} writes in {figures['duration_s']} s; {figures['requests']} requests "
        f"({figures['batches']} batches carrying {figures['batched_gets']} GETs)"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
