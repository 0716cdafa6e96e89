"""TrelloClient: one ``httpx.AsyncClient``, one funnel, typed methods on top.

Every request passes through ``_funnel``: it joins the base URL (default
``https://api.trello.com/1``, or ``TRELLO_API_URL``), puts the credentials in the
``Authorization: OAuth …`` header (never the URL), sends long text in a form body, feeds the
rate limiter with the answer's ``x-rate-limit-*`` headers, and maps failures to the
``TrelloError`` tree with every secret redacted.

The typed methods (``load_board``, ``create_card`` …) each build an ``ApiCall`` (calls.py)
and send it at once. The sync engine sends the same ``ApiCall`` objects through the
``RequestQueue`` instead, for priorities, coalescing, batching and safe retries.
"""

from __future__ import annotations

import email.utils
import itertools
import json
import logging
import os
import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import parse_qsl

import httpx

from trello_tui.trello import calls, writes
from trello_tui.trello.auth import Credentials
from trello_tui.trello.calls import UNSET, ApiCall, SearchResults
from trello_tui.trello.checks import Malformed
from trello_tui.trello.errors import (
    BadResponse,
    TrelloError,
    Unavailable,
    Unreachable,
    error_from_response,
    malformed_answer,
    parse_retry_after,
)
from trello_tui.trello.limiter import RateLimiter
from trello_tui.trello.models import (
    Action,
    Board,
    Card,
    CheckItem,
    Checklist,
    Label,
    Member,
    Organization,
    Token,
    TrelloList,
    Webhook,
)
from trello_tui.trello.redact import install_log_redaction, redact, register

T = TypeVar("T")
DEFAULT_BASE_URL = "https://api.trello.com/1"
log = logging.getLogger("trello_tui.trello")

# Errors raised before a single byte could reach Trello: safe to resend anything.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)
# ... of which these mean Trello can't be reached at all (a full pool is only busy).
_UNREACHED = (httpx.ConnectError, httpx.ConnectTimeout, httpx.UnsupportedProtocol)
#: after a request timed out, how long its wait is still counted (the queue's backoff before
#: it sends it again), so "slow (N s)" keeps counting across the retry instead of restarting
STALL_KEEP_S = 30.0


class Waits:
    """How long Trello has kept us waiting: the seconds since the last answer (or since the
    oldest request sent after it) while something is unanswered. A request that timed out
    stays unanswered for ``keep_s`` more seconds (it is about to be sent again)."""

    def __init__(self, keep_s: float = STALL_KEEP_S) -> None:
        self.keep_s = keep_s
        self._ids = itertools.count()
        self._wire: dict[int, float] = {}
        self._since: float | None = None
        self._stalled_until = 0.0

    def sent(self) -> int:
        now = time.monotonic()
        if self._since is None:
            self._since = now
        token = next(self._ids)
        self._wire[token] = now
        return token

    def answered(self, token: int) -> None:
        """An answer came (any status): Trello is there; the clock restarts."""
        self._wire.pop(token, None)
        self._stalled_until = 0.0
        self._since = time.monotonic() if self._wire else None

    def ended(self, token: int, *, timed_out: bool = False) -> None:
        """No answer came: it timed out (still waiting, in effect), failed or was cancelled."""
        self._wire.pop(token, None)
        if timed_out:
            self._stalled_until = time.monotonic() + self.keep_s

    def unanswered_s(self) -> float:
        if self._since is None:
            return 0.0
        now = time.monotonic()
        if not self._wire and now >= self._stalled_until:
            self._since = None  # nothing is waiting any more
            return 0.0
        return now - self._since


def _raw_get(url: str) -> ApiCall[Any]:
    """A batch sub-URL as a GET whose answer is kept as raw JSON."""
    path, _, query = url.partition("?")
    return ApiCall("GET", path if path.startswith("/") else "/" + path, tuple(parse_qsl(query)))


def resolve_base_url(base_url: str | None = None) -> str:
    """The explicit URL, else ``TRELLO_API_URL``, else Trello's; without a trailing slash."""
    url = base_url or os.environ.get("TRELLO_API_URL") or DEFAULT_BASE_URL
    return url.rstrip("/")


