"""The client tells "Trello can't be reached" from "Trello is slow" (issue 20, §5).

A connection that can't be made (refused, no DNS, connect timeout, a URL it can't speak) is
``Unreachable`` — nothing was sent — and ``client.unreached`` says so until an answer comes.
A connection made and left unanswered is counted by ``unanswered_s()``, which keeps counting
through a read timeout (the queue is about to send it again) and stops at the next answer.
A full connection pool is neither: the app itself is busy.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from trello_tui.trello import calls
from trello_tui.trello.auth import Credentials
from trello_tui.trello.client import TrelloClient, Waits
from trello_tui.trello.errors import Unavailable, Unreachable

CREDS = Credentials("0123456789abcdef0123456789abcdef", "b" * 64)
ME = {"id": "5f" + "0" * 22, "username": "alex", "fullName": "Alex"}


class Scripted(httpx.AsyncBaseTransport):
    """Raises the next scripted error, or holds the request until ``release`` is set."""

    def __init__(self) -> None:
        self.errors: list[type[httpx.TransportError]] = []
        self.hold = False
        self.release = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.errors:
            raise self.errors.pop(0)("[Errno 111] Connection refused", request=request)
        if self.hold:
            await self.release.wait()
        return httpx.Response(200, json=ME)


def client(transport: Scripted) -> TrelloClient:
    return TrelloClient(CREDS, base_url="http://trello.test/1", transport=transport)


@pytest.mark.parametrize(
    "error", [httpx.ConnectError, httpx.ConnectTimeout, httpx.UnsupportedProtocol]
)
async def test_no_connection_is_unreachable_until_an_answer(
    error: type[httpx.TransportError],
) -> None:
    transport = Scripted()
    transport.errors.append(error)
    async with client(transport) as trello:
        with pytest.raises(Unreachable) as refused:
            await trello.me()
        assert not refused.value.maybe_applied and refused.value.permanent is False
        assert refused.value.detail == "[Errno 111] Connection refused"
        assert refused.value.message == f"network error ({error.__name__})"  # as before
        assert trello.unreached is refused.value
        assert trello.unanswered_s() == 0.0  # not "slow": nothing is waiting
        await trello.me()
        assert trello.unreached is None


async def test_a_full_pool_is_not_unreachable() -> None:
    transport = Scripted()
    transport.errors.append(httpx.PoolTimeout)
    async with client(transport) as trello:
        with pytest.raises(Unavailable) as busy:
            await trello.me()
        assert not isinstance(busy.value, Unreachable) and not busy.value.maybe_applied
        assert trello.unreached is None


async def test_unanswered_seconds_count_while_trello_is_silent() -> None:
    transport = Scripted()
    transport.hold = True
    async with client(transport) as trello:
        assert trello.unanswered_s() == 0.0
        asking = asyncio.create_task(trello.send(calls.me()))
        await asyncio.sleep(0.3)
        assert 0.25 <= trello.unanswered_s() < 2.0
        transport.release.set()
        await asking
        assert trello.unanswered_s() == 0.0


async def test_a_cancelled_request_is_not_counted() -> None:
    transport = Scripted()
    transport.hold = True
    async with client(transport) as trello:
        asking = asyncio.create_task(trello.me())
        await asyncio.sleep(0.1)
        assert trello.unanswered_s() > 0
        asking.cancel()
        with pytest.raises(asyncio.CancelledError):
            await asking
        assert trello.unanswered_s() == 0.0


async def test_a_read_timeout_keeps_counting_until_an_answer() -> None:
    class TimesOut(httpx.AsyncBaseTransport):
        timeouts = 1

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if self.timeouts:
                self.timeouts -= 1
                await asyncio.sleep(0.2)
                raise httpx.ReadTimeout("timed out", request=request)
            return httpx.Response(200, json=ME)

    trello = TrelloClient(CREDS, base_url="http://trello.test/1", transport=TimesOut())
    async with trello:
        with pytest.raises(Unavailable) as timed_out:
            await trello.me()
        assert not isinstance(timed_out.value, Unreachable) and timed_out.value.maybe_applied
        # Nothing on the wire, yet still waiting: the retry is coming, the count goes on.
        assert trello.unanswered_s() >= 0.2
        await trello.me()
        assert trello.unanswered_s() == 0.0


def test_a_stalled_wait_is_forgotten_after_keep_s() -> None:
    waits = Waits(keep_s=0.0)
    waits.ended(waits.sent(), timed_out=True)
    assert waits.unanswered_s() == 0.0  # nobody sends it again: no longer waiting
