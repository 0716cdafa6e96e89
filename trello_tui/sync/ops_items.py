"""Checklist, check-item and comment operations (see ops.py for the contract).

Check items live inside their checklist (as Trello serves them), so an item operation
replaces the checklist in the state; the card's badges follow so its face shows the new
progress at once. Comments are not kept in the board state: adding one bumps the card's
comment badge, and the confirmed comment's id (an action id) is what an undo deletes.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

from trello_tui.sync.ops_base import Op, is_temp, new_temp_id, register
from trello_tui.sync.state import BoardChange, BoardState
from trello_tui.trello import writes
from trello_tui.trello.calls import ApiCall
from trello_tui.trello.models import Action, Badges, CheckItem, Checklist


def _with_badges(state: BoardState, card_id: str, change: BoardChange) -> BoardChange:
    """Recount the card's check-item badges from its checklists."""
    card = state.cards.get(card_id)
    if card is None:
        return change
    lists = state.checklists_of(card_id)
    total = sum(len(c.check_items) for c in lists)
    done = sum(c.done for c in lists)
    ids = tuple(c.id for c in lists)
    badges = dataclasses.replace(card.badges, check_items=total, check_items_checked=done)
    if badges != card.badges or ids != card.id_checklists:
        change = change.merge(state.put_card(card.with_changes(badges=badges, id_checklists=ids)))
    return change


def _put_checklist(state: BoardState, checklist: Checklist) -> BoardChange:
    return _with_badges(state, checklist.id_card, state.put_checklist(checklist))


def _remove_checklist(state: BoardState, checklist_id: str) -> BoardChange:
    old = state.checklists.get(checklist_id)
    change = state.remove_checklist(checklist_id)
    return _with_badges(state, old.id_card, change) if old else change


@register
@dataclasses.dataclass
class CreateChecklist(Op):
    kind: ClassVar[str] = "create_checklist"
    verb: ClassVar[str] = "add a checklist to"
    card_id: str = ""
    checklist_id: str = dataclasses.field(default_factory=new_temp_id)
    name: str = ""
    pos: float = 16384.0

    def created_temp_id(self) -> str | None:
        return self.checklist_id if is_temp(self.checklist_id) else None

    def apply(self, state: BoardState) -> BoardChange:
        checklist = Checklist(
            id=self.checklist_id,
            id_card=self.card_id,
            id_board=self.board_id,
            name=self.name,
            pos=self.pos,
        )
        return _put_checklist(state, checklist)

    def rollback(self, state: BoardState) -> BoardChange:
        return _remove_checklist(state, self.checklist_id)

    def inverse(self) -> list[Op]:
        return [
            DeleteChecklist(self.board_id, card_id=self.card_id, checklist_id=self.checklist_id)
        ]

    def call(self) -> ApiCall[Any]:
        return writes.create_checklist(self.card_id, self.name, self.pos)

    def confirm(self, state: BoardState, result: Any) -> BoardChange:
        if not isinstance(result, Checklist) or not result.id:
            return BoardChange(state.id)
        local = state.checklists.get(self.checklist_id)
        change = _remove_checklist(state, self.checklist_id)
        items = local.check_items if local is not None else ()
        adopted = result.with_changes(
            id_card=result.id_card or self.card_id,
            id_board=result.id_board or self.board_id,
            check_items=result.check_items or items,
        )
        return change.merge(_put_checklist(state, adopted))


