"""Mutations of labels, checklists and check items, each recording Trello's action."""

from __future__ import annotations

from typing import Any

from trello_tui.sandbox.ops import card_ref, record, respaced
from trello_tui.sandbox.positions import place
from trello_tui.sandbox.world import Board, Card, CheckItem, Checklist, Label, World


# -- labels --------------------------------------------------------------------------------
def create_label(w: World, actor: str, board: Board, name: str, color: str | None) -> Label:
    lab = Label(id=w.new_id(), id_board=board.id, name=name, color=color)
    w.labels[lab.id] = lab
    board.label_ids[lab.id] = None
    record(
        w,
        actor,
        "createLabel",
        board,
        {"label": {"id": lab.id, "name": name, "color": color}},
        [lab.id],
    )
    return lab


def update_label(w: World, actor: str, lab: Label, changes: dict[str, Any]) -> None:
    old = {k: getattr(lab, k) for k in changes if getattr(lab, k) != changes[k]}
    for k, v in changes.items():
        setattr(lab, k, v)
    if old:
        data = {"label": {"id": lab.id, "name": lab.name, "color": lab.color}, "old": old}
        record(w, actor, "updateLabel", w.boards[lab.id_board], data, [lab.id])


def delete_label(w: World, actor: str, lab: Label) -> None:
    board = w.boards[lab.id_board]
    for cid in board.card_ids:
        card = w.cards[cid]
        if lab.id in card.id_labels:
            card.id_labels.remove(lab.id)
    del w.labels[lab.id]
    del board.label_ids[lab.id]
    record(w, actor, "deleteLabel", board, {"label": {"id": lab.id}}, [lab.id])


# -- checklists ----------------------------------------------------------------------------
def create_checklist(w: World, actor: str, card: Card, name: str, pos: str | float) -> Checklist:
    board = w.boards[card.id_board]
    cl = Checklist(id=w.new_id(), name=name, id_board=board.id, id_card=card.id, pos=0.0)
    siblings = [w.checklists[i] for i in card.checklist_ids]
    cl.pos, changed = place(siblings, cl, pos)
    respaced(w, actor, board, changed)
    w.checklists[cl.id] = cl
    board.checklist_ids[cl.id] = None
    card.checklist_ids.append(cl.id)
    card.checklist_ids.sort(key=lambda i: w.checklists[i].pos)
    data = {"card": card_ref(card), "checklist": {"id": cl.id, "name": cl.name}}
    act = record(w, actor, "addChecklistToCard", board, data, [card.id, cl.id])
    card.date_last_activity = act.date
    return cl


def update_checklist(w: World, actor: str, cl: Checklist, changes: dict[str, Any]) -> None:
    card = w.cards[cl.id_card]
    board = w.boards[cl.id_board]
    old: dict[str, Any] = {}
    if "pos" in changes:
        siblings = [w.checklists[i] for i in card.checklist_ids]
        new_pos, changed = place(siblings, cl, changes["pos"])
        respaced(w, actor, board, changed)
        if new_pos != cl.pos:
            old["pos"], cl.pos = cl.pos, new_pos
        card.checklist_ids.sort(key=lambda i: w.checklists[i].pos)
    if "name" in changes and changes["name"] != cl.name:
        old["name"], cl.name = cl.name, changes["name"]
    if old:
        data = {
            "checklist": {"id": cl.id, "name": cl.name, "pos": cl.pos},
            "card": card_ref(card),
            "old": old,
        }
        record(w, actor, "updateChecklist", board, data, [cl.id, card.id])


def delete_checklist(w: World, actor: str, cl: Checklist) -> None:
    card = w.cards[cl.id_card]
    board = w.boards[cl.id_board]
    for item in cl.items:
        w.check_items.pop(item.id, None)
    del w.checklists[cl.id]
    del board.checklist_ids[cl.id]
    card.checklist_ids.remove(cl.id)
    data = {"card": card_ref(card), "checklist": {"id": cl.id, "name": cl.name}}
    record(w, actor, "removeChecklistFromCard", board, data, [card.id, cl.id])


def _item_data(w: World, cl: Checklist, item: CheckItem) -> dict[str, Any]:
    card = w.cards[cl.id_card]
    return {
        "card": card_ref(card),
        "checklist": {"id": cl.id, "name": cl.name},
        "checkItem": {
            "id": item.id,
            "name": item.name,
            "state": item.state,
            "textData": {"emoji": {}},
        },
    }


def create_check_item(w: World, actor: str, cl: Checklist, fields: dict[str, Any]) -> CheckItem:
    item = CheckItem(
        id=w.new_id(),
        id_checklist=cl.id,
        name=fields["name"],
        pos=0.0,
        state="complete" if fields.get("checked") else "incomplete",
        due=fields.get("due"),
        id_member=fields.get("idMember"),
    )
    item.pos, changed = place(cl.items, item, fields.get("pos", "bottom"))
    cl.items.append(item)
    w.check_items[item.id] = cl.id
    board = w.boards[cl.id_board]
    for sib, old in changed:
        assert isinstance(sib, CheckItem)
        data = dict(_item_data(w, cl, sib), old={"pos": old})
        record(w, actor, "updateCheckItem", board, data, [cl.id_card, cl.id])
    record(w, actor, "createCheckItem", board, _item_data(w, cl, item), [cl.id_card, cl.id])
    return item


def update_check_item(
    w: World, actor: str, cl: Checklist, item: CheckItem, changes: dict[str, Any]
) -> None:
    board = w.boards[cl.id_board]
    if "idChecklist" in changes and changes["idChecklist"] != cl.id:
        target = w.checklists[changes["idChecklist"]]
        cl.items.remove(item)
        target.items.append(item)
        item.id_checklist = target.id
        w.check_items[item.id] = target.id
        changes.setdefault("pos", "bottom")
        cl = target
    old: dict[str, Any] = {}
    if "pos" in changes:
        new_pos, changed = place(cl.items, item, changes["pos"])
        for sib, before in changed:
            assert isinstance(sib, CheckItem)
            record(
                w,
                actor,
                "updateCheckItem",
                board,
                dict(_item_data(w, cl, sib), old={"pos": before}),
                [cl.id_card, cl.id],
            )
        if new_pos != item.pos:
            old["pos"], item.pos = item.pos, new_pos
    for key, attr in (
        ("name", "name"),
        ("due", "due"),
        ("idMember", "id_member"),
        ("dueReminder", "due_reminder"),
    ):
        if key in changes and getattr(item, attr) != changes[key]:
            old[key] = getattr(item, attr)
            setattr(item, attr, changes[key])
    if old:
        record(
            w,
            actor,
            "updateCheckItem",
            board,
            dict(_item_data(w, cl, item), old=old),
            [cl.id_card, cl.id],
        )
    if "state" in changes and changes["state"] != item.state:
        item.state = changes["state"]
        record(
            w,
            actor,
            "updateCheckItemStateOnCard",
            board,
            _item_data(w, cl, item),
            [cl.id_card, cl.id],
        )
    w.cards[cl.id_card].date_last_activity = board.date_last_activity
    w.touch()


def delete_check_item(w: World, actor: str, cl: Checklist, item: CheckItem) -> None:
    data = _item_data(w, cl, item)
    cl.items.remove(item)
    del w.check_items[item.id]
    record(w, actor, "deleteCheckItem", w.boards[cl.id_board], data, [cl.id_card, cl.id])
