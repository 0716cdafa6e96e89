"""Backend: what the app talks to — the cache, the client and the sync engine — behind one face.

The UI never holds an httpx object and never blocks: cache reads run on a thread, network
calls are awaited inside Textual workers, and writes are operations handed to the SyncEngine,
which applies them to its BoardState at once and reports every change to its subscribers.

Start-up order (DESIGN "Read"): the cached board is read on a thread and painted first; only
then is the client built (importing httpx costs a third of a second) and the engine started,
which re-applies pending writes from the outbox and refreshes from Trello in the background.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from trello_tui.store.cache import Cache
from trello_tui.sync.state import BoardState
from trello_tui.trello.models import Action, Board, Card, Organization, TrelloList

if TYPE_CHECKING:
    from trello_tui.live.link import LiveLink
    from trello_tui.live.poller import Poller
    from trello_tui.store.outbox import Outbox
    from trello_tui.sync.engine import Event, SyncEngine
    from trello_tui.trello.client import TrelloClient
    from trello_tui.trello.queue import RequestQueue

ClientFactory = Callable[[], "TrelloClient"]


@dataclasses.dataclass
class BoardList:
    """The board picker's data: boards and their workspaces."""

    boards: list[Board]
    organizations: dict[str, Organization]


class Backend:
    """Cache first, then Trello; writes through the engine."""

    def __init__(
        self,
        client_factory: ClientFactory | None,
        cache: Cache | None,
        outbox: Outbox | None = None,
        *,
        me: str | None = None,
        poll: bool = True,
    ) -> None:
        self.client_factory = client_factory
        self.cache = cache
        self.outbox = outbox
        self.me = me
        self.poll = poll
        self.client: TrelloClient | None = None
        self.queue: RequestQueue | None = None
        self.engine: SyncEngine | None = None
        self.poller: Poller | None = None
        self._poll_task: asyncio.Task[None] | None = None
        #: live updates (webhooks), set by the launcher when ``[webhooks]`` is configured
        self.live: LiveLink | None = None
        #: why writes are refused locally (a token without the write scope), or None
        self.read_only: str | None = None
        #: why the outbox can't be written (disk full, read-only, locked) with the fix, or None
        self.store_problem: str | None = None
        #: why Trello refuses the credentials (revoked, expired …) with the fix, or None
        self.refused: str | None = None
        self._access_checked = False
        #: engines for boards other than the open one (writes from the agenda, my cards):
        #: board id -> (engine, unsubscribe); they never poll
        self._side: dict[str, tuple[SyncEngine, Callable[[], None]]] = {}
        self._side_locks: dict[str, asyncio.Lock] = {}
        self._side_tasks: set[asyncio.Task[bool]] = set()
        #: when the agenda or my cards last reloaded every cached board (time.monotonic())
        self.boards_refreshed_at: float | None = None

    @property
    def online(self) -> bool:
        return self.client_factory is not None

    async def _client(self) -> TrelloClient | None:
        if self.client is None and self.client_factory is not None:
            # Building the client imports httpx: do it off the UI's loop.
            self.client = await asyncio.to_thread(self.client_factory)
        return self.client

    # -- reading ---------------------------------------------------------------------------

    async def cached_board(self, board_id: str) -> BoardState | None:
        if self.cache is None:
            return None
        cached = await asyncio.to_thread(self.cache.load_board, board_id)
        return BoardState(cached.board) if cached is not None else None

    async def board_lists(self, board_id: str) -> list[TrelloList] | None:
        """A board's open lists (the move picker): the cache's, else Trello's; None offline."""
        if self.cache is not None:
            cached = await asyncio.to_thread(self.cache.board_lists, board_id)
            if cached is not None:
                return cached
        client = await self._client()
        if client is None:
            return None
        from trello_tui.trello import calls

        lists: list[TrelloList] = await client.send(calls.board_lists(board_id))
        return sorted((x for x in lists if not x.closed), key=lambda x: (x.pos, x.id))

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
        client = await self._client()
        if client is not None:
            try:
                boards = await client.my_boards()
                orgs = {o.id: o for o in await client.my_organizations()}
            except Exception:  # offline: the cached listing is the best we have
                if not boards:
                    raise
            else:
                if self.cache is not None:
                    await asyncio.to_thread(self.cache.save_my_boards, boards)
                    await asyncio.to_thread(self.cache.put_organizations, list(orgs.values()))
        return BoardList(boards, orgs)

    async def search(self, text: str) -> list[tuple[Card, str]]:
        """Cards from Trello's search across the user's boards, with their board's name."""
        from trello_tui.trello import calls

        client = await self._client()
        if client is None:
            return []
        results = await client.send(calls.search(text))
        names: dict[str, str] = {b.id: b.name for b in results.boards}
        if self.cache is not None:
            cached = await asyncio.to_thread(self.cache.my_boards)
            names.update({b.id: b.name for b in cached if b.id not in names})
        return [(card, names.get(card.id_board, "another board")) for card in results.cards]

    async def comments(self, card_id: str) -> list[Action]:
        client = await self._client()
        if client is None:
            return []
        from trello_tui.trello import calls

        call = calls.get(
            f"/cards/{card_id}/actions", calls.parse_list(Action), filter="commentCard"
        )
        actions: list[Action] = await client.send(call)
        return [a for a in actions if a.type == "commentCard"]

    # -- the engine --------------------------------------------------------------------------

    async def open_engine(self, board_id: str, listener: Callable[[Event], None]) -> SyncEngine:
        """Start the engine for a board (closing the previous one); events go to ``listener``.

        An engine already started for this board by ``engine_for`` (a write from the agenda)
        becomes the open one: two engines for one board would both send its writes.
        """
        from trello_tui.live.poller import Poller
        from trello_tui.setup.verify import check_access

        await self.close_engine()
        client = await self._client()
        if client is None:
            raise RuntimeError("no Trello client (offline)")
        await self._ensure_stores(client)
        side = self._side.pop(board_id, None)
        if side is not None:
            engine, stop = side
            stop()
            engine.subscribe(listener)
            self.engine = engine
        else:
            engine = self._new_engine(board_id)
            engine.subscribe(listener)
            self.engine = engine
        access = None if self._access_checked else asyncio.ensure_future(check_access(client))
        try:
            if side is None:
                await engine.start()
        finally:
            if access is not None:  # asked beside the board load: costs no extra wait
                scope, self.refused = await access
                self.read_only = self.store_problem or scope
                self._access_checked = True
        if self.poll:
            assert self.queue is not None
            self.poller = Poller(self.queue, [engine])
            self._poll_task = asyncio.get_running_loop().create_task(self.poller.run())
            if self.live is not None:
                self.live.show(client, engine, self.poller)
        if self.cache is not None:
            await asyncio.to_thread(self.cache.set_meta, "last_board", board_id)
        return engine

    async def _ensure_stores(self, client: TrelloClient) -> None:
        """The queue, cache and outbox every engine of this app shares, and who "me" is."""
        from trello_tui.store.db import StoreFault
        from trello_tui.store.outbox import Outbox
        from trello_tui.trello.queue import RequestQueue

        if self.queue is None:
            self.queue = RequestQueue(client)
        if self.cache is None:
            self.cache = await asyncio.to_thread(Cache)
        if self.outbox is None:
            try:
                self.outbox = await asyncio.to_thread(Outbox)
            except StoreFault as problem:
                # Disk full, read-only or locked: show what the outbox holds, refuse writes.
                self.outbox = await asyncio.to_thread(Outbox.reading, None, problem)
                self.store_problem = (
                    f"{problem}. Until then changes are refused; the writes already "
                    "waiting in it are kept"
                )
        if self.me is None:
            try:
                self.me = (await client.me()).username
            except Exception:  # "space assigns me" needs it; everything else works without
                self.me = None

    def _new_engine(self, board_id: str) -> SyncEngine:
        from trello_tui.store.cache import AsyncCache
        from trello_tui.store.outbox import AsyncOutbox
        from trello_tui.sync.engine import SyncEngine

        assert self.queue is not None and self.cache is not None and self.outbox is not None
        # One Outbox object for all engines: it holds the process's sender lock, so every
        # engine of this process may send (each only its own board's rows), while another
        # process (``trello-tui sync``) is still kept out.
        return SyncEngine(self.queue, AsyncCache(self.cache), AsyncOutbox(self.outbox), board_id)

    def live_engine(self, board_id: str) -> SyncEngine | None:
        """The running engine for ``board_id`` (the open board's or a side one), if any."""
        if self.engine is not None and self.engine.board_id == board_id:
            return self.engine
        side = self._side.get(board_id)
        return side[0] if side is not None else None

    def engines(self) -> list[SyncEngine]:
        main = [self.engine] if self.engine is not None else []
        return main + [engine for engine, _ in self._side.values()]

    async def engine_for(self, board_id: str, listener: Callable[[Event], None]) -> SyncEngine:
        """An engine for any board: the open one, or a side engine (no poller) started on the
        same queue, cache and outbox, so writes from the agenda take the board's own path
        (optimistic, outbox, confirm or roll back). ``listener`` hears a new side engine."""
        found = self.live_engine(board_id)
        if found is not None:
            return found
        lock = self._side_locks.setdefault(board_id, asyncio.Lock())
        async with lock:  # two quick key presses must not start two engines for one board
            found = self.live_engine(board_id)
            if found is not None:
                return found
            client = await self._client()
            if client is None:
                raise RuntimeError("no Trello client (offline)")
            await self._ensure_stores(client)
            engine = self._new_engine(board_id)
            stop = engine.subscribe(listener)
            self._side[board_id] = (engine, stop)
            cached = await engine.start(refresh=False)
            if not cached:
                await engine.refresh()
            else:
                # Fresh server state in the background; the cached board is enough to write.
                task = asyncio.get_running_loop().create_task(engine.refresh())
                self._side_tasks.add(task)
                task.add_done_callback(self._side_tasks.discard)
            return engine

    async def refresh_board(self, board_id: str) -> None:
        """Reload one board from Trello into the cache (through its engine when it has one)."""
        engine = self.live_engine(board_id)
        if engine is not None:
            await engine.refresh()
            return
        from trello_tui.trello import calls
        from trello_tui.trello.queue import Priority

        client = await self._client()
        if client is None:
            return
        await self._ensure_stores(client)
        assert self.queue is not None and self.cache is not None
        board, newest = await asyncio.gather(
            self.queue.submit(calls.load_board(board_id), priority=Priority.SYNC, tag=board_id),
            self.queue.submit(
                calls.board_actions(board_id, limit=1), priority=Priority.SYNC, tag=board_id
            ),
        )
        last = newest[0].id if newest else None
        if self.live_engine(board_id) is None:  # an engine started meanwhile owns the cache
            await asyncio.to_thread(self.cache.save_board, board, last_action_id=last)

    async def loaded_boards(self) -> list[str]:
        if self.cache is None:
            return []
        return await asyncio.to_thread(self.cache.loaded_board_ids)

    async def due_cards(self) -> list[Board]:
        """Each cached board with its cards that have a due date (the agenda)."""
        if self.cache is None:
            return []
        return await asyncio.to_thread(self.cache.due_cards)

    async def my_cards(self) -> list[Board]:
        """Each cached board with the cards assigned to the signed-in user."""
        if self.cache is None or self.me is None:
            return []
        return await asyncio.to_thread(self.cache.member_cards, self.me)

    async def close_engine(self) -> None:
        if self._poll_task is not None:
            self._poll_task.cancel()
            self._poll_task = None
        if self.engine is not None:
            engine, self.engine = self.engine, None
            await engine.close()

    async def aclose(self) -> None:
        if self.live is not None:
            await self.live.aclose()
        await self.close_engine()
        for task in list(self._side_tasks):
            task.cancel()
        while self._side:
            _, (engine, stop) = self._side.popitem()
            stop()
            await engine.close()
        if self.queue is not None:
            await self.queue.aclose()
        if self.client is not None:
            await self.client.aclose()

    def submit(self, op: Any) -> None:
        if self.engine is None:
            raise RuntimeError("not connected")
        self.engine.submit(op)
