"""Write routes beyond the walkthrough: lists, moves across boards, labels, checklists, comments."""

from __future__ import annotations

import httpx
import pytest

from trello_tui.sandbox import Sandbox, SandboxConfig

Env = tuple[Sandbox, httpx.AsyncClient, dict[str, str], str]


@pytest.fixture
async def env() -> Env:
    sb = Sandbox.create("demo", SandboxConfig(token_limit=10**6, key_limit=10**6))
    api = httpx.AsyncClient(transport=httpx.ASGITransport(app=sb.app), base_url=sb.base_url)
    auth = {"key": sb.credentials.key, "token": sb.credentials.token}
    board = next(b.id for b in sb.world.boards.values() if b.name == "Website Relaunch")
    return sb, api, auth, board


async def test_lists_single_field_routes_archive_and_move_all(env: Env) -> None:
    _, api, auth, board = env
    async with api:
        lists = (await api.get(f"/boards/{board}/lists", params=auth)).json()
        source, target = lists[0]["id"], lists[1]["id"]
        r = await api.put(f"/lists/{source}/name", params=auth, json={"value": "Renamed"})
        assert r.json()["name"] == "Renamed"
        count = len((await api.get(f"/lists/{source}/cards", params=auth)).json())
        moved = await api.post(
            f"/lists/{source}/moveAllCards", params={**auth, "idBoard": board, "idList": target}
        )
        assert moved.status_code == 200 and len(moved.json()) == count
        assert (await api.get(f"/lists/{source}/cards", params=auth)).json() == []
        await api.post(f"/lists/{target}/archiveAllCards", params=auth)
        assert (await api.get(f"/lists/{target}/cards", params=auth)).json() == []
        closed = await api.get(f"/lists/{target}/cards", params={**auth, "filter": "closed"})
        assert len(closed.json()) >= count
        r = await api.put(f"/lists/{source}/closed", params={**auth, "value": "true"})
        assert r.json()["closed"] is True
        open_lists = (await api.get(f"/boards/{board}/lists", params=auth)).json()
        assert source not in {x["id"] for x in open_lists}
        acts = (
            await api.get(f"/lists/{source}/actions", params={**auth, "filter": "updateList"})
        ).json()
        assert [a["data"]["old"] for a in acts] == [{"closed": False}, {"name": lists[0]["name"]}]


async def test_move_card_to_another_board(env: Env) -> None:
    sb, api, auth, board = env
    async with api:
        personal = next(b.id for b in sb.world.boards.values() if b.name == "Personal")
        card = next(c for c in sb.world.boards[board].card_ids if sb.world.cards[c].id_labels)
        target_list = (await api.get(f"/boards/{personal}/lists", params=auth)).json()[1]["id"]
        r = await api.put(
            f"/cards/{card}", params={**auth, "idBoard": personal, "idList": target_list}
        )
        moved = r.json()
        assert moved["idBoard"] == personal and moved["idList"] == target_list
        assert moved["labels"] == []  # labels belong to the old board
        old = (
            await api.get(
                f"/boards/{board}/actions", params={**auth, "filter": "moveCardFromBoard"}
            )
        ).json()
        new = (
            await api.get(
                f"/boards/{personal}/actions", params={**auth, "filter": "moveCardToBoard"}
            )
        ).json()
        assert old[0]["data"]["card"]["id"] == card and new[0]["data"]["card"]["id"] == card
        gone = (await api.get(f"/boards/{board}/cards", params=auth)).json()
        assert card not in {c["id"] for c in gone}


async def test_labels_update_delete_and_card_label_routes(env: Env) -> None:
    sb, api, auth, board = env
    async with api:
        card = next(iter(sb.world.boards[board].card_ids))
        label = (
            await api.post(
                "/labels", params={**auth, "idBoard": board, "name": "Tmp", "color": "pink_light"}
            )
        ).json()
        assert (
            await api.post(f"/cards/{card}/idLabels", params={**auth, "value": label["id"]})
        ).is_success
        again = await api.post(f"/cards/{card}/idLabels", params={**auth, "value": label["id"]})
        assert again.status_code == 400
        r = await api.put(f"/labels/{label['id']}", params={**auth, "name": "Renamed", "color": ""})
        assert r.json()["color"] is None and r.json()["name"] == "Renamed"
        shown = (await api.get(f"/cards/{card}", params=auth)).json()["labels"]
        assert {"id": label["id"], "idBoard": board, "name": "Renamed", "color": None} in shown
        assert (await api.delete(f"/labels/{label['id']}", params=auth)).is_success
        assert label["id"] not in (await api.get(f"/cards/{card}", params=auth)).json()["idLabels"]
        created = await api.post(
            f"/cards/{card}/labels", params={**auth, "name": "New", "color": "green_dark"}
        )
        new_id = created.json()[-1]
        r = await api.delete(f"/cards/{card}/idLabels/{new_id}", params=auth)
        assert new_id not in r.json()
        types = [
            a["type"]
            for a in (await api.get(f"/boards/{board}/actions", params={**auth, "limit": 8})).json()
        ]
        assert types[:3] == ["removeLabelFromCard", "addLabelToCard", "createLabel"]


