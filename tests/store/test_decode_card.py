"""The cache's fast card decoders build exactly the Card that ``Card.from_json`` builds.

Checked on real exported boards (as the cache stores them, after ``to_json``), on the cache's
own load of a saved board, and on rows bent out of shape (missing keys, other types), which
must take the slow path and still agree.
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fixtures import load_json
from trello_tui.store.cache import Cache, CacheWrite
from trello_tui.store.codec import decode_card, pack_card, unpack_card
from trello_tui.trello.models import Board, Card

EXPORTS = ("board-export-nebula-2015.json", "board-export-anonymized-deck-2021.json")


@functools.cache
def stored_rows() -> list[dict[str, Any]]:
    """Cards of the real exports in the shape the cache writes them (callers copy them)."""
    rows = []
    for name in EXPORTS:
        board = Board.from_json(load_json(name))
        rows.extend(card.to_json() for card in board.cards)
    return rows


def same(a: Card, b: Card, *, raw: bool = True) -> None:
    """Equal cards writing the same JSON (and, from JSON, keeping the same ``raw``)."""
    assert a == b
    assert a.to_json() == b.to_json()
    assert [x.to_json() for x in a.labels] == [x.to_json() for x in b.labels]
    if raw:
        assert dict(a.raw) == dict(b.raw)
        assert [dict(x.raw) for x in a.labels] == [dict(x.raw) for x in b.labels]


def test_real_exports_decode_the_same() -> None:
    rows = stored_rows()
    assert len(rows) > 50 and any(row["labels"] for row in rows)
    for row in rows:
        same(decode_card(copy.deepcopy(row)), Card.from_json(row))


def test_a_saved_board_loads_the_same_cards(tmp_path: Path) -> None:
    board = Board.from_json(load_json("board-export-anonymized-deck-2021.json"))
    cache = Cache(tmp_path / "cache.sqlite3")
    cache.save_board(board)
    cached = cache.load_board(board.id)
    assert cached is not None
    expected = {card.id: Card.from_json(card.to_json()) for card in board.cards}
    assert len(cached.board.cards) == len(expected)
    for card in cached.board.cards:
        same(card, expected[card.id], raw=False)  # packed: raw keeps only untyped JSON
    # a card written after the snapshot comes from its row, the others still from the snapshot
    renamed = board.cards[0].with_changes(name="Renamed since the snapshot")
    cache.apply(CacheWrite(board.id, cards={renamed.id: renamed}))
    again = cache.load_board(board.id)
    assert again is not None
    loaded = {card.id: card for card in again.board.cards}
    assert loaded[renamed.id].name == "Renamed since the snapshot"
    assert loaded == {**expected, renamed.id: renamed}


ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=5),
    st.lists(st.one_of(st.text(max_size=3), st.integers(0, 2)), max_size=3),
    st.dictionaries(st.sampled_from(["checkItems", "id", "name", "color"]), st.integers(0, 3)),
)


KEYS = [
    "id", "idBoard", "idList", "name", "pos", "desc", "closed", "due", "start", "dueComplete",
    "idLabels", "idMembers", "idChecklists", "labels", "badges", "idShort", "shortLink",
    "shortUrl", "url", "dateLastActivity", "subscribed",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    index=st.integers(0, 10_000), key=st.sampled_from(KEYS), value=ODD_VALUES, drop=st.booleans()
)
def test_odd_rows_decode_the_same(index: int, key: str, value: Any, drop: bool) -> None:
    rows = stored_rows()
    row = copy.deepcopy(rows[index % len(rows)])
    if drop:
        row.pop(key, None)
    else:
        row[key] = value
    same(decode_card(copy.deepcopy(row)), Card.from_json(row))


def test_packed_cards_unpack_the_same() -> None:
    """The snapshot's packed form: an equal Card, and the very same JSON when written back."""
    import marshal

    for row in stored_rows():
        card = Card.from_json(row)
        again = unpack_card(marshal.loads(marshal.dumps(pack_card(card))))
        assert again == card
        assert again.to_json() == card.to_json()
        assert [x.to_json() for x in again.labels] == [x.to_json() for x in card.labels]


def test_a_snapshot_in_an_odd_shape_falls_back_to_the_rows(tmp_path: Path) -> None:
    import marshal
    import sqlite3

    board = Board.from_json(load_json("board-export-anonymized-deck-2021.json"))
    path = tmp_path / "cache.sqlite3"
    Cache(path).save_board(board)
    conn = sqlite3.connect(path)
    blob = conn.execute("SELECT blob FROM snapshots").fetchone()[0]
    packed = marshal.loads(blob)
    packed["cards"] = [item[:10] for item in packed["cards"]]  # cut short
    conn.execute("UPDATE snapshots SET blob=?", (marshal.dumps(packed),))
    conn.commit()
    conn.close()
    cached = Cache(path).load_board(board.id)
    assert cached is not None
    expected = {card.id: card for card in board.cards}
    assert {card.id: card for card in cached.board.cards} == expected
