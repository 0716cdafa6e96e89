"""A demo sandbox's boards loaded into a cache as the app loads them, and reading them back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.trello.sandbox_helpers import client_for
from trello_tui.sandbox import Sandbox
from trello_tui.store.cache import Cache
from trello_tui.trello import calls

#: every board of the demo that its user (alex) can read; the demo also has Casey's private one
DEMO_BOARDS = ("Product Roadmap", "Website Relaunch", "Personal", "Archived Ideas")

#: GET /1/boards/{id} with everything the acceptance point compares
FULL_LOAD = {
    "fields": "all",
    "lists": "all",
    "cards": "all",
    "checklists": "all",
    "labels": "all",
    "labels_limit": "1000",
    "members": "all",
}


def board_id(sb: Sandbox, name: str) -> str:
    return next(b.id for b in sb.world.boards.values() if b.name == name)


async def cache_boards(sb: Sandbox, cache: Cache, names: tuple[str, ...] = DEMO_BOARDS) -> None:
    """Load each board with the app's own one-request load and save it, as opening it does."""
    async with client_for(sb) as client:
        for name in names:
            cache.save_board(await client.send(calls.load_board(board_id(sb, name))))


async def get_board(sb: Sandbox, board: str, **params: str) -> Any:
    """The board as the API serves it (``FULL_LOAD`` unless ``params`` override)."""
    auth = {"key": sb.credentials.key, "token": sb.credentials.token}
    transport = httpx.ASGITransport(app=sb.app)
    async with httpx.AsyncClient(transport=transport, base_url=sb.base_url) as api:
        r = await api.get(f"/boards/{board}", params={**auth, **FULL_LOAD, **params})
        assert r.status_code == 200, r.text
        return r.json()


def cache_at(folder: Path) -> Cache:
    """A cache file where ``TRELLO_TUI_CACHE_DIR=folder`` makes the CLI look."""
    folder.mkdir(parents=True, exist_ok=True)
    return Cache(folder / "cache.sqlite3")
