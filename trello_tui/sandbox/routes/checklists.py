"""Checklists and check items: ``/1/checklists/...`` and ``/1/cards/{id}/checkItem/...``."""

from __future__ import annotations

from typing import Any

from trello_tui.sandbox import ops_items
from trello_tui.sandbox.context import Ctx
from trello_tui.sandbox.errors import ApiError, invalid_value, not_found, over_limit
from trello_tui.sandbox.router import API
from trello_tui.sandbox.serialize import (
    board_json,
    card_json,
    check_item_json,
    checklist_json,
    pick,
)
from trello_tui.sandbox.world import Card, CheckItem, Checklist

LEGACY_ITEM = (
    "Trello's older route, still answered: listed in trello-archive/api-docs advanced-reference "
    "(PUT /1/cards/[card id]/checklist/[idChecklist]/checkItem/[idCheckItem]) and in the OpenAPI "
    "map with path parameter idCard"
)
STATES = {
    "complete": "complete",
    "incomplete": "incomplete",
    "true": "complete",
    "false": "incomplete",
}


def new_checklist(ctx: Ctx, card: Card) -> Any:
    name = ctx.text("name", "Checklist") or "Checklist"
    pos = ctx.pos("pos", "bottom")
    assert pos is not None
    if len(card.checklist_ids) >= 500:
        raise over_limit("checklists per card")
    cl = ops_items.create_checklist(ctx.world, ctx.me, card, name, pos)
    return dict(checklist_json(cl), limits={})


@API.add("POST", "/cards/{id}/checklists", "name pos")
async def card_add_checklist(ctx: Ctx) -> Any:
    return new_checklist(ctx, ctx.card(ctx.p("id"), write=True))


@API.add("POST", "/checklists", "idCard name pos")
async def create_checklist(ctx: Ctx) -> Any:
    cid = ctx.oid("idCard")
    card = ctx.world.cards.get(cid or "")
    if card is None:
        raise invalid_value("idCard")
    ctx.check(ctx.world.boards[card.id_board], True, "card")
    return new_checklist(ctx, card)


@API.add("GET", "/cards/{id}/checklists", "checkItems checkItem_fields filter fields")
async def card_checklists(ctx: Ctx) -> Any:
    w = ctx.world
    card = ctx.card(ctx.p("id"))
    items = ctx.choice("checkItems", {"all", "none"}, "all")
    item_fields = ctx.fields("checkItem_fields")
    fields = ctx.fields()
    out = []
    for clid in card.checklist_ids:
        data = checklist_json(w.checklists[clid])
        data["checkItems"] = (
            [] if items == "none" else [pick(i, item_fields) for i in data["checkItems"]]
        )
        out.append(pick(data, None if fields is None else [*fields, "checkItems"]))
    return out


@API.add("GET", "/checklists/{id}", "cards checkItems checkItem_fields fields")
async def get_checklist(ctx: Ctx) -> Any:
    w = ctx.world
    cl = ctx.checklist(ctx.p("id"))
    out = checklist_json(cl)
    if ctx.choice("checkItems", {"all", "none"}, "all") == "none":
        del out["checkItems"]
    else:
        out["checkItems"] = [pick(i, ctx.fields("checkItem_fields")) for i in out["checkItems"]]
    fields = ctx.fields()
    if fields is not None:
        out = pick(out, [*fields, "checkItems"])
    if ctx.choice("cards", {"all", "closed", "none", "open", "visible"}, "none") != "none":
        out["cards"] = [card_json(w, w.cards[cl.id_card])]
    return out


@API.add("PUT", "/checklists/{id}", "name pos")
async def update_checklist(ctx: Ctx) -> Any:
    cl = ctx.checklist(ctx.p("id"), write=True)
    changes: dict[str, Any] = {}
    if ctx.has("name"):
        changes["name"] = ctx.text("name", min_len=1)
    if ctx.has("pos"):
        changes["pos"] = ctx.pos()
    ops_items.update_checklist(ctx.world, ctx.me, cl, changes)
    return checklist_json(cl)


