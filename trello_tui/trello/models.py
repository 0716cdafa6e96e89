"""Trello objects as frozen dataclasses.

Every model is built with ``from_json`` from the JSON Trello serves, and tolerates missing,
null and unknown fields: a missing string becomes ``""``, a missing list ``()``, an unknown
label colour is kept as the string it is. The JSON it came from is kept in ``raw``, and
``to_json`` writes the typed fields back over it, so fields this module does not model
survive a round trip through the cache unchanged.

Every string a model reads passes through ``text.visible`` (multi-line for descriptions and
comments): Trello's data is other people's text, and here is where it enters the product, so
no control character or escape sequence in it reaches a screen, a log line or an export
whichever way it travels (``raw`` keeps the source as it was; ``to_json`` writes the typed,
visible fields over it). ``from_json`` never rejects anything; what Trello *sends* is checked
first, where the API layer decodes it (``checks.from_trello``, ``parse_many``).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar, Self, TypeVar

from trello_tui.trello import checks
from trello_tui.trello.text import visible

JSON = dict[str, Any]

#: Trello's 30 label colours; a label may also have no colour (``None``).
LABEL_COLORS: tuple[str, ...] = tuple(
    f"{base}{variant}"
    for base in (
        "green",
        "yellow",
        "orange",
        "red",
        "purple",
        "blue",
        "sky",
        "lime",
        "pink",
        "black",
    )
    for variant in ("", "_dark", "_light")
)


# -- tolerant readers ---------------------------------------------------------------------


def _str(data: Mapping[str, Any], key: str, default: str = "") -> str:
    """A one-line string field (a name), made visible."""
    value = data.get(key)
    return visible(value) if isinstance(value, str) else default


def _text(data: Mapping[str, Any], key: str) -> str:
    """A multi-line string field (a description, a comment), made visible."""
    value = data.get(key)
    return visible(value, multiline=True) if isinstance(value, str) else ""


def _opt_str(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return visible(value) if isinstance(value, str) else None


#: keys of an action's ``data`` (at any depth) whose strings keep their lines
_MULTILINE_KEYS = frozenset({"text", "desc"})


def _visible_json(value: Any, key: str = "") -> Any:
    """A JSON value with every string in it made visible (the same object when clean)."""
    if isinstance(value, str):
        return visible(value, multiline=key in _MULTILINE_KEYS)
    if isinstance(value, Mapping):
        items = {k: _visible_json(v, k) for k, v in value.items()}
        clean = all(items[k] is v for k, v in value.items()) and all(
            visible(k) is k for k in value if isinstance(k, str)
        )
        if clean:
            return value
        return {visible(k) if isinstance(k, str) else k: v for k, v in items.items()}
    if isinstance(value, list):
        out = [_visible_json(v, key) for v in value]
        return value if all(a is b for a, b in zip(out, value, strict=True)) else out
    return value


def _bool(data: Mapping[str, Any], key: str, default: bool = False) -> bool:
    value = data.get(key)
    return value if isinstance(value, bool) else default


def _int(data: Mapping[str, Any], key: str, default: int = 0) -> int:
    value = data.get(key)
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return default


def _float(data: Mapping[str, Any], key: str, default: float = 0.0) -> float:
    """A number field; anything else (``"abc"``, a bool, NaN) is the default.

    Trello always sends ``pos`` as a JSON number: one that arrives otherwise is rejected by
    ``checks`` before a model is built, so a default here never stands for a server's value.
    """
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return default
    number = float(value)
    return number if math.isfinite(number) else default


def _ids(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key)
    if not isinstance(value, list):
        return ()
    return tuple(visible(item) for item in value if isinstance(item, str))


def _objects(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = data.get(key)
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, Mapping)]


def parse_date(value: object) -> datetime | None:
    """Parse Trello's ISO-8601 dates (``2020-12-22T01:59:00.000Z``); anything else is None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def format_date(value: datetime | None) -> str | None:
    """Format a datetime as Trello does: UTC, milliseconds, ``Z``."""
    if value is None:
        return None
    from datetime import UTC

    utc = value.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def date_from_id(object_id: str) -> datetime | None:
    """The creation time Trello encodes in the first 8 hex digits of every id."""
    from datetime import UTC

    try:
        return datetime.fromtimestamp(int(object_id[:8], 16), UTC)
    except ValueError:
        return None


