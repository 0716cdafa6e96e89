"""``/1/organizations/...`` (Workspaces) and their boards and members."""

from __future__ import annotations

from typing import Any

from trello_tui.sandbox.context import Ctx
from trello_tui.sandbox.errors import invalid_id, not_found, unauthorized
from trello_tui.sandbox.router import API
from trello_tui.sandbox.serialize import board_json, member_json, org_json, pick
from trello_tui.sandbox.world import HEX24, Org


def _org(ctx: Ctx) -> Org:
    ref = ctx.p("id")
    w = ctx.world
    org = w.orgs.get(ref) or next((o for o in w.orgs.values() if o.name == ref), None)
    if org is None:
        if not HEX24.match(ref) and not ref.replace("_", "").isalnum():
            raise invalid_id()
        raise not_found()
    if ctx.me not in org.members:
        raise unauthorized()
    return org


@API.add("GET", "/organizations/{id}", "")
async def get_org(ctx: Ctx) -> Any:
    org = _org(ctx)
    out = org_json(org)
    out["idBoards"] = [b.id for b in ctx.world.boards.values() if b.id_org == org.id]
    out["memberships"] = [
        {"id": m[:16] + org.id[16:], "idMember": m, "memberType": "normal", "unconfirmed": False}
        for m in org.members
    ]
    return out


@API.add("GET", "/organizations/{id}/boards", "filter fields")
async def org_boards(ctx: Ctx) -> Any:
    w = ctx.world
    org = _org(ctx)
    flt = ctx.choice(
        "filter", {"all", "open", "closed", "members", "organization", "public"}, "all"
    )
    fields = ctx.fields()
    out = []
    for b in w.boards.values():
        if b.id_org != org.id or not w.can_read(ctx.me, b):
            continue
        if (flt == "open" and b.closed) or (flt == "closed" and not b.closed):
            continue
        if flt == "members" and ctx.me not in b.members:
            continue
        if flt == "public" and b.permission_level != "public":
            continue
        out.append(pick(board_json(w, b, ctx.me), fields))
    return out


@API.add("GET", "/organizations/{id}/members", "")
async def org_members(ctx: Ctx) -> Any:
    org = _org(ctx)
    return [
        pick(member_json(ctx.world.members[m]), ["id", "fullName", "username"]) for m in org.members
    ]
