"""Over loopback, plain httpx calls written from Trello's public docs (not our client)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import httpx

from tests.sandbox.receiver import receiver
from trello_tui.sandbox import Sandbox


def test_docs_walkthrough_over_loopback(live_sandbox: tuple[Sandbox, str]) -> None:
    sb, url = live_sandbox
    creds = sb.credentials
    auth = {"key": creds.key, "token": creds.token}
    with httpx.Client(base_url=url, params=auth, timeout=10) as api, receiver() as (hook_url, got):
        board = next(
            b
            for b in api.get("/members/me/boards", params={"filter": "open"}).json()
            if b["name"] == "Website Relaunch"
        )
        # a webhook on the board: Trello first checks the callback with a HEAD
        hook = api.post(
            "/webhooks",
            data={"callbackURL": hook_url, "idModel": board["id"], "description": "walk"},
        )
        assert hook.status_code == 200, hook.text
        assert got.heads == 1 and hook.json()["active"] is True
        # a list, three cards (pos bottom by default), a move between two others by number
        lst = api.post("/lists", data={"name": "Walkthrough", "idBoard": board["id"]}).json()
        cards = [
            api.post("/cards", data={"idList": lst["id"], "name": f"Card {i}"}).json()
            for i in range(3)
        ]
        assert cards[0]["pos"] < cards[1]["pos"] < cards[2]["pos"]
        between = (cards[0]["pos"] + cards[1]["pos"]) / 2
        moved = api.put(f"/cards/{cards[2]['id']}", json={"pos": between}).json()
        assert moved["pos"] == between
        order = [c["name"] for c in api.get(f"/lists/{lst['id']}/cards").json()]
        assert order == ["Card 0", "Card 2", "Card 1"]
        # a checklist, an item, ticked
        cl = api.post(f"/cards/{cards[0]['id']}/checklists", data={"name": "Steps"}).json()
        item = api.post(f"/checklists/{cl['id']}/checkItems", data={"name": "Do it"}).json()
        ticked = api.put(
            f"/cards/{cards[0]['id']}/checkItem/{item['id']}", data={"state": "complete"}
        ).json()
        assert ticked["state"] == "complete"
        # a label and a member
        label = api.post(
            f"/boards/{board['id']}/labels", data={"name": "Walk", "color": "lime_dark"}
        ).json()
        assert api.post(f"/cards/{cards[0]['id']}/idLabels", data={"value": label["id"]}).is_success
        sam = next(
            m for m in api.get(f"/boards/{board['id']}/members").json() if m["username"] == "sam"
        )
        assert api.post(f"/cards/{cards[0]['id']}/idMembers", data={"value": sam["id"]}).is_success
        # a comment
        comment = api.post(
            f"/cards/{cards[0]['id']}/actions/comments", data={"text": "Looks right"}
        )
        assert comment.json()["type"] == "commentCard"
        card = api.get(f"/cards/{cards[0]['id']}").json()
        assert card["badges"]["checkItems"] == 1 and card["badges"]["checkItemsChecked"] == 1
        assert card["badges"]["comments"] == 1 and card["idMembers"] == [sam["id"]]
        assert card["labels"][0]["color"] == "lime_dark"
        # everything reads back as actions, newest first
        actions = api.get(f"/boards/{board['id']}/actions", params={"limit": 1000}).json()
        mine = [a["type"] for a in reversed(actions) if a["date"] >= lst_date(api, lst["id"])]
        expected = [
            "createList", "createCard", "createCard", "createCard", "updateCard",
            "addChecklistToCard", "createCheckItem", "updateCheckItemStateOnCard", "createLabel",
            "addLabelToCard", "addMemberToCard", "commentCard",
        ]  # fmt: skip
        assert mine == expected
        move = next(a for a in actions if a["type"] == "updateCard")
        assert (
            move["data"]["old"]["pos"] == cards[2]["pos"] and move["data"]["card"]["pos"] == between
        )
        assert move["memberCreator"]["username"] == "alex"
        # every action was delivered, signed with the app secret over body + callbackURL
        deadline = time.monotonic() + 10
        while len(got.posts) < len(expected) and time.monotonic() < deadline:
            time.sleep(0.02)
        delivered = []
        for headers, body in got.posts:
            digest = hmac.new(
                creds.secret.encode(), body + hook_url.encode(), hashlib.sha1
            ).digest()
            assert headers["x-trello-webhook"] == base64.b64encode(digest).decode()
            payload = json.loads(body)
            assert set(payload) == {"action", "model", "webhook"}
            assert payload["model"]["id"] == board["id"]
            assert payload["webhook"]["id"] == hook.json()["id"]
            delivered.append(payload["action"]["type"])
        assert delivered == expected


def lst_date(api: httpx.Client, list_id: str) -> str:
    """The date of the list's createList action (the walkthrough's first action)."""
    acts = api.get(f"/lists/{list_id}/actions", params={"filter": "createList"}).json()
    return str(acts[0]["date"])
