"""One API request as the route handlers see it: parameters, the caller, typed lookups.

Parameters come from the query string, a form body or a JSON body (merged, body last), as
Trello accepts them. Every getter validates and raises :class:`ApiError` with Trello's wording,
so handlers validate everything first and mutate only once the whole request is known good.
A handler may only read parameters its route declares (the OpenAPI route walk relies on it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dateutil import parser as dateparser

from trello_tui.sandbox.errors import ApiError, invalid_id, invalid_value, not_found, unauthorized
from trello_tui.sandbox.world import (
    HEX24,
    Action,
    Board,
    Card,
    Checklist,
    Label,
    Member,
    TList,
    World,
    iso,
)

if TYPE_CHECKING:
    from trello_tui.sandbox.core import Sandbox
    from trello_tui.sandbox.router import Route

MAX_TEXT = 16384
TRUE = {"true"}
FALSE = {"false"}


@dataclass(slots=True)
class Ctx:
    sb: Sandbox
    route: Route
    path: dict[str, str]
    params: dict[str, Any] = field(repr=False)  # may hold the key and token
    member: Member
    token: str = field(repr=False)
    aliases: dict[str, str] = field(default_factory=dict)  # "value" → the field it sets

    def bad(self, name: str) -> ApiError:
        """Trello's 400 for a bad parameter, named as the client knows it."""
        return invalid_value(self.aliases.get(name, name))

    @property
    def world(self) -> World:
        return self.sb.world

    @property
    def me(self) -> str:
        return self.member.id

    # -- raw access ------------------------------------------------------------------------
    def raw(self, name: str) -> Any:
        if name not in self.route.params:
            raise RuntimeError(f"route {self.route.template} does not declare {name!r}")
        return self.params.get(name)

    def has(self, name: str) -> bool:
        return self.raw(name) is not None

    # -- typed getters ---------------------------------------------------------------------
    def text(
        self, name: str, default: str | None = None, *, min_len: int = 0, required: bool = False
    ) -> str | None:
        value = self.raw(name)
        if value is None:
            if required:
                raise self.bad(name)
            return default
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.bad(name)
        text = value if isinstance(value, str) else str(value)
        if len(text) > MAX_TEXT or len(text) < min_len:
            raise self.bad(name)
        return text

    def flag(self, name: str, default: bool | None = None) -> bool | None:
        value = self.raw(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in TRUE | FALSE:
            return value.lower() in TRUE
        raise self.bad(name)

    def pos(self, name: str = "pos", default: str | float | None = None) -> str | float | None:
        value = self.raw(name)
        if value is None:
            return default
        if isinstance(value, str) and value in ("top", "bottom"):
            return value
        if isinstance(value, bool):
            raise self.bad(name)
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise self.bad(name) from None
        if not math.isfinite(number) or number <= 0:
            raise self.bad(name)
        return number

    def date(self, name: str) -> tuple[bool, str | None]:
        """(present, ISO value or None for a cleared date)."""
        value = self.raw(name)
        if value is None:
            return False, None
        if value in ("", "null") or value is False:
            return True, None
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise self.bad(name)
        if isinstance(value, int | float) or value.isdigit():
            try:
                return True, iso(float(value) / 1000)
            except (OverflowError, OSError, ValueError):
                raise self.bad(name) from None
        try:
            parsed = dateparser.parse(value)
        except (ValueError, OverflowError):
            raise self.bad(name) from None
        if parsed.tzinfo is None:
            from datetime import UTC

            parsed = parsed.replace(tzinfo=UTC)
        try:
            return True, iso(parsed.timestamp())
        except (OverflowError, OSError, ValueError):
            raise self.bad(name) from None

    def integer(self, name: str, default: int, lo: int, hi: int) -> int:
        value = self.raw(name)
        if value is None:
            return default
        try:
            number = int(str(value))
        except ValueError:
            raise self.bad(name) from None
        if not lo <= number <= hi:
            raise self.bad(name)
        return number

    def oid(self, name: str, *, required: bool = True) -> str | None:
        value = self.raw(name)
        if value is None or value == "":
            if required:
                raise self.bad(name)
            return None
        if not isinstance(value, str) or not HEX24.match(value):
            raise self.bad(name)
        return value

    def oids(self, name: str) -> list[str] | None:
        value = self.raw(name)
        if value is None:
            return None
        if isinstance(value, list):
            parts = value
        elif isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
        else:
            raise self.bad(name)
        for p in parts:
            if not isinstance(p, str) or not HEX24.match(p):
                raise self.bad(name)
        return list(dict.fromkeys(parts))

    def fields(self, name: str = "fields") -> list[str] | None:
        value = self.raw(name)
        if value is None or value == "all":
            return None
        if not isinstance(value, str):
            raise self.bad(name)
        return [f.strip() for f in value.split(",") if f.strip()]

    def choice(self, name: str, options: set[str], default: str) -> str:
        value = self.raw(name)
        if value is None:
            return default
        if value is True:
            value = "true"
        if not isinstance(value, str) or value not in options:
            raise self.bad(name)
        return value

    # -- lookups ---------------------------------------------------------------------------
    def p(self, name: str) -> str:
        return self.path[name]

    def board(self, ref: str, *, write: bool = False) -> Board:
        w = self.world
        bid = w.resolve(ref)
        if not HEX24.match(bid):
            raise invalid_id()
        board = w.boards.get(bid)
        if board is None:
            raise not_found()
        self.check(board, write)
        return board

    def check(self, board: Board, write: bool, what: str = "") -> None:
        if not self.world.can_read(self.me, board):
            raise unauthorized(what)
        if write and not self.world.can_write(self.me, board):
            raise unauthorized(what)

    def card(self, ref: str, *, write: bool = False) -> Card:
        w = self.world
        cid = w.resolve(ref)
        if not HEX24.match(cid):
            raise invalid_id()
        card = w.cards.get(cid)
        if card is None:
            raise not_found()
        self.check(w.boards[card.id_board], write, "card")
        return card

    def tlist(self, lid: str, *, write: bool = False) -> TList:
        if not HEX24.match(lid):
            raise invalid_id()
        lst = self.world.lists.get(lid)
        if lst is None:
            raise not_found()
        self.check(self.world.boards[lst.id_board], write)
        return lst

    def label(self, lid: str, *, write: bool = False) -> Label:
        if not HEX24.match(lid):
            raise invalid_id()
        lab = self.world.labels.get(lid)
        if lab is None:
            raise not_found()
        self.check(self.world.boards[lab.id_board], write)
        return lab

    def checklist(self, cid: str, *, write: bool = False) -> Checklist:
        if not HEX24.match(cid):
            raise invalid_id()
        cl = self.world.checklists.get(cid)
        if cl is None:
            raise not_found()
        self.check(self.world.boards[cl.id_board], write)
        return cl

    def action(self, aid: str) -> Action:
        if not HEX24.match(aid):
            raise invalid_id()
        act = self.world.actions.get(aid)
        if act is None:
            raise not_found()
        if act.id_board is not None:
            self.check(self.world.boards[act.id_board], False)
        return act

    def member_ref(self, ref: str) -> Member:
        m = self.world.member_by_ref(ref, self.me)
        if m is None:
            if ref != "me" and not HEX24.match(ref) and not ref.replace("_", "").isalnum():
                raise invalid_id()
            raise not_found()
        return m


def param_error(name: str) -> ApiError:
    return invalid_value(name)
