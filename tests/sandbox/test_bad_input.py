"""Bad input gets a Trello-style 4xx — never a 500 — and changes nothing."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trello_tui.sandbox import Sandbox, SandboxConfig

LONG = "x" * 16385
UNKNOWN = "5e93ba98614ac22d22f085c4"


def snapshot(sb: Sandbox) -> str:
    return json.dumps(sb.world.to_json(), sort_keys=True)


@pytest.fixture
def sb() -> Sandbox:
    return Sandbox.create("demo", SandboxConfig(token_limit=10**6, key_limit=10**6))


def ids(sb: Sandbox) -> dict[str, str]:
    w = sb.world
    board = next(b for b in w.boards.values() if b.name == "Product Roadmap")
    card = next(w.cards[c] for c in board.card_ids if w.cards[c].checklist_ids)
    cl = w.checklists[card.checklist_ids[0]]
    return {
        "board": board.id,
        "card": card.id,
        "list": card.id_list,
        "cl": cl.id,
        "item": cl.items[0].id,
        "label": next(iter(board.label_ids)),
    }


# (method, path template, query, body kind, body, status, text in the answer)
CASES: list[tuple[str, str, dict[str, Any], str, Any, int, str]] = [
    ("GET", "/boards/not-an-id", {}, "", None, 400, "invalid id"),
    ("GET", "/boards/zzzzzzzzzzzzzzzzzzzzzzzz", {}, "", None, 400, "invalid id"),
    ("GET", f"/boards/{UNKNOWN}", {}, "", None, 404, "The requested resource was not found."),
    ("GET", "/cards/%00%FF", {}, "", None, 400, "invalid id"),
    ("GET", f"/cards/{UNKNOWN}", {}, "", None, 404, "The requested resource was not found."),
    ("GET", "/lists/123", {}, "", None, 400, "invalid id"),
    ("GET", "/nonsense/route", {}, "", None, 404, "Cannot GET /1/nonsense/route"),
    ("GET", "/boards/{board}", {"lists": "sideways"}, "", None, 400, "invalid value for lists"),
    (
        "GET",
        "/boards/{board}",
        {"labels": "all", "labels_limit": "5000"},
        "",
        None,
        400,
        "labels_limit",
    ),
    ("GET", "/boards/{board}/actions", {"limit": "1001"}, "", None, 400, "invalid value for limit"),
    ("GET", "/boards/{board}/actions", {"limit": "ten"}, "", None, 400, "invalid value for limit"),
    ("GET", "/boards/{board}/actions", {"since": "yesterday-ish"}, "", None, 400, "since"),
    ("GET", "/search", {}, "", None, 400, "invalid value for query"),
    ("GET", "/search", {"query": "x", "modelTypes": "spaceships"}, "", None, 400, "modelTypes"),
    ("GET", "/batch", {"urls": ",".join(["/members/me"] * 11)}, "", None, 400, "urls"),
    ("PUT", "/cards/{card}", {}, "form", {"name": ""}, 400, "invalid value for name"),
    ("PUT", "/cards/{card}", {}, "form", {"name": LONG}, 400, "invalid value for name"),
    ("PUT", "/cards/{card}", {}, "json", {"desc": LONG}, 400, "invalid value for desc"),
    ("PUT", "/cards/{card}", {}, "json", {"name": ["a", "list"]}, 400, "invalid value for name"),
    ("PUT", "/cards/{card}", {}, "json", {"closed": 5}, 400, "invalid value for closed"),
    ("PUT", "/cards/{card}", {"closed": "maybe"}, "", None, 400, "invalid value for closed"),
    ("PUT", "/cards/{card}", {"pos": "-1"}, "", None, 400, "invalid value for pos"),
    ("PUT", "/cards/{card}", {"pos": "0"}, "", None, 400, "invalid value for pos"),
    ("PUT", "/cards/{card}", {"pos": "middle"}, "", None, 400, "invalid value for pos"),
    ("PUT", "/cards/{card}", {"pos": "nan"}, "", None, 400, "invalid value for pos"),
    ("PUT", "/cards/{card}", {"pos": "1e400"}, "", None, 400, "invalid value for pos"),
    ("PUT", "/cards/{card}", {}, "json", {"pos": True}, 400, "invalid value for pos"),
    ("PUT", "/cards/{card}", {"due": "not a date"}, "", None, 400, "invalid value for due"),
    (
        "PUT",
        "/cards/{card}",
        {"due": "99999999999999999999"},
        "",
        None,
        400,
        "invalid value for due",
    ),
    ("PUT", "/cards/{card}", {"idList": UNKNOWN}, "", None, 400, "invalid value for idList"),
    ("PUT", "/cards/{card}", {"idList": "nope"}, "", None, 400, "invalid value for idList"),
    ("PUT", "/cards/{card}", {"idLabels": "a,b"}, "", None, 400, "invalid value for idLabels"),
    ("PUT", "/cards/{card}", {"idMembers": UNKNOWN}, "", None, 400, "invalid value for idMembers"),
    ("PUT", "/cards/{card}", {"name": "fine", "pos": "-5"}, "", None, 400, "invalid value for pos"),
    ("PUT", "/cards/{card}/idList", {}, "form", {"value": "bad"}, 400, "invalid value for idList"),
    ("PUT", "/cards/{card}/nonsense", {}, "form", {"value": "x"}, 404, "Cannot PUT"),
    ("PUT", "/cards/{card}", {}, "raw", b'{"name": "unterminated', 400, "invalid json"),
    ("PUT", "/cards/{card}", {}, "raw", b"[1, 2, 3]", 400, "invalid json"),
    ("POST", "/cards", {}, "form", {"name": "no list"}, 400, "invalid value for idList"),
    ("POST", "/cards", {}, "form", {"idList": UNKNOWN}, 400, "invalid value for idList"),
    (
        "POST",
        "/cards",
        {},
        "form",
        {"idList": "{list}", "name": LONG},
        400,
        "invalid value for name",
    ),
    (
        "POST",
        "/cards/{card}/actions/comments",
        {},
        "form",
        {"text": LONG},
        400,
        "invalid value for text",
    ),
    ("POST", "/cards/{card}/actions/comments", {}, "form", {}, 400, "invalid value for text"),
    (
        "POST",
        "/lists",
        {},
        "form",
        {"name": "x", "idBoard": "123"},
        400,
        "invalid value for idBoard",
    ),
    ("POST", "/lists", {}, "form", {"idBoard": "{board}"}, 400, "invalid value for name"),
    ("PUT", "/lists/{list}", {"closed": "sure"}, "", None, 400, "invalid value for closed"),
    ("POST", "/labels", {}, "form", {"idBoard": "{board}", "color": "mauve"}, 400, "color"),
    ("PUT", "/labels/{label}", {}, "form", {"color": "chartreuse"}, 400, "color"),
    (
        "POST",
        "/checklists/{cl}/checkItems",
        {},
        "form",
        {"name": ""},
        400,
        "invalid value for name",
    ),
    ("PUT", "/cards/{card}/checkItem/{item}", {"state": "done-ish"}, "", None, 400, "state"),
    ("PUT", "/cards/{card}/checkItem/{item}", {"pos": "top-ish"}, "", None, 400, "pos"),
    (
        "PUT",
        f"/cards/{{card}}/checkItem/{UNKNOWN}",
        {"state": "complete"},
        "",
        None,
        404,
        "not found",
    ),
    (
        "POST",
        "/webhooks",
        {},
        "form",
        {"callbackURL": "ftp://x", "idModel": "{board}"},
        400,
        "callbackURL",
    ),
    (
        "POST",
        "/webhooks",
        {},
        "form",
        {"callbackURL": "http://127.0.0.1:9/h", "idModel": UNKNOWN},
        400,
        "idModel",
    ),
    ("DELETE", f"/actions/{UNKNOWN}", {}, "", None, 404, "The requested resource was not found."),
]


def _request(api: httpx.AsyncClient, sb: Sandbox, case: tuple[Any, ...]) -> Any:
    method, path, query, kind, body, _, _ = case
    fill = ids(sb)
    auth = {"key": sb.credentials.key, "token": sb.credentials.token}
    query = {k: v.format(**fill) if isinstance(v, str) else v for k, v in query.items()}
    kwargs: dict[str, Any] = {"params": {**auth, **query}}
    if kind == "form":
        kwargs["data"] = {k: v.format(**fill) if v.startswith("{") else v for k, v in body.items()}
    elif kind == "json":
        kwargs["json"] = body
    elif kind == "raw":
        kwargs["content"] = body
        kwargs["headers"] = {"content-type": "application/json"}
    return api.request(method, path.format(**fill), **kwargs)


async def test_bad_input_table(sb: Sandbox) -> None:
    transport = httpx.ASGITransport(app=sb.app)
    async with httpx.AsyncClient(transport=transport, base_url=sb.base_url) as api:
        before = snapshot(sb)
        failures = []
        for case in CASES:
            r = await _request(api, sb, case)
            status, text = case[5], case[6]
            if r.status_code != status or text not in r.text:
                failures.append(
                    f"{case[0]} {case[1]} {case[2]} {case[4]!r:.60}: {r.status_code} {r.text[:80]}"
                )
            assert "x-rate-limit-api-token-remaining" in r.headers
        assert not failures, "\n".join(failures)
        assert snapshot(sb) == before


async def test_missing_and_wrong_credentials(sb: Sandbox) -> None:
    transport = httpx.ASGITransport(app=sb.app)
    c = sb.credentials
    card = ids(sb)["card"]
    async with httpx.AsyncClient(transport=transport, base_url=sb.base_url) as api:
        before = snapshot(sb)
        cases = [
            ("GET", "/members/me", {}, 401, "invalid key"),
            ("GET", "/members/me", {"key": "0" * 32, "token": c.token}, 401, "invalid key"),
            ("GET", "/members/me", {"token": c.token}, 401, "invalid key"),
            ("GET", "/members/me", {"key": c.key}, 401, "unauthorized permission requested"),
            ("GET", "/members/me", {"key": c.key, "token": "f" * 64}, 401, "invalid token"),
            ("PUT", f"/cards/{card}", {"name": "x"}, 401, '{"message":"missing scopes"}'),
            (
                "PUT",
                f"/cards/{card}",
                {"key": c.key, "name": "x"},
                401,
                '{"message":"missing scopes"}',
            ),
            ("PUT", f"/cards/{card}", {"token": c.token, "name": "x"}, 401, "invalid key"),
            (
                "PUT",
                f"/cards/{card}",
                {"key": c.key, "token": c.tokens["casey"], "name": "x"},
                401,
                "unauthorized card permission requested",
            ),
        ]
        for method, path, params, status, text in cases:
            r = await api.request(method, path, params=params)
            assert (r.status_code, r.text) == (status, text), (method, path, params.keys())
        assert snapshot(sb) == before


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    field=st.sampled_from(
        [
            "name",
            "desc",
            "pos",
            "due",
            "closed",
            "idList",
            "idLabels",
            "idMembers",
            "dueComplete",
            "start",
            "subscribed",
        ]
    ),
    value=st.one_of(
        st.text(max_size=30),
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        st.booleans(),
        st.none(),
        st.lists(st.integers(), max_size=3),
        st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    ),
)
async def test_card_update_never_500(sb: Sandbox, field: str, value: Any) -> None:
    transport = httpx.ASGITransport(app=sb.app)
    card = ids(sb)["card"]
    auth = {"key": sb.credentials.key, "token": sb.credentials.token}
    async with httpx.AsyncClient(transport=transport, base_url=sb.base_url) as api:
        r = await api.put(f"/cards/{card}", params=auth, json={field: value})
        assert r.status_code in (200, 400), r.text
