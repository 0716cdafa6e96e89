"""Triggers through polling: from a teammate's move to the trigger's command having run.

The sandbox is served on loopback in a thread; ``Watch`` (what ``trello-tui watch`` runs)
polls the three demo boards in this process every ``INTERVAL`` seconds, with one trigger
``on = "card_moved"``, ``list = "Done"`` whose command (a Python process) appends the card's
name to a file. A teammate moves every card not in Done (16) to Done one after another
with their own token, at moments spread evenly over the interval; for each, the time from their
request's answer to the line being in the file is measured. Then every line is checked: each
move exactly once, in order.

Last line: {"interval_s", "moves", "runs", "latency_median_ms", "latency_p95_ms",
"latency_max_ms", "requests_per_poll", "command_median_ms"}.
Run: uv run python benchmarks/triggers.py
"""

from __future__ import annotations

import asyncio
import io
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.triggers.helpers import board_id, client_for, list_id
from tests.triggers.test_runner import lines, recorder
from trello_tui.automation.triggers import SeenStore
from trello_tui.automation.watcher import Watch
from trello_tui.config.settings import Trigger
from trello_tui.sandbox import Sandbox
from trello_tui.store.cache import Cache
from trello_tui.store.outbox import Outbox

INTERVAL = 1.0
MOVES = 20  # at most: the demo board has 16 cards outside Done
ACTIONS = "GET /boards/{id}/actions"


def poll_requests(sb: Sandbox) -> int:
    """Requests that ask for new actions: ``/1/batch`` (several boards) or one board's."""
    routes = sb.stats["routes"]
    return sum(routes.get(r, {}).get("requests", 0) for r in ("GET /batch", ACTIONS))


async def until(predicate: Callable[[], bool], within: float) -> None:
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("the watcher did not keep up")
        await asyncio.sleep(0.005)


async def main() -> dict[str, float]:
    sb = Sandbox.create(seed="demo")
    rng = random.Random(7)
    board = board_id(sb)
    done = list_id(sb, board, "Done")
    cards = [
        c
        for c in sb.world.boards[board].card_ids
        if sb.world.cards[c].id_list != done and not sb.world.cards[c].closed
    ][:MOVES]
    with sb.serve_in_thread() as url, tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "ran.jsonl"
        trigger = Trigger("card_moved", recorder(out, "TRELLO_CARD_NAME"), list="Done")
        async with client_for(sb, url=url) as alex, client_for(sb, "sam", url=url) as sam:
            watch = Watch(
                alex,
                [trigger],
                out=io.StringIO(),
                err=io.StringIO(),
                interval_s=INTERVAL,
                full_every_s=3600,
                cache=Cache(Path(tmp) / "cache.sqlite3"),
                outbox=Outbox(Path(tmp) / "outbox.sqlite3"),
                seen=SeenStore(Path(tmp) / "seen.sqlite3"),
            )
            commands: list[float] = []  # how long the command itself ran
            watch.runner.report = lambda result: commands.append(result.seconds)
            stop = asyncio.Event()
            await watch.start([b for b in await alex.my_boards() if not b.closed])
            running = asyncio.create_task(watch.run(stop))
            await until(lambda: all(e.last_action_id for e in watch.engines), 30)
            before = poll_requests(sb)
            polls = watch.poller.polls
            latencies = []
            # Spread evenly over the interval (then shuffled): a fair sample of poll phases.
            delays = [(n + 0.5) / len(cards) * INTERVAL for n in range(len(cards))]
            rng.shuffle(delays)
            for n, card in enumerate(cards):
                await asyncio.sleep(delays[n])
                await sam.move_card(card, "top", id_list=done)
                moved = time.monotonic()
                await until(lambda n=n: len(lines(out)) > n, 30)  # type: ignore[misc]
                latencies.append(time.monotonic() - moved)
            spent = poll_requests(sb) - before
            poll_count = watch.poller.polls - polls
            await asyncio.sleep(3 * INTERVAL)  # any duplicate would have arrived by now
            stop.set()
            await running
            await watch.aclose()
        ran = [line[0] for line in lines(out)]
    names = [sb.world.cards[c].name for c in cards]
    assert ran == names, "every move ran its trigger exactly once, in order"
    latencies.sort()
    figures = {
        "interval_s": INTERVAL,
        "moves": float(len(cards)),
        "runs": float(len(ran)),
        "latency_median_ms": round(statistics.median(latencies) * 1000, 1),
        "latency_p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))] * 1000, 1),
        "latency_max_ms": round(latencies[-1] * 1000, 1),
        "requests_per_poll": round(spent / max(1, poll_count), 2),
        "command_median_ms": round(statistics.median(commands) * 1000, 1),
    }
    print(
        f"{len(cards)} teammate moves to Done over 3 boards polled every {INTERVAL:g} s: "
        f"{len(ran)} trigger runs (each move once); move → command done: median "
        f"{figures['latency_median_ms']} ms, p95 {figures['latency_p95_ms']} ms, "
        f"max {figures['latency_max_ms']} ms (of which the command itself: median "
        f"{figures['command_median_ms']} ms, a Python start-up); "
        f"{figures['requests_per_poll']} requests per poll (3 boards in one /1/batch)"
    )
    return figures


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main())))
