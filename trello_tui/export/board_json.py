"""A cached board as the JSON of Trello's "Print, export and share → Export as JSON".

The shape follows Trello's board export: the board's own fields (``id``, ``name``, ``desc``,
``closed``, ``url``, ``shortLink``, ``prefs``, ``labelNames`` …) with ``actions``, ``cards``,
``labels``, ``lists``, ``members`` and ``checklists`` nested. Every object is written from its
model's ``to_json``, so fields the models do not know (``cover``, ``limits``, ``customFields``,
``memberships`` …) come out as they came in.

A few things are put right on the way out, because the cache can hold them stale or thin:

- lists come in ``pos`` order, cards by list then ``pos``, checklists by card then ``pos``;
- ``pos`` values that are whole numbers are written as integers (Trello writes ``65535``);
- a card's ``labels`` objects are the board's current labels for its ``idLabels`` (a label
  renamed since the card was cached shows its new name), its ``idChecklists`` name every
  checklist the board holds for it, and its checklist badges are counted from them;
- check items always carry ``idChecklist`` (2015 exports lack it);
- checklists of cards the export does not hold (archived cards are not cached) are left out.

``actions`` is empty: the cache keeps the board's state, not its history.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from trello_tui.trello.models import (
    LABEL_COLORS,
    Board,
    Card,
    Checklist,
    Label,
    TrelloList,
)

JSON = dict[str, Any]

#: the colours ``labelNames`` carries (Trello's 30; old exports have the 10 base ones)
_NAMED_COLOURS = LABEL_COLORS


@dataclass(frozen=True, slots=True)
class Ordered:
    """A board's collections in the order a reader expects (Trello's own order)."""

    lists: tuple[TrelloList, ...]
    cards: tuple[Card, ...]
    checklists: tuple[Checklist, ...]
    labels: tuple[Label, ...]
    #: checklists of each card, in ``pos`` order
    card_checklists: Mapping[str, tuple[Checklist, ...]]

    @classmethod
    def of(cls, board: Board) -> Ordered:
        lists = tuple(sorted(board.lists, key=lambda x: (x.pos, x.id)))
        rank = {lst.id: i for i, lst in enumerate(lists)}
        cards = tuple(
            sorted(board.cards, key=lambda c: (rank.get(c.id_list, len(rank)), c.pos, c.id))
        )
        card_rank = {card.id: i for i, card in enumerate(cards)}
        # a checklist of a card the cache does not hold (an archived one) cannot be placed
        checklists = tuple(
            sorted(
                (cl for cl in board.checklists if cl.id_card in card_rank),
                key=lambda cl: (card_rank[cl.id_card], cl.pos, cl.id),
            )
        )
        per_card: dict[str, list[Checklist]] = {}
        for checklist in checklists:
            per_card.setdefault(checklist.id_card, []).append(checklist)
        return cls(
            lists=lists,
            cards=cards,
            checklists=checklists,
            labels=tuple(board.labels),
            card_checklists={k: tuple(v) for k, v in per_card.items()},
        )


def number(value: Any) -> Any:
    """A whole float as an int (``65535.0`` → ``65535``), as Trello writes positions."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def label_names(labels: Iterable[Label]) -> JSON:
    """Trello's ``labelNames``: each colour's first label name ('' when none)."""
    names: JSON = dict.fromkeys(_NAMED_COLOURS, "")
    for label in labels:
        if label.color and not names.get(label.color):
            names[label.color] = label.name
    return names


def label_json(label: Label, board_id: str) -> JSON:
    out = label.to_json()
    if not out.get("idBoard"):
        out["idBoard"] = board_id
    return out


def checklist_json(checklist: Checklist) -> JSON:
    out = checklist.to_json()
    out["pos"] = number(out.get("pos"))
    items = []
    for item in out.get("checkItems", []):
        item = dict(item)
        if not item.get("idChecklist"):
            item["idChecklist"] = checklist.id
        item["pos"] = number(item.get("pos"))
        items.append(item)
    out["checkItems"] = items
    return out


def card_json(card: Card, labels: Mapping[str, JSON], checklists: tuple[Checklist, ...]) -> JSON:
    out = card.to_json()
    out["pos"] = number(out.get("pos"))
    if all(label_id in labels for label_id in card.id_labels):
        # only when every label is known: a 2015 card may name labels the board no longer has
        out["labels"] = [labels[label_id] for label_id in card.id_labels]
    if checklists:
        present = {cl.id for cl in checklists}
        ids = [i for i in card.id_checklists if i in present]
        ids += [cl.id for cl in checklists if cl.id not in ids]
        out["idChecklists"] = ids
        badges = dict(out.get("badges") or {})
        badges["checkItems"] = sum(len(cl.check_items) for cl in checklists)
        badges["checkItemsChecked"] = sum(cl.done for cl in checklists)
        out["badges"] = badges
    return out


def list_json(lst: TrelloList) -> JSON:
    out = lst.to_json()
    out["pos"] = number(out.get("pos"))
    return out


def trello_json(board: Board) -> JSON:
    """The board, its lists, cards, labels, members and checklists in Trello's export shape."""
    order = Ordered.of(board)
    labels = {label.id: label_json(label, board.id) for label in order.labels}
    out = board.to_json()
    if not isinstance(out.get("prefs"), Mapping):
        out["prefs"] = {}
    if not isinstance(out.get("labelNames"), Mapping):
        out["labelNames"] = label_names(order.labels)
    nested: JSON = {
        "actions": [],
        "cards": [
            card_json(card, labels, order.card_checklists.get(card.id, ())) for card in order.cards
        ],
        "labels": list(labels.values()),
        "lists": [list_json(lst) for lst in order.lists],
        "members": [member.to_json() for member in board.members],
        "checklists": [checklist_json(cl) for cl in order.checklists],
    }
    # Trello writes the board's own fields first and the nested collections after them.
    board_fields = {k: v for k, v in out.items() if k not in nested}
    return {**board_fields, **nested}
