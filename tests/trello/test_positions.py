"""pos arithmetic: the web client's rules, bounds, and order kept over many random moves."""

from __future__ import annotations

import itertools
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from trello_tui.trello.positions import (
    INITIAL_POS,
    MAX_POS,
    MIN_SPACING,
    SPACING,
    Placement,
    between,
    bottom,
    place,
    pos_for_index,
    top,
)

finite_pos = st.floats(min_value=MIN_SPACING, max_value=MAX_POS - MIN_SPACING)


def test_empty_list_starts_at_initial_pos() -> None:
    assert top([]) == INITIAL_POS
    assert bottom([]) == INITIAL_POS
    assert pos_for_index([], 3) == INITIAL_POS


def test_bottom_and_top_step_by_spacing() -> None:
    siblings = [INITIAL_POS, INITIAL_POS + SPACING]
    assert bottom(siblings) == INITIAL_POS + 2 * SPACING
    assert top(siblings) == INITIAL_POS - SPACING


def test_top_halves_when_close_to_zero() -> None:
    # Legacy positions: 65535 leaves room for SPACING; 16383.75 does not.
    assert top([65535.0]) == 65535.0 - SPACING
    assert top([16383.75]) == 16383.75 / 2


def test_between_uses_spacing_or_midpoint() -> None:
    assert between(INITIAL_POS, INITIAL_POS + 4 * SPACING) == INITIAL_POS + 3 * SPACING
    above = INITIAL_POS + SPACING
    assert between(above, above + 4 * SPACING) == above + SPACING
    assert between(65535.0, 131071.0) == 131071.0 - SPACING
    assert between(65535.0, 65535.0 + SPACING) == 65535.0 + SPACING / 2
    assert between(100.0, 100.2) is None


def test_current_pos_kept_when_already_in_place() -> None:
    assert between(10.0, 20.0, proposed=15.5) == 15.5
    assert pos_for_index([10.0, 20.0], 1, current=12.0) == 12.0
    assert pos_for_index([10.0, 20.0], 0, current=12.0) != 12.0


def test_no_room_gives_a_respacing_plan() -> None:
    siblings = [1000.0, 1000.1, 1000.2, 5_000_000.0]
    placement = place(siblings, 2)
    assert placement.respace, "expected neighbours to move"
    final = _apply(siblings, placement, 2)
    assert final == sorted(final)
    assert all(b - a >= MIN_SPACING for a, b in itertools.pairwise(final))


def _apply(siblings: list[float], placement: Placement, index: int) -> list[float]:
    moved = list(siblings)
    for i, value in placement.respace:
        moved[i] = value
    moved.insert(index, placement.pos)
    return moved


@given(
    st.lists(finite_pos, min_size=0, max_size=30, unique=True),
    st.integers(min_value=0, max_value=40),
)
def test_place_result_lies_strictly_between_neighbours(raw: list[float], index: int) -> None:
    siblings = sorted(raw)
    placement = place(siblings, index)
    index = min(index, len(siblings))
    final = _apply(siblings, placement, index)
    assert 0 < placement.pos < MAX_POS
    assert all(0 < value < MAX_POS for value in final)
    assert all(b > a for a, b in itertools.pairwise(final)), "order lost"
    if not placement.respace:
        assert placement.pos == pos_for_index(siblings, index)


@given(st.one_of(st.none(), finite_pos), st.one_of(st.none(), finite_pos))
def test_between_is_inside_bounds(a: float | None, b: float | None) -> None:
    if a is not None and b is not None and a > b:
        a, b = b, a
    value = between(a, b)
    low = 0.0 if a is None else a
    high = MAX_POS if b is None else b
    if value is None:
        assert high - low < 2 * MIN_SPACING
    else:
        assert low < value < high
        assert value - low >= MIN_SPACING and high - value >= MIN_SPACING


@settings(max_examples=5, deadline=None)
@given(st.integers(min_value=0, max_value=2**32))
def test_ten_thousand_random_moves_keep_the_intended_order(seed: int) -> None:
    rng = random.Random(seed)
    # Start from legacy data: tight, uneven positions that force re-spacing early.
    items = [f"c{i}" for i in range(40)]
    pos = {item: 65535.0 + i * 0.3 for i, item in enumerate(items)}
    order = sorted(items, key=pos.__getitem__)
    for _ in range(2_000):
        item = rng.choice(order)
        order.remove(item)
        # Hammer the same spots (top, a fixed middle) to exhaust gaps quickly.
        index = rng.choice([0, len(order), len(order) // 2, rng.randrange(len(order) + 1)])
        siblings = [pos[other] for other in order]
        placement = place(siblings, index, current=pos[item])
        for i, value in placement.respace:
            pos[order[i]] = value
        pos[item] = placement.pos
        order.insert(index, item)
        assert 0 < placement.pos < MAX_POS
    assert sorted(items, key=pos.__getitem__) == order
    values = [pos[item] for item in order]
    assert all(b - a >= MIN_SPACING for a, b in itertools.pairwise(values))
