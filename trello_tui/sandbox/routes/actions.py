"""Actions and comments: ``/1/actions/{id}`` and ``/1/cards/{id}/actions/comments``."""

from __future__ import annotations

from typing import Any

from trello_tui.sandbox import ops
from trello_tui.sandbox.context import Ctx
from trello_tui.sandbox.errors import ApiError, not_found, unauthorized
from trello_tui.sandbox.router import API
from trello_tui.sandbox.serialize import (
    board_json,
    card_json,
    list_json,
    member_json,
    pick,
)
from trello_tui.sandbox.serialize_actions import action_json
from trello_tui.sandbox.world import Action


@API.add("POST", "/cards/{id}/actions/comments", "text")
async def add_comment(ctx: Ctx) -> Any:
    card = ctx.card(ctx.p("id"), write=True)
    text = ctx.text("text", min_len=1, required=True) or ""
    act = ops.comment(ctx.world, ctx.me, card, text)
    return action_json(ctx.world, act, display=True)


@API.add("GET", "/actions/{id}", "display fields")
async def get_action(ctx: Ctx) -> Any:
    act = ctx.action(ctx.p("id"))
    return pick(action_json(ctx.world, act, display=bool(ctx.flag("display", True))), ctx.fields())


def _own_comment(ctx: Ctx, act: Action) -> None:
    if act.type != "commentCard":
        raise ApiError(400, "invalid value for idAction")
    if act.id_member_creator != ctx.me:
        raise unauthorized()


def _edit(ctx: Ctx, act: Action, name: str) -> Any:
    _own_comment(ctx, act)
    text = ctx.text(name, min_len=1, required=True) or ""
    ops.edit_comment(ctx.world, ctx.me, act, text)
    return action_json(ctx.world, act, display=True)


@API.add("PUT", "/actions/{id}", "text")
async def update_action(ctx: Ctx) -> Any:
    return _edit(ctx, ctx.action(ctx.p("id")), "text")


@API.add("PUT", "/actions/{id}/text", "value")
async def update_action_text(ctx: Ctx) -> Any:
    return _edit(ctx, ctx.action(ctx.p("id")), "value")


@API.add("DELETE", "/actions/{id}", "")
async def delete_action(ctx: Ctx) -> Any:
    act = ctx.action(ctx.p("id"))
    _own_comment(ctx, act)
    ops.delete_comment(ctx.world, ctx.me, act)
    return {"_value": None}


def _card_comment(ctx: Ctx) -> Action:
    card = ctx.card(ctx.p("id"), write=True)
    act = ctx.action(ctx.p("idAction"))
    if act.data.get("card", {}).get("id") != card.id:
        raise not_found()
    return act


@API.add("PUT", "/cards/{id}/actions/{idAction}/comments", "text")
async def card_update_comment(ctx: Ctx) -> Any:
    return _edit(ctx, _card_comment(ctx), "text")


@API.add("DELETE", "/cards/{id}/actions/{idAction}/comments", "")
async def card_delete_comment(ctx: Ctx) -> Any:
    act = _card_comment(ctx)
    _own_comment(ctx, act)
    ops.delete_comment(ctx.world, ctx.me, act)
    return {"_value": None}


@API.add("GET", "/actions/{id}/board", "fields")
@API.add("GET", "/actions/{id}/card", "fields")
@API.add("GET", "/actions/{id}/list", "fields")
@API.add("GET", "/actions/{id}/memberCreator", "fields")
async def action_model(ctx: Ctx) -> Any:
    w = ctx.world
    act = ctx.action(ctx.p("id"))
    kind = ctx.route.template.rsplit("/", 1)[1]
    if kind == "memberCreator":
        return pick(member_json(w.members[act.id_member_creator]), ctx.fields())
    ref = act.data.get(kind)
    ident = ref.get("id") if isinstance(ref, dict) else None
    if kind == "board" and ident in w.boards:
        return pick(board_json(w, w.boards[ident], ctx.me), ctx.fields())
    if kind == "card" and ident in w.cards:
        return pick(card_json(w, w.cards[ident]), ctx.fields())
    if kind == "list" and ident in w.lists:
        return pick(list_json(w.lists[ident]), ctx.fields())
    raise not_found()
