"""Every recorded Trello object has its fields, with the same JSON types, in the sandbox.

For each recorded request in the fixtures' cassettes, the sandbox answers the same request
(on its own demo objects) and the answer must contain every field of the recorded answer,
recursively. A field's JSON type must be one Trello was recorded using for that field path
(fields such as ``due`` are null on one card and a string on another; the board exports add
further real samples, e.g. members with an avatar).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import httpx
import pytest

from tests.sandbox import cassettes
from trello_tui.sandbox import Sandbox

Types = dict[str, set[str]]


def jtype(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int | float):
        return "number"
    if isinstance(v, str):
        return "string"
    return "array" if isinstance(v, list) else "object"


# Object kinds that are the same Trello object seen through different routes share types.
FAMILY = {
    "cards": "card",
    "card_created": "card",
    "member_me": "member",
    "actions": "action",
    "comment": "action",
}
MEMBER_KEYS = ("memberCreator", "member")


def learn(kind: str, v: Any, types: Types, path: str = "") -> None:
    kind = FAMILY.get(kind, kind)
    if path == "" and kind in ("card", "action", "member") and isinstance(v, list):
        for x in v:
            learn(kind, x, types)
        return
    types[f"{kind}:{path}"].add(jtype(v))
    if isinstance(v, dict):
        for k, x in v.items():
            if k in MEMBER_KEYS:
                learn("member", x, types)
            else:
                learn(kind, x, types, f"{path}.{k}")
    elif isinstance(v, list):
        for x in v:
            learn(kind, x, types, f"{path}[]")


def compare(kind: str, recorded: Any, ours: Any, types: Types, path: str = "") -> list[str]:
    """Problems: fields missing in ``ours`` or with a JSON type never recorded there."""
    family = FAMILY.get(kind, kind)
    if path.startswith("[]") and family in ("card", "action", "member"):
        family_path = path[2:]
    else:
        family_path = path
    allowed = types[f"{family}:{family_path}"] | {jtype(recorded)}
    if jtype(ours) not in allowed:
        return [f"{kind}{path}: {jtype(ours)} not in {sorted(allowed)}"]
    problems: list[str] = []
    if isinstance(recorded, dict) and isinstance(ours, dict):
        for k, v in recorded.items():
            if k not in ours:
                problems.append(f"{kind}{path}.{k}: missing")
            elif k in MEMBER_KEYS and isinstance(v, dict):
                problems += [f"{kind}{path}.{p}" for p in compare("member", v, ours[k], types)]
            else:
                problems += compare(kind, v, ours[k], types, f"{path}.{k}")
    elif isinstance(recorded, list) and isinstance(ours, list) and recorded and ours:
        for item in ours:
            problems += compare(kind, recorded[0], item, types, f"{path}[]")
    return problems


def recorded_samples() -> tuple[dict[str, list[Any]], Types]:
    """Recorded answers by object kind, and the types seen per field path."""
    by_kind: dict[str, list[Any]] = defaultdict(list)
    for name, method, suffix, kind in ROUTES:
        for it in cassettes.read(name):
            if it.method == method and it.path.endswith(suffix) and it.status == 200:
                by_kind[kind].append(it.json())
    # a label as recorded inside the created card (no cassette reads a label on its own)
    by_kind["label"] = [lab for card in by_kind["card_created"] for lab in card["labels"]]
    types: Types = defaultdict(set)
    for kind, samples in by_kind.items():
        for s in samples:
            learn(kind, s, types)
    # real samples from the exports: members with avatars, cards with labels, check items
    for export in ("board-export-anonymized-deck-2021.json", "board-export-nebula-2015.json"):
        data = cassettes.export(export)
        for m in data["members"]:
            learn("member", m, types)
        for a in data["actions"]:
            learn("member", a.get("memberCreator"), types)
    # the board model of a real webhook delivery (2016): a board without a background image
    learn("board", cassettes.export("webhook-payload-adlio-updateCard-2016.json")["model"], types)
    return by_kind, types


# (cassette, method, path suffix, object kind)
ROUTES = [
    ("vcr-ruby-trello-can_get_cards_of_board.yml", "GET", "c4", "board"),
    ("vcr-ruby-trello-can_get_actions_of_board.yml", "GET", "c4", "board"),
    ("vcr-ruby-trello-can_get_cards_of_board.yml", "GET", "/cards", "cards"),
    ("vcr-ruby-trello-can_get_actions_of_board.yml", "GET", "/actions", "actions"),
    ("vcr-ruby-trello-can_move_a_card_to_another_list.yml", "GET", "f1", "list"),
    ("vcr-ruby-trello-can_move_a_card_to_another_list.yml", "GET", "f7", "card"),
    ("vcr-ruby-trello-can_move_a_card_to_another_list.yml", "PUT", "/idList", "card"),
    ("vcr-ruby-trello-revote_on_a_card.yml", "GET", "f7", "card"),
    ("vcr-ruby-trello-can_success_create_a_card.yml", "POST", "/cards", "card_created"),
    ("vcr-ruby-trello-can_success_create_a_webhook.yml", "POST", "/webhooks", "webhook"),
    ("vcr-ruby-trello-checklist_can_update_the_item_state.yml", "GET", "d5", "checklist"),
    ("vcr-ruby-trello-checklist_can_update_the_item_state.yml", "PUT", "e7", "check_item"),
    ("vcr-ruby-trello-comment_delete.yml", "GET", "fd", "comment"),
    ("vcr-ruby-trello-comment_delete.yml", "DELETE", "fd", "deleted"),
    ("vcr-ruby-trello-revote_on_a_card.yml", "GET", "/membersVoted", "member"),
    ("vcr-ruby-trello-revote_on_a_card.yml", "GET", "/members/me", "member_me"),
    ("vcr-ruby-trello-token_find_with_token_string.yml", "GET", "TOKEN", "token"),
]


@pytest.fixture
async def answers(sandbox: Sandbox, sandbox_client: httpx.AsyncClient) -> dict[str, list[Any]]:
    """The sandbox's answers to the recorded requests, by object kind."""
    w = sandbox.world
    c = sandbox.credentials
    auth = {"key": c.key, "token": c.token}
    board = next(b for b in w.boards.values() if b.name == "Product Roadmap")
    card = next(
        w.cards[i]
        for i in board.card_ids
        if w.cards[i].id_labels and w.cards[i].id_members and w.cards[i].checklist_ids
    )
    lst = w.lists[card.id_list]
    other = next(x for x in board.list_ids if x != lst.id)
    cl = w.checklists[card.checklist_ids[0]]
    out: dict[str, list[Any]] = defaultdict(list)

    async def call(kind: str, method: str, path: str, **params: Any) -> Any:
        r = await sandbox_client.request(method, path, params={**auth, **params})
        assert r.status_code == 200, (path, r.text)
        out[kind].append(r.json())
        return r.json()

    await call("board", "GET", f"/boards/{board.id}")
    await call("cards", "GET", f"/boards/{board.id}/cards", filter="open")
    await call("actions", "GET", f"/boards/{board.id}/actions", filter="all")
    await call("list", "GET", f"/lists/{lst.id}")
    await call("card", "GET", f"/cards/{card.id}")
    await call("card", "PUT", f"/cards/{card.id}/idList", value=other)
    await sandbox_client.post(f"/cards/{card.id}/membersVoted", params={**auth, "value": w.me})
    await call("member", "GET", f"/cards/{card.id}/membersVoted")
    label_ids = ",".join(list(board.label_ids)[:2])
    await call(
        "card_created",
        "POST",
        "/cards",
        name="New",
        desc="d",
        idList=lst.id,
        idMembers=w.me,
        idLabels=label_ids,
        pos="top",
        due="2020-12-22 01:59:00 UTC",
        dueComplete="false",
    )
    sandbox.config.webhook_transport = httpx.MockTransport(lambda req: httpx.Response(200))
    await call(
        "webhook",
        "POST",
        "/webhooks",
        description="test",
        idModel=board.id,
        callbackURL="https://example.com/webhook/trello_callbacks",
        active="true",
    )
    await call("label", "GET", f"/labels/{card.id_labels[0]}")
    await call("checklist", "GET", f"/checklists/{cl.id}")
    await call(
        "check_item", "PUT", f"/cards/{card.id}/checkItem/{cl.items[0].id}", state="complete"
    )
    comment = await call("comment", "POST", f"/cards/{card.id}/actions/comments", text="hi")
    await call("comment", "GET", f"/actions/{comment['id']}")
    await call("deleted", "DELETE", f"/actions/{comment['id']}")
    await call("member_me", "GET", "/members/me")
    await call("token", "GET", f"/tokens/{c.token}", webhooks="true")
    return out


