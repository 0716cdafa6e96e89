"""The base of every user operation: identity, temporary ids, storage (see ops.py).

``Op`` defines the contract; ``REGISTRY`` maps each kind to its class so the outbox can
rebuild an operation from its JSON (``op_from_json``).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

from trello_tui.sync.state import BoardChange, BoardState
from trello_tui.trello.calls import ApiCall
from trello_tui.trello.models import Card, format_date, parse_date

JSON = dict[str, Any]
TEMP_PREFIX = "tmp-"

#: kind -> operation class, for the outbox
REGISTRY: dict[str, type[Op]] = {}


def new_temp_id() -> str:
    return TEMP_PREFIX + uuid.uuid4().hex[:20]


def is_temp(object_id: str) -> bool:
    return object_id.startswith(TEMP_PREFIX)


def _new_op_id() -> str:
    return uuid.uuid4().hex


def register(cls: type[Op]) -> type[Op]:
    REGISTRY[cls.kind] = cls
    return cls


_DATE_FIELDS = frozenset({"due", "start"})
#: marks a date field SetDue leaves alone (JSON-able, unlike writes.UNSET)
KEEP = "keep"


def encode_value(name: str, value: Any) -> Any:
    """A card attribute as JSON (dates as ISO strings, tuples as lists)."""
    if isinstance(value, datetime):
        return format_date(value)
    if isinstance(value, tuple):
        return list(value)
    return value


def decode_value(name: str, value: Any) -> Any:
    if name in _DATE_FIELDS and value != KEEP:
        return parse_date(value)
    if isinstance(value, list):
        return tuple(value)
    return value


@dataclasses.dataclass
class Op:
    """Base of every operation. Subclasses set ``kind`` and implement the hooks."""

    kind: ClassVar[str] = ""
    #: a short verb for messages: "Couldn't move 'X': …"
    verb: ClassVar[str] = "change"

    board_id: str
    op_id: str = dataclasses.field(default_factory=_new_op_id, kw_only=True)
    #: what ``apply`` overwrote (JSON-able), for rollback and undo
    before: JSON = dataclasses.field(default_factory=dict, kw_only=True)

    # -- identity --------------------------------------------------------------------------

    def ids(self) -> set[str]:
        """Every object id this operation names (cards, lists, checklists …)."""
        return {
            value
            for f in dataclasses.fields(self)
            if f.name not in ("board_id", "op_id", "before")
            and isinstance(value := getattr(self, f.name), str)
            and (f.name.endswith("_id") or f.name == "target")
        }

    def card_id_of(self, state: BoardState) -> str | None:
        """The card whose face this operation changes (for messages and conflicts)."""
        value = getattr(self, "card_id", None)
        return value if isinstance(value, str) else None

    def rewrite(self, mapping: Mapping[str, str]) -> bool:
        """Replace temporary ids by real ones; True if anything changed."""
        changed = False
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name.endswith("_id") and isinstance(value, str) and value in mapping:
                setattr(self, f.name, mapping[value])
                changed = True
        return changed

    def created_temp_id(self) -> str | None:
        """The temporary id this operation creates, if it is a create."""
        return None

    def created_id(self, result: Any) -> str | None:
        """Trello's id for the created object, from the answer."""
        value = getattr(result, "id", None)
        return value if isinstance(value, str) and value else None

    def blocked_by_temp(self) -> bool:
        """True while the operation names an object that Trello has not created yet."""
        created = self.created_temp_id()
        return any(is_temp(i) and i != created for i in self.ids())

    # -- behaviour ---------------------------------------------------------------------------

    def apply(self, state: BoardState) -> BoardChange:
        raise NotImplementedError

    def _note_before(self, before: JSON, *, shown: bool) -> bool:
        """Keep what ``apply`` overwrites; True when it was noted anew.

        ``shown``: the state already holds this write's values. On a re-apply (a re-base)
        that means Trello applied the write before its answer came back (a poll brought its
        copy): what the write replaced is still the ``before`` noted at first, and an undo
        must go back there, not to the write's own result.
        """
        if self.before and shown:
            return False
        self.before = before
        return True

    def rollback(self, state: BoardState) -> BoardChange:
        raise NotImplementedError

    def inverse(self) -> list[Op]:
        raise NotImplementedError

    def call(self) -> ApiCall[Any]:
        raise NotImplementedError

    def confirm(self, state: BoardState, result: Any) -> BoardChange:
        return BoardChange(state.id)

    def describe(self, state: BoardState) -> str:
        """``move 'Card name'`` — for notices."""
        card_id = self.card_id_of(state)
        card = state.cards.get(card_id) if card_id else None
        return f"{self.verb} '{card.name}'" if card else self.verb

    # -- storage -----------------------------------------------------------------------------

    @classmethod
    def decode_field(cls, name: str, value: Any) -> Any:
        return decode_value(name, value)

    def to_json(self) -> JSON:
        out: JSON = {"kind": self.kind}
        for f in dataclasses.fields(self):
            out[f.name] = encode_value(f.name, getattr(self, f.name))
        return out


def op_from_json(data: Mapping[str, Any]) -> Op:
    """Rebuild an operation stored by ``to_json`` (unknown kinds raise KeyError)."""
    # Every operation module registers its classes on import.
    import trello_tui.sync.ops  # noqa: F401

    cls = REGISTRY[str(data["kind"])]
    values = {
        f.name: cls.decode_field(f.name, data[f.name])
        for f in dataclasses.fields(cls)
        if f.name in data
    }
    if "before" in values and not isinstance(values["before"], dict):
        values["before"] = {}
    return cls(**values)


# -- card field changes ----------------------------------------------------------------------


def adopt_card(state: BoardState, result: Any) -> BoardChange:
    """Put Trello's version of a card into the state, keeping fields the answer lacks."""
    if not isinstance(result, Card) or not result.id:
        return BoardChange(state.id)
    old = state.cards.get(result.id)
    merged = dict(old.to_json()) if old is not None else {}
    merged.update(result.to_json())  # (its raw JSON with any typed field changed)
    return state.put_card(Card.from_json(merged))