class Model:
    """Shared behaviour: ``raw`` keeps the source JSON; ``to_json`` merges typed fields back."""

    raw: Mapping[str, Any]
    #: typed attribute name -> JSON key, for attributes whose JSON form is a plain value.
    _json_names: ClassVar[Mapping[str, str]] = {}

    def _json_overrides(self) -> JSON:
        return {key: getattr(self, attr) for attr, key in self._json_names.items()}

    def to_json(self) -> JSON:
        merged = dict(self.raw)
        merged.update(self._json_overrides())
        return merged

    def with_changes(self, **changes: Any) -> Self:
        """A copy with some typed fields changed (``dataclasses.replace``)."""
        return dataclasses.replace(self, **changes)  # type: ignore[type-var]


@dataclasses.dataclass(frozen=True, slots=True)
class Member(Model):
    id: str
    username: str
    full_name: str
    initials: str
    avatar_url: str | None = None
    raw: Mapping[str, Any] = dataclasses.field(default_factory=dict, repr=False, compare=False)

    _json_names: ClassVar[Mapping[str, str]] = {
        "id": "id",
        "username": "username",
        "full_name": "fullName",
        "initials": "initials",
        "avatar_url": "avatarUrl",
    }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        full_name = _str(data, "fullName")
        initials = _str(data, "initials") or "".join(w[:1] for w in full_name.split()[:3]).upper()
        return cls(
            id=_str(data, "id"),
            username=_str(data, "username"),
            full_name=full_name,
            initials=initials or _str(data, "username")[:2].upper(),
            avatar_url=_opt_str(data, "avatarUrl"),
            raw=dict(data),
        )


@dataclasses.dataclass(frozen=True, slots=True)
class Organization(Model):
    id: str
    name: str
    display_name: str
    url: str = ""
    raw: Mapping[str, Any] = dataclasses.field(default_factory=dict, repr=False, compare=False)

    _json_names: ClassVar[Mapping[str, str]] = {
        "id": "id",
        "name": "name",
        "display_name": "displayName",
        "url": "url",
    }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        name = _str(data, "name")
        return cls(
            id=_str(data, "id"),
            name=name,
            display_name=_str(data, "displayName") or name,
            url=_str(data, "url"),
            raw=dict(data),
        )


@dataclasses.dataclass(frozen=True, slots=True)
class Label(Model):
    id: str
    id_board: str
    name: str
    #: one of LABEL_COLORS, None (no colour), or an unknown string from a newer Trello.
    color: str | None
    raw: Mapping[str, Any] = dataclasses.field(default_factory=dict, repr=False, compare=False)

    _json_names: ClassVar[Mapping[str, str]] = {
        "id": "id",
        "id_board": "idBoard",
        "name": "name",
        "color": "color",
    }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            id=_str(data, "id"),
            id_board=_str(data, "idBoard"),
            name=_str(data, "name"),
            color=_opt_str(data, "color"),
            raw=dict(data),
        )

    @property
    def known_color(self) -> bool:
        return self.color in LABEL_COLORS


@dataclasses.dataclass(frozen=True, slots=True)
class CheckItem(Model):
    id: str
    id_checklist: str
    name: str
    pos: float
    complete: bool
    due: datetime | None = None
    id_member: str | None = None
    raw: Mapping[str, Any] = dataclasses.field(default_factory=dict, repr=False, compare=False)

    _json_names: ClassVar[Mapping[str, str]] = {
        "id": "id",
        "id_checklist": "idChecklist",
        "name": "name",
        "pos": "pos",
        "id_member": "idMember",
    }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            id=_str(data, "id"),
            id_checklist=_str(data, "idChecklist"),
            name=_str(data, "name"),
            pos=_float(data, "pos"),
            complete=_str(data, "state") == "complete",
            due=parse_date(data.get("due")),
            id_member=_opt_str(data, "idMember"),
            raw=dict(data),
        )

    def _json_overrides(self) -> JSON:
        out = Model._json_overrides(self)
        out["state"] = "complete" if self.complete else "incomplete"
        out["due"] = format_date(self.due)
        return out


@dataclasses.dataclass(frozen=True, slots=True)
class Checklist(Model):
    id: str
    id_card: str
    id_board: str
    name: str
    pos: float
    check_items: tuple[CheckItem, ...] = ()
    raw: Mapping[str, Any] = dataclasses.field(default_factory=dict, repr=False, compare=False)

    _json_names: ClassVar[Mapping[str, str]] = {
        "id": "id",
        "id_card": "idCard",
        "id_board": "idBoard",
        "name": "name",
        "pos": "pos",
    }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        items = sorted(
            (CheckItem.from_json(item) for item in _objects(data, "checkItems")),
            key=lambda item: (item.pos, item.id),
        )
        return cls(
            id=_str(data, "id"),
            id_card=_str(data, "idCard"),
            id_board=_str(data, "idBoard"),
            name=_str(data, "name"),
            pos=_float(data, "pos"),
            check_items=tuple(items),
            raw=dict(data),
        )

    def _json_overrides(self) -> JSON:
        out = Model._json_overrides(self)
        out["checkItems"] = [item.to_json() for item in self.check_items]
        return out

    @property
    def done(self) -> int:
        return sum(1 for item in self.check_items if item.complete)


