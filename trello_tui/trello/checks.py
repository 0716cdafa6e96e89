"""What a Trello object must look like before the client acts on it.

The models read JSON tolerantly (a missing field gets a default), which is right for the
client's own JSON (the cache, the outbox) but wrong for a server that answers nonsense: a card
whose ``pos`` is ``"abc"`` read as 0.0 put every card of a list on one number, and each move
then re-spaced the whole list, was answered with ``"abc"`` again and re-spaced it again (three
key presses made 179 writes). So what Trello sends is checked first, where it is decoded
(``calls.parse_one``, ``parse_many``, a board's nested collections): an object whose id is
missing or not an id, whose ``pos`` is not a number, or whose typed fields have the wrong JSON
type is rejected, with one warning naming it. A single object raises ``Malformed`` (the client
turns it into ``MalformedAnswer``, a permanent ``BadResponse``: never retried); an object in a
collection is left out of it.

Missing fields stay allowed, except ``id`` and ``pos``, and ``null`` counts as missing (Trello
sends it for a label without colour, a board without organisation, even ``starred``). Ids are
Trello's 24 hex digits, but any short run of letters, digits, ``-`` and ``_`` is accepted (the
sandbox, tests, temporary ids): what matters is that an id put in a request path cannot become
another path (``../``, ``?``).
"""

from __future__ import annotations

import logging
import math
import re
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any, Final, Literal

from trello_tui.trello.text import visible

log = logging.getLogger(__name__)

#: ``id`` must be there; ``ref`` is an id or null; ``pos`` a number; ``text`` a string;
#: ``opt_text`` a string or null; ``bool``, ``int``; ``ids`` a list of ids; ``objects`` a list
#: of JSON objects; ``object`` a JSON object or null.
Kind = Literal["id", "ref", "pos", "text", "opt_text", "bool", "int", "ids", "objects", "object"]

_ID: Final = re.compile(r"[0-9A-Za-z_-]{1,64}")

_CARD: Final[Mapping[str, Kind]] = {
    "id": "id",
    "idBoard": "ref",
    "idList": "ref",
    "pos": "pos",
    "name": "text",
    "desc": "text",
    "closed": "bool",
    "due": "opt_text",
    "start": "opt_text",
    "dueComplete": "bool",
    "idLabels": "ids",
    "idMembers": "ids",
    "idChecklists": "ids",
    "labels": "objects",
    "badges": "object",
    "idShort": "int",
    "shortLink": "text",
    "shortUrl": "text",
    "url": "text",
    "dateLastActivity": "opt_text",
    "subscribed": "bool",
}

#: JSON key -> kind, per model (by class name).
SHAPES: Final[Mapping[str, Mapping[str, Kind]]] = {
    "Card": _CARD,
    "TrelloList": {
        "id": "id",
        "idBoard": "ref",
        "name": "text",
        "pos": "pos",
        "closed": "bool",
        "subscribed": "bool",
    },
    "Label": {"id": "id", "idBoard": "ref", "name": "opt_text", "color": "opt_text"},
    "Member": {
        "id": "id",
        "username": "text",
        "fullName": "opt_text",
        "initials": "opt_text",
        "avatarUrl": "opt_text",
    },
    "Organization": {"id": "id", "name": "text", "displayName": "opt_text", "url": "opt_text"},
    "Checklist": {
        "id": "id",
        "idCard": "ref",
        "idBoard": "ref",
        "name": "text",
        "pos": "pos",
        "checkItems": "objects",
    },
    "CheckItem": {
        "id": "id",
        "idChecklist": "ref",
        "name": "text",
        "pos": "pos",
        "state": "opt_text",
        "due": "opt_text",
        "idMember": "ref",
    },
    "Board": {
        "id": "id",
        "name": "text",
        "desc": "opt_text",
        "closed": "bool",
        "idOrganization": "ref",
        "shortLink": "opt_text",
        "url": "opt_text",
        "shortUrl": "opt_text",
        "starred": "bool",
        "dateLastActivity": "opt_text",
        "dateLastView": "opt_text",
        "lists": "objects",
        "cards": "objects",
        "labels": "objects",
        "members": "objects",
        "checklists": "objects",
    },
    "Action": {
        "id": "id",
        "type": "text",
        "date": "opt_text",
        "idMemberCreator": "ref",
        "data": "object",
        "memberCreator": "object",
    },
    "Webhook": {
        "id": "id",
        "idModel": "ref",
        "callbackURL": "text",
        "description": "opt_text",
        "active": "bool",
        "consecutiveFailures": "int",
    },
    "Token": {"id": "id", "idMember": "ref", "permissions": "objects"},
}

#: the kinds whose fields must be present (every object Trello serves has them)
_REQUIRED: Final = frozenset({"id", "pos"})
#: what the user reads for each model: "card", "list", "check item" ...
NOUNS: Final[Mapping[str, str]] = {
    "Card": "card",
    "TrelloList": "list",
    "Label": "label",
    "Member": "member",
    "Organization": "organization",
    "Checklist": "checklist",
    "CheckItem": "check item",
    "Board": "board",
    "Action": "action",
    "Webhook": "webhook",
    "Token": "token",
}


