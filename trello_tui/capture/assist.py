"""Help for the in-app composer: completion of the token under the cursor, and a live preview.

Both sit on :mod:`trello_tui.capture.parse` (same scanner, same matching rules, same canonical
token forms), so whatever a completion inserts parses back to the item that was chosen.
Pure functions, no I/O, no Textual.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Protocol

from trello_tui.capture.dates import format_due, parse_date
from trello_tui.capture.parse import (
    _DUE_WORDS,
    SIGILS,
    CaptureContext,
    CaptureLabel,
    CaptureList,
    CaptureMember,
    TokenKind,
    _norm,
    _Piece,
    _scan,
    label_display,
    member_display,
    parse_capture,
)
from trello_tui.capture.render import label_token, list_token, member_token

DUE_SUGGESTIONS: Final = (
    "today",
    "tomorrow",
    "eod",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "next week",
    "next month",
    "in 3 days",
    "in 1 week",
)
_KIND_OF_SIGIL: Final[dict[str, TokenKind]] = {"#": "label", "@": "member", "^": "list"}


class LabelLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def color(self) -> str | None: ...


class MemberLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def username(self) -> str: ...
    @property
    def full_name(self) -> str: ...
    @property
    def initials(self) -> str: ...


class ListLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...


def context_from(
    labels: Iterable[LabelLike],
    members: Iterable[MemberLike],
    lists: Iterable[ListLike],
    me: str | None = None,
) -> CaptureContext:
    """A :class:`CaptureContext` from any objects with the usual fields (the API models, the
    cache's rows), so callers need no adapter code. Pass open lists only."""
    return CaptureContext(
        labels=tuple(CaptureLabel(lb.id, lb.name, lb.color) for lb in labels),
        members=tuple(CaptureMember(m.id, m.username, m.full_name, m.initials) for m in members),
        lists=tuple(CaptureList(lst.id, lst.name) for lst in lists),
        me=me,
    )


@dataclass(frozen=True)
class Candidate:
    """One completion: show ``display``; replace the token's span with ``insert``."""

    kind: TokenKind
    display: str
    insert: str
    id: str | None = None
    color: str | None = None  # a label's colour, for a chip in the popup


@dataclass(frozen=True)
class Completions:
    """The token under the cursor (``text[start:end]``) and what could replace it."""

    kind: TokenKind
    start: int
    end: int
    query: str
    candidates: tuple[Candidate, ...]


@dataclass(frozen=True)
class CapturePreview:
    """The parse, resolved into objects the composer can draw as chips."""

    title: str
    description: str
    labels: tuple[CaptureLabel, ...]
    members: tuple[CaptureMember, ...]
    list: CaptureList | None
    position: str | None
    due: datetime | None
    due_text: str | None
    errors: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


def _rank(query: str, items: Sequence[tuple[Candidate, Sequence[str]]]) -> list[Candidate]:
    """Exact, then prefix, then word-prefix, then substring matches on any of the names."""
    q = _norm(query)
    tiers: list[list[Candidate]] = [[], [], [], []]
    for candidate, names in items:
        normed = [_norm(name) for name in names if name]
        if not q:
            tiers[1].append(candidate)
        elif q in normed:
            tiers[0].append(candidate)
        elif any(name.startswith(q) for name in normed):
            tiers[1].append(candidate)
        elif any(word.startswith(q) for name in normed for word in name.split()):
            tiers[2].append(candidate)
        elif any(q in name for name in normed):
            tiers[3].append(candidate)
    return [candidate for tier in tiers for candidate in tier]


def _candidates(
    kind: TokenKind, query: str, ctx: CaptureContext, now: datetime | None
) -> list[Candidate]:
    if kind == "label":
        return _rank(
            query,
            [
                (
                    Candidate("label", label_display(lb), label_token(lb, ctx), lb.id, lb.color),
                    [lb.name, lb.color or ""],
                )
                for lb in ctx.labels
            ],
        )
    if kind == "member":
        return _rank(
            query,
            [
                (
                    Candidate("member", member_display(m), member_token(m, ctx), m.id),
                    [m.username, m.full_name, m.initials],
                )
                for m in ctx.members
            ],
        )
    if kind == "due":
        return _rank(query, [(_due_candidate(s, now), [s]) for s in DUE_SUGGESTIONS])
    places = [
        (Candidate("position", f"{word} of the list", f"^{word}", word), [word])
        for word in ("top", "bottom")
    ]
    lists = [
        (Candidate("list", lst.name, list_token(lst, ctx), lst.id), [lst.name]) for lst in ctx.lists
    ]
    return _rank(query, places + lists)


def _due_candidate(suggestion: str, now: datetime | None) -> Candidate:
    insert = "due:" + (f"{{{suggestion}}}" if " " in suggestion else suggestion)
    display = suggestion
    if now is not None:
        value = parse_date(suggestion, now)
        if isinstance(value, datetime):
            display = f"{suggestion} — {format_due(value, now)}"
    return Candidate("due", display, insert)


def completions(
    text: str,
    cursor: int,
    ctx: CaptureContext,
    *,
    now: datetime | None = None,
    limit: int = 20,
) -> Completions | None:
    """Candidates for the ``#``, ``@``, ``^`` or ``due:`` token under ``cursor``, else ``None``.

    ``cursor`` is an index into ``text`` (the composer's cursor); the query is the part of the
    token before the cursor, so completing in the middle of a word works as in Trello.
    """
    line = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")[0]
    if not 0 < cursor <= len(line):
        return None
    pieces = _scan(line)
    for index, piece in enumerate(pieces):
        if piece.kind == "sep" or piece.start >= cursor:
            return None  # the description is free text
        if cursor > piece.end:
            continue
        raw = line[piece.start : piece.end]
        if piece.kind == "due" or (piece.kind == "unclosed" and raw[:4].lower() == "due:"):
            kind: TokenKind = "due"
            opener = 4 + (1 if raw[4:5] == "{" else 0)
        elif piece.kind in ("#", "@", "^", "unclosed") and raw[0] in SIGILS:
            kind = _KIND_OF_SIGIL[raw[0]]
            opener = 1 + (1 if raw[1:2] == "{" else 0)
        elif piece.kind == "word" and not piece.escaped and raw in SIGILS:
            kind, opener = _KIND_OF_SIGIL[raw], 1  # a lone sigil just typed
        else:
            return _due_continued(line, pieces, index, cursor, ctx, now, limit)
        query = line[piece.start + opener : cursor].rstrip("}")
        found = _candidates(kind, query, ctx, now)[:limit]
        return Completions(kind, piece.start, piece.end, query, tuple(found))
    return None


def _due_continued(
    line: str,
    pieces: Sequence[_Piece],
    index: int,
    cursor: int,
    ctx: CaptureContext,
    now: datetime | None,
    limit: int,
) -> Completions | None:
    """``due:next w|``: the cursor is in a later word of an unbraced ``due:`` phrase."""
    for back in range(index - 1, max(-1, index - _DUE_WORDS), -1):
        piece = pieces[back]
        if piece.kind == "due" and not piece.braced:
            query = " ".join(line[piece.start + 4 : cursor].split())
            found = _candidates("due", query, ctx, now)[:limit]
            if not found:
                return None  # most likely title words after a finished date
            return Completions("due", piece.start, pieces[index].end, query, tuple(found))
        if piece.kind != "word" or piece.escaped:
            return None
    return None


def preview(text: str, ctx: CaptureContext, now: datetime) -> CapturePreview:
    """Parse ``text`` and resolve ids to the context's objects, for a live preview."""
    result = parse_capture(text, ctx, now)
    draft = result.draft
    labels = {lb.id: lb for lb in ctx.labels}
    members = {m.id: m for m in ctx.members}
    lists = {lst.id: lst for lst in ctx.lists}
    return CapturePreview(
        title=draft.title,
        description=draft.description,
        labels=tuple(labels[i] for i in draft.label_ids if i in labels),
        members=tuple(members[i] for i in draft.member_ids if i in members),
        list=lists.get(draft.list_id) if draft.list_id is not None else None,
        position=None if draft.position is None else str(draft.position),
        due=draft.due,
        due_text=format_due(draft.due, now) if draft.due is not None else None,
        errors=tuple(error.message for error in result.errors),
    )
