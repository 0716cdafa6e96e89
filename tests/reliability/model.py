"""What the user and the teammate meant: the model the sandbox's board must equal at the end.

The user model holds, for every card the user may touch, the fields the user changes (list,
place in its list, name, labels, members, due, dueComplete, archived, check items). The
teammate owns other things (the description of the user's seed cards, its own cards in its own
lists), kept apart so an undo of the user's never rewinds the teammate's work.

Cards are known by a key: a seed card by its id; a card the user creates by a tag that starts
its name (``n17``, renamed ``n17 r2``), since its id is only learnt from Trello's answer. A card
whose create was undone is *gone*: either never sent (absent) or archived — both are what the
user asked for.

``compare`` reads the sandbox's world and counts what is lost (the user's intent missing) and
duplicated (a card twice, or a card nobody made); both must be 0.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from trello_tui.sandbox.world import World, parse_iso


@dataclass
class MCard:
    """One card as the user intends it."""

    key: str
    name: str
    list_id: str
    created: bool = False
    closed: bool = False
    gone: bool = False  # an undone create: absent or archived
    labels: set[str] = field(default_factory=set)
    members: set[str] = field(default_factory=set)
    due: datetime | None = None
    due_complete: bool = False
    checks: dict[str, bool] = field(default_factory=dict)  # check item id -> complete

    @property
    def tag(self) -> str:
        return self.name.split(" ")[0]


@dataclass
class UserModel:
    """The user's board: cards by key, and each user list's open cards in order."""

    cards: dict[str, MCard]
    lists: dict[str, list[str]]  # list id -> keys of its open cards, top to bottom
    list_order: list[str]  # the user's lists, left to right

    def snapshot(self) -> UserModel:
        return copy.deepcopy(self)

    def where(self, key: str) -> tuple[str, int]:
        card = self.cards[key]
        return card.list_id, self.lists[card.list_id].index(key)

    def move(self, key: str, list_id: str, index: int) -> None:
        src, at = self.where(key)
        del self.lists[src][at]
        target = self.lists[list_id]
        target.insert(max(0, min(index, len(target))), key)
        self.cards[key].list_id = list_id

    def create(self, key: str, name: str, list_id: str, index: int) -> None:
        self.cards[key] = MCard(key, name, list_id, created=True)
        target = self.lists[list_id]
        target.insert(max(0, min(index, len(target))), key)

    def archive(self, key: str) -> None:
        list_id, at = self.where(key)
        del self.lists[list_id][at]
        self.cards[key].closed = True

    def restore_for_undo(self, before: UserModel, created_key: str | None) -> None:
        """Undo the last operation: back to ``before``; an undone create is *gone*."""
        self.cards, self.lists = before.cards, before.lists
        if created_key is not None:
            card = self._gone_card(created_key)
            self.cards[created_key] = card

    def _gone_card(self, key: str) -> MCard:
        return MCard(key, key, "", created=True, closed=True, gone=True)


@dataclass
class MateModel:
    """The teammate's intent: its cards (in its lists) and the user cards' descriptions."""

    cards: dict[str, dict[str, Any]]  # card id -> {"name", "list_id"}
    lists: dict[str, list[str]]  # the teammate's lists -> card ids in order
    checks: dict[str, bool]  # check item id (on the teammate's cards) -> complete
    descs: dict[str, str]  # user seed card id -> description the teammate set


@dataclass
class Verdict:
    lost: int = 0
    duplicated: int = 0
    problems: list[str] = field(default_factory=list)

    def lose(self, text: str) -> None:
        self.lost += 1
        self.problems.append("lost: " + text)

    def duplicate(self, text: str) -> None:
        self.duplicated += 1
        self.problems.append("duplicated: " + text)


def _due(value: str | None) -> float | None:
    return None if value is None else parse_iso(value)


def compare(world: World, board_id: str, user: UserModel, mate: MateModel) -> Verdict:
    """The sandbox's board against both models."""
    verdict = Verdict()
    board = world.boards[board_id]
    cards = [world.cards[c] for c in board.card_ids]
    by_key: dict[str, list[Any]] = {}
    tags = {c.tag: k for k, c in user.cards.items() if c.created}
    for card in cards:
        if card.id in user.cards or card.id in mate.cards:
            key = card.id
        else:
            key = tags.get(card.name.split(" ")[0], "")
            if not key:
                verdict.duplicate(f"a card nobody made: {card.name!r} ({card.id})")
                continue
        by_key.setdefault(key, []).append(card)
    for key, found in by_key.items():
        if len(found) > 1:
            verdict.duplicate(f"{key}: {len(found)} cards ({[c.name for c in found]})")
    for key, want in user.cards.items():
        found = by_key.get(key, [])
        if not found:
            if not want.gone:
                verdict.lose(f"card {want.name!r} missing")
            continue
        _compare_card(world, found[0], want, verdict)
    for list_id, keys in user.lists.items():
        _compare_order(world, list_id, keys, by_key, verdict)
    _compare_mate(world, mate, verdict)
    return verdict