@register
@dataclasses.dataclass
class RenameChecklist(Op):
    kind: ClassVar[str] = "rename_checklist"
    verb: ClassVar[str] = "rename a checklist of"
    card_id: str = ""
    checklist_id: str = ""
    name: str = ""

    def apply(self, state: BoardState) -> BoardChange:
        checklist = state.checklists.get(self.checklist_id)
        if checklist is None:
            return BoardChange(state.id)
        self._note_before({"name": checklist.name}, shown=checklist.name == self.name)
        return state.put_checklist(checklist.with_changes(name=self.name))

    def rollback(self, state: BoardState) -> BoardChange:
        checklist = state.checklists.get(self.checklist_id)
        if checklist is None or "name" not in self.before:
            return BoardChange(state.id)
        return state.put_checklist(checklist.with_changes(name=self.before["name"]))

    def inverse(self) -> list[Op]:
        if "name" not in self.before:
            return []
        return [
            RenameChecklist(
                self.board_id,
                card_id=self.card_id,
                checklist_id=self.checklist_id,
                name=self.before["name"],
            )
        ]

    def call(self) -> ApiCall[Any]:
        return writes.rename_checklist(self.checklist_id, self.name)

    def confirm(self, state: BoardState, result: Any) -> BoardChange:
        checklist = state.checklists.get(self.checklist_id)
        if checklist is None or not isinstance(result, Checklist) or not result.name:
            return BoardChange(state.id)
        return state.put_checklist(checklist.with_changes(name=result.name, pos=result.pos))


@register
@dataclasses.dataclass
class DeleteChecklist(Op):
    kind: ClassVar[str] = "delete_checklist"
    verb: ClassVar[str] = "delete a checklist of"
    card_id: str = ""
    checklist_id: str = ""

    def apply(self, state: BoardState) -> BoardChange:
        checklist = state.checklists.get(self.checklist_id)
        if checklist is None:
            return BoardChange(state.id)
        self.before = {"checklist": checklist.to_json()}
        return _remove_checklist(state, self.checklist_id)

    def rollback(self, state: BoardState) -> BoardChange:
        data = self.before.get("checklist")
        if not isinstance(data, dict):
            return BoardChange(state.id)
        return _put_checklist(state, Checklist.from_json(data))

    def inverse(self) -> list[Op]:
        data = self.before.get("checklist")
        if not isinstance(data, dict):
            return []
        old = Checklist.from_json(data)
        create = CreateChecklist(self.board_id, card_id=self.card_id, name=old.name, pos=old.pos)
        ops: list[Op] = [create]
        for item in old.check_items:
            ops.append(
                AddCheckItem(
                    self.board_id,
                    card_id=self.card_id,
                    checklist_id=create.checklist_id,
                    name=item.name,
                    pos=item.pos,
                    complete=item.complete,
                )
            )
        return ops

    def call(self) -> ApiCall[Any]:
        return writes.delete_checklist(self.checklist_id)


@dataclasses.dataclass
class ItemOp(Op):
    """An operation on one check item of one checklist."""

    card_id: str = ""
    checklist_id: str = ""
    item_id: str = ""

    def _item(self, state: BoardState) -> tuple[Checklist, CheckItem] | None:
        checklist = state.checklists.get(self.checklist_id)
        if checklist is None:
            return None
        item = next((i for i in checklist.check_items if i.id == self.item_id), None)
        return None if item is None else (checklist, item)

    def _replace(self, state: BoardState, checklist: Checklist, item: CheckItem) -> BoardChange:
        items = [i for i in checklist.check_items if i.id != self.item_id]
        items.append(item)
        items.sort(key=lambda i: (i.pos, i.id))
        return _put_checklist(state, checklist.with_changes(check_items=tuple(items)))

    def _drop(self, state: BoardState) -> BoardChange:
        checklist = state.checklists.get(self.checklist_id)
        if checklist is None:
            return BoardChange(state.id)
        items = tuple(i for i in checklist.check_items if i.id != self.item_id)
        return _put_checklist(state, checklist.with_changes(check_items=items))

    def _set(self, state: BoardState, **changes: Any) -> BoardChange:
        found = self._item(state)
        if found is None:
            return BoardChange(state.id)
        checklist, item = found
        noted = [name for name in changes if name in ("name", "complete")]
        self._note_before(
            {name: getattr(item, name) for name in noted},
            shown=all(getattr(item, name) == changes[name] for name in noted),
        )
        return self._replace(state, checklist, item.with_changes(**changes))

    def rollback(self, state: BoardState) -> BoardChange:
        found = self._item(state)
        if found is None or not self.before:
            return BoardChange(state.id)
        checklist, item = found
        return self._replace(state, checklist, item.with_changes(**self.before))

    def confirm(self, state: BoardState, result: Any) -> BoardChange:
        found = self._item(state)
        if found is None or not isinstance(result, CheckItem) or result.id != self.item_id:
            return BoardChange(state.id)
        checklist, item = found
        adopted = item.with_changes(name=result.name or item.name, pos=result.pos or item.pos)
        return self._replace(state, checklist, adopted)


