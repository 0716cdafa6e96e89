"""Over real HTTP (sandbox on loopback), the queue stays inside the budget: no 429 at all.

The sandbox's window is shrunk to 20 requests per second so the test takes seconds; the
client learns that limit from the ``x-rate-limit-*`` headers of its first answer.
"""

from __future__ import annotations

import asyncio
import time

from trello_tui.sandbox import Sandbox, SandboxConfig
from trello_tui.trello import calls, writes
from trello_tui.trello.auth import Credentials
from trello_tui.trello.client import TrelloClient
from trello_tui.trello.queue import Priority, RequestQueue


def test_queue_never_exceeds_the_budget_over_http() -> None:
    sb = Sandbox.create(seed="cards:60", config=SandboxConfig(token_limit=20, window_s=1.0))
    creds = Credentials(sb.credentials.key, sb.credentials.token)
    with sb.serve_in_thread(host="127.0.0.1", port=0) as url:
        elapsed, results = asyncio.run(_run(url, creds))
    assert sb.stats["429"] == 0
    assert all(not isinstance(r, BaseException) for r in results)
    # 1 + 60 writes + batched GETs at 20 per second cannot take much less than 3 s.
    requests = sb.stats["requests"]
    assert requests >= 61 and elapsed >= (requests - 20) / 20 * 0.9


async def _run(url: str, creds: Credentials) -> tuple[float, list[object]]:
    async with TrelloClient(creds, base_url=url) as client:
        queue = RequestQueue(client)
        board = await queue.submit(calls.my_boards(), priority=Priority.INTERACTIVE)
        loaded = await queue.submit(calls.load_board(board[0].id), priority=Priority.SYNC)
        started = time.monotonic()
        jobs = [
            queue.submit(
                writes.update_card(card.id, name=f"{card.name}!"), priority=Priority.INTERACTIVE
            )
            for card in loaded.cards
        ]
        jobs += [
            queue.submit(calls.card(card.id), priority=Priority.BACKGROUND) for card in loaded.cards
        ]
        results = await asyncio.gather(*jobs, return_exceptions=True)
        elapsed = time.monotonic() - started
        await queue.aclose()
    return elapsed, list(results)
