"""A bulk move of 120 cards through the real app, under Trello's real rate limits, and its undo.

The demo sandbox (100 requests / 10 s per token, as Trello) gets 120 extra cards in its first
list. The app is driven as a user would: ``f`` filters them, ``V`` marks every card shown,
``>`` moves them all to the next list, ``z`` undoes it. Figures: how long the key's action took
and until the target column showed the cards, the longest the event loop was
blocked while the 240 writes went out and were confirmed (what a user feels as a stall), how
long until Trello (the sandbox) had every card, where they landed (exactly once each, in
order), how many 429s the sandbox answered, and the same for the undo.

Last line: {"cards", "landed_once_in_order", "restored", "requests", "429s", "action_ms",
"shown_ms", "max_loop_stall_ms", "move_s", "undo_s"}.
Run: uv run python benchmarks/bulk.py
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CARDS = 120


class StallMeter:
    """The longest the event loop went without running a 5 ms ticker."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(0.005)
            self.worst = max(self.worst, time.perf_counter() - before - 0.005)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._tick())

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()


def order(sb: object, list_id: str) -> list[str]:
    cards = [c for c in sb.world.cards.values() if c.id_list == list_id and not c.closed]  # type: ignore[attr-defined]
    return [c.id for c in sorted(cards, key=lambda c: (c.pos, c.id))]


async def run() -> dict[str, object]:
    sys.path.insert(0, str(ROOT))
    from tests.ui.harness import demo_board_id, running
    from trello_tui.sandbox import Sandbox
    from trello_tui.sandbox import ops as world_ops
    from trello_tui.ui.screens.board import BoardScreen

    sb = Sandbox.create(seed="demo")
    board = sb.world.boards[demo_board_id(sb)]
    source, target = sb.world.sorted_lists(board)[:2]
    for i in range(CARDS):
        world_ops.create_card(sb.world, sb.world.me, source, {"name": f"Batchq {i:03}"})
    source_before, target_before = order(sb, source.id), order(sb, target.id)
    moving = [c for c in source_before if sb.world.cards[c].name.startswith("Batchq ")]
    async with running(sb, Path(tempfile.mkdtemp(prefix="bulk-bench-"))) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, BoardScreen)
        engine = app.backend.engine
        assert engine is not None
        await pilot.press("f", *"batchq", "enter", "V")
        assert len(screen.card_marks) == CARDS
        screen.view.focus_column(0, 0)
        meter = StallMeter()
        meter.start()
        started = time.perf_counter()
        await screen.run_action("move_list(1)")  # what ">" runs
        action_ms = (time.perf_counter() - started) * 1000
        for _ in range(10_000):  # on screen within a few frames
            if screen.view.columns[1].ids[-CARDS:] == moving:
                break
            await asyncio.sleep(0.001)
        else:
            raise AssertionError("the move never showed on screen")
        shown_ms = (time.perf_counter() - started) * 1000
        assert await engine.settled(120)
        move_s = time.perf_counter() - started
        landed = order(sb, target.id) == target_before + moving
        started = time.perf_counter()
        await pilot.press("z")
        assert await engine.settled(120)
        undo_s = time.perf_counter() - started
        meter.stop()
        restored = order(sb, source.id) == source_before and order(sb, target.id) == target_before
    return {
        "cards": CARDS,
        "landed_once_in_order": landed,
        "restored": restored,
        "requests": sb.stats["requests"],
        "429s": sb.stats["429"],
        "action_ms": round(action_ms, 1),
        "shown_ms": round(shown_ms, 1),
        "max_loop_stall_ms": round(meter.worst * 1000, 1),
        "move_s": round(move_s, 2),
        "undo_s": round(undo_s, 2),
    }


def main() -> None:
    print(json.dumps(asyncio.run(run())))


if __name__ == "__main__":
    main()
