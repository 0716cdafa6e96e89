"""Cards in and out of the cache, fast: most of a 5,000-card board's cold load is here.

Two forms, both giving exactly the ``Card`` that ``Card.from_json(card.to_json())`` gives:

- ``decode_card`` reads a card row's JSON. The rows were written by ``Card.to_json``, so every
  typed field is there with its JSON type; the decoder only checks that (a row that fails the
  check takes ``Card.from_json``) and builds the card at about half the cost.
- ``pack_card`` / ``unpack_card``: the packed snapshot stores each card as a tuple of its typed
  values plus only the JSON fields the model does not type (``extra``). Unpacking is a
  positional construction with no parsing beyond dates. The card's ``raw`` is then that extra
  JSON, not the whole object: ``to_json`` writes the typed fields over ``raw`` anyway, so its
  output is the same (which is what every reader of a cached card uses).

Both build cards positionally, so they run only while the models have exactly the fields
listed here (``FAST``); a new field makes them fall back to ``Card.from_json``.

Both give visible text (``text.visible``), as ``Card.from_json`` does: ``decode_card`` checks a
row's strings (one search over them joined, one over the description) and hands a row that
holds any control to ``Card.from_json`` — rows written before the models made text visible may
hold one. The packed form is ``cards-packed-2``: packed from visible cards only, so unpacking
needs no check, and a snapshot packed before (``-1``) is not read (its rows are, then).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from trello_tui.trello.models import Badges, Card, Label, format_date, parse_date
from trello_tui.trello.text import visible

#: Card's fields in declaration order: decode_card builds cards positionally and is used only
#: while the model still has exactly these (a new field falls back to Card.from_json).
_CARD_FIELDS = (
    "id", "id_board", "id_list", "name", "pos", "desc", "closed", "due", "start",
    "due_complete", "id_labels", "id_members", "id_checklists", "labels", "badges", "id_short",
    "short_link", "short_url", "url", "date_last_activity", "subscribed", "raw",
)  # fmt: skip
_BADGE_FIELDS = (
    "check_items", "check_items_checked", "comments", "attachments", "description", "votes",
)  # fmt: skip
_LABEL_FIELDS = ("id", "id_board", "name", "color", "raw")
FAST = (
    tuple(f.name for f in dataclasses.fields(Card)) == _CARD_FIELDS
    and tuple(f.name for f in dataclasses.fields(Badges)) == _BADGE_FIELDS
    and tuple(f.name for f in dataclasses.fields(Label)) == _LABEL_FIELDS
)
#: names the packed form: a snapshot packed for other fields is not read
FORMAT = "cards-packed-2" if FAST else "cards-json"
_NO_BADGES = Badges()


def _str_ids(value: object) -> tuple[str, ...] | None:
    """A list of ids as a tuple, or None when it is not a list of strings."""
    if type(value) is not list:
        return None
    if not value:
        return ()
    for item in value:
        if type(item) is not str:
            return None
    return tuple(value)


def _labels(items: list[Any]) -> tuple[Label, ...] | None:
    """A card's nested labels (``Label.from_json`` of each), or None when one looks unusual."""
    out = []
    for item in items:
        if type(item) is not dict:
            return None
        try:
            label_id, board, name, color = item["id"], item["idBoard"], item["name"], item["color"]
        except KeyError:
            return None
        if not (
            type(label_id) is str
            and type(board) is str
            and type(name) is str
            and (color is None or type(color) is str)
        ):
            return None
        strings = label_id + board + name + (color or "")
        if visible(strings) is not strings:
            return None
        out.append(Label(label_id, board, name, color, item))
    return tuple(out)


def _badges(value: object) -> Badges | None:
    if type(value) is not dict:
        return _NO_BADGES if value is None else None
    try:
        checks, checked, comments = (
            value["checkItems"],
            value["checkItemsChecked"],
            value["comments"],
        )
        attachments, description, votes = value["attachments"], value["description"], value["votes"]
    except KeyError:
        return None
    if not (
        type(checks) is int
        and type(checked) is int
        and type(comments) is int
        and type(attachments) is int
        and type(description) is bool
        and type(votes) is int
    ):
        return None
    return Badges(checks, checked, comments, attachments, description, votes)


