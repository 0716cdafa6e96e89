"""Registration against the in-process sandbox: reuse, move, de-duplicate, re-create, delete."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from trello_tui.live.registrar import DESCRIPTION, WebhookRegistrar
from trello_tui.live.webhooks import Delivery, WebhookReceiver
from trello_tui.sandbox import Sandbox
from trello_tui.sandbox.core import SandboxConfig
from trello_tui.trello.auth import Credentials
from trello_tui.trello.client import TrelloClient

PUBLIC = "https://one.trycloudflare.com"
Setup = tuple[Sandbox, TrelloClient, WebhookRegistrar, str]


async def _sink(delivery: Delivery) -> None:
    return None


@pytest.fixture
async def setup() -> AsyncIterator[Setup]:
    # Trello's HEAD check (and deliveries) answered 200 by a mock: no network needed here.
    ok = httpx.MockTransport(lambda request: httpx.Response(200))
    sb = Sandbox.create(seed="demo", config=SandboxConfig(webhook_transport=ok))
    creds = sb.credentials
    client = TrelloClient(
        Credentials(creds.key, creds.token),
        base_url=sb.base_url,
        transport=httpx.ASGITransport(app=sb.app),
    )
    receiver = WebhookReceiver(creds.secret, _sink)
    await receiver.start()
    board = next(b.id for b in sb.world.boards.values() if b.name == "Product Roadmap")
    try:
        yield sb, client, WebhookRegistrar(client, receiver), board
    finally:
        await receiver.stop()
        await client.aclose()


def ours(sb: Sandbox, board: str) -> list[tuple[str, str, bool]]:
    return sorted(
        (h.id, h.callback_url, h.active)
        for h in sb.world.webhooks.values()
        if h.id_model == board and h.description == DESCRIPTION
    )


async def test_create_then_reuse_then_move(setup: Setup) -> None:
    sb, _, registrar, board = setup
    hook = await registrar.ensure(board, PUBLIC)
    assert hook.callback_url == f"{PUBLIC}/trello/webhook/{board}"
    assert ours(sb, board) == [(hook.id, hook.callback_url, True)]
    before = sb.stats_data.requests_by_route["POST /webhooks"]
    again = await registrar.ensure(board, PUBLIC)
    assert again.id == hook.id
    assert sb.stats_data.requests_by_route["POST /webhooks"] == before  # reused, not re-made
    moved = await registrar.ensure(board, "https://two.trycloudflare.com/")
    assert moved.id == hook.id
    assert ours(sb, board) == [
        (hook.id, f"https://two.trycloudflare.com/trello/webhook/{board}", True)
    ]
    # The receiver accepts the new URL's signatures (and still the previous one's).
    path = registrar.receiver.path_for(board)
    assert list(registrar.receiver._callbacks[path])[-1].startswith("https://two.")


async def test_extra_copies_are_deleted_and_inactive_reactivated(setup: Setup) -> None:
    sb, client, registrar, board = setup
    for n in range(3):
        await client.create_webhook(f"https://old{n}.example/hook", board, DESCRIPTION)
    foreign = await client.create_webhook("https://other-app.example/hook", board, "other app")
    for hook in sb.world.webhooks.values():
        hook.active = False
    kept = await registrar.ensure(board, PUBLIC)
    assert ours(sb, board) == [(kept.id, f"{PUBLIC}/trello/webhook/{board}", True)]
    assert foreign.id in sb.world.webhooks  # somebody else's webhook is left alone


async def test_a_webhook_deleted_behind_our_back_is_made_again(setup: Setup) -> None:
    sb, _, registrar, board = setup
    first = await registrar.ensure(board, PUBLIC)
    del sb.world.webhooks[first.id]  # a 410, or Trello dropping it
    assert await registrar.status(board) is None
    second = await registrar.ensure(board, PUBLIC)
    assert second.id != first.id and ours(sb, board) == [(second.id, second.callback_url, True)]
    await registrar.remove_all()
    assert ours(sb, board) == []
