"""Mutations of the world, each recording the action Trello would record.

Callers validate first; these functions do not fail halfway. Every mutation bumps
``dateLastActivity`` on the board (and card) and appends the action to the board's history and
to ``world.outbox`` for webhook delivery.
"""

from __future__ import annotations

from typing import Any

from trello_tui.sandbox.positions import Positioned, place
from trello_tui.sandbox.world import (
    Action,
    Board,
    Card,
    Checklist,
    Label,
    TList,
    World,
    iso,
)


def board_ref(b: Board) -> dict[str, Any]:
    return {"id": b.id, "name": b.name, "shortLink": b.short_link}


def list_ref(lst: TList) -> dict[str, Any]:
    return {"id": lst.id, "name": lst.name}


def card_ref(c: Card) -> dict[str, Any]:
    return {"id": c.id, "name": c.name, "idShort": c.id_short, "shortLink": c.short_link}


def record(
    w: World,
    actor: str,
    type_: str,
    board: Board | None,
    data: dict[str, Any],
    models: list[str],
    *,
    when: str | None = None,
    ts: float | None = None,
) -> Action:
    """Record an action; ``ts`` backdates it (seeds build a history that way)."""
    date = when or iso(ts)
    data = _whole(data)
    w.action_seq += 1
    if board is not None:
        data.setdefault("board", board_ref(board))
        board.date_last_activity = date
        models = [board.id, *models]
    act = Action(
        id=w.new_id(ts),
        type=type_,
        id_member_creator=actor,
        date=date,
        data=data,
        id_board=board.id if board else None,
        models=[*models, actor],
        seq=w.action_seq,
    )
    w.actions[act.id] = act
    if board is not None:
        board.action_ids.append(act.id)
    card = data.get("card")
    if isinstance(card, dict) and card.get("id") in w.cards:
        w.cards[card["id"]].date_last_activity = date  # every change to a card touches it
    w.outbox.append(act)
    w.touch()
    return act


def respaced(w: World, actor: str, board: Board, changed: list[tuple[Positioned, float]]) -> None:
    """Record an update action for each sibling whose pos the re-spacing changed."""
    for sib, old in changed:
        if isinstance(sib, Card):
            data = {"card": dict(card_ref(sib), pos=sib.pos), "old": {"pos": old}}
            lst = w.lists[sib.id_list]
            record(w, actor, "updateCard", board, dict(data, list=list_ref(lst)), [sib.id, lst.id])
        elif isinstance(sib, TList):
            data = {"list": dict(list_ref(sib), pos=sib.pos), "old": {"pos": old}}
            record(w, actor, "updateList", board, data, [sib.id])
        elif isinstance(sib, Checklist):
            data = {
                "checklist": {"id": sib.id, "name": sib.name, "pos": sib.pos},
                "old": {"pos": old},
            }
            record(w, actor, "updateChecklist", board, data, [sib.id, sib.id_card])


# -- lists ---------------------------------------------------------------------------------
def create_list(w: World, actor: str, board: Board, name: str, pos: str | float) -> TList:
    lst = TList(id=w.new_id(), name=name, id_board=board.id, pos=0.0)
    siblings = [w.lists[i] for i in board.list_ids]
    lst.pos, changed = place(siblings, lst, pos)
    w.lists[lst.id] = lst
    board.list_ids[lst.id] = None
    respaced(w, actor, board, changed)
    record(w, actor, "createList", board, {"list": list_ref(lst)}, [lst.id])
    return lst


def update_list(w: World, actor: str, lst: TList, changes: dict[str, Any]) -> None:
    board = w.boards[lst.id_board]
    old: dict[str, Any] = {}
    if "idBoard" in changes and changes["idBoard"] != lst.id_board:
        target = w.boards[changes["idBoard"]]
        record(
            w,
            actor,
            "moveListFromBoard",
            board,
            {"list": list_ref(lst), "boardTarget": {"id": target.id}},
            [lst.id],
        )
        del board.list_ids[lst.id]
        target.list_ids[lst.id] = None
        lst.id_board = target.id
        for cid in lst.card_ids:
            _move_card_board(w, w.cards[cid], board, target)
        board = target
        record(
            w,
            actor,
            "moveListToBoard",
            board,
            {"list": list_ref(lst), "boardSource": {"id": changes["idBoard"]}},
            [lst.id],
        )
        changes.setdefault("pos", "bottom")
    if "pos" in changes:
        siblings = [w.lists[i] for i in board.list_ids]
        new_pos, changed = place(siblings, lst, changes["pos"])
        respaced(w, actor, board, changed)
        if new_pos != lst.pos:
            old["pos"], lst.pos = lst.pos, new_pos
    for key, attr in (("name", "name"), ("closed", "closed"), ("subscribed", "subscribed")):
        if key in changes and getattr(lst, attr) != changes[key]:
            old[key] = getattr(lst, attr)
            setattr(lst, attr, changes[key])
    if old:
        data = {"list": dict(list_ref(lst), **{k: getattr(lst, k) for k in old}), "old": old}
        record(w, actor, "updateList", board, data, [lst.id])
    w.touch()


