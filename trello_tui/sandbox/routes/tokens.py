"""``/1/tokens/{token}``: introspection, its member, its webhooks, revocation."""

from __future__ import annotations

from typing import Any

from trello_tui.sandbox.context import Ctx
from trello_tui.sandbox.errors import ApiError, not_found
from trello_tui.sandbox.router import API
from trello_tui.sandbox.serialize import member_full_json, pick, token_json
from trello_tui.sandbox.world import Token


def _token(ctx: Ctx) -> Token:
    tok = ctx.world.tokens.get(ctx.p("token"))
    if tok is None:
        raise ApiError(401, "invalid token")
    if tok.id_member != ctx.me:
        raise ApiError(401, "unauthorized permission requested")
    return tok


@API.add("GET", "/tokens/{token}", "fields webhooks")
async def get_token(ctx: Ctx) -> Any:
    tok = _token(ctx)
    out = token_json(ctx.world, tok, webhooks=bool(ctx.flag("webhooks", False)))
    fields = ctx.fields()
    return out if fields is None else pick(out, [*fields, "webhooks"])


@API.add("GET", "/tokens/{token}/member", "fields")
async def token_member(ctx: Ctx) -> Any:
    tok = _token(ctx)
    m = ctx.world.members[tok.id_member]
    return pick(member_full_json(ctx.world, m, is_self=True), ctx.fields())


@API.add("DELETE", "/tokens/{token}", "")
async def revoke_token(ctx: Ctx) -> Any:
    tok = _token(ctx)
    w = ctx.world
    # a revoked token takes its webhooks with it (Trello's documented rule)
    for hook_id in [h.id for h in w.webhooks.values() if h.token == tok.token]:
        del w.webhooks[hook_id]
    del w.tokens[tok.token]
    w.touch()
    return {"_value": None}


def hook_of(ctx: Ctx, tok: Token) -> Any:
    hook = ctx.world.webhooks.get(ctx.p("idWebhook"))
    if hook is None or hook.token != tok.token:
        raise not_found()
    return hook
