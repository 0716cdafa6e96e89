"""Card filters: text, labels, members, due, "my cards" — what ``f``, ``q`` and ``x`` drive.

A filter is parsed from one line the user types, Trello-search style:
``bug #red @alex due:overdue`` keeps cards whose name or description holds "bug", that carry
a label named or coloured "red", that have member @alex and that are overdue. Plain words
must all match; each operator kind must match at least one of its values.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime, timedelta

from trello_tui.sync.state import BoardState
from trello_tui.trello.models import Card

DUE_KINDS = ("overdue", "soon", "week", "none", "complete", "any")


@dataclasses.dataclass(frozen=True, slots=True)
class CardQuery:
    """What the board shows; the empty query shows every card."""

    words: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    members: tuple[str, ...] = ()
    due: tuple[str, ...] = ()
    mine: bool = False

    @property
    def empty(self) -> bool:
        return not (self.words or self.labels or self.members or self.due or self.mine)

    def describe(self) -> str:
        parts = list(self.words)
        parts += [f"#{label}" for label in self.labels]
        parts += [f"@{member}" for member in self.members]
        parts += [f"due:{kind}" for kind in self.due]
        if self.mine:
            parts.append("my cards")
        return " ".join(parts)

    def with_mine(self, mine: bool) -> CardQuery:
        return dataclasses.replace(self, mine=mine)


def parse_query(text: str) -> CardQuery:
    words: list[str] = []
    labels: list[str] = []
    members: list[str] = []
    due: list[str] = []
    for token in text.split():
        low = token.lower()
        if low.startswith("#") and len(low) > 1:
            labels.append(low[1:])
        elif low.startswith("@") and len(low) > 1:
            members.append(low[1:])
        elif low.startswith("due:") and low[4:] in DUE_KINDS:
            due.append(low[4:])
        else:
            words.append(low)
    return CardQuery(tuple(words), tuple(labels), tuple(members), tuple(due))


def _due_matches(card: Card, kind: str, now: datetime) -> bool:
    due = card.due
    if kind == "none":
        return due is None
    if due is None:
        return False
    if kind == "any":
        return True
    if kind == "complete":
        return card.due_complete
    if card.due_complete:
        return False
    if kind == "overdue":
        return due < now
    if kind == "soon":
        return now <= due <= now + timedelta(hours=24)
    return now <= due <= now + timedelta(days=7)  # "week"


def compile_query(
    query: CardQuery, state: BoardState, me: str | None, now: datetime
) -> Callable[[Card], bool] | None:
    """A predicate for the columns, or None when nothing is filtered."""
    if query.empty:
        return None
    label_ids = {
        label.id
        for label in state.labels.values()
        for want in query.labels
        if want in (label.name.lower(), (label.color or "").lower())
    }
    member_ids = {
        member.id
        for member in state.members.values()
        for want in query.members
        if want in (member.username.lower(), member.initials.lower())
        or want in member.full_name.lower()
    }
    me_member = state.member_by_username(me) if me else None
    my_id = me_member.id if me_member is not None else None

    def keep(card: Card) -> bool:
        if query.words:
            haystack = f"{card.name}\n{card.desc}".lower()
            if not all(word in haystack for word in query.words):
                return False
        if query.labels and not label_ids.intersection(card.id_labels):
            return False
        if query.members and not member_ids.intersection(card.id_members):
            return False
        if query.due and not any(_due_matches(card, kind, now) for kind in query.due):
            return False
        return not (query.mine and (my_id is None or my_id not in card.id_members))

    return keep