def _move_card_board(w: World, card: Card, source: Board, target: Board) -> None:
    del source.card_ids[card.id]
    target.card_ids[card.id] = None
    card.id_board = target.id
    card.id_short = target.next_id_short
    target.next_id_short += 1
    # labels belong to a board, and only the target's members can stay on the card
    card.id_labels = []
    card.id_members = [m for m in card.id_members if m in target.members]
    for clid in card.checklist_ids:
        cl = w.checklists[clid]
        cl.id_board = target.id
        del source.checklist_ids[clid]
        target.checklist_ids[clid] = None


# -- cards ---------------------------------------------------------------------------------
def create_card(w: World, actor: str, lst: TList, fields: dict[str, Any]) -> Card:
    board = w.boards[lst.id_board]
    now = iso()
    card = Card(
        id=w.new_id(),
        name=fields.get("name", ""),
        id_board=board.id,
        id_list=lst.id,
        pos=0.0,
        id_short=board.next_id_short,
        short_link=w.new_short_link(),
        date_last_activity=now,
        desc=fields.get("desc", ""),
        due=fields.get("due"),
        start=fields.get("start"),
        due_complete=bool(fields.get("dueComplete", False)),
        id_labels=list(fields.get("idLabels", [])),
        id_members=list(fields.get("idMembers", [])),
    )
    board.next_id_short += 1
    siblings = [w.cards[c] for c in lst.card_ids]
    card.pos, changed = place(siblings, card, fields.get("pos", "bottom"))
    respaced(w, actor, board, changed)
    w.cards[card.id] = card
    w.short_links[card.short_link] = card.id
    board.card_ids[card.id] = None
    lst.card_ids[card.id] = None
    record(
        w,
        actor,
        "createCard",
        board,
        {"card": card_ref(card), "list": list_ref(lst)},
        [card.id, lst.id],
        when=now,
    )
    for mid in card.id_members:
        _member_action(w, actor, "addMemberToCard", card, mid)
    return card


def _member_action(w: World, actor: str, type_: str, card: Card, mid: str) -> None:
    board = w.boards[card.id_board]
    m = w.members[mid]
    data = {"card": card_ref(card), "idMember": mid, "member": {"id": mid, "name": m.full_name}}
    record(w, actor, type_, board, data, [card.id, card.id_list, mid])


def _label_action(w: World, actor: str, type_: str, card: Card, lab: Label) -> None:
    board = w.boards[card.id_board]
    data = {
        "card": card_ref(card),
        "label": {"id": lab.id, "name": lab.name, "color": lab.color},
        "text": lab.name,
    }
    record(w, actor, type_, board, data, [card.id, card.id_list, lab.id])


SCALAR_CARD_FIELDS = {
    "name": "name",
    "desc": "desc",
    "closed": "closed",
    "due": "due",
    "start": "start",
    "dueComplete": "due_complete",
    "subscribed": "subscribed",
    "dueReminder": "due_reminder",
}


