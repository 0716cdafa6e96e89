"""What happened on a board, in the user's terms: Trello actions → ``CardEvent``s.

The sync engine hands on every action it merges (``RemoteActions``: polled or delivered by a
webhook, each once per engine, after the board state shows it). :func:`classify` reads one
action, with the board state for names, labels and members, into zero or more events whose
kinds are config.toml's trigger events:

================  =====================================================================
card_created      ``createCard``, ``copyCard``, ``convertToCardFromCheckItem``
card_moved        ``updateCard`` with ``listAfter`` (another list), ``moveCardToBoard``
card_assigned     ``addMemberToCard`` (``member`` is the one added)
card_archived     ``updateCard`` with ``closed`` true (was false)
comment_added     ``commentCard``
mentioned         ``commentCard`` whose text names ``@me``, ``@card`` (me on the card) or
                  ``@board``
card_due_soon     not an action: :func:`due_soon` scans the board for open cards due within
                  a window, not complete; its key holds the due date, so it fires once per
                  card and due date (a new due date fires again)
================  =====================================================================

Every event has a stable ``key`` (the action id and kind), so the same change seen twice —
by a poll and a webhook, or by the app and ``trello-tui watch`` — is recognised. Changes by
the signed-in user are events too (``by_me``): triggers run for them (a card you move to
Done yourself is done), while notifications skip them (``concerns_me``).

:class:`Notifier` glues this to engines: it subscribes, classifies, checks due dates on
demand, forgets keys it has already handed on, and calls one sink with each batch. Pure
functions and no I/O: the sink decides what to show or run.
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from trello_tui.sync.events import RemoteActions
from trello_tui.sync.state import BoardState
from trello_tui.trello.models import Action, Card, Member, format_date

#: the default window of ``card_due_soon``
DUE_SOON: Final = timedelta(hours=24)
_CREATE_TYPES: Final = frozenset({"createCard", "copyCard", "convertToCardFromCheckItem"})
_MENTION: Final = re.compile(r"(?<![\w@])@(\w+)")


@dataclasses.dataclass(frozen=True, slots=True)
class Me:
    """The signed-in user, by id or username (either may be unknown at first)."""

    id: str | None = None
    username: str | None = None

    def resolve(self, state: BoardState | None) -> Me:
        """Fill in the id from the board's members when only the username is known."""
        if self.id or not self.username or state is None:
            return self
        member = state.member_by_username(self.username)
        return Me(member.id, self.username) if member else self

    def is_(self, member_id: str | None, username: str | None = None) -> bool:
        if member_id and self.id and member_id == self.id:
            return True
        return bool(username and self.username and username.lower() == self.username.lower())


@dataclasses.dataclass(frozen=True, slots=True)
class Person:
    id: str
    username: str = ""
    full_name: str = ""

    @property
    def shown(self) -> str:
        return self.full_name or self.username or self.id

    def names(self) -> tuple[str, ...]:
        return tuple(n for n in (self.id, self.username, self.full_name) if n)


@dataclasses.dataclass(frozen=True, slots=True)
class CardEvent:
    """One thing that happened to a card, with every field a trigger may want."""

    kind: str
    key: str
    board_id: str
    board_name: str
    card_id: str
    card_name: str
    card_url: str = ""
    list_id: str = ""
    list_name: str = ""
    list_before_name: str = ""
    #: who the event is about: the member added (card_assigned), else who did it
    member: Person | None = None
    actor: Person | None = None
    text: str = ""
    #: (id, name, colour) of the card's labels
    labels: tuple[tuple[str, str, str], ...] = ()
    card_members: tuple[Person, ...] = ()
    due: datetime | None = None
    action_id: str | None = None
    date: datetime | None = None
    by_me: bool = False
    concerns_me: bool = False

    def summary(self) -> str:
        """One line for the terminal or a notification."""
        lists = self.list_name
        if self.list_before_name and self.kind == "card_moved":
            lists = f"{self.list_before_name} → {self.list_name}"
        where = f"{self.board_name} › {lists}" if lists else self.board_name
        what = {
            "card_created": "created",
            "card_moved": "moved",
            "card_assigned": f"assigned to {self.member.shown if self.member else 'someone'}",
            "card_archived": "archived",
            "comment_added": "commented",
            "mentioned": "mentioned you",
            "card_due_soon": f"due {local_time(self.due)}",
        }.get(self.kind, self.kind)
        who = f" by {self.actor.shown}" if self.actor and self.kind != "card_due_soon" else ""
        text = f": {_one_line(self.text)}" if self.text else ""
        return f"{self.kind}  {where}  '{_one_line(self.card_name)}' {what}{who}{text}"

    def as_json(self) -> dict[str, Any]:
        """Plain JSON (``trello-tui watch --json``)."""
        return {
            "event": self.kind,
            "key": self.key,
            "board": {"id": self.board_id, "name": self.board_name},
            "card": {"id": self.card_id, "name": self.card_name, "url": self.card_url},
            "list": {"id": self.list_id, "name": self.list_name},
            "listBefore": self.list_before_name or None,
            "member": dataclasses.asdict(self.member) if self.member else None,
            "actor": dataclasses.asdict(self.actor) if self.actor else None,
            "text": self.text or None,
            "labels": [{"id": i, "name": n, "color": c} for i, n, c in self.labels],
            "due": format_date(self.due),
            "action": self.action_id,
            "date": format_date(self.date),
            "byMe": self.by_me,
        }