@register
@dataclasses.dataclass
class AddCheckItem(ItemOp):
    kind: ClassVar[str] = "add_check_item"
    verb: ClassVar[str] = "add an item to"
    item_id: str = dataclasses.field(default_factory=new_temp_id)
    name: str = ""
    pos: float = 16384.0
    complete: bool = False

    def created_temp_id(self) -> str | None:
        return self.item_id if is_temp(self.item_id) else None

    def apply(self, state: BoardState) -> BoardChange:
        checklist = state.checklists.get(self.checklist_id)
        if checklist is None:
            return BoardChange(state.id)
        item = CheckItem(
            id=self.item_id,
            id_checklist=self.checklist_id,
            name=self.name,
            pos=self.pos,
            complete=self.complete,
        )
        return self._replace(state, checklist, item)

    def rollback(self, state: BoardState) -> BoardChange:
        return self._drop(state)

    def inverse(self) -> list[Op]:
        return [
            DeleteCheckItem(
                self.board_id,
                card_id=self.card_id,
                checklist_id=self.checklist_id,
                item_id=self.item_id,
            )
        ]

    def call(self) -> ApiCall[Any]:
        return writes.create_check_item(self.checklist_id, self.name, self.pos, self.complete)

    def confirm(self, state: BoardState, result: Any) -> BoardChange:
        if not isinstance(result, CheckItem) or not result.id:
            return BoardChange(state.id)
        found = self._item(state)
        change = self._drop(state)
        checklist = state.checklists.get(self.checklist_id)
        if checklist is None:
            return change
        complete = found[1].complete if found else result.complete
        adopted = result.with_changes(id_checklist=self.checklist_id, complete=complete)
        return change.merge(self._replace_as(state, checklist, adopted))

    def _replace_as(self, state: BoardState, checklist: Checklist, item: CheckItem) -> BoardChange:
        items = [i for i in checklist.check_items if i.id != item.id]
        items.append(item)
        items.sort(key=lambda i: (i.pos, i.id))
        return _put_checklist(state, checklist.with_changes(check_items=tuple(items)))


@register
@dataclasses.dataclass
class RenameCheckItem(ItemOp):
    kind: ClassVar[str] = "rename_check_item"
    verb: ClassVar[str] = "rename an item of"
    name: str = ""

    def apply(self, state: BoardState) -> BoardChange:
        return self._set(state, name=self.name)

    def inverse(self) -> list[Op]:
        if "name" not in self.before:
            return []
        return [
            RenameCheckItem(
                self.board_id,
                card_id=self.card_id,
                checklist_id=self.checklist_id,
                item_id=self.item_id,
                name=self.before["name"],
            )
        ]

    def call(self) -> ApiCall[Any]:
        return writes.update_check_item(self.card_id, self.item_id, name=self.name)


