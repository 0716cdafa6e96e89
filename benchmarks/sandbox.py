"""Sandbox speed: building ``cards:5000``, the one-request board load, a cheap request.

Measures (best of runs, in-process through httpx.ASGITransport): building the ``cards:5000``
world; ``GET /1/boards/{id}`` with lists, cards, checklists, labels and members (the client's
one-request board load) on that world; and a small ``GET /1/members/me?fields=username``.

Last line: {"build_5000_s", "board_load_5000_s", "board_load_bytes", "small_request_ms"}.
Run: uv run python benchmarks/sandbox.py
"""

from __future__ import annotations

import asyncio
import json
import time

import httpx

from trello_tui.sandbox import Sandbox, SandboxConfig

RUNS = 5
LOAD = {
    "lists": "open",
    "cards": "open",
    "checklists": "all",
    "labels": "all",
    "labels_limit": "1000",
    "members": "all",
}


async def main() -> None:
    builds = []
    for _ in range(RUNS):
        start = time.perf_counter()
        sb = Sandbox.create("cards:5000", SandboxConfig(token_limit=10**9, key_limit=10**9))
        builds.append(time.perf_counter() - start)
    auth = {"key": sb.credentials.key, "token": sb.credentials.token}
    board = next(iter(sb.world.boards))
    transport = httpx.ASGITransport(app=sb.app)
    async with httpx.AsyncClient(transport=transport, base_url=sb.base_url) as api:
        loads = []
        size = 0
        for _ in range(RUNS):
            start = time.perf_counter()
            r = await api.get(f"/boards/{board}", params={**auth, **LOAD})
            loads.append(time.perf_counter() - start)
            size = len(r.content)
            assert len(r.json()["cards"]) == 5000
        start = time.perf_counter()
        n = 500
        for _ in range(n):
            await api.get("/members/me", params={**auth, "fields": "username"})
        small_ms = (time.perf_counter() - start) / n * 1000
    print(f"build cards:5000      {min(builds) * 1000:8.1f} ms")
    print(f"board load (5000)     {min(loads) * 1000:8.1f} ms  ({size / 1e6:.1f} MB)")
    print(f"small request         {small_ms:8.3f} ms")
    print(
        json.dumps(
            {
                "build_5000_s": round(min(builds), 4),
                "board_load_5000_s": round(min(loads), 4),
                "board_load_bytes": size,
                "small_request_ms": round(small_ms, 3),
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
