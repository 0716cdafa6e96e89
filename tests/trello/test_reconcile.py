"""Every kind of create, applied by the sandbox and then cut off, is adopted, never repeated."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.trello.sandbox_helpers import client_for
from trello_tui.sandbox import Sandbox, SandboxConfig
from trello_tui.trello import writes
from trello_tui.trello.calls import ApiCall
from trello_tui.trello.models import Board
from trello_tui.trello.queue import Priority, RequestQueue


class DropFirstPost(httpx.AsyncBaseTransport):
    """Lets the sandbox apply the first POST, then breaks the connection before the answer."""

    def __init__(self, sb: Sandbox) -> None:
        self.inner = httpx.ASGITransport(app=sb.app)
        self.dropped = 0
        self.posts = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.method == "POST":
            self.posts += 1
            if not self.dropped:
                self.dropped += 1
                await response.aread()
                raise httpx.ReadError("connection reset after the request was applied")
        return response


def _card_id(board: Board) -> str:
    return board.cards[0].id


CASES: dict[str, tuple[Callable[[Board], ApiCall[Any]], Callable[[Sandbox, Any], int]]] = {
    "card": (
        lambda b: writes.create_card(b.lists[0].id, "Reconciled card"),
        lambda sb, r: sum(c.name == "Reconciled card" for c in sb.world.cards.values()),
    ),
    "list": (
        lambda b: writes.create_list(b.id, "Reconciled list"),
        lambda sb, r: sum(x.name == "Reconciled list" for x in sb.world.lists.values()),
    ),
    "label": (
        lambda b: writes.create_label(b.id, "Reconciled", "sky_dark"),
        lambda sb, r: sum(x.name == "Reconciled" for x in sb.world.labels.values()),
    ),
    "checklist": (
        lambda b: writes.create_checklist(_card_id(b), "Reconciled steps"),
        lambda sb, r: sum(x.name == "Reconciled steps" for x in sb.world.checklists.values()),
    ),
    "comment": (
        lambda b: writes.add_comment(_card_id(b), "Reconciled comment"),
        lambda sb, r: sum(
            a.type == "commentCard" and a.data.get("text") == "Reconciled comment"
            for a in sb.world.actions.values()
        ),
    ),
    "webhook": (
        lambda b: writes.create_webhook("https://example.test/reconciled", b.id),
        lambda sb, r: sum(
            w.callback_url == "https://example.test/reconciled" for w in sb.world.webhooks.values()
        ),
    ),
}


@pytest.mark.parametrize("kind", sorted(CASES))
async def test_create_applied_then_cut_off_is_adopted(kind: str) -> None:
    hooks = httpx.MockTransport(lambda request: httpx.Response(200))
    sb = Sandbox.create(seed="demo", config=SandboxConfig(webhook_transport=hooks))
    async with client_for(sb) as plain:
        board = await plain.load_board((await plain.my_boards())[0].id)
    build, count = CASES[kind]
    transport = DropFirstPost(sb)
    client = client_for(sb, transport)
    queue = RequestQueue(client, backoff_base_s=0.01)
    result = await queue.submit(build(board), priority=Priority.INTERACTIVE)
    await queue.aclose()
    await client.aclose()
    assert transport.dropped == 1 and transport.posts == 1, "adopted, not sent again"
    assert queue.stats.reconciled == 1
    assert count(sb, result) == 1
    assert result.id


async def test_check_item_applied_then_cut_off_is_adopted() -> None:
    sb = Sandbox.create(seed="demo")
    async with client_for(sb) as plain:
        board = await plain.load_board((await plain.my_boards())[0].id)
        checklist = await plain.create_checklist(board.cards[0].id, "Steps")
    transport = DropFirstPost(sb)
    client = client_for(sb, transport)
    queue = RequestQueue(client, backoff_base_s=0.01)
    item = await queue.submit(writes.create_check_item(checklist.id, "only once"))
    await queue.aclose()
    await client.aclose()
    items = [i for i in sb.world.checklists[checklist.id].items if i.name == "only once"]
    assert [i.id for i in items] == [item.id] and transport.posts == 1