class TrelloClient:
    """The Trello REST API over one keep-alive ``httpx.AsyncClient``."""

    def __init__(
        self,
        credentials: Credentials,
        base_url: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 20.0,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.credentials = credentials
        register(credentials.secrets())
        # Every log record of every logger (httpx logs URLs) is cleaned from now on.
        install_log_redaction()
        self.base_url = resolve_base_url(base_url)
        self.limiter = limiter if limiter is not None else RateLimiter()
        #: seconds to add to our clock to get Trello's (from each answer's Date header)
        self.server_offset = 0.0
        self.waits = Waits()
        #: why the last request could not reach Trello at all, until an answer comes
        self.unreached: Unreachable | None = None
        self._http = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            headers={"Accept": "application/json", "User-Agent": "trello-tui"},
            limits=httpx.Limits(max_connections=16, max_keepalive_connections=16),
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"TrelloClient(base_url={self.base_url!r}, credentials={self.credentials!r})"

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> TrelloClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def unanswered_s(self) -> float:
        """Seconds Trello has been silent while a request waits for its answer (0: none
        waits, or it answered just now): "Trello is slow" when this grows."""
        return self.waits.unanswered_s()

    def server_time(self) -> float:
        """Our best guess of Trello's wall clock (epoch seconds)."""
        return time.time() + self.server_offset

    # -- the funnel ------------------------------------------------------------------------

    async def send(self, call: ApiCall[T], *, acquire: bool = True) -> T:
        """Send one call (waiting for the rate limiter unless told not to) and parse it."""
        data = await self._funnel(call.method, call.path, call.params, call.form, acquire)
        try:
            return call.parse(data)
        except Malformed as exc:
            # Permanent: the same request gets the same object (checks.py says why).
            raise malformed_answer(exc, method=call.method, path=call.path) from None
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            raise BadResponse(
                f"unexpected answer: {type(exc).__name__}", method=call.method, path=call.path
            ) from None

    async def _funnel(
        self,
        method: str,
        path: str,
        params: Sequence[tuple[str, str]],
        form: Sequence[tuple[str, str]] | None,
        acquire: bool,
    ) -> Any:
        """Build, send and read every request: the only place that touches the network."""
        real_path = path.replace(calls.TOKEN_PLACEHOLDER, self.credentials.token)
        if acquire:
            await self.limiter.acquire(path)
        request = self._http.build_request(
            method,
            self.base_url + real_path,
            params=list(params) or None,
            data=dict(form) if form is not None else None,
        )
        # Signed (OAuth 1.0a) over the exact URL and body sent, or the plain key+token header.
        form_body = request.content.decode() if form is not None else None
        request.headers["Authorization"] = self.credentials.authorization_for(
            method, str(request.url), form_body
        )
        waiting = self.waits.sent()
        try:
            response = await self._http.send(request)
            body = response.text
        except httpx.HTTPError as exc:
            unreached = isinstance(exc, _UNREACHED)
            timed_out = isinstance(exc, httpx.TimeoutException) and not unreached
            self.waits.ended(waiting, timed_out=timed_out)
            log.info("%s %s failed: %s", method, path, type(exc).__name__)
            message = f"network error ({type(exc).__name__})"
            if unreached:
                self.unreached = Unreachable(
                    message, detail=str(exc) or type(exc).__name__, method=method, path=path
                )
                raise self.unreached from None
            raise Unavailable(
                message, maybe_applied=not isinstance(exc, _NOT_SENT), method=method, path=path
            ) from None
        except BaseException:  # cancelled: no answer, and nobody waits for it any more
            self.waits.ended(waiting)
            raise
        self.waits.answered(waiting)
        self.unreached = None
        self._learn_clock(response.headers.get("date"))
        status = response.status_code
        retry_after = response.headers.get("retry-after")
        if status >= 400:
            error = error_from_response(
                status, body, method=method, path=path, retry_after=retry_after
            )
            scope = getattr(error, "scope", None)
            self.limiter.observe(
                path, status, response.headers, parse_retry_after(retry_after), scope
            )
            log.info("%s %s -> %s %s", method, path, status, error.message)
            raise error
        self.limiter.observe(path, status, response.headers)
        log.debug("%s %s -> %s", method, path, status)
        return self._decode(body, method, path)

    @staticmethod
    def _decode(body: str, method: str, path: str) -> Any:
        if not body.strip():
            return None
        try:
            return json.loads(body)
        except ValueError:
            raise BadResponse("the answer was not JSON", method=method, path=path) from None

    def _learn_clock(self, date_header: str | None) -> None:
        if not date_header:
            return
        try:
            server = email.utils.parsedate_to_datetime(date_header).timestamp()
        except (TypeError, ValueError):
            return
        # The header has whole seconds: keep the offset only when it is clearly real.
        offset = server - time.time()
        self.server_offset = offset if abs(offset) > 2 else 0.0

    async def batch(
        self, requests: Sequence[ApiCall[Any] | str], *, acquire: bool = True
    ) -> list[Any]:
        """Up to 10 GETs in one request. Each result is the parsed value or a TrelloError.

        A request is an ``ApiCall`` (its answer is parsed into models) or a sub-URL such as
        ``"/boards/abc/labels?limit=1000"`` (its answer is returned as raw JSON).
        """
        items = [item if isinstance(item, ApiCall) else _raw_get(item) for item in requests]
        if not 0 < len(items) <= 10:
            raise ValueError("a batch holds 1 to 10 GETs")
        if not all(item.batchable for item in items):
            raise ValueError("only GETs without credentials in the path can be batched")
        urls = ",".join(item.batch_url() for item in items)
        data = await self._funnel("GET", "/batch", (("urls", urls),), None, acquire)
        answers = data if isinstance(data, list) else []
        out: list[Any] = []
        for index, item in enumerate(items):
            answer = answers[index] if index < len(answers) else None
            out.append(self._batch_result(item, answer))
        return out

    @staticmethod
    def _batch_result(item: ApiCall[Any], answer: Any) -> Any:
        if isinstance(answer, dict) and "200" in answer:
            try:
                return item.parse(answer["200"])
            except Malformed as exc:
                return malformed_answer(exc, method="GET", path=item.path)
            except (TypeError, ValueError, KeyError, AttributeError):
                return BadResponse("unexpected answer in batch", method="GET", path=item.path)
        if isinstance(answer, dict):
            status = answer.get("statusCode")
            message = str(answer.get("message") or answer.get("name") or "")
            if isinstance(status, int):
                return error_from_response(status, message, method="GET", path=item.path)
        return BadResponse("missing answer in batch", method="GET", path=item.path)

    # -- typed methods: read -----------------------------------------------------------------

    async def me(self) -> Member:
        return await self.send(calls.me())

    async def my_boards(self, filter: str = "open") -> list[Board]:
        return await self.send(calls.my_boards(filter))

    async def my_organizations(self) -> list[Organization]:
        return await self.send(calls.my_organizations())

    async def organization(self, org_id: str) -> Organization:
        return await self.send(calls.organization(org_id))

    async def organization_boards(self, org_id: str) -> list[Board]:
        return await self.send(calls.organization_boards(org_id))

    async def token_info(self) -> Token:
        return await self.send(calls.token_info())

    async def load_board(self, board_id: str) -> Board:
        return await self.send(calls.load_board(board_id))

    async def board_lists(self, board_id: str, filter: str = "open") -> list[TrelloList]:
        return await self.send(calls.board_lists(board_id, filter))

    async def board_cards(self, board_id: str) -> list[Card]:
        return await self.send(calls.board_cards(board_id))

    async def board_labels(self, board_id: str) -> list[Label]:
        return await self.send(calls.board_labels(board_id))

    async def board_members(self, board_id: str) -> list[Member]:
        return await self.send(calls.board_members(board_id))

    async def board_actions(
        self,
        board_id: str,
        since: str | None = None,
        before: str | None = None,
        limit: int = 1000,
    ) -> list[Action]:
        return await self.send(calls.board_actions(board_id, since, before, limit))

    async def card(self, card_id: str) -> Card:
        return await self.send(calls.card(card_id))

    async def list_cards(self, list_id: str) -> list[Card]:
        return await self.send(calls.list_cards(list_id))

    async def card_checklists(self, card_id: str) -> list[Checklist]:
        return await self.send(calls.card_checklists(card_id))

    async def search(self, query: str, board_ids: Sequence[str] | None = None) -> SearchResults:
        return await self.send(calls.search(query, board_ids=board_ids))

    async def webhooks(self) -> list[Webhook]:
        return await self.send(calls.webhooks())

    # -- typed methods: write ----------------------------------------------------------------

    async def create_card(
        self,
        list_id: str,
        name: str,
        *,
        desc: str = "",
        pos: float | str = "bottom",
        due: datetime | None = None,
        id_labels: Sequence[str] = (),
        id_members: Sequence[str] = (),
    ) -> Card:
        return await self.send(
            writes.create_card(
                list_id,
                name,
                desc=desc,
                pos=pos,
                due=due,
                id_labels=id_labels,
                id_members=id_members,
            )
        )

    async def update_card(self, card_id: str, **fields: Any) -> Card:
        return await self.send(writes.update_card(card_id, **fields))

    async def move_card(
        self,
        card_id: str,
        pos: float | str,
        id_list: str | None = None,
        id_board: str | None = None,
    ) -> Card:
        return await self.send(writes.move_card(card_id, pos, id_list, id_board))

    async def archive_card(self, card_id: str, archived: bool = True) -> Card:
        return await self.send(writes.archive_card(card_id, archived))

    async def delete_card(self, card_id: str) -> None:
        await self.send(writes.delete_card(card_id))

    async def add_card_label(self, card_id: str, label_id: str) -> list[str]:
        return await self.send(writes.add_card_label(card_id, label_id))

    async def remove_card_label(self, card_id: str, label_id: str) -> None:
        await self.send(writes.remove_card_label(card_id, label_id))

    async def add_card_member(self, card_id: str, member_id: str) -> list[str]:
        return await self.send(writes.add_card_member(card_id, member_id))

    async def remove_card_member(self, card_id: str, member_id: str) -> None:
        await self.send(writes.remove_card_member(card_id, member_id))

    async def create_checklist(
        self, card_id: str, name: str, pos: float | str = "bottom"
    ) -> Checklist:
        return await self.send(writes.create_checklist(card_id, name, pos))

    async def rename_checklist(self, checklist_id: str, name: str) -> Checklist:
        return await self.send(writes.rename_checklist(checklist_id, name))

    async def delete_checklist(self, checklist_id: str) -> None:
        await self.send(writes.delete_checklist(checklist_id))

    async def create_check_item(
        self, checklist_id: str, name: str, pos: float | str = "bottom", checked: bool = False
    ) -> CheckItem:
        return await self.send(writes.create_check_item(checklist_id, name, pos, checked))

    async def rename_check_item(self, card_id: str, item_id: str, name: str) -> CheckItem:
        return await self.send(writes.update_check_item(card_id, item_id, name=name))

    async def set_check_item(self, card_id: str, item_id: str, complete: bool) -> CheckItem:
        return await self.send(writes.update_check_item(card_id, item_id, complete=complete))

    async def move_check_item(self, card_id: str, item_id: str, pos: float | str) -> CheckItem:
        return await self.send(writes.update_check_item(card_id, item_id, pos=pos))

    async def delete_check_item(self, checklist_id: str, item_id: str) -> None:
        await self.send(writes.delete_check_item(checklist_id, item_id))

    async def create_label(self, board_id: str, name: str, color: str | None) -> Label:
        return await self.send(writes.create_label(board_id, name, color))

    async def update_label(self, label_id: str, *, name: Any = UNSET, color: Any = UNSET) -> Label:
        return await self.send(writes.update_label(label_id, name=name, color=color))

    async def delete_label(self, label_id: str) -> None:
        await self.send(writes.delete_label(label_id))

    async def create_list(
        self, board_id: str, name: str, pos: float | str = "bottom"
    ) -> TrelloList:
        return await self.send(writes.create_list(board_id, name, pos))

    async def update_list(
        self, list_id: str, *, name: Any = UNSET, pos: Any = UNSET, closed: Any = UNSET
    ) -> TrelloList:
        return await self.send(writes.update_list(list_id, name=name, pos=pos, closed=closed))

    async def add_comment(self, card_id: str, text: str) -> Action:
        return await self.send(writes.add_comment(card_id, text))

    async def edit_comment(self, action_id: str, text: str) -> Action:
        return await self.send(writes.edit_comment(action_id, text))

    async def delete_comment(self, action_id: str) -> None:
        await self.send(writes.delete_comment(action_id))

    async def create_webhook(
        self, callback_url: str, id_model: str, description: str = "", active: bool = True
    ) -> Webhook:
        return await self.send(writes.create_webhook(callback_url, id_model, description, active))

    async def update_webhook(self, webhook_id: str, **fields: Any) -> Webhook:
        return await self.send(writes.update_webhook(webhook_id, **fields))

    async def delete_webhook(self, webhook_id: str) -> None:
        await self.send(writes.delete_webhook(webhook_id))


__all__ = ["DEFAULT_BASE_URL", "TrelloClient", "TrelloError", "redact", "resolve_base_url"]