async def test_checklists_and_items(env: Env) -> None:
    sb, api, auth, board = env
    async with api:
        card = next(
            c for c in sb.world.boards[board].card_ids if not sb.world.cards[c].checklist_ids
        )
        one = (await api.post("/checklists", params={**auth, "idCard": card, "name": "One"})).json()
        two = (
            await api.post(
                f"/cards/{card}/checklists", params={**auth, "name": "Two", "pos": "top"}
            )
        ).json()
        assert two["pos"] < one["pos"]
        items = [
            (
                await api.post(f"/checklists/{one['id']}/checkItems", params={**auth, "name": n})
            ).json()
            for n in ("a", "b")
        ]
        assert items[0]["pos"] < items[1]["pos"] and items[0]["state"] == "incomplete"
        r = await api.put(
            f"/cards/{card}/checkItem/{items[0]['id']}",
            params={**auth, "idChecklist": two["id"], "name": "a!"},
        )
        assert r.json()["idChecklist"] == two["id"] and r.json()["name"] == "a!"
        legacy = await api.put(
            f"/cards/{card}/checklist/{two['id']}/checkItem/{items[0]['id']}",
            params={**auth, "state": "complete"},
        )
        assert legacy.json()["state"] == "complete"
        got = (await api.get(f"/cards/{card}/checklists", params=auth)).json()
        ordered = [(c["name"], [i["name"] for i in c["checkItems"]]) for c in got]
        assert ordered == [("Two", ["a!"]), ("One", ["b"])]
        card_json = (await api.get(f"/cards/{card}", params=auth)).json()
        assert card_json["idChecklists"] == [two["id"], one["id"]]
        assert (
            await api.delete(f"/checklists/{one['id']}/checkItems/{items[1]['id']}", params=auth)
        ).is_success
        assert (
            await api.put(f"/checklists/{one['id']}/name", params={**auth, "value": "Uno"})
        ).json()["name"] == "Uno"
        assert (await api.delete(f"/checklists/{one['id']}", params=auth)).json() == {"limits": {}}
        assert (await api.get(f"/checklists/{one['id']}", params=auth)).status_code == 404


async def test_comments_edit_and_delete_only_by_author(env: Env) -> None:
    sb, api, auth, board = env
    async with api:
        card = next(iter(sb.world.boards[board].card_ids))
        comment = (
            await api.post(f"/cards/{card}/actions/comments", params={**auth, "text": "first"})
        ).json()
        sam = {"key": auth["key"], "token": sb.credentials.tokens["sam"]}
        denied = await api.put(f"/actions/{comment['id']}", params={**sam, "text": "hijack"})
        assert denied.status_code == 401
        r = await api.put(f"/actions/{comment['id']}/text", params={**auth, "value": "edited"})
        assert r.json()["data"]["text"] == "edited"
        r = await api.put(
            f"/cards/{card}/actions/{comment['id']}/comments", params={**auth, "text": "again"}
        )
        assert r.json()["data"]["text"] == "again"
        before = (await api.get(f"/cards/{card}", params=auth)).json()["badges"]["comments"]
        r = await api.delete(f"/cards/{card}/actions/{comment['id']}/comments", params=auth)
        assert r.json() == {"_value": None}
        after = (await api.get(f"/cards/{card}", params=auth)).json()["badges"]["comments"]
        assert after == before - 1
        types = [
            a["type"]
            for a in (await api.get(f"/boards/{board}/actions", params={**auth, "limit": 3})).json()
        ]
        assert types == ["deleteComment", "updateComment", "updateComment"]


async def test_delete_card_and_create_board(env: Env) -> None:
    sb, api, auth, board = env
    async with api:
        card = next(iter(sb.world.boards[board].card_ids))
        assert (await api.delete(f"/cards/{card}", params=auth)).is_success
        assert (await api.get(f"/cards/{card}", params=auth)).status_code == 404
        new = (await api.post("/boards", params={**auth, "name": "Fresh"})).json()
        lists = (await api.get(f"/boards/{new['id']}/lists", params=auth)).json()
        assert [x["name"] for x in lists] == ["To Do", "Doing", "Done"]
        assert len((await api.get(f"/boards/{new['id']}/labels", params=auth)).json()) == 6
        r = await api.put(
            f"/boards/{new['id']}", params={**auth, "name": "Fresher", "closed": "true"}
        )
        assert r.json()["name"] == "Fresher" and r.json()["closed"] is True


async def test_every_change_moves_date_last_activity(env: Env) -> None:
    sb, api, auth, board = env
    async with api:
        card = next(
            c for c in sb.world.boards[board].card_ids if not sb.world.cards[c].checklist_ids
        )
        sb.world.cards[card].date_last_activity = "2020-01-01T00:00:00.000Z"
        sb.world.boards[board].date_last_activity = "2020-01-01T00:00:00.000Z"
        await api.post(f"/cards/{card}/checklists", params={**auth, "name": "Later"})
        shown = (await api.get(f"/cards/{card}", params=auth)).json()
        assert shown["dateLastActivity"] > "2026"
        fields = (
            await api.get(f"/boards/{board}", params={**auth, "fields": "dateLastActivity"})
        ).json()
        assert fields["dateLastActivity"] == shown["dateLastActivity"]


async def test_json_null_and_empty_values_clear(env: Env) -> None:
    sb, api, auth, board = env
    async with api:
        card = next(c for c in sb.world.boards[board].card_ids if sb.world.cards[c].id_labels)
        r = await api.put(f"/cards/{card}", params=auth, json={"due": "2030-01-02T03:04:05Z"})
        assert r.json()["due"] == "2030-01-02T03:04:05.000Z"
        r = await api.put(f"/cards/{card}", params=auth, json={"due": None, "desc": None})
        assert r.json()["due"] is None and r.json()["desc"] == ""
        r = await api.put(f"/cards/{card}", params={**auth, "idLabels": ""})
        assert r.json()["idLabels"] == [] and r.json()["labels"] == []
        r = await api.put(f"/cards/{card}", params=auth, json={"name": None})
        assert r.status_code == 400
