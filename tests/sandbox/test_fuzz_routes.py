"""Every route, with random path ids and parameter values, answers without a server error."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trello_tui.sandbox import Sandbox, SandboxConfig
from trello_tui.sandbox.router import API, Route

SB = Sandbox.create(
    "demo",
    SandboxConfig(
        token_limit=10**9,
        key_limit=10**9,
        member_limit=10**9,
        webhook_transport=httpx.MockTransport(lambda r: httpx.Response(200)),
    ),
)


def _ids() -> list[str]:
    w = SB.world
    board = next(b for b in w.boards.values() if b.name == "Product Roadmap")
    card = next(w.cards[c] for c in board.card_ids if w.cards[c].checklist_ids)
    cl = w.checklists[card.checklist_ids[0]]
    return [
        board.id,
        card.id,
        card.id_list,
        cl.id,
        cl.items[0].id,
        next(iter(board.label_ids)),
        w.me,
        "me",
        card.short_link,
        "5e93ba98614ac22d22f085c4",
        "nope",
        "",
        "%2e%2e",
        next(iter(w.actions)),
        SB.credentials.token,
        "name",
        "pos",
        "closed",
        "idList",
    ]


# revoking the token would turn every later example into a 401 (revocation is tested elsewhere)
ROUTES = [r for r in API.routes if (r.method, r.template) != ("DELETE", "/tokens/{token}")]
IDS = _ids()
BOARD = IDS[0]
AUTH = {"key": SB.credentials.key, "token": SB.credentials.token}
VALUES = st.one_of(
    st.sampled_from(
        [
            *IDS,
            "top",
            "bottom",
            "true",
            "false",
            "all",
            "none",
            "open",
            "-1",
            "0",
            "1e308",
            "NaN",
            "2020-12-22T01:59:00.000Z",
            "http://127.0.0.1:9/h",
            "red",
        ]
    ),
    st.text(max_size=12),
)


def _right(route: Route, name: str) -> str:
    """A fitting value for a path parameter, so examples reach the handlers' deeper paths."""
    w = SB.world
    board = w.boards[BOARD]  # by id: examples may rename it
    cards = [w.cards[c] for c in board.card_ids] or [next(iter(w.cards.values()))]
    card = next((c for c in cards if c.checklist_ids), cards[0])
    cl = w.checklists[card.checklist_ids[0]] if card.checklist_ids else None
    resource = route.template.split("/")[1]
    by_name = {
        "idCheckItem": cl.items[0].id if cl and cl.items else "x",
        "idChecklist": cl.id if cl else "x",
        "idLabel": next(iter(board.label_ids), "x"),
        "idMember": w.me,
        "idAction": next(reversed(board.action_ids), "x"),
        "idCard": card.id,
        "idWebhook": next(iter(w.webhooks), "x"),
        "field": "name",
        "filter": "open",
        "token": AUTH["token"],
    }
    if name in by_name:
        return by_name[name]
    by_resource = {
        "boards": board.id,
        "cards": card.id,
        "lists": card.id_list,
        "checklists": cl.id if cl else "x",
        "labels": next(iter(board.label_ids), "x"),
        "actions": next(reversed(board.action_ids), "x"),
        "members": "me",
        "webhooks": next(iter(w.webhooks), "x"),
        "organizations": next(iter(w.orgs)),
    }
    return by_resource.get(resource, "x")


def _path(route: Route, values: list[str], fitting: list[bool]) -> str:
    it = iter(zip(values, fitting, strict=False))

    def fill(m: re.Match[str]) -> str:
        value, fit = next(it, ("x", False))
        return _right(route, m.group(1)) if fit else (value or "x")

    return re.sub(r"\{(\w+)\}", fill, route.template)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    route=st.sampled_from(ROUTES),
    path_ids=st.lists(st.sampled_from(IDS), min_size=3, max_size=3),
    fitting=st.lists(st.booleans(), min_size=3, max_size=3),
    data=st.data(),
)
async def test_no_route_answers_500(
    route: Route, path_ids: list[str], fitting: list[bool], data: Any
) -> None:
    params = {
        name: data.draw(VALUES, label=name)
        for name in sorted(route.params)
        if data.draw(st.booleans(), label=f"send {name}")
    }
    transport = httpx.ASGITransport(app=SB.app)
    async with httpx.AsyncClient(transport=transport, base_url=SB.base_url) as api:
        r = await api.request(
            route.method, _path(route, path_ids, fitting), params={**AUTH, **params}
        )
    assert r.status_code < 500, (route.method, route.template, params, r.text)
