"""``/1/cards/...``: create, read, update (also field by field), delete, labels and members."""

from __future__ import annotations

from typing import Any

from trello_tui.sandbox import ops, ops_items
from trello_tui.sandbox.context import Ctx
from trello_tui.sandbox.errors import ApiError, invalid_value, over_limit
from trello_tui.sandbox.router import API
from trello_tui.sandbox.routes.common import query_actions
from trello_tui.sandbox.serialize import (
    NESTED_MEMBER,
    board_json,
    card_created_json,
    card_json,
    checklist_json,
    list_json,
    member_json,
    pick,
)
from trello_tui.sandbox.world import Board, Card, World

LEGACY_CARD = (
    "Trello's older single-field route, still answered: the fixture "
    "vcr-ruby-trello-can_move_a_card_to_another_list.yml records PUT /1/cards/{id}/idList "
    "with value=...; trello-archive/api-docs advanced-reference lists PUT /1/cards/[card id]/"
    "closed|desc|due|dueComplete|idList|name|pos|subscribed"
)
CARD_FIELDS = [
    "name", "desc", "closed", "idList", "idBoard", "pos", "due", "start", "dueComplete",
    "subscribed", "idLabels", "idMembers",
]  # fmt: skip
OPEN_LIMIT = 5000


def open_cards(w: World, ids: dict[str, None]) -> int:
    return sum(1 for c in ids if not w.cards[c].closed)


def card_changes(ctx: Ctx, card: Card | None, names: dict[str, str]) -> dict[str, Any]:
    """Validate every requested change; ``names`` maps a card field to its parameter name."""
    w = ctx.world
    out: dict[str, Any] = {}
    if "name" in names:
        out["name"] = ctx.text(names["name"], min_len=1)
    if "desc" in names:
        out["desc"] = ctx.text(names["desc"])
    for flag in ("closed", "dueComplete", "subscribed"):
        if flag in names:
            out[flag] = ctx.flag(names[flag])
    for date in ("due", "start"):
        if date in names:
            present, value = ctx.date(names[date])
            if present:
                out[date] = value
    if "dueReminder" in names:
        raw = ctx.raw(names["dueReminder"])
        out["dueReminder"] = (
            None if raw in ("", "null", None) else ctx.integer(names["dueReminder"], 0, -1, 10**7)
        )
    if "pos" in names:
        out["pos"] = ctx.pos(names["pos"])
    target_board = w.boards[card.id_board] if card else None
    if "idBoard" in names:
        bid = ctx.oid(names["idBoard"])
        board = w.boards.get(bid or "")
        if board is None:
            raise invalid_value("idBoard")
        ctx.check(board, True)
        target_board = board
    if "idList" in names:
        lid = ctx.oid(names["idList"])
        lst = w.lists.get(lid or "")
        if lst is None:
            raise invalid_value("idList")
        ctx.check(w.boards[lst.id_board], True)
        if target_board is not None and "idBoard" in names and lst.id_board != target_board.id:
            raise invalid_value("idList")
        target_board = w.boards[lst.id_board]
        out["idList"] = lst.id
    elif (
        "idBoard" in names
        and target_board is not None
        and card
        and target_board.id != card.id_board
    ):
        first = [x for x in w.sorted_lists(target_board) if not x.closed]
        if not first:
            raise invalid_value("idList")
        out["idList"] = first[0].id
    if "idLabels" in names:
        labels = ctx.oids(names["idLabels"]) or []
        for lid in labels:
            lab = w.labels.get(lid)
            if lab is None or target_board is None or lab.id_board != target_board.id:
                raise invalid_value("idLabels")
        out["idLabels"] = labels
    if "idMembers" in names:
        members = ctx.oids(names["idMembers"]) or []
        for mid in members:
            if target_board is None or mid not in target_board.members:
                raise invalid_value("idMembers")
        out["idMembers"] = members
    out = {k: v for k, v in out.items() if v is not None or k in ("due", "start", "dueReminder")}
    _check_open_limits(w, card, out)
    return out


def _check_open_limits(w: World, card: Card | None, out: dict[str, Any]) -> None:
    if card is None:
        return
    reopening = out.get("closed") is False and card.closed
    moving = out.get("idList", card.id_list) != card.id_list
    if card.closed and not reopening:
        return
    if not (reopening or moving):
        return
    lst = w.lists[out.get("idList", card.id_list)]
    if open_cards(w, lst.card_ids) >= OPEN_LIMIT:
        raise over_limit("open cards per list")
    board = w.boards[lst.id_board]
    if (reopening or board.id != card.id_board) and open_cards(w, board.card_ids) >= OPEN_LIMIT:
        raise over_limit("open cards per board")


