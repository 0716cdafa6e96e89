"""A card and what hangs on it: members, organizations, labels, checklists and badges."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar, Self

from trello_tui.trello.models.base import (
    JSON,
    LABEL_COLORS,
    Model,
    _bool,
    _float,
    _ids,
    _int,
    _objects,
    _opt_str,
    _str,
    _text,
    format_date,
    parse_date,
)


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
