"""A tiny scripted Trello for httpx.MockTransport: cards in lists, batch, faults on demand.

Enough of Trello to test the client and the queue without the sandbox: it keeps cards, speaks
Trello's error bodies and rate-limit headers, records every request, and applies a script of
faults (``"429"``, ``"500"``, ``"503"``, ``"drop"`` = apply the request then break the
connection, ``"connect"`` = fail before anything reaches the server).
"""

from __future__ import annotations

import itertools
import json
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

LIST_A = "5f0000000000000000000a01"
LIST_B = "5f0000000000000000000a02"
BOARD = "5f0000000000000000000b01"


@dataclass
class Seen:
    method: str
    url: str
    path: str
    headers: dict[str, str]
    body: str


@dataclass
class FakeTrello:
    cards: dict[str, dict[str, Any]] = field(default_factory=dict)
    faults: deque[str] = field(default_factory=deque)
    seen: list[Seen] = field(default_factory=list)
    token_max: int = 100
    remaining: int | None = None
    counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    latency_s: float = 0.0
    interval_ms: int = 10000

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def new_id(self) -> str:
        return f"{int(time.time()):08x}" + f"{next(self.counter):016x}"

    def headers(self) -> dict[str, str]:
        remaining = self.remaining if self.remaining is not None else self.token_max - 1
        return {
            "x-rate-limit-api-token-interval-ms": str(self.interval_ms),
            "x-rate-limit-api-token-max": str(self.token_max),
            "x-rate-limit-api-token-remaining": str(remaining),
            "x-rate-limit-api-key-interval-ms": "10000",
            "x-rate-limit-api-key-max": "300",
            "x-rate-limit-api-key-remaining": "299",
        }

    async def handle(self, request: httpx.Request) -> httpx.Response:
        body = request.content.decode()
        path = urlsplit(str(request.url)).path
        self.seen.append(Seen(request.method, str(request.url), path, dict(request.headers), body))
        if self.latency_s:
            import asyncio

            await asyncio.sleep(self.latency_s)
        fault = self.faults.popleft() if self.faults else None
        if fault == "connect":
            raise httpx.ConnectError("connection refused", request=request)
        if fault == "429":
            return httpx.Response(
                429,
                json={"error": "API_TOKEN_LIMIT_EXCEEDED", "message": "Rate limit exceeded"},
                headers={**self.headers(), "Retry-After": "0"},
            )
        if fault in ("500", "503"):
            return httpx.Response(int(fault), text="Internal error", headers=self.headers())
        params = dict(parse_qsl(urlsplit(str(request.url)).query))
        params.update(dict(parse_qsl(body)))
        status, payload = self.route(request.method, path.removeprefix("/1"), params)
        if fault == "drop":
            raise httpx.RemoteProtocolError("peer closed connection", request=request)
        if isinstance(payload, str):
            return httpx.Response(status, text=payload, headers=self.headers())
        return httpx.Response(status, json=payload, headers=self.headers())

    def route(self, method: str, path: str, params: dict[str, str]) -> tuple[int, Any]:
        parts = path.strip("/").split("/")
        if method == "GET" and parts == ["batch"]:
            out = []
            for url in params["urls"].split(","):
                sub = urlsplit(url)
                status, payload = self.route("GET", sub.path, dict(parse_qsl(sub.query)))
                out.append(
                    {"200": payload}
                    if status == 200
                    else {"name": "error", "message": payload, "statusCode": status}
                )
            return 200, out
        if method == "POST" and parts == ["cards"]:
            card = {
                "id": self.new_id(),
                "name": params.get("name", ""),
                "idList": params["idList"],
                "idBoard": BOARD,
                "pos": float(len(self.cards) + 1) * 16384,
                "desc": params.get("desc", ""),
                "closed": False,
            }
            self.cards[card["id"]] = card
            return 200, card
        if parts[0] == "cards" and len(parts) == 2:
            card = self.cards.get(parts[1])
            if card is None:
                return 404, "The requested resource was not found."
            if method == "PUT":
                for name in ("name", "desc", "idList"):
                    if name in params:
                        card[name] = params[name]
                if "pos" in params:
                    card["pos"] = float(params["pos"])
                if "closed" in params:
                    card["closed"] = params["closed"] == "true"
            if method == "DELETE":
                del self.cards[parts[1]]
                return 200, {"_value": None}
            return 200, card
        if method == "GET" and parts[0] == "lists" and parts[2:] == ["cards"]:
            return 200, [c for c in self.cards.values() if c["idList"] == parts[1]]
        if method == "GET" and parts[0] == "boards" and len(parts) == 2:
            return 200, {
                "id": parts[1],
                "name": "Board",
                "lists": [],
                "cards": list(self.cards.values()),
            }
        if method == "GET" and parts[:2] == ["members", "me"]:
            return 200, {"id": "5f00000000000000000000aa", "username": "me", "fullName": "Me"}
        return 404, "The requested resource was not found."

    def requests_to(self, method: str, path: str) -> list[Seen]:
        return [s for s in self.seen if s.method == method and s.path == "/1" + path]


def json_body(seen: Seen) -> Any:
    return json.loads(seen.body)