@dataclasses.dataclass(frozen=True, slots=True)
class Badges:
    """The counters Trello shows on a card's front."""

    check_items: int = 0
    check_items_checked: int = 0
    comments: int = 0
    attachments: int = 0
    description: bool = False
    votes: int = 0

    @classmethod
    def from_json(cls, data: object) -> Badges:
        if not isinstance(data, Mapping):
            return cls()
        return cls(
            check_items=_int(data, "checkItems"),
            check_items_checked=_int(data, "checkItemsChecked"),
            comments=_int(data, "comments"),
            attachments=_int(data, "attachments"),
            description=_bool(data, "description"),
            votes=_int(data, "votes"),
        )

    def to_json(self, base: object, card: Card) -> JSON:
        out: JSON = dict(base) if isinstance(base, Mapping) else {}
        out.update(
            {
                "checkItems": self.check_items,
                "checkItemsChecked": self.check_items_checked,
                "comments": self.comments,
                "attachments": self.attachments,
                "description": self.description,
                "votes": self.votes,
                "due": format_date(card.due),
                "dueComplete": card.due_complete,
                "start": format_date(card.start),
            }
        )
        return out


@dataclasses.dataclass(frozen=True, slots=True)
class Card(Model):
    id: str
    id_board: str
    id_list: str
    name: str
    pos: float
    desc: str = ""
    closed: bool = False
    due: datetime | None = None
    start: datetime | None = None
    due_complete: bool = False
    id_labels: tuple[str, ...] = ()
    id_members: tuple[str, ...] = ()
    id_checklists: tuple[str, ...] = ()
    labels: tuple[Label, ...] = ()
    badges: Badges = Badges()
    id_short: int = 0
    short_link: str = ""
    short_url: str = ""
    url: str = ""
    date_last_activity: datetime | None = None
    subscribed: bool = False
    raw: Mapping[str, Any] = dataclasses.field(default_factory=dict, repr=False, compare=False)

    _json_names: ClassVar[Mapping[str, str]] = {
        "id": "id",
        "id_board": "idBoard",
        "id_list": "idList",
        "name": "name",
        "pos": "pos",
        "desc": "desc",
        "closed": "closed",
        "due_complete": "dueComplete",
        "id_short": "idShort",
        "short_link": "shortLink",
        "short_url": "shortUrl",
        "url": "url",
        "subscribed": "subscribed",
    }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        labels = tuple(Label.from_json(label) for label in _objects(data, "labels"))
        id_labels = _ids(data, "idLabels") if "idLabels" in data else tuple(lb.id for lb in labels)
        return cls(
            id=_str(data, "id"),
            id_board=_str(data, "idBoard"),
            id_list=_str(data, "idList"),
            name=_str(data, "name"),
            pos=_float(data, "pos"),
            desc=_text(data, "desc"),
            closed=_bool(data, "closed"),
            due=parse_date(data.get("due")),
            start=parse_date(data.get("start")),
            due_complete=_bool(data, "dueComplete"),
            id_labels=id_labels,
            id_members=_ids(data, "idMembers"),
            id_checklists=_ids(data, "idChecklists"),
            labels=labels,
            badges=Badges.from_json(data.get("badges")),
            id_short=_int(data, "idShort"),
            short_link=_str(data, "shortLink"),
            short_url=_str(data, "shortUrl"),
            url=_str(data, "url"),
            date_last_activity=parse_date(data.get("dateLastActivity")),
            subscribed=_bool(data, "subscribed"),
            raw=dict(data),
        )

    def _json_overrides(self) -> JSON:
        out = Model._json_overrides(self)
        out["due"] = format_date(self.due)
        out["start"] = format_date(self.start)
        out["dateLastActivity"] = format_date(self.date_last_activity)
        out["idLabels"] = list(self.id_labels)
        out["idMembers"] = list(self.id_members)
        out["idChecklists"] = list(self.id_checklists)
        out["labels"] = [label.to_json() for label in self.labels]
        out["badges"] = self.badges.to_json(self.raw.get("badges"), self)
        return out


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
