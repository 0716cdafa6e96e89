"""User operations: every change a user makes, as data the engine can apply, send and undo.

An operation is a small mutable record (it is rewritten when a temporary id becomes a real
one, and it remembers what it replaced). Each one:

- ``apply(state)`` changes the in-memory board at once and returns the ``BoardChange``. It
  first captures the values it overwrites (``before``), so applying it again on top of newer
  server state (a re-base) also refreshes what an undo or a rollback goes back to;
- ``rollback(state)`` puts the captured values back (a permanent failure);
- ``inverse()`` is the operation(s) that undo it (undo submits them as new operations);
- ``call()`` is the one request it sends (an ``ApiCall`` from ``trello_tui.trello.writes``);
- ``confirm(state, result)`` adopts Trello's answer (its ``pos`` and fields);
- ``to_json()`` / ``op_from_json()`` store it in the outbox.

Creates (``CreateCard``, ``CreateChecklist``, ``AddCheckItem``, ``AddComment``) make their
object under a local temporary id (``tmp-…``); ``created_id(result)`` gives Trello's id, and
the engine rewrites every later operation that names the temporary id (``rewrite``).

The base class lives in ``ops_base.py``, the checklist, check-item and comment operations
in ``ops_items.py`` and moves to another board in ``ops_move.py``; every operation can be
imported from here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

from trello_tui.sync import placing
from trello_tui.sync.ops_base import (
    KEEP,
    REGISTRY,
    TEMP_PREFIX,
    Op,
    adopt_card,
    decode_value,
    encode_value,
    is_temp,
    new_temp_id,
    op_from_json,
    register,
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
from trello_tui.sync.ops_move import MoveCardToBoard, ReturnCardToBoard
from trello_tui.sync.state import BoardChange, BoardState
from trello_tui.trello import writes
from trello_tui.trello.calls import ApiCall
from trello_tui.trello.models import Card, TrelloList

__all__ = [
    "KEEP",
    "REGISTRY",
    "TEMP_PREFIX",
    "AddCheckItem",
    "AddComment",
    "AddLabel",
    "AddMember",
    "ArchiveCard",
    "CardFieldsOp",
    "CardSetOp",
    "CreateCard",
    "CreateChecklist",
    "DeleteCheckItem",
    "DeleteChecklist",
    "DeleteComment",
    "MoveCard",
    "MoveCardToBoard",
    "Op",
    "RemoveLabel",
    "RemoveMember",
    "RenameCard",
    "RenameCheckItem",
    "RenameChecklist",
    "RestoreCard",
    "ReturnCardToBoard",
    "SetDescription",
    "SetDue",
    "ToggleCheckItem",
    "is_temp",
    "new_temp_id",
    "op_from_json",
]


@dataclasses.dataclass
class CardFieldsOp(Op):
    """An operation that sets some fields of one card (one PUT)."""

    card_id: str = ""

    def changes(self) -> dict[str, Any]:
        """Card attribute -> new value."""
        raise NotImplementedError

    def apply(self, state: BoardState) -> BoardChange:
        card = state.cards.get(self.card_id)
        if card is None:
            return BoardChange(state.id)
        changes = self.changes()
        self._note_before(
            {name: encode_value(name, getattr(card, name)) for name in changes},
            shown=self.shown_on(card),
        )
        return state.put_card(card.with_changes(**changes))

    def shown_on(self, card: Card) -> bool:
        """The card already has every value this write sets."""
        return all(getattr(card, name) == value for name, value in self.changes().items())

    def rollback(self, state: BoardState) -> BoardChange:
        card = state.cards.get(self.card_id)
        if card is None or not self.before:
            return BoardChange(state.id)
        restored = {name: decode_value(name, value) for name, value in self.before.items()}
        return state.put_card(card.with_changes(**restored))

    def confirm(self, state: BoardState, result: Any) -> BoardChange:
        return adopt_card(state, result)

    def restore_values(self) -> dict[str, Any]:
        return {name: decode_value(name, value) for name, value in self.before.items()}


@register
@dataclasses.dataclass
class MoveCard(CardFieldsOp):
    """Move a card to ``list_id`` at ``pos`` (within its list or to another one)."""

    kind: ClassVar[str] = "move_card"
    verb: ClassVar[str] = "move"
    list_id: str = ""
    pos: float = 0.0
    #: the cards it was placed between at its first apply (sync/placing.py)
    after_card: str | None = None
    before_card: str | None = None
    placed: bool = False
    #: the cards around it before the move: its undo goes back between them
    from_after: str | None = None
    from_before: str | None = None

    def changes(self) -> dict[str, Any]:
        return {"id_list": self.list_id, "pos": self.pos}

    def apply(self, state: BoardState) -> BoardChange:
        if self.placed:  # a re-base (or an undo): keep the place between the same cards
            around = (self.after_card, self.before_card)
            self.pos = placing.replan(state, self.card_id, self.list_id, self.pos, around)
        self.pos = placing.off_grid(state, self.card_id, self.list_id, self.pos)
        card = state.cards.get(self.card_id)
        if card is not None and not (self.before and self.shown_on(card)):  # (_note_before)
            self.from_after, self.from_before = placing.neighbours(state, card.id, card.id_list)
        change = super().apply(state)
        if not self.placed:  # the user's intent, kept across re-bases (placing.py)
            self.after_card, self.before_card = placing.neighbours(
                state, self.card_id, self.list_id
            )
        self.placed = True
        return change

    def rewrite(self, mapping: Mapping[str, str]) -> bool:
        return placing.rewrite_neighbours(self, mapping) | super().rewrite(mapping)

    def call(self) -> ApiCall[Any]:
        return writes.move_card(self.card_id, self.pos, self.list_id)

    def inverse(self) -> list[Op]:
        if not self.before:
            return []
        return [
            MoveCard(
                self.board_id,
                card_id=self.card_id,
                list_id=str(self.before["id_list"]),
                pos=float(self.before["pos"]),
                after_card=self.from_after,
                before_card=self.from_before,
                placed=True,
            )
        ]


@register
@dataclasses.dataclass
class RenameCard(CardFieldsOp):
    kind: ClassVar[str] = "rename_card"
    verb: ClassVar[str] = "rename"
    name: str = ""

    def changes(self) -> dict[str, Any]:
        return {"name": self.name}

    def call(self) -> ApiCall[Any]:
        return writes.update_card(self.card_id, name=self.name)

    def inverse(self) -> list[Op]:
        old = self.before.get("name")
        return [RenameCard(self.board_id, card_id=self.card_id, name=old)] if old else []


@register
@dataclasses.dataclass
class SetDescription(CardFieldsOp):
    kind: ClassVar[str] = "set_description"
    verb: ClassVar[str] = "change the description of"
    desc: str = ""

    def changes(self) -> dict[str, Any]:
        return {"desc": self.desc}

    def call(self) -> ApiCall[Any]:
        return writes.update_card(self.card_id, desc=self.desc)

    def inverse(self) -> list[Op]:
        if "desc" not in self.before:
            return []
        return [SetDescription(self.board_id, card_id=self.card_id, desc=self.before["desc"])]


@register
@dataclasses.dataclass
class ArchiveCard(CardFieldsOp):
    kind: ClassVar[str] = "archive_card"
    verb: ClassVar[str] = "archive"

    def changes(self) -> dict[str, Any]:
        return {"closed": True}

    def call(self) -> ApiCall[Any]:
        return writes.archive_card(self.card_id, True)

    def inverse(self) -> list[Op]:
        return [RestoreCard(self.board_id, card_id=self.card_id)]


@register
@dataclasses.dataclass
class RestoreCard(CardFieldsOp):
    kind: ClassVar[str] = "restore_card"
    verb: ClassVar[str] = "restore"

    def changes(self) -> dict[str, Any]:
        return {"closed": False}

    def call(self) -> ApiCall[Any]:
        return writes.archive_card(self.card_id, False)

    def inverse(self) -> list[Op]:
        return [ArchiveCard(self.board_id, card_id=self.card_id)]


@register
@dataclasses.dataclass
class SetDue(CardFieldsOp):
    """Set any of due, start and dueComplete; a field left at ``KEEP`` is not touched."""

    kind: ClassVar[str] = "set_due"
    verb: ClassVar[str] = "change the dates of"
    due: datetime | str | None = KEEP
    start: datetime | str | None = KEEP
    due_complete: bool | None = None

    def changes(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.due != KEEP:
            out["due"] = self.due
        if self.start != KEEP:
            out["start"] = self.start
        if self.due_complete is not None:
            out["due_complete"] = self.due_complete
        return out

    def call(self) -> ApiCall[Any]:
        fields: dict[str, Any] = dict(self.changes())
        return writes.update_card(self.card_id, **fields)

    def inverse(self) -> list[Op]:
        if not self.before:
            return []
        values = self.restore_values()
        return [
            SetDue(
                self.board_id,
                card_id=self.card_id,
                due=values.get("due", KEEP),
                start=values.get("start", KEEP),
                due_complete=values.get("due_complete"),
            )
        ]


@dataclasses.dataclass
class CardSetOp(Op):
    """Add or remove one id in a card's ``id_labels`` / ``id_members``."""

    attr: ClassVar[str] = ""
    adding: ClassVar[bool] = True
    card_id: str = ""
    target: str = ""

    def ids(self) -> set[str]:
        return {self.card_id, self.target}

    def rewrite(self, mapping: Mapping[str, str]) -> bool:
        changed = Op.rewrite(self, mapping)
        if self.target in mapping:
            self.target = mapping[self.target]
            changed = True
        return changed

    def apply(self, state: BoardState) -> BoardChange:
        card = state.cards.get(self.card_id)
        if card is None:
            return BoardChange(state.id)
        current: tuple[str, ...] = getattr(card, self.attr)
        if self.adding:
            new = current if self.target in current else (*current, self.target)
        else:
            new = tuple(i for i in current if i != self.target)
        self._note_before({self.attr: list(current)}, shown=new == current)
        return state.put_card(self._with(state, card, new))

    def _with(self, state: BoardState, card: Card, values: tuple[str, ...]) -> Card:
        if self.attr == "id_labels":
            labels = tuple(state.labels[i] for i in values if i in state.labels)
            return card.with_changes(id_labels=values, labels=labels)
        return card.with_changes(**{self.attr: values})

    def rollback(self, state: BoardState) -> BoardChange:
        card = state.cards.get(self.card_id)
        if card is None or self.attr not in self.before:
            return BoardChange(state.id)
        return state.put_card(self._with(state, card, tuple(self.before[self.attr])))

    def confirm(self, state: BoardState, result: Any) -> BoardChange:
        # POST answers with the card's whole set; DELETE answers with nothing useful.
        card = state.cards.get(self.card_id)
        if card is None or not isinstance(result, list) or not result:
            return BoardChange(state.id)
        values = tuple(str(i) for i in result)
        return state.put_card(self._with(state, card, values))

    def describe(self, state: BoardState) -> str:
        card = state.cards.get(self.card_id)
        return f"{self.verb} on '{card.name}'" if card else self.verb

    def changed(self) -> bool:
        """Whether applying it changed anything (an undo of a no-op does nothing)."""
        had = self.target in self.before.get(self.attr, [])
        return had != self.adding


