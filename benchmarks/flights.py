"""A queue of new cards over a slow link: one at a time against side by side (engine ``FLYING``).

The sandbox in-process with ``--latency-s`` added to every request (0.15 s: a round trip to
api.trello.com from far away), ``--cards`` creates queued at once (captures from scripts,
say), the time until all are on Trello. Run with the engine's ``FLYING`` as shipped and with
it set to 1 (one request at a time, as before), interleaved, ``--runs`` each; prints each
run, then one JSON line with the medians and their ratio. Trello's limit (100 requests per
10 s) bounds the side-by-side figure from below at about 0.1 s per card.

Usage: ``uv run python benchmarks/flights.py [--cards 60] [--latency-s 0.15] [--runs 3]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.sync.harness import rig
from trello_tui.sandbox import Sandbox
from trello_tui.sync import engine as engine_module
from trello_tui.sync.ops import CreateCard
from trello_tui.trello import positions


async def one_run(cards: int, latency_s: float, flying: int) -> float:
    engine_module.FLYING = flying
    sb = Sandbox.create(seed="demo")
    with tempfile.TemporaryDirectory() as tmp:
        async with rig(sb, Path(tmp)) as r:
            state = r.engine.state
            assert state is not None
            lst = state.open_lists()[0].id
            sb.faults.latency_s = latency_s
            began = time.perf_counter()
            for i in range(cards):
                bottom = positions.bottom([c.pos for c in state.cards_in(lst)])
                r.engine.submit(CreateCard(state.id, list_id=lst, name=f"Queued {i}", pos=bottom))
            assert await r.engine.settled(cards * latency_s * 3 + 30)
            took = time.perf_counter() - began
            made = sum(c.name.startswith("Queued ") for c in sb.world.cards.values())
            assert made == cards, f"{made} of {cards} made"
    return took


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=60)
    parser.add_argument("--latency-s", type=float, default=0.15)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    shipped = engine_module.FLYING
    alone: list[float] = []
    side: list[float] = []
    for run in range(args.runs):
        alone.append(await one_run(args.cards, args.latency_s, 1))
        side.append(await one_run(args.cards, args.latency_s, shipped))
        print(f"run {run + 1}: one at a time {alone[-1]:.2f} s, {shipped} at once {side[-1]:.2f} s")
    result = {
        "cards": args.cards,
        "latency_s": args.latency_s,
        "flying": shipped,
        "one_at_a_time_s": round(statistics.median(alone), 2),
        "side_by_side_s": round(statistics.median(side), 2),
        "ratio": round(statistics.median(alone) / statistics.median(side), 2),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main())
