"""Models parse every object in the real recorded fixtures and keep what they do not model."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.fixtures import cassette_interactions, load_json
from trello_tui.trello.models import (
    LABEL_COLORS,
    Action,
    Board,
    Card,
    Checklist,
    Label,
    Member,
    Token,
    TrelloList,
    Webhook,
    date_from_id,
    format_date,
    parse_date,
)

EXPORTS = ("board-export-nebula-2015.json", "board-export-anonymized-deck-2021.json")


@pytest.mark.parametrize("name", EXPORTS)
def test_every_object_in_the_exports_parses(name: str) -> None:
    data = load_json(name)
    board = Board.from_json(data)
    assert board.id == data["id"]
    assert len(board.cards) == len(data["cards"])
    assert len(board.lists) == len(data["lists"])
    for raw, card in zip(data["cards"], board.cards, strict=True):
        assert card.id == raw["id"] and card.name == raw["name"]
        assert card.pos == float(raw["pos"])
        assert card.to_json().keys() >= raw.keys()
    for raw_action in data["actions"]:
        action = Action.from_json(raw_action)
        assert action.type == raw_action["type"]
    for raw_checklist in data["checklists"]:
        checklist = Checklist.from_json(raw_checklist)
        assert len(checklist.check_items) == len(raw_checklist["checkItems"])
    for raw_member in data["members"]:
        assert Member.from_json(raw_member).username == raw_member["username"]


def _bodies(cassette: str) -> list[Any]:
    out = []
    for item in cassette_interactions(cassette):
        text = item["response"]["text"]
        if text.startswith(("{", "[")):
            out.append(json.loads(text))
    return out


def test_cassette_objects_parse() -> None:
    card_json = _bodies("vcr-ruby-trello-can_success_create_a_card.yml")[0]
    card = Card.from_json(card_json)
    assert card.due == parse_date("2020-12-22T01:59:00.000Z")
    assert card.id_labels == tuple(card_json["idLabels"])
    assert [label.color for label in card.labels] == ["green", "orange"]
    assert card.to_json()["due"] == card_json["due"]
    assert card.to_json()["cover"] == card_json["cover"]

    webhook = Webhook.from_json(_bodies("vcr-ruby-trello-can_success_create_a_webhook.yml")[0])
    assert webhook.callback_url.startswith("http")

    token = Token.from_json(_bodies("vcr-ruby-trello-token_find_with_token_string.yml")[0])
    assert token.can_write("Board") and token.date_expires is None

    actions = [
        b for b in _bodies("vcr-ruby-trello-can_get_actions_of_board.yml") if isinstance(b, list)
    ]
    assert actions
    for raw in actions[0]:
        assert Action.from_json(raw).id == raw["id"]

    for body in _bodies("vcr-ruby-trello-checklist_can_update_the_item_state.yml"):
        if "checkItems" in body:
            assert Checklist.from_json(body).check_items

    lists = [
        b
        for b in _bodies("vcr-ruby-trello-can_move_a_card_to_another_list.yml")
        if "idBoard" in b and "idList" not in b
    ]
    assert TrelloList.from_json(lists[0]).pos == 196607.0


def test_tolerates_missing_null_and_unknown_fields() -> None:
    card = Card.from_json(
        {
            "id": "x",
            "name": None,
            "pos": "bottom",
            "labels": [None, {"color": "ultraviolet"}],
            "newField": 1,
        }
    )
    assert card.name == "" and card.pos == 0.0
    assert card.labels[0].color == "ultraviolet" and not card.labels[0].known_color
    assert card.to_json()["newField"] == 1
    assert Label.from_json({}).color is None
    assert Member.from_json({"fullName": "Ada Lovelace"}).initials == "AL"


def test_colours_and_dates() -> None:
    assert len(LABEL_COLORS) == 30 and "black_light" in LABEL_COLORS
    stamp = "2026-11-28T01:02:03.456Z"
    assert format_date(parse_date(stamp)) == stamp
    assert parse_date("not a date") is None
    created = date_from_id("5e93c827fb102a6f40c5fa2b")
    assert created is not None and created.year == 2020


def test_changes_keep_raw_and_show_in_json() -> None:
    card = Card.from_json({"id": "a", "name": "old", "pos": 1, "cover": {"color": "red"}})
    moved = card.with_changes(name="new", pos=2.5)
    out = moved.to_json()
    assert out["name"] == "new" and out["pos"] == 2.5 and out["cover"] == {"color": "red"}
