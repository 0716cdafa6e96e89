"""A simulated teammate who changes something every few seconds through the normal API.

The teammate (the first member other than you with write access) moves a card, renames one,
comments, or ticks a check item, by sending ordinary ``/1`` requests with their own token
through the sandbox's ASGI app — so rate limits, actions and webhooks all apply.
"""

from __future__ import annotations

import asyncio
import random
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from trello_tui.sandbox.core import Sandbox


async def run_teammate(sb: Sandbox, every_s: float, *, rng: random.Random | None = None) -> None:
    rng = rng or random.Random()
    transport = httpx.ASGITransport(app=sb.app)
    async with httpx.AsyncClient(transport=transport, base_url=sb.base_url) as client:
        while True:
            await asyncio.sleep(every_s)
            try:
                await teammate_step(sb, client, rng)
            except (httpx.HTTPError, KeyError, IndexError, ValueError):
                continue  # a failed change is just skipped; the next one will try again


async def teammate_step(sb: Sandbox, client: httpx.AsyncClient, rng: random.Random) -> str:
    """Make one plausible change; returns what was done (for tests and logs)."""
    w = sb.world
    creds = sb.credentials
    mate = next(
        (m for m in w.members.values() if m.id != w.me and m.username in creds.tokens
         and any(b.members.get(m.id) in ("admin", "normal") and w.me in b.members and not b.closed
                 for b in w.boards.values())),
        None,
    )  # fmt: skip
    if mate is None:
        return "nothing"
    auth = {"key": creds.key, "token": creds.tokens[mate.username]}
    boards = [
        b for b in w.boards.values() if mate.id in b.members and w.me in b.members and not b.closed
    ]
    board = rng.choice(boards)
    cards = [w.cards[c] for c in board.card_ids if not w.cards[c].closed]
    lists = [x for x in w.sorted_lists(board) if not x.closed]
    if not cards or not lists:
        return "nothing"
    card = rng.choice(cards)
    kind = rng.choice(["move", "rename", "comment", "tick"])
    params: dict[str, Any]
    if kind == "move":
        params = {"idList": rng.choice(lists).id, "pos": rng.choice(["top", "bottom"])}
        r = await client.put(f"/cards/{card.id}", params={**auth, **params})
    elif kind == "rename":
        name = card.name.rstrip(" ✎") + " ✎" if not card.name.endswith("✎") else card.name[:-2]
        r = await client.put(f"/cards/{card.id}", params={**auth, "name": name})
    elif kind == "tick" and card.checklist_ids:
        cl = w.checklists[card.checklist_ids[0]]
        if not cl.items:
            return "nothing"
        item = rng.choice(cl.items)
        state = "incomplete" if item.state == "complete" else "complete"
        r = await client.put(
            f"/cards/{card.id}/checkItem/{item.id}", params={**auth, "state": state}
        )
    else:
        kind = "comment"
        text = rng.choice(["On it.", "Updated the estimate.", "Can someone review?", "Done here."])
        r = await client.post(f"/cards/{card.id}/actions/comments", params={**auth, "text": text})
    r.raise_for_status()
    return kind
