"""From a parsed :class:`~trello_tui.capture.parse.CardDraft` to the operations that create it.

Shared by ``trello-tui add`` and the in-app composer, so both place a card the same way and
both go through the sync engine (``CreateCard`` → outbox on disk → queue → confirmation,
with reconciliation of a create whose outcome is unknown). Pure: no I/O, no Textual.

Where the card goes: the draft's ``^List`` (else the caller's default list), at the draft's
``^top`` / ``^bottom`` / ``^N`` (else the caller's default index, else the bottom, as in
Trello). The ``pos`` is computed against the cards of the list as the state knows them, with
the web client's spacing (``trello.positions``); when two neighbours leave no room, the few
re-spacing moves come first, exactly as a keyed move does. Trello's answer is adopted, so a
stale cache costs at most a slightly different place, never a wrong card.
"""

from __future__ import annotations

from collections.abc import Iterable

from trello_tui.capture.parse import (
    CaptureContext,
    CaptureLabel,
    CaptureList,
    CaptureMember,
    CardDraft,
)
from trello_tui.sync.ops import CreateCard, MoveCard, Op
from trello_tui.sync.state import BoardState
from trello_tui.trello import positions


def board_context(state: BoardState, me: str | None = None) -> CaptureContext:
    """What capture tokens resolve against on this board (``me``: a member id or username)."""
    me_id = me
    if me is not None and me not in state.members:
        member = state.member_by_username(me)
        me_id = member.id if member is not None else None
    # Built here rather than with assist.context_from: `trello-tui add` does not
    # need the composer's helpers, and every import counts towards its start-up.
    return CaptureContext(
        labels=tuple(CaptureLabel(lb.id, lb.name, lb.color) for lb in state.labels.values()),
        members=tuple(
            CaptureMember(m.id, m.username, m.full_name, m.initials) for m in state.members.values()
        ),
        lists=tuple(CaptureList(lst.id, lst.name) for lst in state.open_lists()),
        me=me_id,
    )


def target_index(state: BoardState, draft: CardDraft, list_id: str, default: int | None) -> int:
    """The index among the list's open cards where the new card goes."""
    count = len(state.card_ids_in(list_id))
    position = draft.position
    if position == "top":
        return 0
    if position == "bottom":
        return count
    if isinstance(position, int):
        return max(0, min(position - 1, count))
    if default is not None:
        return max(0, min(default, count))
    return count


def create_ops(
    state: BoardState,
    draft: CardDraft,
    *,
    list_id: str,
    index: int | None = None,
) -> list[Op]:
    """Re-spacing moves (rarely any), then the ``CreateCard`` — always the last operation.

    ``list_id`` and ``index`` are the defaults for a draft without ``^List`` / ``^position``.
    """
    target = draft.list_id or list_id
    ids = state.card_ids_in(target)
    # The default index belongs to the default list; ^Other alone means its bottom.
    where = target_index(state, draft, target, index if target == list_id else None)
    placement = positions.place([state.cards[card_id].pos for card_id in ids], where)
    ops: list[Op] = [
        MoveCard(state.id, card_id=ids[i], list_id=target, pos=pos) for i, pos in placement.respace
    ]
    ops.append(
        CreateCard(
            state.id,
            list_id=target,
            name=draft.title,
            pos=placement.pos,
            desc=draft.description,
            due=draft.due,
            id_labels=tuple(draft.label_ids),
            id_members=tuple(draft.member_ids),
        )
    )
    return ops


def created(ops: Iterable[Op]) -> CreateCard:
    """The create among ``create_ops``' answer."""
    return next(op for op in ops if isinstance(op, CreateCard))