def local_time(when: datetime | None) -> str:
    return when.astimezone().strftime("%Y-%m-%d %H:%M") if when else "soon"


def _one_line(text: str, width: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _ref(data: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = data.get(name)
    return value if isinstance(value, Mapping) else {}


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    return value if isinstance(value, str) else ""


def _person(member: Member | None, member_id: str, state: BoardState | None) -> Person | None:
    if not member_id and member is None:
        return None
    known = member or (state.members.get(member_id) if state else None)
    if known is None:
        return Person(member_id)
    return Person(known.id or member_id, known.username, known.full_name)


def card_url(card: Card | None, short_link: str) -> str:
    if card is not None and (card.url or card.short_url):
        return card.url or card.short_url
    return f"https://trello.com/c/{short_link}" if short_link else ""


def _labels_members(
    card: Card | None, state: BoardState | None
) -> tuple[tuple[tuple[str, str, str], ...], tuple[Person, ...]]:
    """The card's labels as (id, name, colour) and its members, as the board knows them."""
    if card is None or state is None:
        return (), ()
    labels = tuple(
        (lid, state.labels[lid].name, state.labels[lid].color or "")
        for lid in card.id_labels
        if lid in state.labels
    )
    members = tuple(p for mid in card.id_members if (p := _person(None, mid, state)))
    return labels, members


def _base(action: Action, state: BoardState | None, me: Me) -> CardEvent | None:
    """The fields every kind shares, from the action first and the board state second."""
    data = action.data
    card_ref = _ref(data, "card")
    card_id = _text(card_ref, "id")
    if not card_id:
        return None
    card = state.cards.get(card_id) if state else None
    board_ref = _ref(data, "board")
    board_id = _text(board_ref, "id") or (state.id if state else "")
    board_name = _text(board_ref, "name") or (state.board.name if state else "")
    list_ref = _ref(data, "listAfter") or _ref(data, "list")
    list_id = _text(list_ref, "id") or (card.id_list if card else "")
    trello_list = state.lists.get(list_id) if state else None
    list_name = _text(list_ref, "name") or (trello_list.name if trello_list else "")
    labels, members = _labels_members(card, state)
    actor = _person(action.member_creator, action.id_member_creator, state)
    by_me = me.is_(
        action.id_member_creator, action.member_creator.username if action.member_creator else None
    )
    return CardEvent(
        kind="",
        key="",
        board_id=board_id,
        board_name=board_name,
        card_id=card_id,
        # The card's current name: a rename in the same batch is already merged.
        card_name=card.name if card else _text(card_ref, "name"),
        card_url=card_url(card, _text(card_ref, "shortLink")),
        list_id=list_id,
        list_name=list_name,
        list_before_name=_text(_ref(data, "listBefore"), "name"),
        member=actor,
        actor=actor,
        labels=labels,
        card_members=members,
        due=card.due if card else None,
        action_id=action.id,
        date=action.date,
        by_me=by_me,
    )


def _kinds(action: Action) -> list[str]:
    data = action.data
    old = _ref(data, "old")
    card = _ref(data, "card")
    if action.type in _CREATE_TYPES:
        return ["card_created"]
    if action.type == "moveCardToBoard":
        return ["card_moved"]
    if action.type == "addMemberToCard":
        return ["card_assigned"]
    if action.type == "commentCard":
        return ["comment_added"]
    if action.type != "updateCard":
        return []
    kinds = []
    before, after = _ref(data, "listBefore"), _ref(data, "listAfter")
    if after and _text(after, "id") != _text(before, "id"):
        kinds.append("card_moved")
    if card.get("closed") is True and old.get("closed") is False:
        kinds.append("card_archived")
    return kinds


def _mentions_me(text: str, event: CardEvent, me: Me) -> bool:
    for name in _MENTION.findall(text):
        lowered = name.lower()
        if me.username and lowered == me.username.lower():
            return True
        if lowered == "board":
            return True
        if lowered == "card" and any(me.is_(p.id, p.username) for p in event.card_members):
            return True
    return False


def classify(action: Action, state: BoardState | None, me: Me) -> list[CardEvent]:
    """The events one Trello action stands for (none for most actions)."""
    kinds = _kinds(action)
    if not kinds:
        return []
    base = _base(action, state, me)
    if base is None:
        return []
    events = []
    for kind in kinds:
        event = dataclasses.replace(base, kind=kind, key=f"{action.id}:{kind}")
        if kind == "card_assigned":
            added = _text(action.data, "idMember")
            raw_member = action.raw.get("member")
            member = Member.from_json(raw_member) if isinstance(raw_member, Mapping) else None
            person = _person(member, added, state)
            if person is not None and not person.full_name:
                person = dataclasses.replace(
                    person, full_name=_text(_ref(action.data, "member"), "name")
                )
            event = dataclasses.replace(event, member=person)
            event = dataclasses.replace(
                event,
                concerns_me=bool(person and me.is_(person.id, person.username)) and not base.by_me,
            )
        elif kind == "comment_added":
            event = dataclasses.replace(event, text=action.text)
        elif kind == "card_moved":
            event = dataclasses.replace(event, concerns_me=not base.by_me)
        events.append(event)
        if kind == "comment_added" and not base.by_me and _mentions_me(action.text, event, me):
            mention = dataclasses.replace(
                event, kind="mentioned", key=f"{action.id}:mentioned", concerns_me=True
            )
            events.append(mention)
    return events


def due_soon(
    state: BoardState, me: Me, now: datetime, within: timedelta = DUE_SOON
) -> list[CardEvent]:
    """Open, incomplete cards in open lists due between ``now`` and ``now + within``."""
    events = []
    until = now + within
    for card in state.cards.values():
        if card.due is None or card.due_complete or card.closed or not (now <= card.due <= until):
            continue
        trello_list = state.lists.get(card.id_list)
        if trello_list is None or trello_list.closed:
            continue
        labels, members = _labels_members(card, state)
        events.append(
            CardEvent(
                kind="card_due_soon",
                key=f"due:{card.id}:{format_date(card.due)}",
                board_id=state.id,
                board_name=state.board.name,
                card_id=card.id,
                card_name=card.name,
                card_url=card_url(card, card.short_link),
                list_id=card.id_list,
                list_name=trello_list.name,
                labels=labels,
                card_members=members,
                due=card.due,
                date=now,
                concerns_me=any(me.is_(p.id, p.username) for p in members),
            )
        )
    return sorted(events, key=lambda e: (e.due or now, e.card_id))


Sink = Callable[[list[CardEvent]], None]


class Notifier:
    """Turns engines' ``RemoteActions`` (and due dates) into events for one sink, each once."""

    def __init__(
        self,
        me: Me,
        sink: Sink,
        *,
        due_within: timedelta = DUE_SOON,
        clock: Callable[[], float] = time.time,
        memory: int = 5000,
    ) -> None:
        self.me = me
        self.sink = sink
        self.due_within = due_within
        self.clock = clock
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._memory = memory

    def attach(self, engine: Any) -> Callable[[], None]:
        """Subscribe to a SyncEngine; returns the unsubscribe function."""
        callback: Callable[[object], None] = lambda event: self.engine_event(engine, event)  # noqa: E731
        unsubscribe: Callable[[], None] = engine.subscribe(callback)
        return unsubscribe

    def engine_event(self, engine: Any, event: object) -> None:
        if isinstance(event, RemoteActions):
            self.actions(engine.state, event.actions)

    def actions(self, state: BoardState | None, actions: Iterable[Action]) -> list[CardEvent]:
        """Classify actions (oldest first) and hand the new events to the sink."""
        self.me = self.me.resolve(state)
        events = [
            event
            for action in sorted(actions, key=lambda a: a.id)
            for event in classify(action, state, self.me)
        ]
        if state is not None:
            events += self._due(state)
        return self._hand_on(events)

    def check_due(self, state: BoardState | None) -> list[CardEvent]:
        """Scan a board for cards due soon (call it on a timer and after a load)."""
        if state is None:
            return []
        self.me = self.me.resolve(state)
        return self._hand_on(self._due(state))

    def _due(self, state: BoardState) -> list[CardEvent]:
        now = datetime.fromtimestamp(self.clock(), UTC)
        return due_soon(state, self.me, now, self.due_within)

    def _hand_on(self, events: list[CardEvent]) -> list[CardEvent]:
        fresh = [e for e in events if e.key not in self._seen]
        for event in fresh:
            self._seen[event.key] = None
        while len(self._seen) > self._memory:
            self._seen.popitem(last=False)
        if fresh:
            self.sink(fresh)
        return fresh
