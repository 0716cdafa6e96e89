"""Every Trello request the app makes, described as data: ``ApiCall`` and its builders.

An ``ApiCall`` says what to send (method, path below ``/1``, query params, form body) and how
to turn Trello's JSON into a model (``parse``). Building one does no I/O, so the same
description is sent directly by ``TrelloClient.send`` or handed to the ``RequestQueue``,
which can coalesce identical GETs, merge GETs into ``/1/batch`` and retry safely.

Long text (names, descriptions, comments) always goes in the form body, never the URL.
Paths never contain credentials: the one route that needs the token in its path is written
with the ``{token}`` placeholder, filled in by the client's funnel at send time.

A create carries a ``CreateProbe``: how to find the object it may have created when the
connection broke after sending (see queue.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from trello_tui.trello import checks
from trello_tui.trello.models import (
    Action,
    Board,
    Card,
    Checklist,
    Label,
    Member,
    Organization,
    Token,
    TrelloList,
    Webhook,
    format_date,
    parse_many,
)

T = TypeVar("T")
Params = tuple[tuple[str, str], ...]
TOKEN_PLACEHOLDER = "{token}"

BOARD_FIELDS = (
    "name,desc,closed,idOrganization,url,shortUrl,shortLink,prefs,labelNames,"
    "dateLastActivity,dateLastView,starred"
)
LIST_FIELDS = "name,pos,closed,idBoard,subscribed"
CARD_FIELDS = (
    "name,desc,idList,idBoard,pos,due,start,dueComplete,closed,idLabels,idMembers,"
    "idChecklists,badges,labels,dateLastActivity,shortLink,shortUrl,url,idShort,subscribed,cover"
)
MEMBER_FIELDS = "fullName,username,initials,avatarUrl"


def _raw(data: Any) -> Any:
    return data


def parse_none(_: Any) -> None:
    return None


@dataclasses.dataclass(frozen=True, slots=True)
class CreateProbe:
    """How to recognise, after an unknown outcome, the object a create may have made.

    ``lookup`` lists the candidates (the target list's cards, the card's checklists …);
    ``match`` says whether a candidate carries what we sent (name, text, colour …);
    ``item`` digs the candidate's own JSON out of a lookup element when it is wrapped.
    """

    lookup: ApiCall[list[Mapping[str, Any]]]
    match: Callable[[Mapping[str, Any]], bool]


@dataclasses.dataclass(frozen=True, slots=True)
class ApiCall(Generic[T]):
    """One request to Trello and how to read its answer."""

    method: str
    path: str
    params: Params = ()
    form: Params | None = None
    parse: Callable[[Any], T] = dataclasses.field(default=_raw, compare=False)
    create: CreateProbe | None = dataclasses.field(default=None, compare=False)
    #: sending it twice has the same effect as once (GET, PUT of fields, DELETE)
    idempotent: bool = True

    @property
    def key(self) -> tuple[str, str, Params]:
        """Identity for coalescing identical requests."""
        return (self.method, self.path, self.params)

    @property
    def batchable(self) -> bool:
        return self.method == "GET" and TOKEN_PLACEHOLDER not in self.path and self.form is None

    def batch_url(self) -> str:
        """This GET as a ``/1/batch`` sub-URL (commas in values percent-encoded)."""
        return self.path + ("?" + urlencode(self.params) if self.params else "")


def encode_params(**values: object) -> Params:
    """Query/form pairs from keyword args: None is skipped, bools are lower-case, dates ISO."""
    out: list[tuple[str, str]] = []
    for name, value in values.items():
        if value is None:
            continue
        out.append((name, _encode(value)))
    return tuple(out)


def _encode(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return format_date(value) or ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    if isinstance(value, list | tuple):
        return ",".join(_encode(v) for v in value)
    return str(value)


class Unset:
    """Marks an argument that was not given (``None`` means "clear this field")."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = Unset()


def encode_changes(**values: object) -> Params:
    """Form pairs for fields that were given; an explicit None is sent as an empty value."""
    out: list[tuple[str, str]] = []
    for name, value in values.items():
        if isinstance(value, Unset):
            continue
        out.append((name, "" if value is None else _encode(value)))
    return tuple(out)


def parse_objects(data: Any) -> list[Mapping[str, Any]]:
    if not isinstance(data, list):
        return []
    return [item for item in data if isinstance(item, Mapping)]


def parse_one(model: Callable[[Mapping[str, Any]], T]) -> Callable[[Any], T]:
    """A parser of one object Trello sent, for a model's ``from_json``.

    The object is checked first (``checks.from_trello``): an unusable one raises
    ``checks.Malformed``, which the client reports as a permanent ``BadResponse``.
    """
    owner = getattr(model, "__self__", None)
    kind = owner.__name__ if isinstance(owner, type) and owner.__name__ in checks.SHAPES else ""

    def parse(data: Any) -> T:
        if kind:
            return model(checks.from_trello(kind, data))
        return model(data if isinstance(data, Mapping) else {})

    return parse


def parse_list(model: Any) -> Callable[[Any], list[Any]]:
    def parse(data: Any) -> list[Any]:
        return parse_many(model, data)

    return parse


