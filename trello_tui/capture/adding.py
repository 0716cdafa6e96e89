"""One run of ``trello-tui add`` on one board (:class:`Capture`): resolve the board and list,
parse every line, submit the cards through the app's own write path (engine, outbox, queue) and
report what became of each. The command around it (arguments, stdin, exit codes' meaning) is
:mod:`trello_tui.capture.cli`. Never imports Textual.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, TextIO, TypeVar

from trello_tui.capture.dates import local_now
from trello_tui.capture.ops import board_context, create_ops, created
from trello_tui.capture.parse import CaptureContext, CaptureResult, match_lists, parse_capture
from trello_tui.cli_io import clean, control, json_text
from trello_tui.cli_waits import DEFAULT_S, advice, no_answer
from trello_tui.store.cache import AsyncCache
from trello_tui.store.db import StoreFault
from trello_tui.store.outbox import AsyncOutbox, fault_note
from trello_tui.sync.engine import Event, SyncEngine
from trello_tui.sync.events import IdsReplaced
from trello_tui.sync.ops import CreateCard
from trello_tui.sync.state import BoardState
from trello_tui.trello import calls
from trello_tui.trello.client import TrelloClient
from trello_tui.trello.errors import NotFound, TrelloError, Unavailable
from trello_tui.trello.models import Board, Card, format_date
from trello_tui.trello.queue import Priority, RequestQueue

EXIT_OK: Final = 0
EXIT_NOT_CREATED: Final = 1
EXIT_SETUP: Final = 2
#: the outbox can't be written (sysexits' EX_IOERR)
EXIT_STORE: Final = StoreFault.EXIT_CODE
EXIT_TRY_LATER: Final = 75
#: give up waiting (the cards stay queued) after this long without a single confirmation
STALL_S: Final = DEFAULT_S
_BOARD_ID: Final = re.compile(r"[0-9a-f]{24}")
_ME: Final = re.compile(r"(?:^|\s)@\{?me\}?(?=\s|$)", re.IGNORECASE)

Status = Literal["created", "queued", "failed"]
T = TypeVar("T")


class CaptureFailure(Exception):
    """Stops the command before anything is created; ``str()`` is the message for the user."""

    def __init__(self, message: str, code: int = EXIT_NOT_CREATED) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class Outcome:
    """What became of one captured line."""

    line: int
    op: CreateCard
    status: Status
    card: Card | None = None
    reason: str = ""

    def as_json(self, board_id: str) -> dict[str, Any]:
        card = self.card
        op = self.op
        return {
            "status": self.status,
            "line": self.line,
            "id": card.id if card else None,
            "url": (card.url or card.short_url or None) if card else None,
            "short_url": card.short_url or None if card else None,
            "name": card.name if card else op.name,
            "board_id": board_id,
            "list_id": card.id_list if card else op.list_id,
            "pos": card.pos if card else op.pos,
            "due": format_date(card.due if card else op.due),
            "label_ids": list(card.id_labels if card else op.id_labels),
            "member_ids": list(card.id_members if card else op.id_members),
            "desc": card.desc if card else op.desc,
            "reason": self.reason or None,
        }


def _unknown_name(result: CaptureResult) -> bool:
    """A ``#``, ``@`` or ``^`` token matched nothing (a fresher board might know it)."""
    return any(
        t.error is not None and t.kind in ("label", "member", "list") and " matches no " in t.error
        for t in result.tokens
    )


def _listing(names: Sequence[str], limit: int = 15) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f", … ({len(names) - limit} more)" if len(names) > limit else "")


def match_boards(key: str, boards: Sequence[Board]) -> list[str]:
    """Ids of the boards ``key`` names: exact id/short link/name, then case-insensitive name,
    then a case-insensitive prefix (open boards first)."""
    folded = " ".join(key.split()).casefold()
    tiers = [
        [b.id for b in boards if key in (b.id, b.short_link, b.name)],
        [b.id for b in boards if " ".join(b.name.split()).casefold() == folded],
        [b.id for b in boards if folded and b.name.casefold().startswith(folded)],
    ]
    for tier in tiers:
        if tier:
            unique = list(dict.fromkeys(tier))
            open_ones = [i for i in unique if not next(b for b in boards if b.id == i).closed]
            return open_ones or unique
    return []


