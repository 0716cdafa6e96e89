"""``/1/boards/...``: the one-request board load and the board's collections."""

from __future__ import annotations

from typing import Any

from trello_tui.sandbox import ops, ops_items
from trello_tui.sandbox.context import Ctx
from trello_tui.sandbox.errors import invalid_value, over_limit
from trello_tui.sandbox.router import API
from trello_tui.sandbox.routes.common import (
    CARD_FILTERS,
    LIST_FILTERS,
    board_fields_json,
    cards_json,
    filter_cards,
    labels_json,
    query_actions,
)
from trello_tui.sandbox.serialize import (
    COLOURS,
    NESTED_MEMBER,
    checklist_json,
    label_json,
    list_json,
    member_json,
    org_json,
    pick,
)
from trello_tui.sandbox.world import Board, World, iso

BOARD_NESTED = (
    "fields lists list_fields cards card_fields checklists checklist_fields labels label_fields "
    "labels_limit members member_fields actions actions_limit actions_since actions_before "
    "action_fields actions_display organization organization_fields memberships"
)
MEMBER_FILTERS = {"admins", "all", "none", "normal", "owners"}


def board_members(w: World, board: Board, flt: str) -> list[Any]:
    if flt == "none":
        return []
    out = []
    for mid, kind in board.members.items():
        if flt in ("admins", "owners") and kind != "admin":
            continue
        if flt == "normal" and kind != "normal":
            continue
        out.append(member_json(w.members[mid]))
    return out


@API.add("GET", "/boards/{id}", BOARD_NESTED)
async def get_board(ctx: Ctx) -> Any:
    w = ctx.world
    board = ctx.board(ctx.p("id"))
    out = board_fields_json(ctx, board)
    lists_flt = ctx.choice("lists", LIST_FILTERS, "none")
    if lists_flt != "none":
        lf = ctx.fields("list_fields")
        out["lists"] = [
            pick(list_json(x), lf)
            for x in w.sorted_lists(board)
            if lists_flt == "all" or x.closed == (lists_flt == "closed")
        ]
    cards_flt = ctx.choice("cards", CARD_FILTERS, "none")
    if cards_flt != "none":
        cards = filter_cards(w.board_cards(board), cards_flt)
        out["cards"] = cards_json(w, board, cards, ctx.fields("card_fields"))
    if ctx.choice("checklists", {"all", "none"}, "none") == "all":
        cf = ctx.fields("checklist_fields")
        out["checklists"] = [pick(checklist_json(w.checklists[c]), cf) for c in board.checklist_ids]
    if ctx.choice("labels", {"all", "none"}, "none") == "all":
        limit = ctx.integer("labels_limit", 50, 0, 1000)
        out["labels"] = labels_json(w, board, limit, ctx.fields("label_fields"))
    members_flt = ctx.choice("members", MEMBER_FILTERS, "none")
    if members_flt != "none":
        mf = ctx.fields("member_fields")
        default = None if mf is not None else NESTED_MEMBER
        out["members"] = [
            pick(m, mf if mf is not None else default) for m in board_members(w, board, members_flt)
        ]
    if ctx.raw("actions") not in (None, "none"):
        acts = [w.actions[a] for a in board.action_ids]
        out["actions"] = query_actions(ctx, acts, prefix="actions_")
    if ctx.flag("organization", False):
        org = w.orgs.get(board.id_org or "")
        out["organization"] = (
            pick(org_json(org), ctx.fields("organization_fields")) if org else None
        )
    if ctx.choice("memberships", {"all", "none", "active", "admin", "normal"}, "none") != "none":
        out["memberships"] = board_fields_json_memberships(ctx, board)
    return out


def board_fields_json_memberships(ctx: Ctx, board: Board) -> list[Any]:
    from trello_tui.sandbox.serialize import board_json

    memberships: list[Any] = board_json(ctx.world, board, ctx.me)["memberships"]
    return memberships


@API.add("GET", "/boards/{id}/lists/{filter}", "cards card_fields fields")
@API.add("GET", "/boards/{id}/lists", "cards card_fields filter fields")
async def board_lists(ctx: Ctx) -> Any:
    w = ctx.world
    board = ctx.board(ctx.p("id"))
    flt = ctx.path.get("filter") or ctx.choice("filter", LIST_FILTERS, "open")
    if flt not in LIST_FILTERS:
        raise invalid_value("filter")
    fields = ctx.fields()
    cards_flt = ctx.choice("cards", CARD_FILTERS, "none")
    card_fields = ctx.fields("card_fields")
    out = []
    for lst in w.sorted_lists(board):
        if flt == "none" or (flt != "all" and lst.closed != (flt == "closed")):
            continue
        item = pick(list_json(lst), fields)
        if cards_flt != "none":
            cards = filter_cards([w.cards[c] for c in lst.card_ids], cards_flt)
            item["cards"] = cards_json(w, board, cards, card_fields)
        out.append(item)
    return out


