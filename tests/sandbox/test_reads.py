"""Read routes: actions paging, batch, search, organizations, tokens, nested loads."""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest

from trello_tui.sandbox import Sandbox, SandboxConfig


@pytest.fixture
async def env() -> tuple[Sandbox, httpx.AsyncClient, dict[str, str], str]:
    sb = Sandbox.create("demo", SandboxConfig(token_limit=10**6, key_limit=10**6))
    api = httpx.AsyncClient(transport=httpx.ASGITransport(app=sb.app), base_url=sb.base_url)
    auth = {"key": sb.credentials.key, "token": sb.credentials.token}
    board = next(b.id for b in sb.world.boards.values() if b.name == "Product Roadmap")
    return sb, api, auth, board


Env = tuple[Sandbox, httpx.AsyncClient, dict[str, str], str]


async def test_actions_since_before_limit_filter(env: Env) -> None:
    sb, api, auth, board = env
    async with api:
        url = f"/boards/{board}/actions"
        first = (await api.get(url, params=auth)).json()
        assert len(first) == 50  # Trello's default limit
        dates = [a["date"] for a in first]
        assert dates == sorted(dates, reverse=True)  # newest first
        older = (await api.get(url, params={**auth, "before": first[-1]["id"], "limit": 10})).json()
        assert len(older) == 10 and older[0]["date"] <= first[-1]["date"]
        assert not {a["id"] for a in older} & {a["id"] for a in first}
        newest = first[0]["id"]
        assert (await api.get(url, params={**auth, "since": newest})).json() == []
        card = next(iter(sb.world.cards))
        await api.put(f"/cards/{card}", params={**auth, "name": "Brand new name"})
        await api.post(f"/cards/{card}/actions/comments", params={**auth, "text": "hello"})
        new = (await api.get(url, params={**auth, "since": newest})).json()
        assert [a["type"] for a in new] == ["commentCard", "updateCard"]
        assert new[1]["data"]["card"]["name"] == "Brand new name"
        only = (
            await api.get(url, params={**auth, "since": newest, "filter": "commentCard"})
        ).json()
        assert [a["type"] for a in only] == ["commentCard"]
        by_date = (await api.get(url, params={**auth, "since": first[0]["date"]})).json()
        assert {a["type"] for a in by_date} >= {"commentCard", "updateCard"}
        big = (await api.get(url, params={**auth, "limit": 1000})).json()
        assert 50 < len(big) <= 1000
        nested = (await api.get(f"/boards/{board}", params={**auth, "actions": "all"})).json()
        assert len(nested["actions"]) == 50
        card_acts = (await api.get(f"/cards/{card}/actions", params=auth)).json()
        assert [a["type"] for a in card_acts] == ["commentCard"]


async def test_batch(env: Env) -> None:
    _, api, auth, board = env
    async with api:
        urls = f"/boards/{board}?fields=name,/cards/nope,/members/me?fields=username,/1/lists/123"
        r = await api.get("/batch", params={**auth, "urls": urls})
        assert r.status_code == 200
        body = r.json()
        assert body[0] == {"200": {"id": board, "name": "Product Roadmap"}}
        assert body[1] == {"name": "BadRequestError", "message": "invalid id", "statusCode": 400}
        assert body[2]["200"]["username"] == "alex"
        assert body[3]["statusCode"] == 400
        two = f"/boards/{board}?fields=name,desc,/members/me?fields=username,fullName"
        pair = (await api.get("/batch", params={**auth, "urls": two})).json()
        assert set(pair[0]["200"]) == {"id", "name", "desc"}
        assert set(pair[1]["200"]) == {"id", "username", "fullName"}
        items = [f"/boards/{board}?fields=name,desc", "/members/me?fields=username,fullName"]
        encoded = ",".join(quote(u, safe="") for u in items)
        assert (await api.get("/batch", params={**auth, "urls": encoded})).json() == pair


async def test_search(env: Env) -> None:
    _, api, auth, _ = env
    async with api:
        r = await api.get("/search", params={**auth, "query": "Dark theme", "modelTypes": "cards"})
        cards = r.json()["cards"]
        assert cards and all("Dark theme" in c["name"] for c in cards)
        assert len(cards) <= 10
        partial = await api.get("/search", params={**auth, "query": "Roadm", "partial": "true"})
        assert [b["name"] for b in partial.json()["boards"]] == ["Product Roadmap"]
        exact = await api.get("/search", params={**auth, "query": "Roadm"})
        assert exact.json()["boards"] == []
        secret = await api.get("/search", params={**auth, "query": "Surprise party"})
        assert secret.json()["cards"] == []  # Casey's private board is not yours to search


async def test_organizations_and_tokens(env: Env) -> None:
    sb, api, auth, _ = env
    async with api:
        orgs = (await api.get("/members/me/organizations", params=auth)).json()
        assert [o["displayName"] for o in orgs] == ["Acme Product Team"]
        boards = (await api.get(f"/organizations/{orgs[0]['id']}/boards", params=auth)).json()
        assert {b["name"] for b in boards} >= {"Product Roadmap", "Website Relaunch"}
        token = (await api.get(f"/tokens/{auth['token']}", params=auth)).json()
        assert token["idMember"] == sb.world.me and "webhooks" not in token
        member = (await api.get(f"/tokens/{auth['token']}/member", params=auth)).json()
        assert member["username"] == "alex"
        sam = {"key": auth["key"], "token": sb.credentials.tokens["sam"]}
        assert (await api.delete(f"/tokens/{sam['token']}", params=sam)).status_code == 200
        gone = await api.get("/members/me", params=sam)
        assert (gone.status_code, gone.text) == (401, "invalid token")


async def test_shortlinks_and_closed_boards(env: Env) -> None:
    sb, api, auth, board = env
    async with api:
        short = sb.world.boards[board].short_link
        r = await api.get(f"/boards/{short}", params={**auth, "fields": "name,shortLink"})
        assert r.json() == {"id": board, "name": "Product Roadmap", "shortLink": short}
        card = next(iter(sb.world.boards[board].card_ids))
        link = sb.world.cards[card].short_link
        assert (await api.get(f"/cards/{link}", params=auth)).json()["id"] == card
        open_only = (await api.get("/members/me/boards", params={**auth, "filter": "open"})).json()
        every = (await api.get("/members/me/boards", params=auth)).json()
        assert "Archived Ideas" in {b["name"] for b in every} - {b["name"] for b in open_only}
