"""A process the kill test starts and SIGKILLs: it syncs one board and makes writes.

Usage: ``python -m tests.sync.kill_worker URL KEY TOKEN BOARD DIR RUN STEPS``. It opens the
cache and outbox in DIR, starts the engine (replaying whatever a killed predecessor left),
polls with frequent full loads (so the cache is written all the time), prints ``READY``,
then makes STEPS random writes: creates of cards named ``K-<run>-<step>`` and moves of such
cards. Each write is journaled in DIR/journal.jsonl twice: ``intent`` before ``submit`` and
``durable`` once the outbox has it on disk. With STEPS = 0 it only drains the outbox.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sys
from pathlib import Path
from typing import Any, TextIO

from trello_tui.live.poller import Poller
from trello_tui.store.cache import AsyncCache, Cache
from trello_tui.store.outbox import AsyncOutbox, Outbox
from trello_tui.sync.engine import SyncEngine
from trello_tui.sync.ops import CreateCard, MoveCard, Op
from trello_tui.sync.state import BoardState
from trello_tui.trello import positions
from trello_tui.trello.auth import Credentials
from trello_tui.trello.client import TrelloClient
from trello_tui.trello.queue import RequestQueue


def _journal(out: TextIO, record: dict[str, Any]) -> None:
    out.write(json.dumps(record) + "\n")
    out.flush()
    os.fsync(out.fileno())


def _next_write(
    state: BoardState, rng: random.Random, run: int, step: int
) -> tuple[Op, dict[str, Any]]:
    lists = [lst.id for lst in state.open_lists()][:3]
    mine = [c for c in state.cards.values() if c.name.startswith("K-") and not c.closed]
    target = rng.choice(lists)
    siblings = [c.pos for c in state.cards_in(target)]
    if not mine or rng.random() < 0.5:
        name = f"K-{run}-{step}"
        pos = positions.bottom(siblings) or 1.0
        op: Op = CreateCard(state.id, list_id=target, name=name, pos=pos)
        return op, {"kind": "create", "name": name, "list": target}
    card = rng.choice(mine)
    pos = positions.top([p for p in siblings if p != card.pos]) or 1.0
    op = MoveCard(state.id, card_id=card.id, list_id=target, pos=pos)
    return op, {"kind": "move", "name": card.name, "list": target}


async def main(
    url: str, key: str, token: str, board: str, workdir: Path, run: int, steps: int
) -> None:
    client = TrelloClient(Credentials(key=key, token=token), base_url=url, timeout=5.0)
    queue = RequestQueue(client, max_attempts=3, backoff_base_s=0.02, backoff_cap_s=0.1)
    cache = AsyncCache(Cache(workdir / "cache.sqlite3"))
    outbox = AsyncOutbox(Outbox(workdir / "outbox.sqlite3"))
    engine = SyncEngine(queue, cache, outbox, board, retry_delay_s=0.05, max_retry_delay_s=0.2)
    await engine.start(refresh=False)
    for _ in range(200):
        if await engine.refresh():
            break
        await asyncio.sleep(0.05)
    poller = Poller(queue, [engine], active_s=0.1, full_every_s=0.3)
    polling = asyncio.create_task(poller.run())
    print("READY", flush=True)
    rng = random.Random(run)
    # Blocking on purpose: a write is journaled (and fsynced) before the next one starts.
    with open(workdir / "journal.jsonl", "a", encoding="utf-8") as journal:  # noqa: ASYNC230
        for step in range(steps):
            assert engine.state is not None
            op, record = _next_write(engine.state, rng, run, step)
            _journal(journal, {"phase": "intent", **record})
            await engine.submit(op)
            _journal(journal, {"phase": "durable", **record})
            await asyncio.sleep(rng.uniform(0.02, 0.08))
    settled = await engine.settled(20)
    if not settled:
        for op in engine.pending_ops():
            print("pending:", op.to_json(), file=sys.stderr)
    polling.cancel()
    await engine.close()
    print("DONE" if settled else "UNSETTLED", flush=True)


if __name__ == "__main__":
    import logging

    url, key, token, board, workdir, run, steps = sys.argv[1:8]
    # The engine's reconcile decisions go to a log the test reads (how many creates were
    # found already applied after a kill: each would have been a duplicate).
    handler = logging.FileHandler(Path(workdir) / "worker.log")
    handler.setFormatter(logging.Formatter(f"run {run} %(name)s %(message)s"))
    engine_log = logging.getLogger("trello_tui.sync.engine")
    engine_log.addHandler(handler)
    engine_log.setLevel(logging.INFO)
    asyncio.run(main(url, key, token, board, Path(workdir), int(run), int(steps)))