@register
@dataclasses.dataclass
class AddLabel(CardSetOp):
    kind: ClassVar[str] = "add_label"
    verb: ClassVar[str] = "add the label"
    attr: ClassVar[str] = "id_labels"

    def call(self) -> ApiCall[Any]:
        return writes.add_card_label(self.card_id, self.target)

    def inverse(self) -> list[Op]:
        if not self.changed():
            return []
        return [RemoveLabel(self.board_id, card_id=self.card_id, target=self.target)]


@register
@dataclasses.dataclass
class RemoveLabel(CardSetOp):
    kind: ClassVar[str] = "remove_label"
    verb: ClassVar[str] = "remove the label"
    attr: ClassVar[str] = "id_labels"
    adding: ClassVar[bool] = False

    def call(self) -> ApiCall[Any]:
        return writes.remove_card_label(self.card_id, self.target)

    def inverse(self) -> list[Op]:
        if not self.changed():
            return []
        return [AddLabel(self.board_id, card_id=self.card_id, target=self.target)]


@register
@dataclasses.dataclass
class AddMember(CardSetOp):
    kind: ClassVar[str] = "add_member"
    verb: ClassVar[str] = "add the member"
    attr: ClassVar[str] = "id_members"

    def call(self) -> ApiCall[Any]:
        return writes.add_card_member(self.card_id, self.target)

    def inverse(self) -> list[Op]:
        if not self.changed():
            return []
        return [RemoveMember(self.board_id, card_id=self.card_id, target=self.target)]


