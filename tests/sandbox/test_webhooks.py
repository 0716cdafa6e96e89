"""Webhooks as Trello: HEAD check, duplicates refused, signed deliveries, retries, 410."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import httpx

from trello_tui.sandbox import Sandbox, SandboxConfig


class Callback:
    """A scripted callback endpoint: answers HEAD with ``head`` and POSTs from ``answers``."""

    def __init__(self, head: int = 200, answers: list[int] | None = None) -> None:
        self.head = head
        self.answers = list(answers or [])
        self.posts: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.method == "HEAD":
            return httpx.Response(self.head)
        self.posts.append(request)
        return httpx.Response(self.answers.pop(0) if self.answers else 200)


def make(callback: Callback, **config: Any) -> Sandbox:
    cfg = SandboxConfig(
        webhook_transport=httpx.MockTransport(callback),
        webhook_retry_delays=(0.01, 0.02, 0.03),
        **config,
    )
    return Sandbox.create("demo", cfg)


async def setup(sb: Sandbox) -> tuple[httpx.AsyncClient, dict[str, str], str]:
    api = httpx.AsyncClient(transport=httpx.ASGITransport(app=sb.app), base_url=sb.base_url)
    auth = {"key": sb.credentials.key, "token": sb.credentials.token}
    board = next(b.id for b in sb.world.boards.values() if b.name == "Personal")
    return api, auth, board


async def test_head_check_and_duplicates() -> None:
    sb = make(Callback(head=404))
    api, auth, board = await setup(sb)
    async with api:
        url = "https://hooks.example/trello"
        r = await api.post("/webhooks", params={**auth, "callbackURL": url, "idModel": board})
        assert (r.status_code, r.text) == (
            400,
            f"URL ({url}) did not return 200 status code, got 404",
        )
        assert not sb.world.webhooks
        sb.config.webhook_transport = httpx.MockTransport(Callback())
        ok = await api.post("/webhooks", params={**auth, "callbackURL": url, "idModel": board})
        assert ok.status_code == 200
        dup = await api.post(
            f"/tokens/{auth['token']}/webhooks",
            params={**auth, "callbackURL": url, "idModel": board},
        )
        assert (dup.status_code, dup.text) == (
            400,
            "A webhook with that callback, model, and token already exists",
        )
        listed = await api.get(f"/tokens/{auth['token']}/webhooks", params=auth)
        assert [h["id"] for h in listed.json()] == [ok.json()["id"]]
        other = {"key": auth["key"], "token": sb.credentials.tokens["sam"]}
        r = await api.get(f"/webhooks/{ok.json()['id']}", params=other)
        assert r.status_code == 401


async def test_signed_delivery_of_each_action_on_the_model() -> None:
    cb = Callback()
    sb = make(cb)
    api, auth, board = await setup(sb)
    async with api:
        url = "https://hooks.example/card"
        card = next(iter(sb.world.boards[board].card_ids))
        await api.post("/webhooks", params={**auth, "callbackURL": url, "idModel": card})
        await api.put(f"/cards/{card}", params={**auth, "name": "Renamed"})
        other = sb.world.boards[board].card_ids
        another = next(c for c in other if c != card)
        await api.put(f"/cards/{another}", params={**auth, "name": "Not watched"})
        await sb.drain()
    assert len(cb.posts) == 1
    body = cb.posts[0].content
    digest = hmac.new(sb.credentials.secret.encode(), body + url.encode(), hashlib.sha1).digest()
    assert cb.posts[0].headers["x-trello-webhook"] == base64.b64encode(digest).decode()
    payload = json.loads(body)
    assert payload["action"]["type"] == "updateCard"
    assert payload["action"]["data"]["old"]["name"] != "Renamed"
    assert payload["model"]["id"] == card and payload["model"]["name"] == "Renamed"


async def test_failures_retry_count_and_deactivate() -> None:
    cb = Callback(answers=[500, 500, 200, 503, 503, 503, 503])
    sb = make(cb, webhook_max_failures=4)
    api, auth, board = await setup(sb)
    async with api:
        url = "https://hooks.example/flaky"
        hook = (
            await api.post("/webhooks", params={**auth, "callbackURL": url, "idModel": board})
        ).json()
        card = next(iter(sb.world.boards[board].card_ids))
        await api.put(f"/cards/{card}", params={**auth, "name": "one"})
        await sb.drain()
        # two failures then a success: three POSTs, the streak reset
        assert len(cb.posts) == 3
        state = (await api.get(f"/webhooks/{hook['id']}", params=auth)).json()
        assert state["consecutiveFailures"] == 0 and state["firstConsecutiveFailDate"] is None
        await api.put(f"/cards/{card}", params={**auth, "name": "two"})
        await sb.drain()
        # four failures in a row (first try + 3 retries) deactivate it
        assert len(cb.posts) == 7
        state = (await api.get(f"/webhooks/{hook['id']}", params=auth)).json()
        assert state["consecutiveFailures"] == 4 and state["firstConsecutiveFailDate"]
        assert state["active"] is False
        await api.put(f"/cards/{card}", params={**auth, "name": "three"})
        await sb.drain()
        assert len(cb.posts) == 7  # inactive: nothing delivered


async def test_gone_deletes_the_webhook() -> None:
    cb = Callback(answers=[410])
    sb = make(cb)
    api, auth, board = await setup(sb)
    async with api:
        url = "https://hooks.example/gone"
        hook = (
            await api.post("/webhooks", params={**auth, "callbackURL": url, "idModel": board})
        ).json()
        card = next(iter(sb.world.boards[board].card_ids))
        await api.put(f"/cards/{card}", params={**auth, "name": "bye"})
        await sb.drain()
        assert (await api.get(f"/webhooks/{hook['id']}", params=auth)).status_code == 404
        assert len(cb.posts) == 1


async def test_update_and_delete_webhook() -> None:
    sb = make(Callback())
    api, auth, board = await setup(sb)
    async with api:
        url = "https://hooks.example/x"
        hook = (
            await api.post("/webhooks", params={**auth, "callbackURL": url, "idModel": board})
        ).json()
        r = await api.put(
            f"/webhooks/{hook['id']}", params={**auth, "description": "new", "active": "false"}
        )
        assert r.json()["description"] == "new" and r.json()["active"] is False
        r = await api.delete(f"/webhooks/{hook['id']}", params=auth)
        assert r.json() == {"_value": None}
        token = await api.get(f"/tokens/{auth['token']}", params={**auth, "webhooks": "true"})
        assert token.json()["webhooks"] == []