async def test_every_recorded_field_is_served_with_its_type(answers: dict[str, list[Any]]) -> None:
    recorded, types = recorded_samples()
    assert set(recorded) == {kind for _, _, _, kind in ROUTES} | {"label"}
    problems: list[str] = []
    for kind, samples in recorded.items():
        assert answers[kind], kind
        for sample in samples:
            if kind == "actions":
                problems += _compare_actions(sample, answers[kind][0], types)
                continue
            for ours in answers[kind]:
                problems += compare(kind, sample, ours, types)
    assert not problems, "\n".join(sorted(set(problems)))


def _compare_actions(recorded: list[Any], ours: list[Any], types: Types) -> list[str]:
    """Actions differ by type: compare the common envelope, and ``data`` per shared type."""
    problems: list[str] = []
    ours_by_type = {a["type"]: a for a in ours}
    assert len(ours_by_type) >= 3
    common = set.intersection(*(set(r) for r in recorded)) - {"data"}
    for rec in recorded:
        envelope = {k: v for k, v in rec.items() if k in common}
        for mine in ours:
            problems += compare("actions", envelope, mine, types)
        mine = ours_by_type.get(rec["type"])
        if mine is None:
            continue
        problems += compare("actions", {k: v for k, v in rec.items() if k != "data"}, mine, types)
        data = rec["data"]
        if rec["type"].startswith("update"):
            # which fields an update carries depends on what changed; compare the references
            data = {k: v for k, v in data.items() if k == "board"}
            data["card"] = {
                k: rec["data"]["card"][k] for k in ("id", "name", "idShort", "shortLink")
            }
        problems += compare(f"data:{rec['type']}", data, mine["data"], types)
    return problems


async def test_recorded_error_bodies(sandbox: Sandbox, sandbox_client: httpx.AsyncClient) -> None:
    """The recorded 400 and 404 bodies are text/plain with Trello's wording."""
    c = sandbox.credentials
    auth = {"key": c.key, "token": c.token}
    card = next(iter(sandbox.world.cards.values()))
    names = ("vcr-ruby-trello-comment_delete.yml", "vcr-ruby-trello-revote_on_a_card.yml")
    expected = {it.body for name in names for it in cassettes.read(name) if it.status >= 400}
    url = f"/cards/{card.id}/membersVoted"
    assert (await sandbox_client.post(url, params={**auth, "value": sandbox.world.me})).is_success
    again = await sandbox_client.post(url, params={**auth, "value": sandbox.world.me})
    gone = await sandbox_client.get("/actions/" + "0" * 24, params=auth)
    assert {again.text, gone.text} == expected
    assert (again.status_code, gone.status_code) == (400, 404)
    assert again.headers["content-type"].startswith("text/plain")
