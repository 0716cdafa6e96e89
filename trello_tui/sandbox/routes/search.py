"""``GET /1/search``: a simple word search over boards, cards and members you can read.

Every word of ``query`` must appear in the name (or a card's description); with
``partial=true`` the last word may be a prefix. Trello's search operators are not modelled.
"""

from __future__ import annotations

import re
from typing import Any

from trello_tui.sandbox.context import Ctx
from trello_tui.sandbox.errors import invalid_value
from trello_tui.sandbox.router import API
from trello_tui.sandbox.routes.common import cards_json
from trello_tui.sandbox.serialize import board_json, member_json, org_json, pick
from trello_tui.sandbox.world import HEX24

MODEL_TYPES = {"actions", "boards", "cards", "members", "organizations"}


def _matcher(query: str, partial: bool) -> Any:
    words = [w for w in re.findall(r"\w+", query.lower())]
    if not words:
        return lambda text: False
    last = words[-1]

    def match(text: str) -> bool:
        tokens = re.findall(r"\w+", text.lower())
        found = set(tokens)
        for w in words[:-1]:
            if w not in found:
                return False
        if partial:
            return any(t.startswith(last) for t in tokens)
        return last in found

    return match


@API.add(
    "GET",
    "/search",
    "query modelTypes idBoards partial cards_limit cards_page card_fields boards_limit "
    "board_fields members_limit member_fields organizations_limit organization_fields",
)
async def search(ctx: Ctx) -> Any:
    w = ctx.world
    query = ctx.text("query", min_len=1, required=True) or ""
    raw_types = ctx.raw("modelTypes")
    types = MODEL_TYPES if raw_types in (None, "all") else set(str(raw_types).split(","))
    if not types <= MODEL_TYPES:
        raise invalid_value("modelTypes")
    partial = bool(ctx.flag("partial", False))
    cards_limit = ctx.integer("cards_limit", 10, 1, 1000)
    cards_page = ctx.integer("cards_page", 0, 0, 100)
    boards_limit = ctx.integer("boards_limit", 10, 1, 1000)
    members_limit = ctx.integer("members_limit", 10, 1, 1000)
    orgs_limit = ctx.integer("organizations_limit", 10, 1, 1000)
    id_boards = ctx.raw("idBoards")
    readable = [b for b in w.boards.values() if w.can_read(ctx.me, b)]
    if isinstance(id_boards, str) and id_boards not in ("", "mine"):
        wanted = id_boards.split(",")
        if not all(HEX24.match(x) for x in wanted):
            raise invalid_value("idBoards")
        readable = [b for b in readable if b.id in wanted]
    elif id_boards == "mine":
        readable = [b for b in readable if ctx.me in b.members]
    match = _matcher(query, partial)
    out: dict[str, Any] = {
        "options": {
            "terms": [{"text": t} for t in query.split()],
            "modelTypes": sorted(types),
            "partial": partial,
        }
    }
    if "boards" in types:
        bf = ctx.fields("board_fields")
        hits = [b for b in readable if match(b.name)][:boards_limit]
        out["boards"] = [pick(board_json(w, b, ctx.me), bf) for b in hits]
    if "cards" in types:
        hits_json: list[Any] = []
        skip = cards_page * cards_limit
        cf = ctx.fields("card_fields")
        for b in readable:
            cards = [w.cards[c] for c in b.card_ids]
            hit = [c for c in cards if match(c.name) or match(c.desc)]
            hits_json.extend(cards_json(w, b, hit, cf))
        out["cards"] = hits_json[skip : skip + cards_limit]
    if "members" in types:
        mf = ctx.fields("member_fields")
        hits_m = [m for m in w.members.values() if match(f"{m.full_name} {m.username}")]
        out["members"] = [pick(member_json(m), mf) for m in hits_m[:members_limit]]
    if "organizations" in types:
        of = ctx.fields("organization_fields")
        hits_o = [o for o in w.orgs.values() if ctx.me in o.members and match(o.display_name)]
        out["organizations"] = [pick(org_json(o), of) for o in hits_o[:orgs_limit]]
    if "actions" in types:
        out["actions"] = []
    return out
