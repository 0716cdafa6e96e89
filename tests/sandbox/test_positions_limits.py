"""``pos`` rules, re-spacing visible as actions, and Trello's object and text limits."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from trello_tui.sandbox import Sandbox, SandboxConfig
from trello_tui.sandbox.positions import MAX_POS, MIN_SPACING, SPACING, place


@dataclass
class Item:
    id: str
    pos: float


def test_place_rules() -> None:
    items = [Item("a", 65535.0), Item("b", 131071.0)]
    new = Item("n", 0.0)
    assert place(items, new, "bottom") == (131071.0 + SPACING, [])
    assert place(items, new, "top") == (32767.5, [])
    assert place(items, new, 98303.0) == (98303.0, [])
    assert place([], new, "top") == (SPACING, [])
    assert place([], new, "bottom") == (SPACING, [])


def test_collision_respaces_the_container() -> None:
    items = [Item("a", 100.0), Item("b", 200.0), Item("c", 300.0)]
    pos, changed = place(items, Item("n", 0.0), 200.0)
    # n goes after b (the sibling with the equal value); everything is spaced by SPACING
    assert pos == 3 * SPACING
    assert [(s.id, s.pos) for s in items] == [
        ("a", SPACING),
        ("b", 2 * SPACING),
        ("c", 4 * SPACING),
    ]
    assert {s.id for s, _ in changed} == {"a", "b", "c"}
    crowded = [Item("a", 1.0), Item("b", 1.1)]
    pos, changed = place(crowded, Item("n", 0.0), 1.05)
    assert pos == 2 * SPACING and len(changed) == 2
    too_big = [Item("a", 1.0)]
    pos, _ = place(too_big, Item("n", 0.0), MAX_POS * 2)
    assert pos == 2 * SPACING


@pytest.fixture
async def api() -> tuple[Sandbox, httpx.AsyncClient, dict[str, str]]:
    sb = Sandbox.create("demo", SandboxConfig(token_limit=10**6, key_limit=10**6))
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=sb.app), base_url=sb.base_url)
    return sb, client, {"key": sb.credentials.key, "token": sb.credentials.token}


async def test_respacing_is_visible_to_clients(
    api: tuple[Sandbox, httpx.AsyncClient, dict[str, str]],
) -> None:
    sb, client, auth = api
    async with client:
        board = next(b.id for b in sb.world.boards.values() if b.name == "Personal")
        lst = (
            await client.post(
                "/lists", params={**auth, "name": "P", "idBoard": board, "pos": "bottom"}
            )
        ).json()
        cards = [
            (await client.post("/cards", params={**auth, "idList": lst["id"], "name": n})).json()
            for n in "abc"
        ]
        # lists default to top, cards to bottom
        lists = (await client.get(f"/boards/{board}/lists", params=auth)).json()
        assert lists[-1]["id"] == lst["id"]
        top = (await client.post("/lists", params={**auth, "name": "Top", "idBoard": board})).json()
        assert (await client.get(f"/boards/{board}/lists", params=auth)).json()[0]["id"] == top[
            "id"
        ]
        # a collision: move c onto a's exact pos → the list is re-spaced
        r = await client.put(f"/cards/{cards[2]['id']}", params={**auth, "pos": cards[0]["pos"]})
        stored = r.json()["pos"]
        after = (await client.get(f"/lists/{lst['id']}/cards", params=auth)).json()
        assert [c["name"] for c in after] == ["a", "c", "b"]
        assert stored == after[1]["pos"]
        moved_b = next(c for c in after if c["name"] == "b")
        assert moved_b["pos"] != cards[1]["pos"]  # the sibling's new pos is readable
        acts = (
            await client.get(f"/boards/{board}/actions", params={**auth, "filter": "updateCard"})
        ).json()
        b_update = next(a for a in acts if a["data"]["card"]["id"] == cards[1]["id"])
        assert b_update["data"]["old"]["pos"] == cards[1]["pos"]
        assert b_update["data"]["card"]["pos"] == moved_b["pos"]


async def test_text_and_object_limits(
    api: tuple[Sandbox, httpx.AsyncClient, dict[str, str]],
) -> None:
    sb, client, auth = api
    async with client:
        card = next(iter(sb.world.cards))
        ok = await client.put(f"/cards/{card}", json={"desc": "x" * 16384}, params=auth)
        assert ok.status_code == 200
        cl = (
            await client.post(f"/cards/{card}/checklists", params={**auth, "name": "Many"})
        ).json()
        for i in range(200):
            r = await client.post(
                f"/checklists/{cl['id']}/checkItems", params={**auth, "name": str(i)}
            )
            assert r.status_code == 200
        over = await client.post(
            f"/checklists/{cl['id']}/checkItems", params={**auth, "name": "201"}
        )
        assert over.status_code == 403 and "limit" in over.text
        assert len(sb.world.checklists[cl["id"]].items) == 200


async def test_open_cards_per_board_limit() -> None:
    sb = Sandbox.create("cards:5000", SandboxConfig(token_limit=10**6))
    auth = {"key": sb.credentials.key, "token": sb.credentials.token}
    board = next(iter(sb.world.boards.values()))
    lst = next(iter(board.list_ids))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=sb.app), base_url=sb.base_url
    ) as c:
        r = await c.post("/cards", params={**auth, "idList": lst, "name": "one too many"})
        assert r.status_code == 403 and "open cards per" in r.text
        card = next(iter(board.card_ids))
        assert (await c.put(f"/cards/{card}", params={**auth, "closed": "true"})).status_code == 200
        r = await c.post("/cards", params={**auth, "idList": lst, "name": "fits now"})
        assert r.status_code == 200
        assert (
            await c.put(f"/cards/{card}", params={**auth, "closed": "false"})
        ).status_code == 403
        limits = (await c.get(f"/boards/{board.id}", params={**auth, "fields": "limits"})).json()
        assert limits["limits"]["cards"]["openPerBoard"]["status"] == "maxExceeded"


@given(
    start=st.lists(st.floats(min_value=0.125, max_value=2.0**48), max_size=12),
    moves=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=20),
            st.one_of(
                st.sampled_from(["top", "bottom"]), st.floats(min_value=0.125, max_value=2.0**49)
            ),
        ),
        max_size=15,
    ),
)
def test_place_keeps_positions_distinct_and_requested_values(
    start: list[float], moves: list[tuple[int, str | float]]
) -> None:
    """Any sequence of moves leaves distinct positions, each gap at least MIN_SPACING."""
    items = [Item(str(i), p) for i, p in enumerate(sorted(set(start)))]
    # the starting list itself may be crowded: normalise it the way the sandbox would
    for i, it in enumerate(items):
        it.pos = SPACING * (i + 1)
    for index, requested in moves:
        if not items:
            break
        item = items[index % len(items)]
        others = [x.pos for x in items if x is not item]
        free = (
            isinstance(requested, float)
            and requested <= MAX_POS
            and all(abs(requested - o) >= MIN_SPACING for o in others)
        )
        pos, _ = place(items, item, requested)
        item.pos = pos
        if free:
            assert pos == requested  # a free value is stored as given
        ordered = sorted(x.pos for x in items)
        assert all(b - a >= MIN_SPACING for a, b in itertools.pairwise(ordered))
        assert all(0 < p <= MAX_POS for p in ordered)
