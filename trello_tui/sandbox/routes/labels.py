"""``/1/labels/...``: board labels (a label deleted is removed from every card)."""

from __future__ import annotations

from typing import Any

from trello_tui.sandbox import ops_items
from trello_tui.sandbox.context import Ctx
from trello_tui.sandbox.errors import ApiError, invalid_value
from trello_tui.sandbox.router import API
from trello_tui.sandbox.routes.boards import label_color, new_label
from trello_tui.sandbox.serialize import label_json, pick


@API.add("POST", "/labels", "name color idBoard")
async def create_label(ctx: Ctx) -> Any:
    bid = ctx.oid("idBoard")
    board = ctx.world.boards.get(bid or "")
    if board is None:
        raise invalid_value("idBoard")
    ctx.check(board, True)
    return new_label(ctx, board)


@API.add("GET", "/labels/{id}", "fields")
async def get_label(ctx: Ctx) -> Any:
    lab = ctx.label(ctx.p("id"))
    return pick(label_json(lab), ctx.fields())


def _changes(ctx: Ctx, names: dict[str, str]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if "name" in names:
        changes["name"] = ctx.text(names["name"], "") or ""
    if "color" in names:
        changes["color"] = label_color(ctx, names["color"])
    return changes


@API.add("PUT", "/labels/{id}", "name color")
async def update_label(ctx: Ctx) -> Any:
    lab = ctx.label(ctx.p("id"), write=True)
    names = {n: n for n in ("name", "color") if ctx.has(n)}
    ops_items.update_label(ctx.world, ctx.me, lab, _changes(ctx, names))
    return label_json(lab)


@API.add("PUT", "/labels/{id}/{field}", "value")
async def update_label_field(ctx: Ctx) -> Any:
    field = ctx.p("field")
    ctx.aliases["value"] = field
    if field not in ("name", "color"):
        raise ApiError(404, f"Cannot PUT /1/labels/{ctx.p('id')}/{field}")
    lab = ctx.label(ctx.p("id"), write=True)
    ops_items.update_label(ctx.world, ctx.me, lab, _changes(ctx, {field: "value"}))
    return label_json(lab)


@API.add("DELETE", "/labels/{id}", "")
async def delete_label(ctx: Ctx) -> Any:
    lab = ctx.label(ctx.p("id"), write=True)
    ops_items.delete_label(ctx.world, ctx.me, lab)
    return {}
