"""``/1/lists/...``: create, read, update (also field by field), archive and move all cards."""

from __future__ import annotations

from typing import Any

from trello_tui.sandbox import ops
from trello_tui.sandbox.context import Ctx
from trello_tui.sandbox.errors import ApiError, invalid_value, over_limit
from trello_tui.sandbox.router import API
from trello_tui.sandbox.routes.common import CARD_FILTERS, cards_json, filter_cards, query_actions
from trello_tui.sandbox.serialize import board_json, list_json, pick
from trello_tui.sandbox.world import Board, TList

LEGACY_LIST = (
    "Trello's older single-field route, still answered; listed in the archived reference "
    "(trello-archive/api-docs, advanced-reference: PUT /1/lists/[idList]/name|pos|subscribed)"
)


def new_list(ctx: Ctx, board: Board) -> Any:
    w = ctx.world
    name = ctx.text("name", min_len=1, required=True) or ""
    pos = ctx.pos("pos", "top")
    assert pos is not None
    if sum(1 for i in board.list_ids if not w.lists[i].closed) >= 500:
        raise over_limit("open lists per board")
    lst = ops.create_list(w, ctx.me, board, name, pos)
    return list_json(lst)


@API.add("POST", "/lists", "name idBoard pos")
async def create_list(ctx: Ctx) -> Any:
    bid = ctx.oid("idBoard")
    assert bid is not None
    board = ctx.world.boards.get(bid)
    if board is None:
        raise invalid_value("idBoard")
    ctx.check(board, True)
    return new_list(ctx, board)


@API.add("GET", "/lists/{id}", "fields")
async def get_list(ctx: Ctx) -> Any:
    return pick(list_json(ctx.tlist(ctx.p("id"))), ctx.fields())


def list_changes(ctx: Ctx, lst: TList, values: dict[str, Any]) -> dict[str, Any]:
    """Validated changes from ``values`` (name → raw) read through ``ctx``."""
    changes: dict[str, Any] = {}
    if "name" in values:
        changes["name"] = ctx.text(values["name"], min_len=1)
    for flag in ("closed", "subscribed"):
        if flag in values:
            changes[flag] = ctx.flag(values[flag])
    if "pos" in values:
        changes["pos"] = ctx.pos(values["pos"])
    if "idBoard" in values:
        bid = ctx.oid(values["idBoard"])
        assert bid is not None
        target = ctx.world.boards.get(bid)
        if target is None:
            raise invalid_value("idBoard")
        ctx.check(target, True)
        changes["idBoard"] = bid
    if changes.get("closed") is False and lst.closed:
        board = ctx.world.boards[changes.get("idBoard", lst.id_board)]
        if sum(1 for i in board.list_ids if not ctx.world.lists[i].closed) >= 500:
            raise over_limit("open lists per board")
    return {k: v for k, v in changes.items() if v is not None}


@API.add("PUT", "/lists/{id}", "name closed idBoard pos subscribed")
async def update_list(ctx: Ctx) -> Any:
    lst = ctx.tlist(ctx.p("id"), write=True)
    names = {n: n for n in ("name", "closed", "idBoard", "pos", "subscribed") if ctx.has(n)}
    ops.update_list(ctx.world, ctx.me, lst, list_changes(ctx, lst, names))
    return list_json(lst)


@API.add("PUT", "/lists/{id}/{field}", "value", legacy=LEGACY_LIST)
async def update_list_field(ctx: Ctx) -> Any:
    field = ctx.p("field")
    ctx.aliases["value"] = field
    if field not in ("name", "closed", "idBoard", "pos", "subscribed"):
        raise ApiError(404, f"Cannot PUT /1/lists/{ctx.p('id')}/{field}")
    lst = ctx.tlist(ctx.p("id"), write=True)
    if not ctx.has("value"):
        raise invalid_value("value")
    ops.update_list(ctx.world, ctx.me, lst, list_changes(ctx, lst, {field: "value"}))
    return list_json(lst)


@API.add("GET", "/lists/{id}/cards", "filter fields")
async def list_cards(ctx: Ctx) -> Any:
    w = ctx.world
    lst = ctx.tlist(ctx.p("id"))
    flt = ctx.choice("filter", CARD_FILTERS, "open")
    cards = filter_cards([w.cards[c] for c in lst.card_ids], flt)
    return cards_json(w, w.boards[lst.id_board], cards, ctx.fields())


@API.add("GET", "/lists/{id}/actions", "filter limit since before")
async def list_actions(ctx: Ctx) -> Any:
    w = ctx.world
    lst = ctx.tlist(ctx.p("id"))
    board = w.boards[lst.id_board]
    acts = [w.actions[a] for a in board.action_ids if lst.id in w.actions[a].models]
    return query_actions(ctx, acts)


@API.add("GET", "/lists/{id}/board", "fields")
async def list_board(ctx: Ctx) -> Any:
    lst = ctx.tlist(ctx.p("id"))
    board = ctx.world.boards[lst.id_board]
    return pick(board_json(ctx.world, board, ctx.me), ctx.fields())


@API.add("POST", "/lists/{id}/archiveAllCards", "")
async def archive_all(ctx: Ctx) -> Any:
    w = ctx.world
    lst = ctx.tlist(ctx.p("id"), write=True)
    for cid in list(lst.card_ids):
        card = w.cards[cid]
        if not card.closed:
            ops.update_card(w, ctx.me, card, {"closed": True})
    return {"_value": None}


@API.add("POST", "/lists/{id}/moveAllCards", "idBoard idList")
async def move_all(ctx: Ctx) -> Any:
    w = ctx.world
    lst = ctx.tlist(ctx.p("id"), write=True)
    bid = ctx.oid("idBoard")
    lid = ctx.oid("idList")
    assert bid is not None and lid is not None
    target = w.lists.get(lid)
    if target is None or target.id_board != bid:
        raise invalid_value("idList")
    ctx.check(w.boards[bid], True)
    if target.id == lst.id:
        raise invalid_value("idList")
    moving = [w.cards[c] for c in lst.card_ids if not w.cards[c].closed]
    open_in_target = sum(1 for c in target.card_ids if not w.cards[c].closed)
    if open_in_target + len(moving) > 5000:
        raise over_limit("open cards per list")
    for card in sorted(moving, key=lambda c: c.pos):
        ops.update_card(w, ctx.me, card, {"idList": target.id, "pos": "bottom"})
    return cards_json(w, w.boards[bid], moving, None)