@API.add("PUT", "/checklists/{id}/{field}", "value")
async def update_checklist_field(ctx: Ctx) -> Any:
    field = ctx.p("field")
    ctx.aliases["value"] = field
    if field not in ("name", "pos"):
        raise ApiError(404, f"Cannot PUT /1/checklists/{ctx.p('id')}/{field}")
    cl = ctx.checklist(ctx.p("id"), write=True)
    value = ctx.text("value", min_len=1, required=True) if field == "name" else ctx.pos("value")
    if value is None:
        raise invalid_value("value")
    ops_items.update_checklist(ctx.world, ctx.me, cl, {field: value})
    return checklist_json(cl)


@API.add("DELETE", "/checklists/{id}", "")
async def delete_checklist(ctx: Ctx) -> Any:
    cl = ctx.checklist(ctx.p("id"), write=True)
    ops_items.delete_checklist(ctx.world, ctx.me, cl)
    return {"limits": {}}


@API.add("DELETE", "/cards/{id}/checklists/{idChecklist}", "")
async def card_delete_checklist(ctx: Ctx) -> Any:
    card = ctx.card(ctx.p("id"), write=True)
    cl = ctx.checklist(ctx.p("idChecklist"), write=True)
    if cl.id_card != card.id:
        raise not_found()
    ops_items.delete_checklist(ctx.world, ctx.me, cl)
    return {"limits": {}}


@API.add("GET", "/checklists/{id}/board", "fields")
async def checklist_board(ctx: Ctx) -> Any:
    cl = ctx.checklist(ctx.p("id"))
    return pick(board_json(ctx.world, ctx.world.boards[cl.id_board], ctx.me), ctx.fields())


@API.add("GET", "/checklists/{id}/cards", "")
async def checklist_cards(ctx: Ctx) -> Any:
    cl = ctx.checklist(ctx.p("id"))
    return [card_json(ctx.world, ctx.world.cards[cl.id_card])]


@API.add("GET", "/checklists/{id}/checkItems", "filter fields")
async def checklist_items(ctx: Ctx) -> Any:
    cl = ctx.checklist(ctx.p("id"))
    ctx.choice("filter", {"all", "none"}, "all")
    if ctx.raw("filter") == "none":
        return []
    return [pick(i, ctx.fields()) for i in checklist_json(cl)["checkItems"]]


@API.add("POST", "/checklists/{id}/checkItems", "name pos checked due dueReminder idMember")
async def create_item(ctx: Ctx) -> Any:
    w = ctx.world
    cl = ctx.checklist(ctx.p("id"), write=True)
    fields: dict[str, Any] = {"name": ctx.text("name", min_len=1, required=True)}
    fields["pos"] = ctx.pos("pos", "bottom")
    fields["checked"] = ctx.flag("checked", False)
    present, due = ctx.date("due")
    if present:
        fields["due"] = due
    if ctx.has("idMember"):
        mid = ctx.oid("idMember")
        if mid not in w.boards[cl.id_board].members:
            raise invalid_value("idMember")
        fields["idMember"] = mid
    if ctx.has("dueReminder"):
        ctx.integer("dueReminder", -1, -1, 10**7)
    if len(cl.items) >= 200:
        raise over_limit("check items per checklist")
    item = ops_items.create_check_item(w, ctx.me, cl, fields)
    return dict(check_item_json(item), limits={})


def _find_item(ctx: Ctx, item_id: str, cl: Checklist | None = None) -> tuple[Checklist, CheckItem]:
    w = ctx.world
    if cl is None:
        clid = w.check_items.get(item_id)
        if clid is None:
            raise not_found()
        cl = w.checklists[clid]
    for item in cl.items:
        if item.id == item_id:
            return cl, item
    raise not_found()


