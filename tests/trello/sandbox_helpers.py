"""Wiring the API layer to an in-process sandbox, with extra faults the tests control."""

from __future__ import annotations

import random
from typing import Any

import httpx

from trello_tui.sandbox import Sandbox
from trello_tui.trello.auth import Credentials
from trello_tui.trello.client import TrelloClient
from trello_tui.trello.limiter import RateLimiter


def credentials(sb: Sandbox) -> Credentials:
    return Credentials(sb.credentials.key, sb.credentials.token, sb.credentials.secret)


class ChaosTransport(httpx.AsyncBaseTransport):
    """Forwards to the sandbox app; on some requests adds faults the sandbox has no knob for.

    * ``post_drop_rate``: the request is applied by the sandbox, then the connection "breaks"
      before the answer arrives (the case that makes a create's outcome unknown);
    * ``burst_rate``: arms the sandbox's ``burst_429`` so this and the next requests get 429s.
    """

    def __init__(
        self,
        sb: Sandbox,
        *,
        post_drop_rate: float = 0.0,
        burst_rate: float = 0.0,
        burst_size: int = 2,
        seed: int = 1,
    ) -> None:
        self.sb = sb
        self.inner = httpx.ASGITransport(app=sb.app)
        self.post_drop_rate = post_drop_rate
        self.burst_rate = burst_rate
        self.burst_size = burst_size
        self.rng = random.Random(seed)
        self.injected: dict[str, int] = {"post_drop": 0, "burst": 0, "sandbox_drop": 0}
        #: answers seen, by status
        self.statuses: dict[int, int] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.burst_rate and self.rng.random() < self.burst_rate:
            self.sb.faults.burst_429 = self.burst_size
            self.injected["burst"] += 1
        drop_after = self.post_drop_rate and self.rng.random() < self.post_drop_rate
        try:
            response = await self.inner.handle_async_request(request)
        except httpx.RemoteProtocolError:
            self.injected["sandbox_drop"] += 1
            raise
        self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1
        if drop_after:
            await response.aread()
            self.injected["post_drop"] += 1
            raise httpx.RemoteProtocolError("connection dropped after the request was applied")
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def client_for(
    sb: Sandbox, transport: httpx.AsyncBaseTransport | None = None, **limiter: Any
) -> TrelloClient:
    return TrelloClient(
        credentials(sb),
        base_url=sb.base_url,
        transport=transport or httpx.ASGITransport(app=sb.app),
        limiter=RateLimiter(**limiter) if limiter else None,
    )
