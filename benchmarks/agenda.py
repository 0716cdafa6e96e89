"""How fast the agenda and my cards read every cached board.

A fresh cache holds the demo workspace (three open boards, ~330 cards) and a 5,000-card
board (``cards:5000``: every fifth card due, every fourth assigned). Measured, best of runs:
``Cache.due_cards`` and ``Cache.member_cards`` (one query per board, straight from the rows'
JSON — the work a screen hands to a thread), and, headless at 160x45 with no network, the
time from pressing ``a`` (or ``Q``) on the board to the screen showing its rows.

Last line: {"due_cards_ms", "member_cards_ms", "agenda_open_ms", "my_cards_open_ms",
"agenda_cards", "my_cards"}.
Run: uv run python benchmarks/agenda.py
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from pathlib import Path

RUNS = 5


def build_cache(path: Path) -> None:
    import httpx

    from trello_tui.sandbox import Sandbox
    from trello_tui.store.cache import Cache
    from trello_tui.trello.auth import Credentials
    from trello_tui.trello.client import TrelloClient
    from trello_tui.ui.screenshots import demo_cache

    demo_cache(path)
    big = Sandbox.create(seed="cards:5000")

    async def load() -> object:
        creds = big.credentials
        transport = httpx.ASGITransport(app=big.app)
        async with TrelloClient(
            Credentials(key=creds.key, token=creds.token), big.base_url, transport=transport
        ) as client:
            board = next(iter(big.world.boards.values()))
            return await client.load_board(board.id)

    cache = Cache(path)
    cache.save_board(asyncio.run(load()))  # type: ignore[arg-type]
    cache.close()


def best_ms(fn: object) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return round(min(times) * 1000, 1)


async def open_ms(path: Path, key: str) -> tuple[float, int]:
    from trello_tui.ui.screens.across import CardsAcross
    from trello_tui.ui.screenshots import demo_app, demo_board

    board = await asyncio.to_thread(demo_board)
    best, count = float("inf"), 0
    for _ in range(RUNS):
        app = demo_app(board, path)
        async with app.run_test(size=(160, 45)) as pilot:  # type: ignore[attr-defined]
            await pilot.pause()
            start = time.perf_counter()
            await pilot.press(key)
            for _ in range(100_000):  # until the screen shows its rows
                if isinstance(app.screen, CardsAcross) and app.screen.rows_view.rows:  # type: ignore[attr-defined]
                    break
                await asyncio.sleep(0.001)
            await pilot.pause()
            best = min(best, time.perf_counter() - start)
            count = sum(1 for r in app.screen.rows_view.rows if r.card)  # type: ignore[attr-defined]
    return round(best * 1000, 1), count


def main() -> None:
    from trello_tui.store.cache import Cache

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cache.sqlite3"
        build_cache(path)
        cache = Cache(path)
        due = best_ms(cache.due_cards)
        mine = best_ms(lambda: cache.member_cards("alex"))
        cache.close()
        agenda_ms, agenda_cards = asyncio.run(open_ms(path, "a"))
        mine_ms, mine_cards = asyncio.run(open_ms(path, "Q"))
    result = {
        "due_cards_ms": due,
        "member_cards_ms": mine,
        "agenda_open_ms": agenda_ms,
        "my_cards_open_ms": mine_ms,
        "agenda_cards": agenda_cards,
        "my_cards": mine_cards,
    }
    print(f"due cards read {due} ms, my cards read {mine} ms (best of {RUNS})")
    print(
        f"agenda open {agenda_ms} ms ({agenda_cards} cards), my cards {mine_ms} ms ({mine_cards})"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
