"""A server's malformed values are rejected where they are decoded, never turned into writes.

The reported bug: a server answering ``pos: "abc"`` on every card. Read as 0.0, every card of a
list sat on one number, so each key press re-spaced the whole list; every answer said ``"abc"``
again, and three key presses made 179 move writes. Now such a card is left out of a board load
(one warning naming it), a write answered with it is refused once (rolled back, a notice naming
the card), and nothing is sent again for it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.sync.harness import Rig, demo_board_id, rig
from trello_tui.sandbox import Sandbox
from trello_tui.sync.events import Notice
from trello_tui.sync.ops import MoveCard
from trello_tui.trello import calls, checks
from trello_tui.trello.errors import BadResponse, MalformedAnswer
from trello_tui.trello.models import (
    Action,
    Board,
    Card,
    CheckItem,
    Checklist,
    Label,
    Member,
    Organization,
    TrelloList,
    parse_many,
)
from trello_tui.trello.text import visible
from trello_tui.ui.moves import plan_move

CARD_ID = "5f00000000000000000c0001"
GOOD_CARD: dict[str, Any] = {
    "id": CARD_ID,
    "idBoard": "5f00000000000000000b0001",
    "idList": "5f00000000000000000a0001",
    "name": "Fix login",
    "pos": 16384,
    "closed": False,
    "idLabels": [],
    "labels": [],
}


def _rewrite(value: Any, pos: object) -> Any:
    """Every card in a JSON answer (an object with ``idList``) with its ``pos`` replaced."""
    if isinstance(value, list):
        return [_rewrite(item, pos) for item in value]
    if isinstance(value, dict):
        out = {key: _rewrite(item, pos) for key, item in value.items()}
        if "idList" in out and "pos" in out:
            out["pos"] = pos
        return out
    return value


class BadPos(httpx.ASGITransport):
    """The sandbox, its answers rewritten: every card's ``pos`` is ``"abc"`` (once ``bad``)."""

    def __init__(self, sb: Sandbox, *, bad: bool = True) -> None:
        super().__init__(app=sb.app)
        self.bad = bad
        self.writes: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method != "GET":
            self.writes.append(f"{request.method} {request.url.path}")
        response = await super().handle_async_request(request)
        if not self.bad:
            return response
        await response.aread()
        try:
            data = json.loads(response.content)
        except ValueError:
            return response
        headers = [
            (k, v)
            for k, v in response.headers.items()
            if k.lower() not in ("content-length", "content-encoding")
        ]
        body = json.dumps(_rewrite(data, "abc")).encode()
        return httpx.Response(response.status_code, headers=headers, content=body)


def _press_move_down(r: Rig) -> bool:
    """What ``J`` does on the first card of the first list that has two: False if none."""
    state = r.engine.state
    assert state is not None
    for trello_list in sorted(state.lists.values(), key=lambda item: item.pos):
        ids = list(state.card_ids_in(trello_list.id))
        if len(ids) < 2:
            continue
        plan = plan_move(state, ids[0], trello_list.id, 1)
        assert plan is not None
        moves = [
            MoveCard(state.id, card_id=card_id, list_id=state.cards[card_id].id_list, pos=pos)
            for card_id, pos in plan.respace
        ]
        moves.append(MoveCard(state.id, card_id=plan.card_id, list_id=plan.list_id, pos=plan.pos))
        if len(moves) == 1:
            r.engine.submit(moves[0])
        else:
            r.engine.submit_group(moves)
        return True
    return False


async def _three_presses(r: Rig) -> int:
    pressed = 0
    for _ in range(3):
        pressed += _press_move_down(r)
        await asyncio.sleep(0.05)
    return pressed