@register
@dataclasses.dataclass
class ToggleCheckItem(ItemOp):
    """Mark an item complete or incomplete (explicit state, so a replay is harmless)."""

    kind: ClassVar[str] = "toggle_check_item"
    verb: ClassVar[str] = "tick an item of"
    complete: bool = True

    def apply(self, state: BoardState) -> BoardChange:
        return self._set(state, complete=self.complete)

    def inverse(self) -> list[Op]:
        if "complete" not in self.before:
            return []
        return [
            ToggleCheckItem(
                self.board_id,
                card_id=self.card_id,
                checklist_id=self.checklist_id,
                item_id=self.item_id,
                complete=bool(self.before["complete"]),
            )
        ]

    def call(self) -> ApiCall[Any]:
        return writes.update_check_item(self.card_id, self.item_id, complete=self.complete)


@register
@dataclasses.dataclass
class DeleteCheckItem(ItemOp):
    kind: ClassVar[str] = "delete_check_item"
    verb: ClassVar[str] = "delete an item of"

    def apply(self, state: BoardState) -> BoardChange:
        found = self._item(state)
        if found is None:
            return BoardChange(state.id)
        self.before = {"item": found[1].to_json()}
        return self._drop(state)

    def rollback(self, state: BoardState) -> BoardChange:
        data = self.before.get("item")
        checklist = state.checklists.get(self.checklist_id)
        if not isinstance(data, dict) or checklist is None:
            return BoardChange(state.id)
        return self._replace(state, checklist, CheckItem.from_json(data))

    def inverse(self) -> list[Op]:
        data = self.before.get("item")
        if not isinstance(data, dict):
            return []
        old = CheckItem.from_json(data)
        return [
            AddCheckItem(
                self.board_id,
                card_id=self.card_id,
                checklist_id=self.checklist_id,
                name=old.name,
                pos=old.pos,
                complete=old.complete,
            )
        ]

    def call(self) -> ApiCall[Any]:
        return writes.delete_check_item(self.checklist_id, self.item_id)

    def confirm(self, state: BoardState, result: Any) -> BoardChange:
        return BoardChange(state.id)


def _bump_comments(state: BoardState, card_id: str, delta: int) -> BoardChange:
    card = state.cards.get(card_id)
    if card is None:
        return BoardChange(state.id)
    count = max(0, card.badges.comments + delta)
    badges: Badges = dataclasses.replace(card.badges, comments=count)
    return state.put_card(card.with_changes(badges=badges))


@register
@dataclasses.dataclass
class AddComment(Op):
    kind: ClassVar[str] = "add_comment"
    verb: ClassVar[str] = "comment on"
    card_id: str = ""
    comment_id: str = dataclasses.field(default_factory=new_temp_id)
    text: str = ""

    def created_temp_id(self) -> str | None:
        return self.comment_id if is_temp(self.comment_id) else None

    def apply(self, state: BoardState) -> BoardChange:
        # The engine re-applies an op only on top of fresh server state, so +1 is right.
        return _bump_comments(state, self.card_id, +1)

    def rollback(self, state: BoardState) -> BoardChange:
        return _bump_comments(state, self.card_id, -1)

    def inverse(self) -> list[Op]:
        return [
            DeleteComment(
                self.board_id, card_id=self.card_id, comment_id=self.comment_id, text=self.text
            )
        ]

    def call(self) -> ApiCall[Any]:
        return writes.add_comment(self.card_id, self.text)

    def created_id(self, result: Any) -> str | None:
        return result.id if isinstance(result, Action) and result.id else None


@register
@dataclasses.dataclass
class DeleteComment(Op):
    kind: ClassVar[str] = "delete_comment"
    verb: ClassVar[str] = "delete a comment on"
    card_id: str = ""
    comment_id: str = ""
    text: str = ""

    def apply(self, state: BoardState) -> BoardChange:
        return _bump_comments(state, self.card_id, -1)

    def rollback(self, state: BoardState) -> BoardChange:
        return _bump_comments(state, self.card_id, +1)

    def inverse(self) -> list[Op]:
        return [AddComment(self.board_id, card_id=self.card_id, text=self.text)]

    def call(self) -> ApiCall[Any]:
        return writes.delete_comment(self.comment_id)