@API.add("GET", "/checklists/{id}/checkItems/{idCheckItem}", "fields")
async def get_item(ctx: Ctx) -> Any:
    cl = ctx.checklist(ctx.p("id"))
    _, item = _find_item(ctx, ctx.p("idCheckItem"), cl)
    return pick(check_item_json(item), ctx.fields())


@API.add("DELETE", "/checklists/{id}/checkItems/{idCheckItem}", "")
async def delete_item(ctx: Ctx) -> Any:
    cl = ctx.checklist(ctx.p("id"), write=True)
    cl, item = _find_item(ctx, ctx.p("idCheckItem"), cl)
    ops_items.delete_check_item(ctx.world, ctx.me, cl, item)
    return {"limits": {}}


def _card_item(ctx: Ctx, write: bool) -> tuple[Checklist, CheckItem]:
    card = ctx.card(ctx.p("id"), write=write)
    cl, item = _find_item(ctx, ctx.p("idCheckItem"))
    if cl.id_card != card.id:
        raise not_found()
    return cl, item


@API.add("GET", "/cards/{id}/checkItem/{idCheckItem}", "fields")
async def card_get_item(ctx: Ctx) -> Any:
    _, item = _card_item(ctx, False)
    return pick(check_item_json(item), ctx.fields())


def item_changes(ctx: Ctx, cl: Checklist) -> dict[str, Any]:
    w = ctx.world
    changes: dict[str, Any] = {}
    if ctx.has("name"):
        changes["name"] = ctx.text("name", min_len=1)
    if ctx.has("state"):
        state = ctx.raw("state")
        key = str(state).lower() if isinstance(state, str | bool) else ""
        if key not in STATES:
            raise invalid_value("state")
        changes["state"] = STATES[key]
    if ctx.has("pos"):
        changes["pos"] = ctx.pos()
    if "due" in ctx.route.params:
        present, due = ctx.date("due")
        if present:
            changes["due"] = due
    if "idMember" in ctx.route.params and ctx.has("idMember"):
        raw = ctx.raw("idMember")
        if raw in ("", "null"):
            changes["idMember"] = None
        else:
            mid = ctx.oid("idMember")
            if mid not in w.boards[cl.id_board].members:
                raise invalid_value("idMember")
            changes["idMember"] = mid
    if ctx.has("idChecklist"):
        target = w.checklists.get(ctx.oid("idChecklist") or "")
        if target is None or target.id_card != cl.id_card:
            raise invalid_value("idChecklist")
        if target.id != cl.id and len(target.items) >= 200:
            raise over_limit("check items per checklist")
        changes["idChecklist"] = target.id
    return changes


def _updated_item(item: CheckItem) -> Any:
    return dict(check_item_json(item), type=None, creationMethod=None)


@API.add("PUT", "/cards/{id}/checkItem/{idCheckItem}", "name state idChecklist pos due idMember")
async def card_update_item(ctx: Ctx) -> Any:
    cl, item = _card_item(ctx, True)
    ops_items.update_check_item(ctx.world, ctx.me, cl, item, item_changes(ctx, cl))
    return _updated_item(item)


@API.add(
    "PUT",
    "/cards/{idCard}/checklist/{idChecklist}/checkItem/{idCheckItem}",
    "name state pos idChecklist",
    legacy=LEGACY_ITEM,
)
async def card_checklist_update_item(ctx: Ctx) -> Any:
    card = ctx.card(ctx.p("idCard"), write=True)
    cl = ctx.checklist(ctx.p("idChecklist"), write=True)
    if cl.id_card != card.id:
        raise not_found()
    cl, item = _find_item(ctx, ctx.p("idCheckItem"), cl)
    ops_items.update_check_item(ctx.world, ctx.me, cl, item, item_changes(ctx, cl))
    return _updated_item(item)


@API.add("DELETE", "/cards/{id}/checkItem/{idCheckItem}", "")
async def card_delete_item(ctx: Ctx) -> Any:
    cl, item = _card_item(ctx, True)
    ops_items.delete_check_item(ctx.world, ctx.me, cl, item)
    return {"limits": {}}