async def test_pos_abc_on_every_card_makes_no_write_loop(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sb = Sandbox.create("demo")
    board_id = demo_board_id(sb)
    open_cards = [c for c in sb.world.cards.values() if c.id_board == board_id and not c.closed]
    transport = BadPos(sb)
    with caplog.at_level(logging.WARNING, logger="trello_tui.trello.checks"):
        async with rig(sb, tmp_path, transport=transport) as r:
            await _three_presses(r)
            settled = await r.engine.settled(5)
            state = r.engine.state
            assert state is not None
            shown = set(state.cards)
            await r.engine.refresh()  # a poll's full load sees the same board again
    assert settled, f"still writing after 5 s: {len(transport.writes)} writes"
    assert len(transport.writes) <= 3, transport.writes
    # Every card was left out, each named once in one warning (the second load said nothing).
    assert not shown & {c.id for c in open_cards}
    warnings = [
        rec.getMessage()
        for rec in caplog.records
        if "pos 'abc' is not a number" in rec.getMessage()
    ]
    for card in open_cards:
        named = [w for w in warnings if card.id in w]
        assert len(named) == 1, (card.id, named)
        assert visible(card.name)[:40] in named[0]


async def test_a_write_answered_with_pos_abc_is_refused_once_and_not_sent_again(
    tmp_path: Path,
) -> None:
    sb = Sandbox.create("demo")
    transport = BadPos(sb, bad=False)
    async with rig(sb, tmp_path, transport=transport) as r:
        r.queue.batching = False
        transport.bad = True  # the board loaded well; from now on Trello answers "abc"
        pressed = await _three_presses(r)
        settled = await r.engine.settled(5)
        await asyncio.sleep(0.5)  # a retry loop would show here
        notices = [n for n in r.of(Notice) if n.level == "error"]
        failed = r.engine.failed_ops()
    assert pressed == 3 and settled
    assert len(transport.writes) == 3, transport.writes  # one per key press, none again
    assert len(failed) == 3 and len(notices) == 3
    for notice in notices:
        assert "pos 'abc' is not a number" in notice.text and notice.card_id
        assert notice.card_id in notice.text


# -- decode ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("pos", "abc", "pos 'abc' is not a number"),
        ("pos", None, "pos is missing"),
        ("pos", True, "pos True is not a number"),
        ("pos", float("nan"), "pos nan is not a number"),
        ("id", None, "id is missing"),
        ("id", 42, "id 42 is not an id"),
        ("id", "../boards/x", "is not an id"),
        ("idList", ["x"], "idList ['x'] is not an id"),
        ("idBoard", 7, "idBoard 7 is not an id"),
        ("closed", "yes", "closed 'yes' is not true or false"),
        ("labels", "red", "labels 'red' is not a list of objects"),
        ("idLabels", [1], "idLabels [1] is not a list of ids"),
        ("name", {"x": 1}, "name {'x': 1} is not text"),
    ],
)
def test_a_malformed_card_is_refused_with_a_message_naming_it(
    field: str, value: object, problem: str
) -> None:
    data = dict(GOOD_CARD)
    if value is None:
        data.pop(field)
    else:
        data[field] = value
    with pytest.raises(checks.Malformed) as caught:
        calls.card(CARD_ID).parse(data)
    message = str(caught.value)
    assert problem in message
    if field != "id":
        assert CARD_ID in message
    if field not in ("id", "name"):
        assert "'Fix login'" in message
    assert calls.card(CARD_ID).parse(GOOD_CARD).pos == 16384.0


async def test_the_client_reports_a_malformed_answer_as_permanent() -> None:
    from trello_tui.trello.auth import Credentials
    from trello_tui.trello.client import TrelloClient

    sent: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request.method)
        return httpx.Response(200, json={**GOOD_CARD, "pos": "abc"})

    client = TrelloClient(
        Credentials(key="k" * 32, token="t" * 64),
        base_url="https://api.trello.example/1",
        transport=httpx.MockTransport(answer),
    )
    try:
        with pytest.raises(MalformedAnswer) as caught:
            await client.send(calls.card(CARD_ID))
    finally:
        await client.aclose()
    assert isinstance(caught.value, BadResponse) and caught.value.permanent
    assert "pos 'abc' is not a number" in caught.value.message and sent == ["GET"]