def update_card(w: World, actor: str, card: Card, changes: dict[str, Any]) -> None:
    """Apply validated ``changes`` (Trello field names) and record the matching actions."""
    board = w.boards[card.id_board]
    old: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    now = iso()
    target_list = w.lists[changes.get("idList", card.id_list)]
    if target_list.id_board != card.id_board:
        target = w.boards[target_list.id_board]
        record(
            w,
            actor,
            "moveCardFromBoard",
            board,
            {"card": card_ref(card), "board": board_ref(board), "boardTarget": {"id": target.id}},
            [card.id],
        )
        _move_card_board(w, card, board, target)
        changes.setdefault("pos", "bottom")
        extra["boardSource"] = {"id": board.id}
        board = target
    if target_list.id != card.id_list:
        before = w.lists[card.id_list]
        del before.card_ids[card.id]
        target_list.card_ids[card.id] = None
        old["idList"] = card.id_list
        card.id_list = target_list.id
        extra["listBefore"] = list_ref(before)
        extra["listAfter"] = list_ref(target_list)
    if "pos" in changes:
        siblings = [w.cards[c] for c in target_list.card_ids]
        new_pos, changed = place(siblings, card, changes["pos"])
        respaced(w, actor, board, changed)
        if new_pos != card.pos:
            old["pos"], card.pos = card.pos, new_pos
    for key, attr in SCALAR_CARD_FIELDS.items():
        if key in changes and getattr(card, attr) != changes[key]:
            old[key] = getattr(card, attr)
            setattr(card, attr, changes[key])
    if "boardSource" in extra:
        record(
            w,
            actor,
            "moveCardToBoard",
            board,
            {
                "card": card_ref(card),
                "list": list_ref(target_list),
                "boardSource": extra.pop("boardSource"),
            },
            [card.id, target_list.id],
        )
    if old:
        shown = {
            k: (card.id_list if k == "idList" else getattr(card, SCALAR_CARD_FIELDS.get(k, k)))
            for k in old
        }
        data: dict[str, Any] = {"card": dict(card_ref(card), **shown), "old": old, **extra}
        if "listAfter" not in extra:
            data["list"] = list_ref(target_list)
        record(
            w,
            actor,
            "updateCard",
            board,
            data,
            [card.id, target_list.id, *old.get("idList", "").split()],
            when=now,
        )
    if "idLabels" in changes:
        set_labels(w, actor, card, changes["idLabels"])
    if "idMembers" in changes:
        set_members(w, actor, card, changes["idMembers"])
    card.date_last_activity = board.date_last_activity
    w.touch()


def set_labels(w: World, actor: str, card: Card, wanted: list[str]) -> None:
    for lid in [x for x in card.id_labels if x not in wanted]:
        card.id_labels.remove(lid)
        _label_action(w, actor, "removeLabelFromCard", card, w.labels[lid])
    for lid in wanted:
        if lid not in card.id_labels:
            card.id_labels.append(lid)
            _label_action(w, actor, "addLabelToCard", card, w.labels[lid])
    card.date_last_activity = iso()


def set_members(w: World, actor: str, card: Card, wanted: list[str]) -> None:
    for mid in [x for x in card.id_members if x not in wanted]:
        card.id_members.remove(mid)
        _member_action(w, actor, "removeMemberFromCard", card, mid)
    for mid in wanted:
        if mid not in card.id_members:
            card.id_members.append(mid)
            _member_action(w, actor, "addMemberToCard", card, mid)
    card.date_last_activity = iso()


def delete_card(w: World, actor: str, card: Card) -> None:
    board = w.boards[card.id_board]
    lst = w.lists[card.id_list]
    for clid in card.checklist_ids:
        for item in w.checklists[clid].items:
            w.check_items.pop(item.id, None)
        del w.checklists[clid]
        del board.checklist_ids[clid]
    del w.cards[card.id]
    w.short_links.pop(card.short_link, None)
    del board.card_ids[card.id]
    del lst.card_ids[card.id]
    data = {
        "card": {"id": card.id, "idShort": card.id_short, "shortLink": card.short_link},
        "list": list_ref(lst),
    }
    record(w, actor, "deleteCard", board, data, [card.id, lst.id])


def comment(w: World, actor: str, card: Card, text: str) -> Action:
    board = w.boards[card.id_board]
    card.comments += 1
    data = {
        "text": text,
        "textData": {"emoji": {}},
        "card": card_ref(card),
        "list": list_ref(w.lists[card.id_list]),
    }
    act = record(w, actor, "commentCard", board, data, [card.id, card.id_list])
    card.date_last_activity = act.date
    return act


def edit_comment(w: World, actor: str, act: Action, text: str) -> None:
    old = act.data.get("text", "")
    act.data["text"] = text
    act.data["dateLastEdited"] = iso()
    board = w.boards[act.id_board] if act.id_board else None
    data = {
        "action": {"id": act.id, "text": text},
        "old": {"text": old},
        "card": act.data.get("card", {}),
    }
    record(w, actor, "updateComment", board, data, [m for m in act.models if m in w.cards])


def delete_comment(w: World, actor: str, act: Action) -> None:
    del w.actions[act.id]
    board = w.boards[act.id_board] if act.id_board else None
    if board is not None:
        board.action_ids.remove(act.id)
    card_id = act.data.get("card", {}).get("id")
    card = w.cards.get(card_id or "")
    if card is not None:
        card.comments = max(0, card.comments - 1)
    data = {"action": {"id": act.id}, "card": act.data.get("card", {})}
    record(w, actor, "deleteComment", board, data, [card_id] if card_id else [])


def _whole(node: Any) -> Any:
    """Whole floats as ints in action data, as Trello writes positions (65535, not 65535.0)."""
    if isinstance(node, float) and node.is_integer():
        return int(node)
    if isinstance(node, dict):
        return {k: _whole(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_whole(v) for v in node]
    return node
