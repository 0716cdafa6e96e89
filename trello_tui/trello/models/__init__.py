"""Trello objects as frozen dataclasses.

Every model is built with ``from_json`` from the JSON Trello serves, and tolerates missing,
null and unknown fields: a missing string becomes ``""``, a missing list ``()``, an unknown
label colour is kept as the string it is. The JSON it came from is kept in ``raw``, and
``to_json`` writes the typed fields back over it, so fields this module does not model
survive a round trip through the cache unchanged.

Every string a model reads passes through ``text.visible`` (multi-line for descriptions and
comments): Trello's data is other people's text, and here is where it enters the product, so
no control character or escape sequence in it reaches a screen, a log line or an export
whichever way it travels (``raw`` keeps the source as it was; ``to_json`` writes the typed,
visible fields over it). ``from_json`` never rejects anything; what Trello *sends* is checked
first, where the API layer decodes it (``checks.from_trello``, ``parse_many``).
"""

from trello_tui.trello.models.base import (
    JSON,
    LABEL_COLORS,
    Model,
    date_from_id,
    format_date,
    parse_date,
)
from trello_tui.trello.models.boards import (
    Action,
    Board,
    Permission,
    Token,
    TrelloList,
    Webhook,
    parse_many,
)
from trello_tui.trello.models.cards import (
    Badges,
    Card,
    CheckItem,
    Checklist,
    Label,
    Member,
    Organization,
)

__all__ = [
    "JSON",
    "LABEL_COLORS",
    "Action",
    "Badges",
    "Board",
    "Card",
    "CheckItem",
    "Checklist",
    "Label",
    "Member",
    "Model",
    "Organization",
    "Permission",
    "Token",
    "TrelloList",
    "Webhook",
    "date_from_id",
    "format_date",
    "parse_date",
    "parse_many",
]
