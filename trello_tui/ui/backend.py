"""Backend: what the app talks to — the cache, the client and the sync engine — behind one face.

The UI never holds an httpx object and never blocks: cache reads run in a thread
(``asyncio.to_thread``), network calls are awaited inside Textual workers, and writes are
operations handed to the sync engine, which applies them to the BoardState at once and
reports every change through ``on_change``.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from trello_tui.store.cache import Cache
from trello_tui.sync.ops import Op
from trello_tui.sync.state import BoardChange, BoardState
from trello_tui.trello import calls
from trello_tui.trello.models import Action, Board, Organization
from trello_tui.ui.widgets.status import SyncStatus

if TYPE_CHECKING:
    # httpx costs a third of a second to import; the cache-first start must not wait for it.
    from trello_tui.trello.client import TrelloClient

ChangeListener = Callable[[BoardChange], None]


class Engine(Protocol):
    """The part of the sync engine the UI uses."""

    def submit(self, op: Op) -> Any: ...


@dataclasses.dataclass
class BoardList:
    """The board picker's data: boards, their workspaces, and which were opened lately."""

    boards: list[Board]
    organizations: dict[str, Organization]


class Backend:
    """Cache first, then Trello; writes through the engine."""

    def __init__(
        self,
        client: TrelloClient | None,
        cache: Cache | None,
        *,
        me: str | None = None,
    ) -> None:
        self.client = client
        self.cache = cache
        self.me = me
        self.engine: Engine | None = None
        self.listeners: list[ChangeListener] = []
        self.status = SyncStatus()

    # -- reading ---------------------------------------------------------------------------

    async def cached_board(self, board_id: str) -> BoardState | None:
        if self.cache is None:
            return None
        cache = self.cache
        cached = await asyncio.to_thread(cache.load_board, board_id)
        return BoardState(cached.board) if cached is not None else None

    async def fetch_board(self, board_id: str) -> Board | None:
        if self.client is None:
            return None
        board = await self.client.load_board(board_id)
        if self.cache is not None:
            await asyncio.to_thread(self.cache.save_board, board)
        return board

    async def resolve(self, key: str) -> str | None:
        """A board id from an id, short link or name (cache first, then the user's boards)."""
        if self.cache is not None:
            found = await asyncio.to_thread(self.cache.find_board, key)
            if found:
                return found
        listing = await self.boards()
        for board in listing.boards:
            if key in (board.id, board.short_link, board.name):
                return board.id
        lowered = key.lower()
        match = next((b for b in listing.boards if lowered in b.name.lower()), None)
        return match.id if match else None

    async def boards(self) -> BoardList:
        boards: list[Board] = []
        orgs: dict[str, Organization] = {}
        if self.cache is not None:
            boards = await asyncio.to_thread(self.cache.my_boards)
            orgs = {o.id: o for o in await asyncio.to_thread(self.cache.organizations)}
        if self.client is not None:
            try:
                boards = await self.client.my_boards()
                orgs = {o.id: o for o in await self.client.my_organizations()}
            except Exception:  # offline: the cached listing is the best we have
                if not boards:
                    raise
            else:
                if self.cache is not None:
                    await asyncio.to_thread(self.cache.save_my_boards, boards)
                    await asyncio.to_thread(self.cache.put_organizations, list(orgs.values()))
        return BoardList(boards, orgs)

    async def comments(self, card_id: str) -> list[Action]:
        if self.client is None:
            return []
        call = calls.get(
            f"/cards/{card_id}/actions", calls.parse_list(Action), filter="commentCard"
        )
        actions: list[Action] = await self.client.send(call)
        return [a for a in actions if a.type == "commentCard"]
