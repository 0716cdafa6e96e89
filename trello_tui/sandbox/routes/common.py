"""Helpers shared by the route modules: nested card/board loads and action queries."""

from __future__ import annotations

from typing import Any

from trello_tui.sandbox.context import Ctx
from trello_tui.sandbox.errors import invalid_value
from trello_tui.sandbox.serialize import (
    BOARD_DEFAULT,
    J,
    board_json,
    card_json,
    label_json,
    label_uses,
    pick,
)
from trello_tui.sandbox.serialize_actions import action_json
from trello_tui.sandbox.world import HEX24, Action, Board, Card, World, id_time, parse_iso

CARD_FILTERS = {"all", "closed", "none", "open", "visible"}
LIST_FILTERS = {"all", "closed", "none", "open"}


def cards_json(w: World, board: Board, cards: list[Card], fields: list[str] | None) -> list[J]:
    """Cards in display order (list pos, then card pos), labels serialised once per board."""
    labels = {lid: label_json(w.labels[lid]) for lid in board.label_ids}
    lists = w.lists
    cards = sorted(cards, key=lambda c: (lists[c.id_list].pos, c.pos))
    if fields is None:
        return [card_json(w, c, labels) for c in cards]
    return [pick(card_json(w, c, labels), fields) for c in cards]


def filter_cards(cards: list[Card], flt: str) -> list[Card]:
    if flt == "none":
        return []
    if flt in ("open", "visible"):
        return [c for c in cards if not c.closed]
    if flt == "closed":
        return [c for c in cards if c.closed]
    return cards


def board_fields_json(ctx: Ctx, board: Board, name: str = "fields") -> J:
    full = board_json(ctx.world, board, ctx.me)
    value = ctx.raw(name) if name in ctx.route.params else None
    if value is None:
        return pick(full, BOARD_DEFAULT)
    return pick(full, ctx.fields(name))


def labels_json(w: World, board: Board, limit: int, fields: list[str] | None) -> list[J]:
    uses = label_uses(w, board)
    out = [label_json(w.labels[lid], uses[lid]) for lid in list(board.label_ids)[:limit]]
    return out if fields is None else [pick(x, fields) for x in out]


def _cutoff(value: str, name: str) -> tuple[float, int]:
    """A (time, seq) bound from an action id or a date; ids of unknown actions use their time."""
    if HEX24.match(value):
        return id_time(value), -1
    try:
        return parse_iso(value if "T" in value or value.endswith("Z") else value + "T00:00:00Z"), -1
    except ValueError:
        raise invalid_value(name) from None


def query_actions(ctx: Ctx, actions: list[Action], *, prefix: str = "") -> list[J]:
    """``filter``, ``since``, ``before``, ``limit`` and ``page``: newest first, ≤ 1000."""
    w = ctx.world
    flt = ctx.raw(prefix + "filter") if prefix != "actions_" else ctx.raw("actions")
    types: set[str] | None = None
    fielded: dict[str, str] = {}  # "updateCard:idList" → only updates that changed idList
    if isinstance(flt, str) and flt not in ("all", ""):
        types = set()
        for t in flt.split(","):
            kind, _, fld = t.strip().partition(":")
            if fld:
                fielded[kind] = fld
            else:
                types.add(kind)
    since = ctx.raw(prefix + "since")
    before = ctx.raw(prefix + "before")
    limit = ctx.integer(prefix + "limit", 50, 0, 1000)
    page = ctx.integer("page", 0, 0, 1000) if "page" in ctx.route.params else 0
    display = bool(ctx.flag("display", False)) if "display" in ctx.route.params else False
    since_key = _bound(w, since, prefix + "since") if isinstance(since, str) else None
    before_key = _bound(w, before, prefix + "before") if isinstance(before, str) else None
    out: list[J] = []
    skip = page * limit
    for act in reversed(actions):
        if types is not None and act.type not in types:
            wanted = fielded.get(act.type)
            if wanted is None or wanted not in act.data.get("old", {}):
                continue
        key = (parse_iso(act.date), act.seq)
        if since_key is not None and key <= since_key:
            break  # newest first: everything further is older still
        if before_key is not None and key >= before_key:
            continue
        if skip:
            skip -= 1
            continue
        if len(out) >= limit:
            break
        out.append(action_json(w, act, display=display))
    return out


def _bound(w: World, value: str, name: str) -> tuple[float, int]:
    act = w.actions.get(value)
    if act is not None:
        return parse_iso(act.date), act.seq
    if value == "lastView":
        return 0.0, -1
    t, _ = _cutoff(value, name)
    # an unknown id or a date: everything at that instant counts as "at" the bound
    return t, 1 << 62 if HEX24.match(value) else -1


def empty_list(_: Any = None) -> list[Any]:
    return []