@API.add("POST", "/cards", "name desc pos due start dueComplete idList idMembers idLabels")
async def create_card(ctx: Ctx) -> Any:
    w = ctx.world
    lid = ctx.raw("idList")
    if not isinstance(lid, str) or lid not in w.lists:
        raise invalid_value("idList")
    lst = w.lists[lid]
    board = w.boards[lst.id_board]
    ctx.check(board, True, "card")
    names = {n: n for n in CARD_FIELDS if n in ctx.route.params and ctx.has(n) and n != "idList"}
    names["idList"] = "idList"
    fields = card_changes(ctx, None, names)
    if "name" not in fields:
        fields["name"] = ""
    if open_cards(w, lst.card_ids) >= OPEN_LIMIT:
        raise over_limit("open cards per list")
    if open_cards(w, board.card_ids) >= OPEN_LIMIT:
        raise over_limit("open cards per board")
    card = ops.create_card(w, ctx.me, lst, fields)
    return card_created_json(w, card)


CARD_GET = (
    "fields actions members member_fields checklists checklist_fields board board_fields list "
    "attachments stickers pluginData customFieldItems checkItemStates membersVoted"
)


@API.add("GET", "/cards/{id}", CARD_GET)
async def get_card(ctx: Ctx) -> Any:
    w = ctx.world
    card = ctx.card(ctx.p("id"))
    out = pick(card_json(w, card), ctx.fields())
    if ctx.raw("actions") not in (None, "none", "false"):
        acts = [w.actions[a] for a in w.boards[card.id_board].action_ids]
        mine = [a for a in acts if card.id in a.models]
        out["actions"] = query_actions(_as_filter(ctx), mine)
    if ctx.flag("members", False):
        out["members"] = [pick(member_json(w.members[m]), NESTED_MEMBER) for m in card.id_members]
    if ctx.choice("checklists", {"all", "none"}, "none") == "all":
        cf = ctx.fields("checklist_fields")
        out["checklists"] = [pick(checklist_json(w.checklists[c]), cf) for c in card.checklist_ids]
    if ctx.flag("board", False):
        out["board"] = pick(
            board_json(w, w.boards[card.id_board], ctx.me), ctx.fields("board_fields")
        )
    if ctx.flag("list", False):
        out["list"] = list_json(w.lists[card.id_list])
    for empty in ("attachments", "stickers", "pluginData", "customFieldItems", "checkItemStates"):
        if ctx.raw(empty) not in (None, "false", False, "none"):
            out[empty] = []
    if ctx.flag("membersVoted", False):
        out["membersVoted"] = [member_json(w.members[m]) for m in card.id_members_voted]
    return out


def _as_filter(ctx: Ctx) -> Ctx:
    """Nested ``actions=<types>`` reads like ``filter`` on the actions route."""
    from dataclasses import replace

    params = dict(ctx.params)
    params["filter"] = params.get("actions")
    route = replace(ctx.route, params=ctx.route.params | {"filter", "limit", "since", "before"})
    return replace(ctx, params=params, route=route)


@API.add("PUT", "/cards/{id}", " ".join(CARD_FIELDS))
async def update_card(ctx: Ctx) -> Any:
    card = ctx.card(ctx.p("id"), write=True)
    names = {n: n for n in CARD_FIELDS if ctx.has(n)}
    changes = card_changes(ctx, card, names)
    ops.update_card(ctx.world, ctx.me, card, changes)
    return card_json(ctx.world, card)


@API.add("DELETE", "/cards/{id}", "")
async def delete_card(ctx: Ctx) -> Any:
    card = ctx.card(ctx.p("id"), write=True)
    ops.delete_card(ctx.world, ctx.me, card)
    return {"limits": {}}


def _board_of(w: World, card: Card) -> Board:
    return w.boards[card.id_board]


@API.add("POST", "/cards/{id}/idLabels", "value")
async def add_label(ctx: Ctx) -> Any:
    w = ctx.world
    card = ctx.card(ctx.p("id"), write=True)
    lid = ctx.oid("value")
    lab = w.labels.get(lid or "")
    if lab is None or lab.id_board != card.id_board:
        raise invalid_value("value")
    if lab.id in card.id_labels:
        raise ApiError(400, "that label is already on the card")
    ops.set_labels(w, ctx.me, card, [*card.id_labels, lab.id])
    return list(card.id_labels)


@API.add("DELETE", "/cards/{id}/idLabels/{idLabel}", "")
async def remove_label(ctx: Ctx) -> Any:
    card = ctx.card(ctx.p("id"), write=True)
    lid = ctx.p("idLabel")
    if lid not in card.id_labels:
        raise ApiError(400, "that label is not on the card")
    ops.set_labels(ctx.world, ctx.me, card, [x for x in card.id_labels if x != lid])
    return list(card.id_labels)


@API.add("POST", "/cards/{id}/idMembers", "value")
async def add_member(ctx: Ctx) -> Any:
    w = ctx.world
    card = ctx.card(ctx.p("id"), write=True)
    mid = ctx.oid("value")
    if mid not in _board_of(w, card).members:
        raise invalid_value("value")
    if mid in card.id_members:
        raise ApiError(400, "member is already on the card")
    assert mid is not None
    ops.set_members(w, ctx.me, card, [*card.id_members, mid])
    return [member_json(w.members[m]) for m in card.id_members]


