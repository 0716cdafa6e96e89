"""Card faces, filters and move planning: the pure parts of the board, without a screen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from trello_tui.sync.state import BoardState
from trello_tui.trello.models import LABEL_COLORS, Board, Card, Label
from trello_tui.ui.filters import compile_query, parse_query
from trello_tui.ui.moves import plan_move, real_index
from trello_tui.ui.widgets.card_face import FaceContext, due_piece, layout_card, wrap
from trello_tui.ui.widgets.palette import LABEL_HEX, label_style

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def ctx(labels: list[Label] | None = None) -> FaceContext:
    return FaceContext({lb.id: lb for lb in labels or []}, {}, {}, NOW)


def test_every_trello_colour_has_a_chip_style() -> None:
    assert set(LABEL_HEX) == set(LABEL_COLORS) and len(LABEL_COLORS) == 30
    assert all(label_style(color) is not None for color in LABEL_COLORS)


@pytest.mark.parametrize(
    ("color", "name", "text"),
    [
        ("green", "Bug", " Bug "),  # named: a chip in Trello's colour
        ("sky_dark", "", "    "),  # unnamed: a colour block
        ("ultraviolet", "Odd", "[Odd]"),  # a colour from a newer Trello: plain, no crash
        ("ultraviolet", "", "[ultraviolet]"),
        (None, "Plain", "[Plain]"),  # no colour
    ],
)
def test_label_chips(color: str | None, name: str, text: str) -> None:
    label = Label("l1", "b", name, color)
    card = Card("c", "b", "l", "Card", 1.0, id_labels=("l1",))
    lines = layout_card(card, ctx([label]), 30)
    piece = lines[0][0]
    assert piece[0] == text
    if color in LABEL_HEX:
        assert piece[1] == label_style(color)
    else:
        assert piece[1] == "label-plain"


@pytest.mark.parametrize(
    ("due", "complete", "style"),
    [
        (NOW - timedelta(hours=1), False, "overdue"),
        (NOW + timedelta(hours=5), False, "due-soon"),
        (NOW + timedelta(days=5), False, "badge"),
        (NOW - timedelta(days=3), True, "due-complete"),
    ],
)
def test_due_styles_follow_the_injected_clock(due: datetime, complete: bool, style: str) -> None:
    card = Card("c", "b", "l", "Card", 1.0, due=due, due_complete=complete)
    piece = due_piece(card, NOW)
    assert piece is not None and piece[1] == style


def test_wrap_breaks_words_and_long_tokens() -> None:
    assert wrap("one two three four", 9) == ["one two", "three", "four"]
    assert wrap("abcdefghijkl", 5) == ["abcde", "fghij", "kl"]
    assert wrap("", 5) == [""]
    assert wrap("日本語のカード名", 6) == ["日本語", "のカー", "ド名"]


def _board() -> BoardState:
    cards = [
        {"id": f"c{i}", "idList": "l1", "name": f"card {i}", "pos": 1000.0 * (i + 1)}
        for i in range(5)
    ]
    cards.append({"id": "x", "idList": "l2", "name": "other", "pos": 5.0})
    lists = [{"id": "l1", "name": "A", "pos": 1}, {"id": "l2", "name": "B", "pos": 2}]
    return BoardState(Board.from_json({"id": "b", "name": "B", "lists": lists, "cards": cards}))


def test_plan_move_puts_pos_strictly_between_neighbours() -> None:
    state = _board()
    plan = plan_move(state, "x", "l1", 2)
    assert plan is not None
    assert state.cards["c1"].pos < plan.pos < state.cards["c2"].pos
    assert plan_move(state, "c2", "l1", 2) is None  # already there


def test_visible_row_maps_past_hidden_cards() -> None:
    state = _board()
    # with c1 and c2 hidden by a filter, visible row 1 is c3: the card goes just above it
    assert real_index(state, "x", "l1", ["c0", "c3", "c4"], 1) == 3
    assert real_index(state, "x", "l1", ["c0", "c3", "c4"], 3) == 5


def test_filter_query() -> None:
    state = _board()
    query = parse_query("CARD 3 due:none")
    assert query.words == ("card", "3") and query.due == ("none",)
    keep = compile_query(query, state, None, NOW)
    assert keep is not None
    assert [c for c in state.cards if keep(state.cards[c])] == ["c3"]
    assert compile_query(parse_query(""), state, None, NOW) is None
