"""The classifier: real recorded actions and the sandbox's actions → events."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fixtures import load_json
from tests.triggers.helpers import (
    actions_since,
    board_id,
    client_for,
    list_id,
    newest_action,
    state_of,
)
from trello_tui.automation.notify import CardEvent, Me, Notifier, classify, due_soon
from trello_tui.sandbox import Sandbox
from trello_tui.sync.state import BoardState
from trello_tui.trello.models import Action, Board

NOBODY = Me("000000000000000000000000", "nobody")


def test_recorded_webhook_move_is_card_moved() -> None:
    payload = load_json("webhook-payload-adlio-updateCard-2016.json")
    action = Action.from_json(payload["action"])
    [event] = classify(action, None, NOBODY)
    assert event.kind == "card_moved"
    assert event.key == "57f1c03da9f6a0a4bf851f89:card_moved"
    assert (event.board_name, event.list_before_name, event.list_name) == (
        "Test Board for Go Package",
        "Code Review",
        "Doing",
    )
    assert event.list_id == "57f03a09ace084808ff59272"
    assert event.card_name == "Finished Card"
    assert event.card_url == "https://trello.com/c/zsXNFTzb"
    assert event.actor is not None and event.actor.full_name == "Aaron Longwell"
    assert event.actor.username == "cfadl"
    assert not event.by_me and event.concerns_me  # someone else moved a card on this board
    assert "Code Review → Doing" in event.summary() and "by Aaron Longwell" in event.summary()
    # the same move by the user: still an event (triggers run), but no notification
    me = Me("4f0b777fd1e39cca3f217850")
    [own] = classify(action, None, me)
    assert own.by_me and not own.concerns_me


def test_recorded_reorder_within_a_list_is_no_event() -> None:
    action = Action.from_json(load_json("webhook-action-fiatjaf-card-pos-2015.json"))
    assert action.type == "updateCard"
    assert classify(action, None, NOBODY) == []


def _nebula() -> tuple[list[dict[str, Any]], BoardState]:
    export = load_json("board-export-nebula-2015.json")
    return export["actions"], BoardState(Board.from_json(export))


def test_a_real_board_history_classifies_by_kind() -> None:
    raw, state = _nebula()
    kinds: Counter[str] = Counter()
    for data in raw:
        for event in classify(Action.from_json(data), state, NOBODY):
            kinds[event.kind] += 1
            assert event.board_name == "Nebula" and event.card_id
    by_type = Counter(a["type"] for a in raw)
    moves = sum(
        1
        for a in raw
        if a["type"] == "updateCard" and "listAfter" in a["data"] and "idList" in a["data"]["old"]
    )
    archived = sum(
        1
        for a in raw
        if a["type"] == "updateCard" and a["data"]["old"].get("closed") is False
        and a["data"]["card"].get("closed") is True
    )  # fmt: skip
    assert moves > 10 and archived > 0
    assert kinds == Counter(
        {
            "card_created": by_type["createCard"] + by_type["copyCard"],
            "card_moved": moves,
            "card_archived": archived,
            "comment_added": by_type["commentCard"],
            "card_assigned": by_type["addMemberToCard"],
        }
    )


def test_a_real_comment_and_assignment_carry_their_fields() -> None:
    raw, state = _nebula()
    comment = next(a for a in raw if a["type"] == "commentCard")
    [event] = classify(Action.from_json(comment), state, NOBODY)
    assert event.text == comment["data"]["text"]
    assert event.list_name == comment["data"]["list"]["name"]
    assign = next(a for a in raw if a["type"] == "addMemberToCard")
    [added] = classify(Action.from_json(assign), state, NOBODY)
    assert added.member is not None and added.member.id == assign["data"]["idMember"]
    assert added.member.full_name  # from the action's member or the board's members
    assert not added.concerns_me
    me = Me(assign["data"]["idMember"])
    [mine] = classify(Action.from_json(assign), state, me)
    assert mine.concerns_me == (assign["idMemberCreator"] != me.id)


async def test_sandbox_actions_by_a_teammate() -> None:
    sb = Sandbox.create(seed="demo")
    board = board_id(sb)
    async with client_for(sb) as alex, client_for(sb, "sam") as sam:
        me_member = await alex.me()
        me = Me(me_member.id, me_member.username)
        since = await newest_action(alex, board)
        state = await state_of(alex, board)
        todo, done = list_id(sb, board, "To do"), list_id(sb, board, "Done")
        card = next(
            c
            for lst in ("To do", "Doing")
            for c in state.cards_in(list_id(sb, board, lst))
            if me_member.id not in c.id_members
        )
        before = state.lists[card.id_list].name
        await sam.move_card(card.id, "top", id_list=done)
        await sam.add_card_member(card.id, me_member.id)
        await sam.add_comment(card.id, "@alex can you check? cc @alexander, mail bob@alex")
        await sam.add_comment(card.id, "no mention of alexander here")
        created = await sam.create_card(todo, "Brand new")
        await sam.archive_card(created.id)
        await sam.update_card(card.id, name="Renamed only")  # no event
        actions = await actions_since(alex, board, since)
        state = await state_of(alex, board)
    events = [e for a in actions for e in classify(a, state, me)]
    assert [e.kind for e in events] == [
        "card_moved",
        "card_assigned",
        "comment_added",
        "mentioned",
        "comment_added",
        "card_created",
        "card_archived",
    ]
    moved = events[0]
    assert (moved.list_before_name, moved.list_name, moved.list_id) == (before, "Done", done)
    assert moved.card_name == "Renamed only"  # the card's current name from the state
    assert moved.actor is not None and moved.actor.username == "sam"
    assert moved.card_url.startswith("https://trello.com/c/")
    assigned = events[1]
    assert assigned.member is not None and assigned.member.username == "alex"
    assert assigned.concerns_me
    assert events[3].concerns_me and not events[4].concerns_me
    assert events[6].card_name == "Brand new" and events[6].list_name == "To do"
    assert len({e.key for e in events}) == len(events)


async def test_own_changes_are_events_without_notification() -> None:
    sb = Sandbox.create(seed="demo")
    board = board_id(sb)
    async with client_for(sb) as alex:
        me_member = await alex.me()
        since = await newest_action(alex, board)
        state = await state_of(alex, board)
        card = state.cards_in(list_id(sb, board, "To do"))[0]
        await alex.move_card(card.id, "bottom", id_list=list_id(sb, board, "Done"))
        await alex.add_comment(card.id, "@alex note to self")
        actions = await actions_since(alex, board, since)
    events = [e for a in actions for e in classify(a, state, Me(None, me_member.username))]
    assert [(e.kind, e.by_me, e.concerns_me) for e in events] == [
        ("card_moved", True, False),
        ("comment_added", True, False),
    ]


def _board_with_due(now: datetime, due: datetime | None, complete: bool = False) -> BoardState:
    raw: dict[str, Any] = {
        "id": "b" * 24,
        "name": "Plans",
        "lists": [{"id": "l" * 24, "idBoard": "b" * 24, "name": "Doing", "pos": 1}],
        "members": [{"id": "m" * 24, "username": "alex", "fullName": "Alex"}],
        "cards": [
            {
                "id": "c" * 24,
                "idBoard": "b" * 24,
                "idList": "l" * 24,
                "name": "Ship it",
                "pos": 1,
                "due": due.isoformat().replace("+00:00", "Z") if due else None,
                "dueComplete": complete,
                "idMembers": ["m" * 24],
                "shortLink": "abcdefgh",
            }
        ],
    }
    return BoardState(Board.from_json(raw))


def test_due_soon_once_per_card_and_due_date() -> None:
    now = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    me = Me(None, "alex")
    [event] = due_soon(_board_with_due(now, now + timedelta(hours=3)), me, now)
    assert event.kind == "card_due_soon" and event.card_name == "Ship it"
    assert event.list_name == "Doing" and event.board_name == "Plans"
    assert event.concerns_me  # alex is on the card
    assert event.key == "due:" + "c" * 24 + ":2026-11-28T12:00:00.000Z"
    assert due_soon(_board_with_due(now, now + timedelta(hours=30)), me, now) == []
    assert due_soon(_board_with_due(now, now - timedelta(hours=1)), me, now) == []
    assert due_soon(_board_with_due(now, now + timedelta(hours=1), complete=True), me, now) == []
    assert due_soon(_board_with_due(now, None), me, now) == []
    assert due_soon(_board_with_due(now, now + timedelta(hours=30)), me, now, timedelta(days=2))

    batches: list[list[CardEvent]] = []
    notifier = Notifier(me, batches.append, clock=now.timestamp)
    state = _board_with_due(now, now + timedelta(hours=3))
    assert len(notifier.check_due(state)) == 1
    assert notifier.check_due(state) == []  # the same card and due date: once
    moved = _board_with_due(now, now + timedelta(hours=5))
    assert len(notifier.check_due(moved)) == 1  # a new due date fires again
    assert len(batches) == 2


def test_notifier_hands_on_each_action_once() -> None:
    payload = load_json("webhook-payload-adlio-updateCard-2016.json")
    action = Action.from_json(payload["action"])
    batches: list[list[CardEvent]] = []
    notifier = Notifier(NOBODY, batches.append)
    assert len(notifier.actions(None, [action])) == 1
    assert notifier.actions(None, [action]) == []  # a webhook and a poll bring the same
    assert len(batches) == 1


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=10,
)
_FIELD = st.sampled_from(
    ["card", "list", "listAfter", "listBefore", "board", "old", "member", "idMember", "text"]
)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(
        [
            "updateCard",
            "createCard",
            "addMemberToCard",
            "commentCard",
            "moveCardToBoard",
            "copyCard",
        ]
    ),
    st.dictionaries(
        _FIELD,
        _JSON | st.dictionaries(st.sampled_from(["id", "name", "closed", "shortLink"]), _JSON),
    ),
    _JSON,
)
def test_any_action_shape_classifies_without_raising(
    kind: str, data: dict[str, Any], member: Any
) -> None:
    raw = {
        "id": "a" * 24,
        "type": kind,
        "idMemberCreator": "m" * 24,
        "data": data,
        "member": member,
    }
    for event in classify(Action.from_json(raw), None, Me("m" * 24, "alex")):
        assert event.card_id and event.key.startswith("a" * 24)
        event.summary()
        event.as_json()