def test_a_board_load_leaves_out_each_malformed_object_with_one_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    board = {
        "id": "5f00000000000000000b0001",
        "name": "Board",
        "lists": [
            {"id": "5f00000000000000000a0001", "name": "Doing", "pos": 1},
            {"id": "5f00000000000000000a0002", "name": "Bad list", "pos": "top"},
        ],
        "cards": [GOOD_CARD, {**GOOD_CARD, "id": "5f00000000000000000c0002", "pos": "abc"}],
        "labels": [{"id": "5f00000000000000000d0001", "color": 3}],
        "members": [{"username": "no-id"}],
        "checklists": [
            {
                "id": "5f00000000000000000e0001",
                "name": "Steps",
                "pos": 1,
                "checkItems": [
                    {"id": "5f00000000000000000f0001", "name": "ok", "pos": 1},
                    {"id": "5f00000000000000000f0002", "name": "bad", "pos": [1]},
                ],
            }
        ],
    }
    with caplog.at_level(logging.WARNING, logger="trello_tui.trello.checks"):
        loaded = calls.load_board(board["id"]).parse(board)
        again = calls.load_board(board["id"]).parse(board)
    assert isinstance(loaded, Board) and loaded == again
    assert [x.name for x in loaded.lists] == ["Doing"]
    assert [c.id for c in loaded.cards] == [CARD_ID]
    assert loaded.labels == () and loaded.members == ()
    assert [i.name for i in loaded.checklists[0].check_items] == ["ok"]
    messages = [rec.getMessage() for rec in caplog.records]
    assert len(messages) == 5, messages  # one per object, not repeated by the second load
    assert any("a list 5f00000000000000000a0002 'Bad list'" in m for m in messages)
    assert any("a check item 5f00000000000000000f0002 'bad'" in m for m in messages)
    # A list of actions or cards (a poll, a list's cards) leaves the bad ones out too.
    assert parse_many(Card, [GOOD_CARD, {**GOOD_CARD, "pos": "abc", "id": "x1"}, 3]) == [
        Card.from_json(GOOD_CARD)
    ]
    assert parse_many(Action, [{"id": "a1", "type": 5}]) == []


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(alphabet=st.characters(codec=None), max_size=20),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(
        st.sampled_from(
            ["id", "name", "desc", "pos", "idList", "idBoard", "closed", "labels", "text",
             "data", "fullName", "username", "checkItems", "cards", "lists", "color", "state",
             "memberCreator", "card", "badges", "idLabels"]
        ),
        inner,
        max_size=8,
    ),
    max_leaves=20,
)  # fmt: skip
_MODELS = (Card, TrelloList, Board, Label, Member, Organization, Checklist, CheckItem, Action)


def _strings(value: Any) -> list[str]:
    """Every string a model holds in its typed fields (``raw`` is the source, kept as is)."""
    if isinstance(value, str):
        return [value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = [f.name for f in dataclasses.fields(value) if f.name != "raw"]
        return [s for name in fields for s in _strings(getattr(value, name))]
    if isinstance(value, Mapping):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, list | tuple):
        return [s for item in value for s in _strings(item)]
    return []


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(_MODELS), _JSON)
def test_decoding_any_json_never_raises_and_gives_visible_text(model: Any, data: Any) -> None:
    obj = model.from_json(data if isinstance(data, dict) else {})
    for text in _strings(obj):
        assert visible(text, multiline=True) == text, text
        assert "\x1b" not in text
    # The cache's round trip keeps it so.
    again = model.from_json(obj.with_nested_json() if isinstance(obj, Board) else obj.to_json())
    assert _strings(again) == _strings(obj)
    # At the boundary: either a usable object or Malformed, never another exception.
    try:
        checks.from_trello(model.__name__, data)
    except checks.Malformed as error:
        assert "\x1b" not in str(error)
