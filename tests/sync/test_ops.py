"""Every operation applies at once, rolls back exactly, round-trips through JSON and inverts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.fixtures import load_json
from trello_tui.sync.ops import (
    KEEP,
    AddLabel,
    AddMember,
    ArchiveCard,
    CreateCard,
    MoveCard,
    Op,
    RemoveLabel,
    RemoveMember,
    RenameCard,
    RestoreCard,
    SetDescription,
    SetDue,
    is_temp,
    op_from_json,
)
from trello_tui.sync.ops_items import (
    AddCheckItem,
    AddComment,
    CreateChecklist,
    DeleteCheckItem,
    DeleteChecklist,
    DeleteComment,
    RenameCheckItem,
    RenameChecklist,
    ToggleCheckItem,
)
from trello_tui.sync.state import BoardState
from trello_tui.trello.models import Board


def _state() -> BoardState:
    return BoardState(Board.from_json(load_json("board-export-nebula-2015.json")))


def _card_with_checklist(state: BoardState) -> tuple[str, str, str]:
    checklist = next(c for c in state.checklists.values() if c.check_items)
    return checklist.id_card, checklist.id, checklist.check_items[0].id


def _ops(state: BoardState) -> list[Op]:
    b = state.id
    lists = [lst for lst in state.open_lists() if state.card_ids_in(lst.id)]
    card = state.cards_in(lists[0].id)[0]
    label = next(iter(state.labels))
    member = next(iter(state.members))
    card_cl, checklist, item = _card_with_checklist(state)
    # Give one card everything the removing operations take away.
    full = card.with_changes(
        id=card.id[:-1] + "z",
        closed=True,
        id_labels=(label,),
        labels=(state.labels[label],),
        id_members=(member,),
    )
    full = full.with_changes(badges=full.badges.__class__(comments=2))
    state.put_card(full)
    done = state.checklists[checklist].check_items[0].complete
    due = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
    return [
        MoveCard(b, card_id=card.id, list_id=lists[1].id, pos=1.0),
        RenameCard(b, card_id=card.id, name="New name"),
        SetDescription(b, card_id=card.id, desc="New desc"),
        ArchiveCard(b, card_id=card.id),
        RestoreCard(b, card_id=full.id),
        SetDue(b, card_id=card.id, due=due, due_complete=True),
        SetDue(b, card_id=card.id, start=due),
        AddLabel(b, card_id=card.id, target=label),
        RemoveLabel(b, card_id=full.id, target=label),
        AddMember(b, card_id=card.id, target=member),
        RemoveMember(b, card_id=full.id, target=member),
        CreateCard(b, list_id=lists[0].id, name="Fresh", pos=3.0, id_labels=(label,)),
        CreateChecklist(b, card_id=card.id, name="Todo"),
        RenameChecklist(b, card_id=card_cl, checklist_id=checklist, name="Renamed"),
        DeleteChecklist(b, card_id=card_cl, checklist_id=checklist),
        AddCheckItem(b, card_id=card_cl, checklist_id=checklist, name="one more"),
        RenameCheckItem(b, card_id=card_cl, checklist_id=checklist, item_id=item, name="x"),
        ToggleCheckItem(
            b, card_id=card_cl, checklist_id=checklist, item_id=item, complete=not done
        ),
        DeleteCheckItem(b, card_id=card_cl, checklist_id=checklist, item_id=item),
        AddComment(b, card_id=card.id, text="hello"),
        DeleteComment(b, card_id=full.id, comment_id="c" * 24, text="hello"),
    ]


def _snapshot(state: BoardState) -> tuple[object, ...]:
    return (
        {k: v.to_json() for k, v in state.cards.items()},
        {k: v.to_json() for k, v in state.checklists.items()},
        {k: list(state.card_ids_in(k)) for k in state.lists},
    )


@pytest.mark.parametrize("index", range(21))
def test_apply_changes_the_state_and_rollback_restores_it(index: int) -> None:
    state = _state()
    op = _ops(state)[index]
    before = _snapshot(state)
    change = op.apply(state)
    assert not change.empty, op.kind
    assert _snapshot(state) != before, op.kind
    op.rollback(state)
    assert _snapshot(state) == before, op.kind


@pytest.mark.parametrize("index", range(21))
def test_json_round_trip_and_request(index: int) -> None:
    state = _state()
    op = _ops(state)[index]
    op.apply(state)
    again = op_from_json(op.to_json())
    assert type(again) is type(op) and again == op
    call = op.call()
    assert call.method in ("PUT", "POST", "DELETE") and call.path.startswith("/")
    assert all("tmp-" not in value for _, value in call.form or ())  # never sends temp ids


@pytest.mark.parametrize("index", range(21))
def test_inverse_undoes_the_change(index: int) -> None:
    state = _state()
    op = _ops(state)[index]
    cards_before = {k: (v.id_list, v.name, v.closed, v.id_labels) for k, v in state.cards.items()}
    op.apply(state)
    for inverse in op.inverse():
        inverse.apply(state)
    after = {k: (v.id_list, v.name, v.closed, v.id_labels) for k, v in state.cards.items()}
    if isinstance(op, CreateCard):
        assert state.cards[op.card_id].closed  # a create is undone by archiving the card
        del after[op.card_id]
    assert after == cards_before


def test_set_due_keeps_untouched_dates() -> None:
    state = _state()
    card = next(iter(state.cards.values()))
    due = datetime(2026, 12, 1, tzinfo=UTC)
    op = SetDue(state.id, card_id=card.id, due=due)
    assert op.start == KEEP
    op.apply(state)
    assert state.cards[card.id].due == due and state.cards[card.id].start == card.start
    assert dict(op.call().form or ()) == {"due": "2026-12-01T00:00:00.000Z"}
    assert op_from_json(op.to_json()).start == KEEP


def test_create_uses_a_temp_id_and_later_ops_are_rewritten() -> None:
    state = _state()
    lst = state.open_lists()[0]
    create = CreateCard(state.id, list_id=lst.id, name="New", pos=1.0)
    assert is_temp(create.card_id) and create.created_temp_id() == create.card_id
    rename = RenameCard(state.id, card_id=create.card_id, name="Renamed")
    checklist = CreateChecklist(state.id, card_id=create.card_id, name="CL")
    item = AddCheckItem(
        state.id, card_id=create.card_id, checklist_id=checklist.checklist_id, name="i"
    )
    assert rename.blocked_by_temp() and item.blocked_by_temp()
    assert not create.blocked_by_temp()
    mapping = {create.card_id: "r" * 24, checklist.checklist_id: "k" * 24}
    for op in (rename, checklist, item):
        assert op.rewrite(mapping)
    assert rename.card_id == "r" * 24 and item.checklist_id == "k" * 24
    assert not rename.blocked_by_temp() and not item.blocked_by_temp()


def test_badges_follow_check_items_and_comments() -> None:
    state = _state()
    card_id, checklist, _ = _card_with_checklist(state)
    card = state.cards[card_id]
    total = sum(len(c.check_items) for c in state.checklists_of(card_id))
    AddCheckItem(state.id, card_id=card_id, checklist_id=checklist, name="n").apply(state)
    assert state.cards[card_id].badges.check_items == total + 1
    AddComment(state.id, card_id=card_id, text="t").apply(state)
    assert state.cards[card_id].badges.comments == card.badges.comments + 1


def _copies(state: BoardState, op: Op) -> tuple[list[object], list[object]]:
    ids = op.ids()
    cards = [c for i, c in state.cards.items() if i in ids]
    checklists = [c for c in state.checklists.values() if c.id in ids or c.id_card in ids]
    return cards, checklists


#: the field changes (a create or a delete has no copy to re-base onto before it is answered)
FIELD_CHANGES = [i for i in range(21) if i not in (11, 12, 14, 15, 18, 19, 20)]


@pytest.mark.parametrize("index", FIELD_CHANGES)
def test_a_re_base_onto_a_copy_that_already_shows_the_write_keeps_what_undo_restores(
    index: int,
) -> None:
    """Trello applied the write and a poll brought its copy before the answer came back: the
    write is re-applied on top of it, and its undo must still go back to what it replaced."""
    state = _state()
    op = _ops(state)[index]
    cards_before = {
        k: (v.id_list, v.pos, v.name, v.desc, v.closed, v.id_labels, v.id_members, v.due)
        for k, v in state.cards.items()
    }
    items_before = {k: v.to_json() for k, v in state.checklists.items()}
    op.apply(state)
    cards, checklists = _copies(state, op)  # Trello's copies, showing the write
    op.rollback(state)  # the re-base: pending writes off, Trello's copies in, writes on again
    for card in cards:
        state.put_card(card)  # type: ignore[arg-type]
    for checklist in checklists:
        state.put_checklist(checklist)  # type: ignore[arg-type]
    op.apply(state)
    for inverse in op.inverse():
        inverse.apply(state)
    after = {
        k: (v.id_list, v.pos, v.name, v.desc, v.closed, v.id_labels, v.id_members, v.due)
        for k, v in state.cards.items()
    }
    assert after == cards_before, op.kind
    assert {k: v.to_json() for k, v in state.checklists.items()} == items_before, op.kind
