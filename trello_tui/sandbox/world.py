"""The sandbox's in-memory Trello world: members, tokens, boards, lists, cards and the rest.

Objects are plain slotted dataclasses linked by id. Every board keeps ordered id sets of its
lists, cards, labels, checklists and actions so a whole board serialises without scanning the
world. Ids are 24 hex digits whose first 8 are the creation time (as Trello's Mongo ObjectIds),
followed by a per-world random part and a counter, so ids made in one second still sort in
creation order. Persistence is a plain JSON dump of every object (``to_json``/``from_json``).
"""

from __future__ import annotations

import dataclasses
import re
import secrets
import string
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

HEX24 = re.compile(r"^[0-9a-fA-F]{24}$")
SHORTLINK_ALPHABET = string.ascii_letters + string.digits


def iso(ts: float | None = None) -> str:
    """ISO-8601 UTC with milliseconds and ``Z``, as Trello writes every date."""
    dt = datetime.fromtimestamp(time.time() if ts is None else ts, tz=UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def parse_iso(value: str) -> float:
    """Epoch seconds of a date written by :func:`iso` (or any ISO date with a zone)."""
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def id_time(object_id: str) -> float:
    """The creation time encoded in an id's first 8 hex digits."""
    return float(int(object_id[:8], 16))


@dataclass(slots=True)
class Member:
    id: str
    username: str
    full_name: str
    initials: str
    avatar_hash: str | None = None
    bio: str = ""
    email: str = ""
    confirmed: bool = True
    member_type: str = "normal"


@dataclass(slots=True)
class Token:
    token: str
    id: str
    id_member: str
    identifier: str
    date_created: str
    date_expires: str | None = None
    scope: str = "read,write,account"  # what the user approved (sandbox/oauth.py checks it)
    secret: str | None = None  # OAuth 1.0a access-token secret, for signed requests


@dataclass(slots=True)
class Org:
    id: str
    name: str
    display_name: str
    desc: str = ""
    website: str | None = None
    members: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Board:
    id: str
    name: str
    short_link: str
    id_member_creator: str
    date_last_activity: str
    desc: str = ""
    closed: bool = False
    id_org: str | None = None
    permission_level: str = "private"
    background: str = "blue"
    pinned: bool = False
    starred: bool = False
    subscribed: bool = False
    date_closed: str | None = None
    date_last_view: str | None = None
    members: dict[str, str] = field(default_factory=dict)  # member id -> admin|normal|observer
    next_id_short: int = 1
    list_ids: dict[str, None] = field(default_factory=dict)
    card_ids: dict[str, None] = field(default_factory=dict)
    label_ids: dict[str, None] = field(default_factory=dict)
    checklist_ids: dict[str, None] = field(default_factory=dict)
    action_ids: list[str] = field(default_factory=list)


@dataclass(slots=True)
class TList:
    id: str
    name: str
    id_board: str
    pos: float
    closed: bool = False
    subscribed: bool = False
    color: str | None = None
    card_ids: dict[str, None] = field(default_factory=dict)


@dataclass(slots=True)
class Card:
    id: str
    name: str
    id_board: str
    id_list: str
    pos: float
    id_short: int
    short_link: str
    date_last_activity: str
    desc: str = ""
    closed: bool = False
    due: str | None = None
    start: str | None = None
    due_complete: bool = False
    due_reminder: int | None = None
    subscribed: bool = False
    id_labels: list[str] = field(default_factory=list)
    id_members: list[str] = field(default_factory=list)
    id_members_voted: list[str] = field(default_factory=list)
    checklist_ids: list[str] = field(default_factory=list)
    comments: int = 0
    cover_color: str | None = None


@dataclass(slots=True)
class Label:
    id: str
    id_board: str
    name: str
    color: str | None


@dataclass(slots=True)
class CheckItem:
    id: str
    id_checklist: str
    name: str
    pos: float
    state: str = "incomplete"
    due: str | None = None
    due_reminder: int | None = None
    id_member: str | None = None


@dataclass(slots=True)
class Checklist:
    id: str
    name: str
    id_board: str
    id_card: str
    pos: float
    items: list[CheckItem] = field(default_factory=list)


@dataclass(slots=True)
class Action:
    id: str
    type: str
    id_member_creator: str
    date: str
    data: dict[str, Any]
    id_board: str | None
    models: list[str]  # ids of every model the action concerns (webhooks, card/list actions)
    seq: int = 0


@dataclass(slots=True)
class Webhook:
    id: str
    token: str
    id_model: str
    callback_url: str
    description: str = ""
    active: bool = True
    consecutive_failures: int = 0
    first_fail_date: str | None = None


KINDS: dict[str, type[Any]] = {
    "members": Member,
    "tokens": Token,
    "orgs": Org,
    "boards": Board,
    "lists": TList,
    "cards": Card,
    "labels": Label,
    "checklists": Checklist,
    "actions": Action,
    "webhooks": Webhook,
}


class World:
    """Every object of one sandbox, indexed by id; ``version`` counts mutations."""

    def __init__(self) -> None:
        self.key = secrets.token_hex(16)
        self.secret = secrets.token_hex(32)
        self.me = ""  # member id of the main token's member
        self.members: dict[str, Member] = {}
        self.tokens: dict[str, Token] = {}
        self.orgs: dict[str, Org] = {}
        self.boards: dict[str, Board] = {}
        self.lists: dict[str, TList] = {}
        self.cards: dict[str, Card] = {}
        self.labels: dict[str, Label] = {}
        self.checklists: dict[str, Checklist] = {}
        self.check_items: dict[str, str] = {}  # check item id -> checklist id
        self.actions: dict[str, Action] = {}
        self.webhooks: dict[str, Webhook] = {}
        self.short_links: dict[str, str] = {}  # board and card shortLinks -> id
        self.version = 0
        self.action_seq = 0
        self._machine = secrets.token_hex(5)
        self._counter = secrets.randbelow(1 << 20)
        self.outbox: list[Action] = []  # actions not yet offered to webhooks

    # -- ids -------------------------------------------------------------------------------
    def new_id(self, ts: float | None = None) -> str:
        self._counter = (self._counter + 1) & 0xFFFFFF
        stamp = int(time.time() if ts is None else ts)
        return f"{stamp:08x}{self._machine}{self._counter:06x}"

    def new_short_link(self) -> str:
        while True:
            link = "".join(secrets.choice(SHORTLINK_ALPHABET) for _ in range(8))
            if link not in self.short_links:
                return link

    # -- members ---------------------------------------------------------------------------
    def member_by_ref(self, ref: str, me: str) -> Member | None:
        """A member by ``me``, id or username."""
        if ref == "me":
            return self.members.get(me)
        if ref in self.members:
            return self.members[ref]
        for m in self.members.values():
            if m.username == ref:
                return m
        return None

    def add_member(self, username: str, full_name: str, *, email: str = "") -> Member:
        initials = "".join(p[0] for p in full_name.split()[:3]).upper() or username[:2].upper()
        m = Member(
            id=self.new_id(),
            username=username,
            full_name=full_name,
            initials=initials,
            avatar_hash=secrets.token_hex(16),
            email=email or f"{username}@example.invalid",
        )
        self.members[m.id] = m
        return m

    def add_token(self, member: Member, identifier: str = "Server Token") -> Token:
        tok = Token(
            token=secrets.token_hex(32),
            id=self.new_id(),
            id_member=member.id,
            identifier=identifier,
            date_created=iso(),
        )
        self.tokens[tok.token] = tok
        return tok

    def token_of(self, member_id: str) -> str:
        for tok in self.tokens.values():
            if tok.id_member == member_id:
                return tok.token
        raise KeyError(member_id)

    # -- queries ---------------------------------------------------------------------------
    def resolve(self, ref: str) -> str:
        """A board or card id from an id or a shortLink (both work in paths)."""
        return self.short_links.get(ref, ref)

    def board_cards(self, board: Board) -> list[Card]:
        cards = self.cards
        return [cards[c] for c in board.card_ids]

    def sorted_lists(self, board: Board) -> list[TList]:
        return sorted((self.lists[i] for i in board.list_ids), key=lambda x: x.pos)

    def can_read(self, member_id: str, board: Board) -> bool:
        if member_id in board.members or board.permission_level == "public":
            return True
        if board.permission_level == "org" and board.id_org in self.orgs:
            return member_id in self.orgs[board.id_org].members
        return False

    def can_write(self, member_id: str, board: Board) -> bool:
        return board.members.get(member_id, "observer") != "observer"

    def touch(self) -> None:
        self.version += 1

    # -- persistence -----------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "format": "trello-tui-sandbox/1",
            "key": self.key,
            "secret": self.secret,
            "me": self.me,
            "action_seq": self.action_seq,
        }
        for kind in KINDS:
            out[kind] = [dataclasses.asdict(o) for o in getattr(self, kind).values()]
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> World:
        w = cls()
        w.key, w.secret, w.me = data["key"], data["secret"], data["me"]
        w.action_seq = int(data.get("action_seq", 0))
        for kind, klass in KINDS.items():
            store = getattr(w, kind)
            for raw in data.get(kind, []):
                if klass is Checklist:
                    raw = dict(raw, items=[CheckItem(**i) for i in raw["items"]])
                obj = klass(**raw)
                store[obj.token if klass is Token else obj.id] = obj
        for cl in w.checklists.values():
            for item in cl.items:
                w.check_items[item.id] = cl.id
        for b in w.boards.values():
            w.short_links[b.short_link] = b.id
        for c in w.cards.values():
            w.short_links[c.short_link] = c.id
        return w