def _compare_card(world: World, card: Any, want: MCard, verdict: Verdict) -> None:
    if want.gone:
        if not card.closed:
            verdict.lose(f"undone create {want.key!r} is still open")
        return
    got: dict[str, Any] = {
        "name": card.name,
        "closed": card.closed,
        "labels": set(card.id_labels),
        "members": set(card.id_members),
        "due": _due(card.due),
        "dueComplete": card.due_complete,
    }
    expected: dict[str, Any] = {
        "name": want.name,
        "closed": want.closed,
        "labels": want.labels,
        "members": want.members,
        "due": want.due.timestamp() if want.due else None,
        "dueComplete": want.due_complete,
    }
    if not want.closed:
        got["list"], expected["list"] = card.id_list, want.list_id
    for item_id, complete in want.checks.items():
        checklist = world.checklists[world.check_items[item_id]]
        item = next(i for i in checklist.items if i.id == item_id)
        got[f"check {item.name}"] = item.state == "complete"
        expected[f"check {item.name}"] = complete
    for name, value in expected.items():
        if got[name] != value:
            verdict.lose(f"{want.name!r}.{name}: Trello has {got[name]!r}, meant {value!r}")


def _compare_order(
    world: World, list_id: str, keys: list[str], by_key: dict[str, list[Any]], verdict: Verdict
) -> None:
    key_of = {c.id: k for k, cs in by_key.items() for c in cs}
    open_cards = sorted(
        (c for c in world.cards.values() if c.id_list == list_id and not c.closed),
        key=lambda c: (c.pos, c.id),
    )
    got = [key_of.get(c.id, c.id) for c in open_cards]
    if got != keys:
        name = world.lists[list_id].name
        verdict.lose(f"order of {name!r}: Trello has {got}, meant {keys}")


def _compare_mate(world: World, mate: MateModel, verdict: Verdict) -> None:
    for card_id, want in mate.cards.items():
        card = world.cards[card_id]
        if card.name != want["name"] or card.id_list != want["list_id"]:
            verdict.lose(f"teammate's card {want['name']!r} is {card.name!r} in {card.id_list}")
    for list_id, ids in mate.lists.items():
        open_cards = sorted(
            (c for c in world.cards.values() if c.id_list == list_id and not c.closed),
            key=lambda c: (c.pos, c.id),
        )
        if [c.id for c in open_cards] != ids:
            verdict.lose(f"order of the teammate's list {world.lists[list_id].name!r}")
    for item_id, complete in mate.checks.items():
        checklist = world.checklists[world.check_items[item_id]]
        item = next(i for i in checklist.items if i.id == item_id)
        if (item.state == "complete") != complete:
            verdict.lose(f"teammate's check item {item.name!r}")
    for card_id, desc in mate.descs.items():
        if world.cards[card_id].desc != desc:
            verdict.lose(f"teammate's description on {world.cards[card_id].name!r} was lost")