@API.add("GET", "/boards/{id}/cards/{filter}", "fields")
@API.add("GET", "/boards/{id}/cards", "filter fields")
async def board_cards(ctx: Ctx) -> Any:
    w = ctx.world
    board = ctx.board(ctx.p("id"))
    flt = ctx.path.get("filter") or ctx.choice("filter", CARD_FILTERS, "visible")
    if flt not in CARD_FILTERS:
        raise invalid_value("filter")
    return cards_json(w, board, filter_cards(w.board_cards(board), flt), ctx.fields())


@API.add("GET", "/boards/{id}/labels", "fields limit")
async def board_labels(ctx: Ctx) -> Any:
    board = ctx.board(ctx.p("id"))
    return labels_json(ctx.world, board, ctx.integer("limit", 50, 0, 1000), ctx.fields())


def label_color(ctx: Ctx, name: str = "color") -> str | None:
    color = ctx.raw(name)
    if color in (None, "", "null", "none"):
        return None
    if color not in COLOURS:
        raise invalid_value("color")
    return str(color)


def new_label(ctx: Ctx, board: Board) -> Any:
    name = ctx.text("name", "") or ""
    color = label_color(ctx)
    if len(board.label_ids) >= 1000:
        raise over_limit("labels per board")
    lab = ops_items.create_label(ctx.world, ctx.me, board, name, color)
    return label_json(lab)


@API.add("POST", "/boards/{id}/labels", "name color")
async def board_add_label(ctx: Ctx) -> Any:
    return new_label(ctx, ctx.board(ctx.p("id"), write=True))


@API.add("GET", "/boards/{id}/members", "")
async def board_members_route(ctx: Ctx) -> Any:
    board = ctx.board(ctx.p("id"))
    return [pick(m, ["id", "fullName", "username"]) for m in board_members(ctx.world, board, "all")]


@API.add("GET", "/boards/{id}/checklists", "")
async def board_checklists(ctx: Ctx) -> Any:
    w = ctx.world
    board = ctx.board(ctx.p("id"))
    return [checklist_json(w.checklists[c]) for c in board.checklist_ids]


@API.add("GET", "/boards/{id}/actions", "filter fields limit since before page display")
async def board_actions(ctx: Ctx) -> Any:
    w = ctx.world
    board = ctx.board(ctx.p("id"))
    out = query_actions(ctx, [w.actions[a] for a in board.action_ids])
    fields = ctx.fields()
    return out if fields is None else [pick(a, fields) for a in out]


@API.add("POST", "/boards/{id}/lists", "name pos")
async def board_add_list(ctx: Ctx) -> Any:
    from trello_tui.sandbox.routes.lists import new_list

    return new_list(ctx, ctx.board(ctx.p("id"), write=True))


@API.add("POST", "/boards", "name desc idOrganization defaultLists defaultLabels")
async def create_board(ctx: Ctx) -> Any:
    w = ctx.world
    name = ctx.text("name", min_len=1, required=True) or ""
    desc = ctx.text("desc", "") or ""
    org = ctx.oid("idOrganization", required=False)
    if org is not None and org not in w.orgs:
        raise invalid_value("idOrganization")
    lists = ctx.flag("defaultLists", True)
    labels = ctx.flag("defaultLabels", True)
    board = Board(
        id=w.new_id(),
        name=name,
        desc=desc,
        short_link=w.new_short_link(),
        id_member_creator=ctx.me,
        date_last_activity=iso(),
        id_org=org,
        members={ctx.me: "admin"},
    )
    w.boards[board.id] = board
    w.short_links[board.short_link] = board.id
    ops.record(w, ctx.me, "createBoard", board, {}, [])
    if labels:
        for color in ("green", "yellow", "orange", "red", "purple", "blue"):
            ops_items.create_label(w, ctx.me, board, "", color)
    if lists:
        for list_name in ("To Do", "Doing", "Done"):
            ops.create_list(w, ctx.me, board, list_name, "bottom")
    return board_fields_json(ctx, board, "fields")


@API.add("PUT", "/boards/{id}", "name desc closed subscribed")
async def update_board(ctx: Ctx) -> Any:
    w = ctx.world
    board = ctx.board(ctx.p("id"), write=True)
    changes: dict[str, Any] = {}
    if ctx.has("name"):
        changes["name"] = ctx.text("name", min_len=1)
    if ctx.has("desc"):
        changes["desc"] = ctx.text("desc")
    for flag in ("closed", "subscribed"):
        if ctx.has(flag):
            changes[flag] = ctx.flag(flag)
    old = {k: getattr(board, k) for k, v in changes.items() if getattr(board, k) != v}
    for k, v in changes.items():
        setattr(board, k, v)
    if old:
        data = {
            "board": {**ops.board_ref(board), **{k: getattr(board, k) for k in old}},
            "old": old,
        }
        ops.record(w, ctx.me, "updateBoard", board, data, [])
    return board_fields_json(ctx, board, "fields")
