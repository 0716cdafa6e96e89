"""A board and its lists, actions, webhooks and tokens; ``parse_many`` for lists of models."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar, Self, TypeVar

from trello_tui.trello import checks
from trello_tui.trello.models.base import (
    JSON,
    Model,
    _bool,
    _float,
    _int,
    _objects,
    _opt_str,
    _str,
    _text,
    _visible_json,
    format_date,
    parse_date,
)
from trello_tui.trello.models.cards import (
    Card,
    Checklist,
    Label,
    Member,
)


@dataclasses.dataclass(frozen=True, slots=True)
class TrelloList(Model):
    id: str
    id_board: str
    name: str
    pos: float
    closed: bool = False
    subscribed: bool = False
    raw: Mapping[str, Any] = dataclasses.field(default_factory=dict, repr=False, compare=False)

    _json_names: ClassVar[Mapping[str, str]] = {
        "id": "id",
        "id_board": "idBoard",
        "name": "name",
        "pos": "pos",
        "closed": "closed",
        "subscribed": "subscribed",
    }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            id=_str(data, "id"),
            id_board=_str(data, "idBoard"),
            name=_str(data, "name"),
            pos=_float(data, "pos"),
            closed=_bool(data, "closed"),
            subscribed=_bool(data, "subscribed"),
            raw=dict(data),
        )


@dataclasses.dataclass(frozen=True, slots=True)
class Board(Model):
    """A board; the nested collections are filled when the board was loaded with them."""

    id: str
    name: str
    desc: str = ""
    closed: bool = False
    id_organization: str | None = None
    short_link: str = ""
    url: str = ""
    short_url: str = ""
    starred: bool = False
    date_last_activity: datetime | None = None
    date_last_view: datetime | None = None
    lists: tuple[TrelloList, ...] = ()
    cards: tuple[Card, ...] = ()
    labels: tuple[Label, ...] = ()
    members: tuple[Member, ...] = ()
    checklists: tuple[Checklist, ...] = ()
    raw: Mapping[str, Any] = dataclasses.field(default_factory=dict, repr=False, compare=False)

    _json_names: ClassVar[Mapping[str, str]] = {
        "id": "id",
        "name": "name",
        "desc": "desc",
        "closed": "closed",
        "id_organization": "idOrganization",
        "short_link": "shortLink",
        "url": "url",
        "short_url": "shortUrl",
        "starred": "starred",
    }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            id=_str(data, "id"),
            name=_str(data, "name"),
            desc=_text(data, "desc"),
            closed=_bool(data, "closed"),
            id_organization=_opt_str(data, "idOrganization"),
            short_link=_str(data, "shortLink"),
            url=_str(data, "url"),
            short_url=_str(data, "shortUrl"),
            starred=_bool(data, "starred"),
            date_last_activity=parse_date(data.get("dateLastActivity")),
            date_last_view=parse_date(data.get("dateLastView")),
            lists=tuple(TrelloList.from_json(item) for item in _objects(data, "lists")),
            cards=tuple(Card.from_json(item) for item in _objects(data, "cards")),
            labels=tuple(Label.from_json(item) for item in _objects(data, "labels")),
            members=tuple(Member.from_json(item) for item in _objects(data, "members")),
            checklists=tuple(Checklist.from_json(item) for item in _objects(data, "checklists")),
            raw={k: v for k, v in data.items() if k not in _BOARD_NESTED},
        )

    def _json_overrides(self) -> JSON:
        out = Model._json_overrides(self)
        out["dateLastActivity"] = format_date(self.date_last_activity)
        out["dateLastView"] = format_date(self.date_last_view)
        return out

    def with_nested_json(self) -> JSON:
        """The board with its nested collections, in the shape of a one-request board load."""
        out = self.to_json()
        out["lists"] = [item.to_json() for item in self.lists]
        out["cards"] = [item.to_json() for item in self.cards]
        out["labels"] = [item.to_json() for item in self.labels]
        out["members"] = [item.to_json() for item in self.members]
        out["checklists"] = [item.to_json() for item in self.checklists]
        return out


_BOARD_NESTED = frozenset({"lists", "cards", "labels", "members", "checklists", "actions"})


@dataclasses.dataclass(frozen=True, slots=True)
class Action(Model):
    """Something that happened (``createCard``, ``updateCard``, ``commentCard`` …)."""

    id: str
    type: str
    date: datetime | None
    id_member_creator: str
    data: Mapping[str, Any]
    member_creator: Member | None = None
    raw: Mapping[str, Any] = dataclasses.field(default_factory=dict, repr=False, compare=False)

    _json_names: ClassVar[Mapping[str, str]] = {
        "id": "id",
        "type": "type",
        "id_member_creator": "idMemberCreator",
    }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        creator = data.get("memberCreator")
        payload = data.get("data")
        return cls(
            id=_str(data, "id"),
            type=_str(data, "type"),
            date=parse_date(data.get("date")),
            id_member_creator=_str(data, "idMemberCreator"),
            data=dict(_visible_json(payload)) if isinstance(payload, Mapping) else {},
            member_creator=Member.from_json(creator) if isinstance(creator, Mapping) else None,
            raw=dict(data),
        )

    def _ref(self, kind: str) -> Mapping[str, Any]:
        value = self.data.get(kind)
        return value if isinstance(value, Mapping) else {}

    @property
    def board_id(self) -> str | None:
        return _opt_str(self._ref("board"), "id")

    @property
    def card_id(self) -> str | None:
        return _opt_str(self._ref("card"), "id")

    @property
    def list_id(self) -> str | None:
        return _opt_str(self._ref("list"), "id") or _opt_str(self._ref("listAfter"), "id")

    @property
    def text(self) -> str:
        return _text(self.data, "text")

    def _json_overrides(self) -> JSON:
        out = Model._json_overrides(self)
        out["data"] = dict(self.data)
        if self.member_creator is not None:
            out["memberCreator"] = self.member_creator.to_json()
        return out


@dataclasses.dataclass(frozen=True, slots=True)
class Webhook(Model):
    id: str
    id_model: str
    callback_url: str
    description: str = ""
    active: bool = True
    consecutive_failures: int = 0
    first_consecutive_fail_date: datetime | None = None
    raw: Mapping[str, Any] = dataclasses.field(default_factory=dict, repr=False, compare=False)

    _json_names: ClassVar[Mapping[str, str]] = {
        "id": "id",
        "id_model": "idModel",
        "callback_url": "callbackURL",
        "description": "description",
        "active": "active",
        "consecutive_failures": "consecutiveFailures",
    }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            id=_str(data, "id"),
            id_model=_str(data, "idModel"),
            callback_url=_str(data, "callbackURL"),
            description=_str(data, "description"),
            active=_bool(data, "active", default=True),
            consecutive_failures=_int(data, "consecutiveFailures"),
            first_consecutive_fail_date=parse_date(data.get("firstConsecutiveFailDate")),
            raw=dict(data),
        )


@dataclasses.dataclass(frozen=True, slots=True)
class Permission:
    id_model: str
    model_type: str
    read: bool
    write: bool


@dataclasses.dataclass(frozen=True, slots=True)
class Token(Model):
    """What ``GET /1/tokens/{token}`` says about a token (never the token itself)."""

    id: str
    identifier: str
    id_member: str
    date_created: datetime | None = None
    date_expires: datetime | None = None
    permissions: tuple[Permission, ...] = ()
    raw: Mapping[str, Any] = dataclasses.field(default_factory=dict, repr=False, compare=False)

    _json_names: ClassVar[Mapping[str, str]] = {
        "id": "id",
        "identifier": "identifier",
        "id_member": "idMember",
    }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        permissions = tuple(
            Permission(
                id_model=_str(item, "idModel"),
                model_type=_str(item, "modelType"),
                read=_bool(item, "read"),
                write=_bool(item, "write"),
            )
            for item in _objects(data, "permissions")
        )
        return cls(
            id=_str(data, "id"),
            identifier=_str(data, "identifier"),
            id_member=_str(data, "idMember"),
            date_created=parse_date(data.get("dateCreated")),
            date_expires=parse_date(data.get("dateExpires")),
            permissions=permissions,
            raw=dict(data),
        )

    def can_write(self, model_type: str = "Board") -> bool:
        return any(p.write for p in self.permissions if p.model_type == model_type)


M = TypeVar("M", bound=Model)


def parse_many(model: type[M], items: object) -> list[M]:
    """Parse a JSON array Trello sent: anything that is not a usable object is left out
    (``checks``: one warning per malformed object)."""
    if not isinstance(items, Sequence) or isinstance(items, str | bytes):
        return []
    parse = getattr(model, "from_json")  # noqa: B009 - every Model subclass defines it
    return [parse(item) for item in checks.usable(model.__name__, list(items))]
