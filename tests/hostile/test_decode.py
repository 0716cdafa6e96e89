"""Hostile text in every text field a Trello object has comes out of decoding visible and inert.

The product makes Trello's text visible where it enters (``text.visible`` in the models'
readers, the cache's fast decoder and error messages), so every way a name travels afterwards
(screen, export, log, notification) starts clean. Each corpus string is put in every text field
of a board (card name and description, list, board, label, member username and full name,
checklist, check item), of an organization, an action (comment text, the card, list and board
names it carries, its author) and an error body, and decoded the ways the product decodes them:
``from_json`` at the API boundary, the cache's round trip through a real SQLite file (also a
row written raw, before text was made visible), and ``error_from_response``.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.hostile.corpus import BENIGN, CORPUS, unsafe_in
from trello_tui.automation.notify import Me, classify
from trello_tui.store.cache import Cache
from trello_tui.trello import calls
from trello_tui.trello.errors import MESSAGE_LIMIT, error_from_response
from trello_tui.trello.models import Action, Board, Organization

BOARD_ID = "5f00000000000000000b0001"


def _id(kind: int, n: int) -> str:
    return f"5f{kind:02x}{n:020x}"


def board_json(texts: list[str]) -> dict[str, Any]:
    """A board whose every text field holds ``texts[i]`` for its i-th list, card, label …"""
    lists, cards, labels, members, checklists = [], [], [], [], []
    for n, text in enumerate(texts):
        list_id, card_id, label_id = _id(1, n), _id(2, n), _id(3, n)
        label = {"id": label_id, "idBoard": BOARD_ID, "name": text, "color": "green"}
        lists.append({"id": list_id, "idBoard": BOARD_ID, "name": text, "pos": 1024.0 * (n + 1)})
        labels.append(label)
        members.append({"id": _id(4, n), "username": text, "fullName": text, "initials": text})
        checklists.append(
            {
                "id": _id(5, n),
                "idCard": card_id,
                "idBoard": BOARD_ID,
                "name": text,
                "pos": 1.0,
                "checkItems": [
                    {"id": _id(6, n), "idChecklist": _id(5, n), "name": text, "pos": 1.0}
                ],
            }
        )
        cards.append(
            {
                "id": card_id,
                "idBoard": BOARD_ID,
                "idList": list_id,
                "name": text,
                "desc": text,
                "pos": 1024.0,
                "closed": False,
                "idLabels": [label_id],
                "labels": [label],
                "idMembers": [_id(4, n)],
                "idChecklists": [_id(5, n)],
                "shortLink": f"sl{n}",
                "url": f"https://trello.com/c/sl{n}",
            }
        )
    return {
        "id": BOARD_ID,
        "name": " / ".join(texts)[:20_000],
        "desc": "\n".join(texts),
        "lists": lists,
        "cards": cards,
        "labels": labels,
        "members": members,
        "checklists": checklists,
    }


def typed_strings(value: Any) -> list[str]:
    """Every string a model holds outside ``raw`` (which keeps the source as it came)."""
    if isinstance(value, str):
        return [value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = [f.name for f in dataclasses.fields(value) if f.name != "raw"]
        return [s for name in names for s in typed_strings(getattr(value, name))]
    if isinstance(value, Mapping):
        return [s for k, v in value.items() for s in (*typed_strings(k), *typed_strings(v))]
    if isinstance(value, list | tuple):
        return [s for item in value for s in typed_strings(item)]
    return []


def assert_inert(strings: list[str], where: str) -> None:
    for text in strings:
        assert unsafe_in(text) == [], (where, text[:80])
        assert "\x1b" not in text, (where, text[:80])


TEXTS = [text for _, text in CORPUS]


def test_every_text_field_of_a_board_is_visible_after_decoding() -> None:
    data = board_json(TEXTS)
    board = calls.load_board(BOARD_ID).parse(data)  # as a board load decodes it
    assert isinstance(board, Board)
    assert len(board.cards) == len(board.lists) == len(board.checklists) == len(CORPUS)
    assert_inert(typed_strings(board), "load")
    assert_inert(typed_strings(Board.from_json(data)), "from_json")
    # Each object's round trip through to_json (the cache's form) keeps it visible and equal.
    again = Board.from_json(board.with_nested_json())
    assert again == board
    for card in board.cards:
        assert_inert(typed_strings(card.to_json()), "to_json")
    for (name, _), card in zip(CORPUS, board.cards, strict=True):
        assert card.name, name  # made visible, not emptied


def test_the_cache_round_trip_and_an_old_raw_row_are_visible(tmp_path: Path) -> None:
    data = board_json(TEXTS)
    board = Board.from_json(data)
    path = tmp_path / "cache.sqlite3"
    cache = Cache(path)
    cache.save_board(board, last_action_id=_id(7, 1))
    cached = cache.load_board(BOARD_ID)
    assert cached is not None
    assert cached.board.cards == board.cards and cached.board.lists == board.lists
    assert_inert(typed_strings(cached.board), "cache")
    cache.close()
    # Rows written before text was made visible: the card rows hold the raw text in the shape
    # the fast decoder reads (codec.decode_card), and there is no snapshot to read instead.
    with sqlite3.connect(path) as conn:
        for raw, card in zip(data["cards"], board.cards, strict=True):
            row = {**card.to_json(), "name": raw["name"], "desc": raw["desc"]}
            row["labels"] = [dict(label, name=raw["name"]) for label in row["labels"]]
            text = json.dumps(row, separators=(",", ":"), ensure_ascii=False)
            conn.execute(
                "UPDATE cards SET json=? WHERE id=?",
                (text.encode("utf-8", "surrogatepass").decode("utf-8", "replace"), card.id),
            )
        for raw in data["lists"]:
            conn.execute("UPDATE lists SET json=? WHERE id=?", (json.dumps(raw), raw["id"]))
        conn.execute("DELETE FROM snapshots")
    cache = Cache(path)
    try:
        old = cache.load_board(BOARD_ID)
    finally:
        cache.close()
    assert old is not None and len(old.board.cards) == len(CORPUS)
    assert_inert(typed_strings(old.board), "old rows")
    # The same names as decoded fresh (a lone surrogate could not be stored as it was).
    lone = {raw["id"] for raw in data["cards"] if "\ud800" in raw["name"]}
    plain = {c.id: c.name for c in board.cards if c.id not in lone}
    assert {c.id: c.name for c in old.board.cards if c.id in plain} == plain


def test_an_organization_and_an_action_are_visible_and_so_are_their_events() -> None:
    for name, text in CORPUS:
        org = calls.organization(_id(8, 1)).parse(
            {"id": _id(8, 1), "name": text, "displayName": text}
        )
        assert isinstance(org, Organization)
        assert_inert(typed_strings(org), name)
        card = {"id": _id(2, 1), "name": text, "shortLink": "abc"}
        action = Action.from_json(
            {
                "id": _id(9, 1),
                "type": "commentCard",
                "idMemberCreator": _id(4, 1),
                "memberCreator": {"id": _id(4, 1), "username": text, "fullName": text},
                "data": {
                    "text": f"{text} @board",
                    "card": card,
                    "list": {"id": _id(1, 1), "name": text},
                    "board": {"id": BOARD_ID, "name": text},
                },
            }
        )
        assert_inert(typed_strings(action), name)
        assert_inert(typed_strings(action.to_json()), name)
        events = classify(action, None, Me(username="someone"))
        assert {e.kind for e in events} == {"comment_added", "mentioned"}
        for event in events:
            assert_inert([*typed_strings(event), event.summary()], name)
            assert_inert(typed_strings(event.as_json()), name)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 429, 500])
def test_an_error_body_becomes_one_visible_line_of_bounded_length(status: int) -> None:
    for name, text in CORPUS:
        for body in (text, json.dumps({"message": text, "error": text})):
            error = error_from_response(status, body, method="GET", path="/boards/x")
            shown = [error.message, error.user_message, str(error), error.code or ""]
            assert_inert(shown, name)
            assert all("\n" not in line for line in shown), name
            assert len(error.message) <= MESSAGE_LIMIT
    huge = error_from_response(status, "\x1b[2J" + "x" * 1_000_000)
    assert len(huge.message) <= MESSAGE_LIMIT and len(str(huge)) < 1000
    assert huge.message.startswith("␛[2J")


@pytest.mark.parametrize(("name", "text"), BENIGN)
def test_benign_text_comes_through_unchanged(name: str, text: str) -> None:
    board = calls.load_board(BOARD_ID).parse(board_json([text]))
    assert isinstance(board, Board)
    one_line = " ".join(text.split("\n")).replace("\t", " ")
    assert board.cards[0].desc == text and board.desc == text
    for field in (
        board.cards[0].name,
        board.lists[0].name,
        board.labels[0].name,
        board.members[0].full_name,
        board.checklists[0].check_items[0].name,
    ):
        assert field == one_line, name
    error = error_from_response(404, text)
    assert error.message == one_line.strip()
