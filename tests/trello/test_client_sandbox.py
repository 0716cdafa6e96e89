"""Every typed client method against the in-process sandbox, parsed into models."""

from __future__ import annotations

import httpx
import pytest

from tests.trello.sandbox_helpers import client_for
from trello_tui.sandbox import Sandbox, SandboxConfig
from trello_tui.trello import calls
from trello_tui.trello.errors import AuthError, NotFound
from trello_tui.trello.models import Board


@pytest.fixture
def sb() -> Sandbox:
    hooks = httpx.MockTransport(lambda request: httpx.Response(200))
    return Sandbox.create(seed="demo", config=SandboxConfig(webhook_transport=hooks))


async def first_board(sb: Sandbox) -> Board:
    async with client_for(sb) as client:
        boards = await client.my_boards()
        assert boards, "the demo seed has boards"
        return await client.load_board(boards[0].id)


async def test_reads(sb: Sandbox) -> None:
    board = await first_board(sb)
    assert board.lists and board.cards and board.labels and board.members
    async with client_for(sb) as client:
        me = await client.me()
        assert me.username == sb.credentials.me
        assert (await client.token_info()).id_member == me.id
        orgs = await client.my_organizations()
        if orgs:
            assert (await client.organization(orgs[0].id)).id == orgs[0].id
        actions = await client.board_actions(board.id, limit=5)
        assert 0 < len(actions) <= 5
        older = await client.board_actions(board.id, before=actions[-1].id, limit=5)
        assert all(a.id not in {b.id for b in actions} for a in older)
        newer = await client.board_actions(board.id, since=actions[0].id)
        assert newer == []
        card = board.cards[0]
        found = await client.search(card.name.split()[0], board_ids=[board.id])
        assert isinstance(found.cards, tuple)
        assert (await client.card(card.id)).name == card.name
        assert {c.id for c in await client.list_cards(card.id_list)} >= {card.id}
        results = await client.batch(
            [
                calls.card(card.id),
                calls.board_labels(board.id),
                calls.card("5f0000000000000000000fff"),
            ]
        )
        assert results[0].id == card.id and results[1] and isinstance(results[2], NotFound)


async def test_writes(sb: Sandbox) -> None:
    board = await first_board(sb)
    lst, other = board.lists[0], board.lists[1]
    async with client_for(sb) as client:
        card = await client.create_card(lst.id, "New, with a comma", desc="x" * 3000, pos="top")
        assert card.id_list == lst.id and len(card.desc) == 3000
        moved = await client.move_card(card.id, "bottom", id_list=other.id)
        assert moved.id_list == other.id
        renamed = await client.update_card(card.id, name="Renamed", due=None)
        assert renamed.name == "Renamed" and renamed.due is None
        label = await client.create_label(board.id, "urgent", "red_dark")
        assert label.color == "red_dark"
        assert label.id in await client.add_card_label(card.id, label.id)
        await client.remove_card_label(card.id, label.id)
        assert (await client.update_label(label.id, name="later")).name == "later"
        me = await client.me()
        await client.add_card_member(card.id, me.id)
        await client.remove_card_member(card.id, me.id)
        checklist = await client.create_checklist(card.id, "Steps")
        item = await client.create_check_item(checklist.id, "first")
        assert (await client.set_check_item(card.id, item.id, True)).complete
        assert (await client.rename_check_item(card.id, item.id, "one")).name == "one"
        await client.move_check_item(card.id, item.id, "top")
        assert (await client.rename_checklist(checklist.id, "Plan")).name == "Plan"
        await client.delete_check_item(checklist.id, item.id)
        await client.delete_checklist(checklist.id)
        comment = await client.add_comment(card.id, "looks good " * 100)
        assert comment.type == "commentCard"
        assert (await client.edit_comment(comment.id, "edited")).text == "edited"
        await client.delete_comment(comment.id)
        new_list = await client.create_list(board.id, "Later")
        assert (await client.update_list(new_list.id, name="Much later")).name == "Much later"
        assert (await client.archive_card(card.id)).closed
        await client.delete_label(label.id)
        await client.delete_card(card.id)
        with pytest.raises(NotFound):
            await client.card(card.id)
        hook = await client.create_webhook("https://example.test/hook", board.id, "tui")
        assert hook.id in {h.id for h in await client.webhooks()}
        assert not (await client.update_webhook(hook.id, active=False)).active
        await client.delete_webhook(hook.id)


async def test_bad_token_is_an_auth_error(sb: Sandbox) -> None:
    from trello_tui.trello.auth import Credentials
    from trello_tui.trello.client import TrelloClient

    creds = Credentials(sb.credentials.key, "f" * 64)
    async with TrelloClient(
        creds, base_url=sb.base_url, transport=httpx.ASGITransport(app=sb.app)
    ) as client:
        with pytest.raises(AuthError) as err:
            await client.me()
    assert err.value.reason == "invalid_token" and "f" * 64 not in str(err.value)
