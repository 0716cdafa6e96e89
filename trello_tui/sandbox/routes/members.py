"""``/1/members/...``: you, other members, your boards, organizations and cards."""

from __future__ import annotations

from typing import Any

from trello_tui.sandbox.context import Ctx
from trello_tui.sandbox.router import API
from trello_tui.sandbox.routes.common import cards_json, filter_cards
from trello_tui.sandbox.serialize import (
    board_json,
    list_json,
    member_full_json,
    org_json,
    pick,
    token_json,
)

BOARD_FILTERS = {"all", "closed", "members", "open", "organization", "public", "starred"}


@API.add("GET", "/members/{id}", "fields boards organizations")
async def get_member(ctx: Ctx) -> Any:
    m = ctx.member_ref(ctx.p("id"))
    out = pick(member_full_json(ctx.world, m, is_self=m.id == ctx.me), ctx.fields())
    if ctx.has("boards"):
        out["boards"] = _boards(ctx, m.id, ctx.choice("boards", BOARD_FILTERS, "all"), None)
    if ctx.has("organizations"):
        out["organizations"] = [org_json(o) for o in ctx.world.orgs.values() if m.id in o.members]
    return out


def _boards(ctx: Ctx, member_id: str, flt: str, fields: list[str] | None) -> list[Any]:
    w = ctx.world
    wanted = set(flt.split(","))
    out = []
    for b in w.boards.values():
        if member_id not in b.members or not w.can_read(ctx.me, b):
            continue
        if "all" not in wanted and not (
            ("open" in wanted and not b.closed)
            or ("closed" in wanted and b.closed)
            or ("members" in wanted)
            or ("organization" in wanted and b.id_org)
            or ("public" in wanted and b.permission_level == "public")
            or ("starred" in wanted and b.starred)
        ):
            continue
        out.append(pick(board_json(w, b, ctx.me), fields))
    return out


@API.add("GET", "/members/{id}/boards", "filter fields lists organization organization_fields")
async def member_boards(ctx: Ctx) -> Any:
    m = ctx.member_ref(ctx.p("id"))
    flt = ctx.raw("filter")
    if flt is not None and (not isinstance(flt, str) or not set(flt.split(",")) <= BOARD_FILTERS):
        ctx.choice("filter", BOARD_FILTERS, "all")  # raises Trello's 400
    boards = _boards(ctx, m.id, flt or "all", ctx.fields())
    lists = ctx.choice("lists", {"all", "closed", "none", "open"}, "none")
    with_org = ctx.flag("organization", False)
    w = ctx.world
    for b in boards:
        board = w.boards[b["id"]]
        if lists != "none":
            b["lists"] = [
                list_json(x)
                for x in w.sorted_lists(board)
                if lists == "all" or x.closed == (lists == "closed")
            ]
        if with_org:
            org = w.orgs.get(board.id_org or "")
            b["organization"] = (
                pick(org_json(org), ctx.fields("organization_fields")) if org else None
            )
    return boards


@API.add("GET", "/members/{id}/organizations", "filter fields")
async def member_orgs(ctx: Ctx) -> Any:
    m = ctx.member_ref(ctx.p("id"))
    ctx.choice("filter", {"all", "members", "none", "public"}, "all")
    if ctx.raw("filter") == "none":
        return []
    fields = ctx.fields()
    return [pick(org_json(o), fields) for o in ctx.world.orgs.values() if m.id in o.members]


@API.add("GET", "/members/{id}/cards", "filter")
async def member_cards(ctx: Ctx) -> Any:
    m = ctx.member_ref(ctx.p("id"))
    flt = ctx.choice("filter", {"all", "closed", "none", "open", "visible"}, "visible")
    w = ctx.world
    out = []
    for b in w.boards.values():
        if not w.can_read(ctx.me, b):
            continue
        cards = [w.cards[c] for c in b.card_ids if m.id in w.cards[c].id_members]
        out.extend(cards_json(w, b, filter_cards(cards, flt), None))
    return out


@API.add("GET", "/members/{id}/tokens", "webhooks")
async def member_tokens(ctx: Ctx) -> Any:
    m = ctx.member_ref(ctx.p("id"))
    with_hooks = bool(ctx.flag("webhooks", False))
    if m.id != ctx.me:
        return []
    w = ctx.world
    return [token_json(w, t, webhooks=with_hooks) for t in w.tokens.values() if t.id_member == m.id]