@API.add("DELETE", "/cards/{id}/idMembers/{idMember}", "")
async def remove_member(ctx: Ctx) -> Any:
    w = ctx.world
    card = ctx.card(ctx.p("id"), write=True)
    mid = ctx.p("idMember")
    if mid not in card.id_members:
        raise ApiError(400, "member is not on the card")
    ops.set_members(w, ctx.me, card, [x for x in card.id_members if x != mid])
    return [member_json(w.members[m]) for m in card.id_members]


@API.add("POST", "/cards/{id}/labels", "color name")
async def create_and_add_label(ctx: Ctx) -> Any:
    from trello_tui.sandbox.routes.boards import label_color

    w = ctx.world
    card = ctx.card(ctx.p("id"), write=True)
    name = ctx.text("name", "") or ""
    color = label_color(ctx)
    board = _board_of(w, card)
    if len(board.label_ids) >= 1000:
        raise over_limit("labels per board")
    lab = ops_items.create_label(w, ctx.me, board, name, color)
    ops.set_labels(w, ctx.me, card, [*card.id_labels, lab.id])
    return list(card.id_labels)


@API.add("GET", "/cards/{id}/actions", "filter page limit since before")
async def card_actions(ctx: Ctx) -> Any:
    w = ctx.world
    card = ctx.card(ctx.p("id"))
    from dataclasses import replace

    acts = [w.actions[a] for a in _board_of(w, card).action_ids]
    mine = [a for a in acts if card.id in a.models]
    params = dict(ctx.params)
    params.setdefault("filter", "commentCard,updateCard:idList")  # Trello's default here
    return query_actions(replace(ctx, params=params), mine)


@API.add("GET", "/cards/{id}/members", "fields")
async def card_members(ctx: Ctx) -> Any:
    w = ctx.world
    card = ctx.card(ctx.p("id"))
    return [pick(member_json(w.members[m]), ctx.fields()) for m in card.id_members]


@API.add("GET", "/cards/{id}/board", "fields")
async def card_board(ctx: Ctx) -> Any:
    card = ctx.card(ctx.p("id"))
    return pick(board_json(ctx.world, _board_of(ctx.world, card), ctx.me), ctx.fields())


@API.add("GET", "/cards/{id}/list", "fields")
async def card_list(ctx: Ctx) -> Any:
    card = ctx.card(ctx.p("id"))
    return pick(list_json(ctx.world.lists[card.id_list]), ctx.fields())


@API.add("GET", "/cards/{id}/membersVoted", "fields")
async def card_voters(ctx: Ctx) -> Any:
    w = ctx.world
    card = ctx.card(ctx.p("id"))
    return [pick(member_json(w.members[m]), ctx.fields()) for m in card.id_members_voted]


# Read routes for what the sandbox does not model answer as for a card that has none.
@API.add("GET", "/cards/{id}/attachments", "fields filter")
@API.add("GET", "/cards/{id}/stickers", "fields")
@API.add("GET", "/cards/{id}/customFieldItems", "")
@API.add("GET", "/cards/{id}/pluginData", "")
@API.add("GET", "/cards/{id}/checkItemStates", "fields")
async def card_unmodelled(ctx: Ctx) -> Any:
    ctx.card(ctx.p("id"))
    return []


@API.add("PUT", "/cards/{id}/{field}", "value", legacy=LEGACY_CARD)
async def update_card_field(ctx: Ctx) -> Any:
    field = ctx.p("field")
    ctx.aliases["value"] = field
    if field not in CARD_FIELDS:
        raise ApiError(404, f"Cannot PUT /1/cards/{ctx.p('id')}/{field}")
    card = ctx.card(ctx.p("id"), write=True)
    if ctx.raw("value") is None and field not in ("due", "start"):
        raise invalid_value("value")
    changes = card_changes(ctx, card, {field: "value"})
    ops.update_card(ctx.world, ctx.me, card, changes)
    return card_json(ctx.world, card)


@API.add("POST", "/cards/{id}/membersVoted", "value")
async def vote(ctx: Ctx) -> Any:
    w = ctx.world
    card = ctx.card(ctx.p("id"), write=True)
    mid = ctx.oid("value")
    if mid != ctx.me:
        raise invalid_value("value")
    if mid in card.id_members_voted:
        raise ApiError(400, "member has already voted on the card")
    card.id_members_voted.append(mid)
    data = {"card": ops.card_ref(card), "voted": True}
    ops.record(w, ctx.me, "voteOnCard", _board_of(w, card), data, [card.id])
    return [member_json(w.members[m]) for m in card.id_members_voted]


@API.add("DELETE", "/cards/{id}/membersVoted/{idMember}", "")
async def unvote(ctx: Ctx) -> Any:
    w = ctx.world
    card = ctx.card(ctx.p("id"), write=True)
    mid = ctx.p("idMember")
    if mid != ctx.me or mid not in card.id_members_voted:
        raise invalid_value("idMember")
    card.id_members_voted.remove(mid)
    data = {"card": ops.card_ref(card), "voted": False}
    ops.record(w, ctx.me, "voteOnCard", _board_of(w, card), data, [card.id])
    return [member_json(w.members[m]) for m in card.id_members_voted]
