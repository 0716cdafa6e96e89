"""How fast the board paints, as whole processes, from the cache.

For a 10-card and a 5,000-card board (one list of 5,000 cards plus two small lists), the
board is saved into a fresh cache file, then a new Python process is started that opens the
app headless (160x45) on that board with no network (the real cache-first start path:
Backend.resolve -> Cache.load_board in a thread -> BoardScreen). The parent measures from
spawning the process to the child's report that the board screen has painted; best of runs,
the two sizes taking turns so both see the same machine load.

Then, in one process on the 5,000-card board: press ``end`` on the big column (scroll to
the bottom) and time until the screen has repainted; then move the bottom card up one row
(the MoveCard operation applied to the BoardState, as the engine does on submit, and its
BoardChange delivered to the app) and time the repaint.

Last line: {"paint_10_s", "paint_5000_s", "ratio", "scroll_move_repaint_ms"}.
Run: uv run python benchmarks/board_paint.py
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

RUNS = 7
SIZE = (160, 45)


def make_board(cards: int) -> object:
    from trello_tui.trello.models import Board

    lists = [
        {"id": f"{i:024x}", "idBoard": "b" * 24, "name": name, "pos": 16384.0 * (i + 1)}
        for i, name in enumerate(["Backlog", "Doing", "Done"])
    ]
    colors = ["green", "yellow_dark", "sky_light", "red", "purple", None]
    labels = [
        {"id": f"{100 + i:024x}", "idBoard": "b" * 24, "name": f"L{i}" if i % 2 else "", "color": c}
        for i, c in enumerate(colors)
    ]
    big = cards if cards < 100 else cards - 20
    out = []
    for i in range(cards):
        list_index = 0 if i < big else 1 + i % 2
        out.append(
            {
                "id": f"{1000 + i:024x}",
                "idBoard": "b" * 24,
                "idList": lists[list_index]["id"],
                "name": f"Card {i}: a realistic title that is long enough to wrap once",
                "pos": 16384.0 * (i + 1),
                "idLabels": [labels[i % len(labels)]["id"]],
                "due": "2026-12-01T10:00:00.000Z" if i % 4 == 0 else None,
                "badges": {"comments": i % 3, "checkItems": 4, "checkItemsChecked": i % 5},
                "desc": "x" if i % 2 else "",
            }
        )
    return Board.from_json(
        {"id": "b" * 24, "name": f"{cards} cards", "lists": lists, "cards": out, "labels": labels}
    )


def child(db: str, board_id: str) -> None:
    """Open the app on the cached board; print when the board has painted, then exit."""
    from trello_tui.store.cache import Cache
    from trello_tui.ui.app import TrelloApp
    from trello_tui.ui.backend import Backend

    app: TrelloApp | None = None

    def painted() -> None:
        print("painted", flush=True)
        assert app is not None
        app.exit()

    app = TrelloApp(Backend(None, Cache(Path(db))), board_key=board_id, on_painted=painted)
    app.run(headless=True, size=SIZE)


def paint_once(db: Path, board_id: str) -> float:
    """One whole process: spawn -> the child's report that the board has painted."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", str(db), board_id],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - start
    proc.wait(timeout=30)
    if line.strip() != "painted":
        raise SystemExit(f"child did not paint: {line!r}")
    return elapsed


def paint_times(dbs: dict[int, Path], board_id: str) -> dict[int, float]:
    """Best of RUNS per board size, the sizes taking turns run by run: on a shared machine
    the load changes from second to second, and taking turns gives every size the same
    conditions (all runs of one size, then all of the other, skews the ratio)."""
    times: dict[int, list[float]] = {cards: [] for cards in dbs}
    for _ in range(RUNS):
        for cards, db in dbs.items():
            times[cards].append(paint_once(db, board_id))
    return {cards: min(values) for cards, values in times.items()}


async def scroll_move(board: object) -> tuple[float, float]:
    """(scroll-to-bottom ms, move ms): from the event to the end of the screen update."""
    from trello_tui.sync.ops import MoveCard
    from trello_tui.sync.state import BoardState
    from trello_tui.trello.models import Board
    from trello_tui.ui.app import TrelloApp
    from trello_tui.ui.moves import plan_move
    from trello_tui.ui.screens.board import BoardScreen

    assert isinstance(board, Board)
    state = BoardState(board)
    app = TrelloApp(state=state)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, BoardScreen)
        column = screen.view.columns[0]
        column.focus()
        await pilot.pause()
        # The end of a screen update is when the compositor has rendered the changed lines.
        painted = asyncio.Event()
        refresh = screen._compositor_refresh

        def timed_refresh() -> None:
            refresh()
            painted.set()

        screen._compositor_refresh = timed_refresh  # type: ignore[method-assign]

        async def painted_when(done: Callable[[], bool]) -> None:
            # Other repaints (the status line's timer, the column finishing its layout) may
            # come first on a busy machine: wait for the one that shows the change.
            while True:
                await painted.wait()
                painted.clear()
                if done():
                    return

        painted.clear()
        start = time.perf_counter()
        app.simulate_key("end")
        await painted_when(lambda: column.cursor == len(column.ids) - 1)
        scroll_ms = (time.perf_counter() - start) * 1000
        card_id = column.cursor_id
        assert card_id is not None and column.cursor == len(column.ids) - 1
        plan = plan_move(state, card_id, column.list_id, column.cursor - 1)
        assert plan is not None
        await pilot.pause()
        painted.clear()
        start = time.perf_counter()
        op = MoveCard(state.id, card_id=card_id, list_id=plan.list_id, pos=plan.pos)
        await app.board_changed(op.apply(state))
        await painted_when(lambda: column.ids[-2] == card_id)
        move_ms = (time.perf_counter() - start) * 1000
        assert column.ids[-2] == card_id
        return scroll_ms, move_ms


def main() -> None:
    from trello_tui.store.cache import Cache

    results: dict[str, float] = {}
    boards = {}
    with tempfile.TemporaryDirectory() as folder:
        dbs: dict[int, Path] = {}
        for cards in (10, 5000):
            board = make_board(cards)
            boards[cards] = board
            dbs[cards] = Path(folder) / f"cache-{cards}.sqlite3"
            cache = Cache(dbs[cards])
            cache.save_board(board)  # type: ignore[arg-type]
            cache.close()
        for cards, best in paint_times(dbs, "b" * 24).items():
            results[f"paint_{cards}_s"] = round(best, 3)
            print(f"{cards} cards: first paint {best:.3f} s (best of {RUNS})")
    runs = [asyncio.run(scroll_move(boards[5000])) for _ in range(5)]
    scroll_ms = statistics.median(r[0] for r in runs)
    move_ms = statistics.median(r[1] for r in runs)
    print(f"5000-card column: scroll to bottom {scroll_ms:.1f} ms, move there {move_ms:.1f} ms")
    repaint = scroll_ms + move_ms
    out = {
        "paint_10_s": results["paint_10_s"],
        "paint_5000_s": results["paint_5000_s"],
        "ratio": round(results["paint_5000_s"] / results["paint_10_s"], 3),
        "scroll_move_repaint_ms": round(repaint, 1),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
    else:
        main()