def same_name(name: str) -> Callable[[Mapping[str, Any]], bool]:
    return lambda item: item.get("name") == name


def get(path: str, parse: Callable[[Any], T], **params: object) -> ApiCall[T]:
    return ApiCall("GET", path, encode_params(**params), parse=parse)


def me() -> ApiCall[Member]:
    return get(
        "/members/me", parse_one(Member.from_json), fields="id,username,fullName,initials,avatarUrl"
    )


def my_boards(filter: str = "open") -> ApiCall[list[Board]]:
    return get("/members/me/boards", parse_list(Board), filter=filter, fields=BOARD_FIELDS)


def my_organizations() -> ApiCall[list[Organization]]:
    return get("/members/me/organizations", parse_list(Organization), fields="name,displayName,url")


def organization(org_id: str) -> ApiCall[Organization]:
    return get(f"/organizations/{org_id}", parse_one(Organization.from_json))


def organization_boards(org_id: str, filter: str = "open") -> ApiCall[list[Board]]:
    return get(
        f"/organizations/{org_id}/boards", parse_list(Board), filter=filter, fields=BOARD_FIELDS
    )


def token_info() -> ApiCall[Token]:
    return get(f"/tokens/{TOKEN_PLACEHOLDER}", parse_one(Token.from_json))


def load_board(board_id: str) -> ApiCall[Board]:
    """The one-request board load (nested labels and members uncapped)."""
    return get(
        f"/boards/{board_id}",
        parse_one(Board.from_json),
        fields=BOARD_FIELDS,
        lists="open",
        list_fields=LIST_FIELDS,
        cards="open",
        card_fields=CARD_FIELDS,
        checklists="all",  # every field: a field list would leave out the check items
        labels="all",
        labels_limit=1000,
        members="all",
        member_fields=MEMBER_FIELDS,
    )


def board(board_id: str) -> ApiCall[Board]:
    return get(f"/boards/{board_id}", parse_one(Board.from_json), fields=BOARD_FIELDS)


def board_lists(board_id: str, filter: str = "open") -> ApiCall[list[TrelloList]]:
    return get(
        f"/boards/{board_id}/lists", parse_list(TrelloList), filter=filter, fields=LIST_FIELDS
    )


def board_cards(board_id: str) -> ApiCall[list[Card]]:
    return get(f"/boards/{board_id}/cards", parse_list(Card), fields=CARD_FIELDS)


def board_labels(board_id: str) -> ApiCall[list[Label]]:
    return get(f"/boards/{board_id}/labels", parse_list(Label), limit=1000)


def board_members(board_id: str) -> ApiCall[list[Member]]:
    return get(f"/boards/{board_id}/members", parse_list(Member), fields=MEMBER_FIELDS)


def board_actions(
    board_id: str,
    since: str | None = None,
    before: str | None = None,
    limit: int = 1000,
    filter: str = "all",
) -> ApiCall[list[Action]]:
    """Actions, newest first; ``since``/``before`` take an action id or an ISO date."""
    return get(
        f"/boards/{board_id}/actions",
        parse_list(Action),
        filter=filter,
        since=since,
        before=before,
        limit=limit,
    )


def list_cards(list_id: str) -> ApiCall[list[Card]]:
    return get(f"/lists/{list_id}/cards", parse_list(Card), fields=CARD_FIELDS)


def card(card_id: str) -> ApiCall[Card]:
    return get(f"/cards/{card_id}", parse_one(Card.from_json), fields=CARD_FIELDS)


def card_checklists(card_id: str) -> ApiCall[list[Checklist]]:
    return get(f"/cards/{card_id}/checklists", parse_list(Checklist), checkItems="all")


@dataclasses.dataclass(frozen=True, slots=True)
class SearchResults:
    cards: tuple[Card, ...] = ()
    boards: tuple[Board, ...] = ()
    members: tuple[Member, ...] = ()
    organizations: tuple[Organization, ...] = ()


def _search_results(data: Any) -> SearchResults:
    data = data if isinstance(data, Mapping) else {}
    return SearchResults(
        cards=tuple(parse_many(Card, data.get("cards"))),
        boards=tuple(parse_many(Board, data.get("boards"))),
        members=tuple(parse_many(Member, data.get("members"))),
        organizations=tuple(parse_many(Organization, data.get("organizations"))),
    )


def search(
    query: str,
    *,
    board_ids: Iterable[str] | None = None,
    model_types: str = "cards,boards",
    cards_limit: int = 50,
    partial: bool = True,
) -> ApiCall[SearchResults]:
    ids = list(board_ids) if board_ids is not None else None
    return get(
        "/search",
        _search_results,
        query=query,
        modelTypes=model_types,
        idBoards=",".join(ids) if ids else "mine",
        cards_limit=cards_limit,
        card_fields=CARD_FIELDS,
        partial=partial,
    )


def webhooks() -> ApiCall[list[Webhook]]:
    return get(f"/tokens/{TOKEN_PLACEHOLDER}/webhooks", parse_list(Webhook))


def webhook(webhook_id: str) -> ApiCall[Webhook]:
    return get(f"/webhooks/{webhook_id}", parse_one(Webhook.from_json))