class Malformed(ValueError):
    """Trello sent an object the client cannot use; ``str()`` names it and says what is wrong."""

    def __init__(self, model: str, data: object, problem: str) -> None:
        self.model = model
        self.problem = problem
        self.object_id = _object_id(data)
        super().__init__(f"Trello sent {describe(model, data)} that cannot be used: {problem}")


def is_id(value: object) -> bool:
    return isinstance(value, str) and _ID.fullmatch(value) is not None


def _is_number(value: object) -> bool:
    return type(value) in (int, float) and math.isfinite(value)  # type: ignore[arg-type]


def _is_ref(value: object) -> bool:
    return value == "" or is_id(value)


def _is_ids(value: object) -> bool:
    return type(value) is list and all(is_id(item) for item in value)


def _is_objects(value: object) -> bool:
    return type(value) is list and all(isinstance(item, Mapping) for item in value)


#: kind -> (test of a present, non-null value, what a failing value "is")
_TESTS: Final[Mapping[Kind, tuple[Callable[[object], bool], str]]] = {
    "id": (is_id, "not an id"),
    "ref": (_is_ref, "not an id"),
    "pos": (_is_number, "not a number"),
    "text": (lambda v: type(v) is str, "not text"),
    "opt_text": (lambda v: type(v) is str, "not text"),
    "bool": (lambda v: type(v) is bool, "not true or false"),
    "int": (lambda v: type(v) is int, "not a whole number"),
    "ids": (_is_ids, "not a list of ids"),
    "objects": (_is_objects, "not a list of objects"),
    "object": (lambda v: isinstance(v, Mapping), "not an object"),
}


def _shown(value: object) -> str:
    """A bad value as a short, terminal-safe quotation."""
    text = repr(value)
    return visible(text if len(text) <= 40 else text[:39] + "…")


def problem(model: str, data: object) -> str | None:
    """What makes ``data`` unusable as a ``model`` from Trello, or None when it is fine."""
    if not isinstance(data, Mapping):
        return "it is not a JSON object"
    for key, kind in SHAPES.get(model, {}).items():
        value = data.get(key)
        if value is None:
            if kind in _REQUIRED:
                return f"{key} is missing"
            continue
        test, what = _TESTS[kind]
        if not test(value):
            return f"{key} {_shown(value)} is {what}"
    return None


def _object_id(data: object) -> str | None:
    value = data.get("id") if isinstance(data, Mapping) else None
    return value if is_id(value) else None


def describe(model: str, data: object) -> str:
    """``a card 5f…e1 'Fix login'``: the object as the user can find it on Trello."""
    noun = NOUNS.get(model, model.lower())
    article = "an" if noun[:1] in "aeiou" else "a"
    parts = [f"{article} {noun}"]
    object_id = _object_id(data)
    if object_id:
        parts.append(object_id)
    name = data.get("name") if isinstance(data, Mapping) else None
    if isinstance(name, str) and name:
        short = name if len(name) <= 60 else name[:59] + "…"
        parts.append(f"'{visible(short)}'")
    return " ".join(parts)


#: nested collections checked with their parent: JSON key -> model
NESTED: Final[Mapping[str, Mapping[str, str]]] = {
    "Board": {
        "lists": "TrelloList",
        "cards": "Card",
        "labels": "Label",
        "members": "Member",
        "checklists": "Checklist",
    },
    "Card": {"labels": "Label"},
    "Checklist": {"checkItems": "CheckItem"},
}

_WARNED: OrderedDict[tuple[str, str, str], None] = OrderedDict()
_WARN_MEMORY: Final = 10_000


def warn_once(error: Malformed, outcome: str = "it is left out") -> None:
    """Log a rejection once per object and problem (a poll sees the same board again)."""
    key = (error.model, error.object_id or str(error), error.problem)
    if key in _WARNED:
        return
    _WARNED[key] = None
    while len(_WARNED) > _WARN_MEMORY:
        _WARNED.popitem(last=False)
    log.warning("%s; %s", error, outcome)


def from_trello(model: str, data: object) -> Mapping[str, Any]:
    """``data`` checked as a ``model`` Trello sent, its unusable nested objects left out.

    Raises ``Malformed`` when the object itself is unusable.
    """
    wrong = problem(model, data)
    if wrong is not None:
        raise Malformed(model, data, wrong)
    assert isinstance(data, Mapping)
    nested = NESTED.get(model)
    if not nested:
        return data
    out: dict[str, Any] | None = None
    for key, inner in nested.items():
        items = data.get(key)
        if not items:
            continue
        kept = usable(inner, items)
        if kept is not items:
            out = dict(data) if out is None else out
            out[key] = kept
    return data if out is None else out


def usable(model: str, items: Any) -> list[Any]:
    """The objects of a JSON array usable as ``model`` (each unusable one warned, left out).

    The same list when every item is usable.
    """
    if not isinstance(items, list):
        return []
    out: list[Any] = []
    changed = False
    for item in items:
        try:
            kept = from_trello(model, item)
        except Malformed as error:
            if isinstance(item, Mapping):
                warn_once(error)
            changed = True
            continue
        changed = changed or kept is not item
        out.append(kept)
    return out if changed else items