def decode_card(data: dict[str, Any]) -> Card:
    """``Card.from_json(data)`` for a row the cache wrote (the same Card, built faster).

    ``data`` becomes the card's ``raw`` without a copy: the caller hands over a fresh dict.
    """
    if not FAST:
        return Card.from_json(data)
    try:
        card_id, board, list_id, name = data["id"], data["idBoard"], data["idList"], data["name"]
        pos, desc, closed, complete = data["pos"], data["desc"], data["closed"], data["dueComplete"]
        short_link, short_url, url = data["shortLink"], data["shortUrl"], data["url"]
        id_short, subscribed, labels = data["idShort"], data["subscribed"], data["labels"]
        id_labels, id_members = data["idLabels"], data["idMembers"]
        id_checklists = data["idChecklists"]
    except KeyError:
        return Card.from_json(data)
    if not (
        type(card_id) is str
        and type(board) is str
        and type(list_id) is str
        and type(name) is str
        and type(pos) is float
        and type(desc) is str
        and type(closed) is bool
        and type(complete) is bool
        and type(short_link) is str
        and type(short_url) is str
        and type(url) is str
        and type(id_short) is int
        and type(subscribed) is bool
        and type(labels) is list
    ):
        return Card.from_json(data)
    label_objects = _labels(labels) if labels else ()
    label_ids, member_ids = _str_ids(id_labels), _str_ids(id_members)
    checklist_ids, badges = _str_ids(id_checklists), _badges(data.get("badges"))
    if (
        label_objects is None
        or label_ids is None
        or member_ids is None
        or checklist_ids is None
        or badges is None
    ):
        return Card.from_json(data)
    # Written before text was made visible, a row may hold a control: from_json shows it.
    strings = "".join(
        (card_id, board, list_id, name, short_link, short_url, url, *label_ids, *member_ids)
    )
    if visible(strings) is not strings or visible(desc, multiline=True) is not desc:
        return Card.from_json(data)
    due, start, active = data.get("due"), data.get("start"), data.get("dateLastActivity")
    return Card(
        card_id,
        board,
        list_id,
        name,
        pos,
        desc,
        closed,
        None if due is None else parse_date(due),
        None if start is None else parse_date(start),
        complete,
        label_ids,
        member_ids,
        checklist_ids,
        label_objects,
        badges,
        id_short,
        short_link,
        short_url,
        url,
        None if active is None else parse_date(active),
        subscribed,
        data,
    )


# -- the packed snapshot -------------------------------------------------------------------------

#: JSON keys ``Card.to_json`` writes from typed fields (raw's copies of them are not needed)
_TYPED_CARD_KEYS = frozenset(
    {
        "id", "idBoard", "idList", "name", "pos", "desc", "closed", "dueComplete", "idShort",
        "shortLink", "shortUrl", "url", "subscribed", "due", "start", "dateLastActivity",
        "idLabels", "idMembers", "idChecklists", "labels", "badges",
    }
)  # fmt: skip
_TYPED_BADGE_KEYS = frozenset(
    {
        "checkItems", "checkItemsChecked", "comments", "attachments", "description", "votes",
        "due", "dueComplete", "start",
    }
)  # fmt: skip
_TYPED_LABEL_KEYS = frozenset({"id", "idBoard", "name", "color"})
#: length of a packed card: 21 typed values and the extra JSON
PACKED_LEN = 22


def pack_card(card: Card) -> tuple[Any, ...]:
    """A card as marshal-able values for the snapshot (``unpack_card`` reverses it)."""
    extra = {k: v for k, v in card.raw.items() if k not in _TYPED_CARD_KEYS}
    badges_raw = card.raw.get("badges")
    if isinstance(badges_raw, dict):
        untyped = {k: v for k, v in badges_raw.items() if k not in _TYPED_BADGE_KEYS}
        if untyped:
            extra["badges"] = untyped
    b = card.badges
    return (
        card.id, card.id_board, card.id_list, card.name, card.pos, card.desc, card.closed,
        format_date(card.due), format_date(card.start), card.due_complete,
        card.id_labels, card.id_members, card.id_checklists,
        tuple(
            (x.id, x.id_board, x.name, x.color,
             {k: v for k, v in x.raw.items() if k not in _TYPED_LABEL_KEYS})
            for x in card.labels
        ),
        (b.check_items, b.check_items_checked, b.comments, b.attachments, b.description, b.votes),
        card.id_short, card.short_link, card.short_url, card.url,
        format_date(card.date_last_activity), card.subscribed, extra,
    )  # fmt: skip


def unpack_card(packed: tuple[Any, ...]) -> Card:
    """The card ``pack_card`` packed (the snapshot is only ever written by it)."""
    due, start, active, labels = packed[7], packed[8], packed[19], packed[13]
    return Card(
        packed[0], packed[1], packed[2], packed[3], packed[4], packed[5], packed[6],
        None if due is None else parse_date(due),
        None if start is None else parse_date(start),
        packed[9], packed[10], packed[11], packed[12],
        tuple(Label(*label) for label in labels) if labels else (),
        Badges(*packed[14]),
        packed[15], packed[16], packed[17], packed[18],
        None if active is None else parse_date(active),
        packed[20], packed[21],
    )  # fmt: skip
