"""What every model shares: the tolerant field readers, Trello's dates, and :class:`Model`
(``from_json``, ``raw``, ``to_json``). The package docstring says why every string passes
through ``text.visible``."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar, Self

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