class Capture:
    """One run of ``trello-tui add`` on one board, through the app's own write path."""

    def __init__(
        self,
        client: TrelloClient,
        cache: AsyncCache,
        outbox: AsyncOutbox,
        *,
        out: TextIO,
        err: TextIO,
        as_json: bool = False,
        answer_within_s: float = STALL_S,
    ) -> None:
        self.client = client
        self.cache = cache
        self.outbox = outbox
        self.out = clean(out)
        self.err = clean(err)
        self.as_json = as_json
        #: the overall deadline of each network step, and the longest wait for a confirmation
        self.answer_within_s = answer_within_s
        #: another process holds the outbox's sender lock
        self.busy = False
        # Few, quick retries: an offline capture should be queued in a second, not in a
        # minute; the outbox (and the next sync) makes waiting longer pointless.
        self.queue = RequestQueue(client, max_attempts=3, backoff_base_s=0.2, backoff_cap_s=1.0)

    async def aclose(self) -> None:
        await self.queue.aclose()

    # -- resolving the board, the list and @me -----------------------------------------------

    async def board_id(self, key: str) -> str:
        found = await self.cache.find_board(key)
        if found is not None:
            return found
        if _BOARD_ID.fullmatch(key):
            return key  # an id needs no listing: loading the board will tell if it exists
        boards = await self.cache.my_boards()
        ids = match_boards(key, boards)
        if len(ids) != 1:
            try:
                boards = await self._ask(calls.my_boards())
            except TrelloError as error:
                if not ids:
                    raise CaptureFailure(
                        f"board {key!r} is not in the offline cache and Trello can't be asked "
                        f"for your boards ({advice(error)}); nothing was queued",
                        EXIT_TRY_LATER,
                    ) from None
            else:
                await self.cache.save_my_boards(boards)
                ids = match_boards(key, boards)
        if len(ids) == 1:
            return ids[0]
        names = [b.name for b in boards if b.id in ids] if ids else [b.name for b in boards]
        if ids:
            raise CaptureFailure(f"board {key!r} matches several boards: {_listing(names)}")
        hint = f"; your boards: {_listing(sorted(names))}" if names else ""
        raise CaptureFailure(f"no board named {key!r}{hint}")

    async def board(self, board_id: str) -> bool:
        """Make sure the board is in the cache (one request when it is not); True if loaded
        from Trello just now."""
        if board_id in await self.cache.loaded_board_ids():
            return False
        try:
            board = await self._ask(calls.load_board(board_id))
        except NotFound:
            raise CaptureFailure(f"no board with the id {board_id!r}") from None
        except TrelloError as error:
            raise CaptureFailure(
                "this board is not in the offline cache yet and Trello can't be reached "
                f"({advice(error)}); nothing was queued. Run `trello-tui sync --board "
                f"{board_id}` once you are online.",
                EXIT_TRY_LATER,
            ) from None
        await self.cache.save_board(board)
        return True

    async def _ask(self, call: calls.ApiCall[T]) -> T:
        """One request before anything is queued, under the overall deadline."""
        try:
            async with asyncio.timeout(self.answer_within_s):
                return await self.queue.submit(call, priority=Priority.CAPTURE)
        except TimeoutError:
            raise Unavailable(user_message=no_answer(self.answer_within_s)) from None

    async def me_id(self) -> str | None:
        """The current member's id (remembered in the cache per token; asked once)."""
        token = self.client.credentials.token
        key = "capture.me." + hashlib.sha256(token.encode()).hexdigest()[:16]
        known = self.cache.sync.meta(key)
        if known:
            return known
        try:
            me = await self._ask(calls.me())
        except TrelloError as error:
            message = f"@me: can't ask Trello who you are ({advice(error)}); nothing was queued"
            raise CaptureFailure(message, EXIT_TRY_LATER) from None
        self.cache.sync.set_meta(key, me.id)
        return me.id

    @staticmethod
    def default_list(state: BoardState, ctx: CaptureContext, key: str | None, strict: bool) -> str:
        names = [lst.name for lst in state.open_lists()]
        if key:
            found = match_lists(key, ctx)
            if len(found) == 1:
                return found[0]
            if strict:
                what = "matches several lists" if found else "matches no list"
                raise CaptureFailure(f"list {key!r} {what}; lists here: {_listing(names)}")
        lists = state.open_lists()
        if not lists:
            raise CaptureFailure(f"board {state.board.name!r} has no open list")
        return lists[0].id

    # -- the run -----------------------------------------------------------------------------

    @staticmethod
    def parse(lines: Sequence[tuple[int, str]], ctx: CaptureContext) -> list[CaptureResult]:
        now = local_now()
        return [parse_capture(text, ctx, now) for _, text in lines]

    def check(self, lines: Sequence[tuple[int, str]], results: list[CaptureResult]) -> None:
        """Report every problem of every line, and raise if there is any."""
        bad = [(n, text, r) for (n, text), r in zip(lines, results, strict=True) if not r.ok]
        if not bad:
            return
        for number, text, result in bad:
            where = f"line {number}: " if len(lines) > 1 else ""
            for error in result.errors:
                self.err.write(f"trello-tui add: {where}{error.message}\n")
            if self.as_json:
                problems = [
                    {"message": e.message, "token": e.raw, "candidates": list(e.candidates)}
                    for e in result.errors
                ]
                record = {"status": "error", "line": number, "text": text, "errors": problems}
                self.out.write(json_text(record) + "\n")
        raise CaptureFailure(f"nothing was created ({len(bad)} line(s) with problems)")

    async def run(
        self,
        lines: Sequence[tuple[int, str]],
        board_key: str,
        list_key: str | None,
        *,
        strict_list: bool = True,
    ) -> int:
        board_id = await self.board_id(board_key)
        fresh = await self.board(board_id)
        engine = SyncEngine(self.queue, self.cache, self.outbox, board_id, cached_numbers=True)
        replaced: dict[str, str] = {}
        progress = asyncio.Event()

        def seen(event: Event) -> None:
            if isinstance(event, IdsReplaced):
                replaced.update(event.mapping)
            progress.set()

        engine.subscribe(seen)
        # One sending process at a time: while the app (or a sync) sends this outbox, the
        # cards only go to disk, and that process or the next sync / app start sends them.
        self.busy = not await self.outbox.run(self.outbox.sync.claim_sender)
        try:
            await engine.start(refresh=False)
            if engine.state is None and not await engine.refresh():
                # The cached board was unreadable (a damaged cache is set aside).
                raise CaptureFailure(
                    "the board could not be read from the offline cache and Trello can't "
                    "be reached; nothing was queued"
                )
            assert engine.state is not None
            state = engine.state
            me = await self.me_id() if any(_ME.search(t) for _, t in lines) else None
            ctx = board_context(state, me)
            results = self.parse(lines, ctx)
            if not fresh and any(_unknown_name(r) for r in results) and await self._refresh(engine):
                # A label, member or list may be newer than the cache: look once more.
                state = engine.state
                ctx = board_context(state, me)
                results = self.parse(lines, ctx)
            self.check(lines, results)
            fallback = self.default_list(state, ctx, list_key, strict_list)
            creates: list[tuple[int, CreateCard]] = []
            durable: list[asyncio.Future[None]] = []
            for (number, _), result in zip(lines, results, strict=True):
                ops = create_ops(state, result.draft, list_id=fallback)
                durable += [engine.submit(op, undoable=False) for op in ops]
                creates.append((number, created(ops)))
            await asyncio.gather(*durable)
            await self._settle(engine, [op for _, op in creates], progress)
            outcomes = await self._outcomes(engine, creates, replaced)
        finally:
            await engine.close()
        code = self.report(outcomes, board_id, engine)
        if engine.store_fault is not None:  # the cards above are on disk, not sent
            self.err.write(
                f"trello-tui add: {fault_note(engine.store_fault, 'Nothing was sent')}\n"
            )
            return EXIT_STORE
        return code

    async def _refresh(self, engine: SyncEngine) -> bool:
        """A fresher board, if Trello answers in time (else the cached one does)."""
        try:
            async with asyncio.timeout(self.answer_within_s):
                return await engine.refresh()
        except TimeoutError:
            return False

    async def _settle(
        self, engine: SyncEngine, creates: list[CreateCard], progress: asyncio.Event
    ) -> None:
        """Wait until every create is confirmed or refused, or Trello proves unreachable."""
        if self.busy:
            return
        mine = {op.op_id for op in creates}
        # A batch takes a while under the rate limits: show progress on a terminal.
        show = len(mine) > 1 and self.err.isatty()
        try:
            await self._wait(engine, mine, progress, show)
        finally:
            if show:
                self.err.write("\n")

    async def _wait(
        self, engine: SyncEngine, mine: set[str], progress: asyncio.Event, show: bool
    ) -> None:
        left = len(mine)
        last = time.monotonic()
        while True:
            waiting = mine & {op.op_id for op in engine.pending_ops()}
            if show:
                control(self.err, "\r\x1b[2K")  # back to the line's start, erase it
                self.err.write(f"created {len(mine) - len(waiting)}/{len(mine)}")
                self.err.flush()
            if not waiting or engine.offline or engine.store_fault is not None:
                return
            now = time.monotonic()
            # A rate-limit pause of our own pacing lasts seconds (Trello's windows are 10 s):
            # no confirmation for the whole deadline means Trello keeps refusing or is silent.
            if len(waiting) < left:
                left, last = len(waiting), now
            elif now - last > self.answer_within_s:
                return
            progress.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(progress.wait(), timeout=0.25)

    async def _outcomes(
        self, engine: SyncEngine, creates: list[tuple[int, CreateCard]], replaced: dict[str, str]
    ) -> list[Outcome]:
        assert engine.state is not None
        pending = {op.op_id for op in engine.pending_ops()}
        failed = {op.op_id: reason for op, reason in engine.failed_ops()}
        outcomes = []
        for number, op in creates:
            if op.op_id in failed:
                # The user sees the refusal now; keeping it for a later retry would surprise.
                await engine.discard(op.op_id)
                outcomes.append(Outcome(number, op, "failed", reason=failed[op.op_id]))
            elif op.op_id in pending:
                reason = "sender busy" if self.busy else engine.status.state
                outcomes.append(Outcome(number, op, "queued", reason=reason))
            else:
                card = engine.state.cards.get(replaced.get(op.card_id, op.card_id))
                outcomes.append(Outcome(number, op, "created", card=card))
        return outcomes

    def report(self, outcomes: list[Outcome], board_id: str, engine: SyncEngine) -> int:
        code = EXIT_OK
        for outcome in outcomes:
            if self.as_json:
                self.out.write(json_text(outcome.as_json(board_id)) + "\n")
            name = outcome.op.name
            if outcome.status == "created":
                card = outcome.card
                if not self.as_json:
                    self.out.write(f"{(card.url or card.short_url) if card else name}\n")
            elif outcome.status == "queued":
                if not self.as_json:
                    why = (
                        "the outbox can't be written"
                        if engine.store_fault is not None
                        else "another trello-tui is sending writes now"
                        if self.busy
                        else "Trello can't be reached"
                        if engine.offline
                        else "Trello asked us to slow down"
                        if engine.status.state == "rate_limited"
                        else no_answer(self.answer_within_s)
                    )
                    self.out.write(
                        f"queued: {name!r} ({why}); it will be created by the next "
                        "`trello-tui sync` or app start\n"
                    )
            else:
                code = EXIT_NOT_CREATED
                self.err.write(f"trello-tui add: couldn't create {name!r}: {outcome.reason}\n")
        self.out.flush()
        return code