@register
@dataclasses.dataclass
class RemoveMember(CardSetOp):
    kind: ClassVar[str] = "remove_member"
    verb: ClassVar[str] = "remove the member"
    attr: ClassVar[str] = "id_members"
    adding: ClassVar[bool] = False

    def call(self) -> ApiCall[Any]:
        return writes.remove_card_member(self.card_id, self.target)

    def inverse(self) -> list[Op]:
        if not self.changed():
            return []
        return [AddMember(self.board_id, card_id=self.card_id, target=self.target)]


@register
@dataclasses.dataclass
class CreateCard(Op):
    """A new card, shown at once under a temporary id."""

    kind: ClassVar[str] = "create_card"
    verb: ClassVar[str] = "create"
    card_id: str = dataclasses.field(default_factory=new_temp_id)
    list_id: str = ""
    name: str = ""
    pos: float = 0.0
    desc: str = ""
    due: datetime | None = None
    id_labels: tuple[str, ...] = ()
    id_members: tuple[str, ...] = ()
    #: the cards it was placed between at its first apply (sync/placing.py)
    after_card: str | None = None
    before_card: str | None = None
    placed: bool = False

    def created_temp_id(self) -> str | None:
        return self.card_id if is_temp(self.card_id) else None

    def rewrite(self, mapping: Mapping[str, str]) -> bool:
        changed = Op.rewrite(self, mapping) | placing.rewrite_neighbours(self, mapping)
        for attr in ("id_labels", "id_members"):
            values: tuple[str, ...] = getattr(self, attr)
            if any(v in mapping for v in values):
                setattr(self, attr, tuple(mapping.get(v, v) for v in values))
                changed = True
        return changed

    def apply(self, state: BoardState) -> BoardChange:
        self.before = {}
        if self.placed:  # a re-base: keep the place between the same cards
            around = (self.after_card, self.before_card)
            self.pos = placing.replan(state, self.card_id, self.list_id, self.pos, around)
        self.pos = placing.off_grid(state, self.card_id, self.list_id, self.pos)
        card = Card(
            id=self.card_id,
            id_board=self.board_id,
            id_list=self.list_id,
            name=self.name,
            pos=self.pos,
            desc=self.desc,
            due=self.due,
            id_labels=self.id_labels,
            id_members=self.id_members,
            labels=tuple(state.labels[i] for i in self.id_labels if i in state.labels),
        )
        change = state.put_card(card)
        if not self.placed:  # the user's intent, kept across re-bases (placing.py)
            self.after_card, self.before_card = placing.neighbours(
                state, self.card_id, self.list_id
            )
        self.placed = True
        return change

    def rollback(self, state: BoardState) -> BoardChange:
        return state.remove_card(self.card_id)

    def inverse(self) -> list[Op]:
        return [ArchiveCard(self.board_id, card_id=self.card_id)]

    def call(self) -> ApiCall[Any]:
        return writes.create_card(
            self.list_id,
            self.name,
            desc=self.desc,
            pos=self.pos,
            due=self.due,
            id_labels=self.id_labels,
            id_members=self.id_members,
        )

    def confirm(self, state: BoardState, result: Any) -> BoardChange:
        if not isinstance(result, Card) or not result.id:
            return BoardChange(state.id)
        change = state.remove_card(self.card_id) if result.id != self.card_id else None
        adopted = adopt_card(state, result)
        return adopted if change is None else change.merge(adopted)

    def describe(self, state: BoardState) -> str:
        return f"create '{self.name}'"


def list_name(state: BoardState, list_id: str) -> str:
    found: TrelloList | None = state.lists.get(list_id)
    return found.name if found else list_id
