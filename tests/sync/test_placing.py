"""``placing.replan`` keeps a card between the neighbours the user gave it, on any numbers."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from trello_tui.sync.placing import replan
from trello_tui.sync.state import BoardState
from trello_tui.trello.models import Board


def _state(order: list[str], numbers: list[float], away: set[str]) -> BoardState:
    cards = [
        {"id": i, "idList": "o" if i in away else "l", "name": i, "pos": p}
        for i, p in zip(order, numbers, strict=True)
    ]
    lists = [{"id": "l", "pos": 1}, {"id": "o", "pos": 2}]
    return BoardState(Board.from_json({"id": "b", "lists": lists, "cards": cards}))


@given(
    size=st.integers(min_value=1, max_value=8),
    data=st.data(),
    pos=st.floats(min_value=0.5, max_value=2.0**40),
)
def test_the_card_lands_in_its_gap_whatever_the_numbers(
    size: int, data: st.DataObject, pos: float
) -> None:
    others = [f"c{i}" for i in range(size)]
    gap = data.draw(st.integers(min_value=0, max_value=size), label="gap")
    after = others[gap - 1] if gap > 0 else None
    before = others[gap] if gap < size else None
    # Trello's numbers now: any increasing sequence (re-spaced, halved, far apart).
    steps = data.draw(
        st.lists(st.floats(min_value=1.0, max_value=2.0**30), min_size=size, max_size=size)
    )
    numbers = [sum(steps[: i + 1]) for i in range(size)]
    # At most one neighbour has left the list meanwhile.
    gone = data.draw(st.sampled_from([None, after, before]), label="gone")
    away = {gone} if gone is not None else set()
    state = _state([*others, "m"], [*numbers, pos], away)
    placed = replan(state, "m", "l", pos, (after, before))
    state = _state([*others, "m"], [*numbers, placed], away)
    shown = state.card_ids_in("l")
    stayed = [i for i in others if i not in away]
    assert [i for i in shown if i != "m"] == stayed
    if after is None:
        expected = 0
    elif after not in away:
        expected = stayed.index(after) + 1  # just below the upper neighbour
    else:
        expected = len(stayed) if before is None else stayed.index(before)
    assert shown.index("m") == expected, (gap, gone, shown)


@given(
    size=st.integers(min_value=0, max_value=6),
    data=st.data(),
)
def test_a_placed_card_is_sent_off_the_whole_numbers_between_the_same_cards(
    size: int, data: st.DataObject
) -> None:
    """Trello re-spaces onto whole numbers: a card sent off them comes back with another
    number whenever its write re-spaced the list, so the engine always notices."""
    from trello_tui.sync.ops import MoveCard

    grid = data.draw(st.sampled_from([1.0, 0.5, 16384.0]), label="grid")
    numbers = sorted(
        data.draw(st.sets(st.integers(min_value=1, max_value=64), min_size=size, max_size=size))
    )
    others = [f"c{i}" for i in range(size)]
    gap = data.draw(st.integers(min_value=0, max_value=size), label="gap")
    low = numbers[gap - 1] * grid if gap > 0 else 0.0
    high = numbers[gap] * grid if gap < size else low + 4 * grid + 4
    pos = data.draw(st.sampled_from([low + (high - low) / 2, float(int((low + high) / 2))]))
    if not low < pos < high:
        return
    state = _state([*others, "m"], [*(n * grid for n in numbers), 10_000_000.0], {"m"})
    move = MoveCard("b", card_id="m", list_id="l", pos=pos)
    move.apply(state)
    assert state.card_ids_in("l").index("m") == gap  # between the same cards
    sent = dict(move.call().form)["pos"]
    if high - low >= 1.5:  # room for half a unit each side of a whole number
        assert float(sent) != int(float(sent))
