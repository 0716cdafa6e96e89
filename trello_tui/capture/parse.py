"""Quick capture: one line of Trello composer syntax → a :class:`CardDraft`.

``Fix login #bug @alice ^top due:fri -- the token expires too early`` gives the title
``Fix login``, the label *bug*, the member *alice*, the top of the list, Friday's date and a
description. The syntax (README, "Quick capture"):

- ``#label`` by name or colour, ``#{two words}`` for names with spaces;
- ``@member`` by username, full name or initials (``@me`` is the current user);
- ``^top``, ``^bottom``, ``^3`` (1-based position), ``^Done`` or ``^{In progress}`` (target
  list; braces always mean a list name, so ``^{top}`` is the list called "top");
- ``due:fri``, ``due:next week``, ``due:{2026-12-01 17:00}`` (see :mod:`trello_tui.capture.dates`);
- the description after `` -- `` or on the following lines;
- ``\\#1`` keeps ``#1`` in the title (a backslash escapes a word that would be a token).

Matching is case-insensitive and an exact match beats a prefix match; a token that matches
nothing, or several things, becomes a :class:`CaptureError` naming the candidates. Nothing
here does I/O or raises on any input: other code adapts its models into the plain
:class:`CaptureContext` below.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

from trello_tui.capture.dates import DateError, parse_date

Position = Literal["top", "bottom"] | int
TokenKind = Literal["label", "member", "list", "position", "due"]

SIGILS: Final = "#@^"
MAX_POSITION: Final = 1_000_000
# How many words after ``due:`` may still belong to the date ("next friday at 5 pm").
_DUE_WORDS: Final = 6
_DIGITS: Final = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class CaptureLabel:
    id: str
    name: str
    color: str | None = None


@dataclass(frozen=True)
class CaptureMember:
    id: str
    username: str
    full_name: str = ""
    initials: str = ""


@dataclass(frozen=True)
class CaptureList:
    id: str
    name: str


@dataclass(frozen=True)
class CaptureContext:
    """What tokens resolve against: the target board's labels, members and open lists."""

    labels: tuple[CaptureLabel, ...] = ()
    members: tuple[CaptureMember, ...] = ()
    lists: tuple[CaptureList, ...] = ()
    me: str | None = None  # the current member's id, for ``@me``


@dataclass(frozen=True)
class CardDraft:
    """A card to create. ``list_id``/``position`` ``None`` mean the caller's default."""

    title: str
    description: str = ""
    label_ids: tuple[str, ...] = ()
    member_ids: tuple[str, ...] = ()
    list_id: str | None = None
    position: Position | None = None
    due: datetime | None = None


@dataclass(frozen=True)
class CaptureToken:
    """One recognised token, its span in the text and what it resolved to (for previews)."""

    kind: TokenKind
    raw: str
    start: int
    end: int
    value: str | None  # an id, "top"/"bottom"/"3", or the due date in ISO form
    error: str | None = None


@dataclass(frozen=True)
class CaptureError:
    message: str
    raw: str = ""
    start: int = 0
    end: int = 0
    candidates: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class CaptureResult:
    draft: CardDraft
    errors: tuple[CaptureError, ...] = ()
    tokens: tuple[CaptureToken, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors


# --- scanning -----------------------------------------------------------------------------

PieceKind = Literal["word", "sep", "#", "@", "^", "due", "unclosed"]
_SIGIL_KIND: Final[dict[str, PieceKind]] = {"#": "#", "@": "@", "^": "^"}


@dataclass(frozen=True)
class _Piece:
    kind: PieceKind
    start: int
    end: int
    text: str  # the literal word, or the token's query (braces removed)
    braced: bool = False
    escaped: bool = False


def _special(word: str) -> bool:
    """Would the parser treat this word as anything but title text?"""
    return (
        word == "--"
        or (len(word) > 1 and word[0] in SIGILS)
        or word[:4].lower() == "due:"
        or word.startswith("\\")
    )


def _scan(line: str) -> list[_Piece]:
    pieces: list[_Piece] = []
    i, n = 0, len(line)
    while i < n:
        if line[i].isspace():
            i += 1
            continue
        start = i
        opener = 1 if line[i] in SIGILS else 4 if line[i : i + 4].lower() == "due:" else 0
        if opener and line[i + opener : i + opener + 1] == "{":
            close = line.find("}", i + opener + 1)
            kind = "due" if opener == 4 else _SIGIL_KIND[line[i]]
            if close < 0:
                pieces.append(_Piece("unclosed", start, n, line[i + opener + 1 :]))
                break
            pieces.append(_Piece(kind, start, close + 1, line[i + opener + 1 : close], True))
            i = close + 1
            continue
        while i < n and not line[i].isspace():
            i += 1
        pieces.append(_classify(line[start:i], start, i))
    return pieces


def _classify(word: str, start: int, end: int) -> _Piece:
    if word == "--":
        return _Piece("sep", start, end, word)
    if word.startswith("\\"):
        rest = word[1:]
        literal = rest if _special(rest) else word
        return _Piece("word", start, end, literal, escaped=True)
    if len(word) > 1 and word[0] in SIGILS:
        return _Piece(_SIGIL_KIND[word[0]], start, end, word[1:])
    if word[:4].lower() == "due:":
        return _Piece("due", start, end, word[4:])
    return _Piece("word", start, end, word)


# --- matching -----------------------------------------------------------------------------


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _colour(text: str) -> str:
    return _norm(text).replace("-", "_").replace(" ", "_")


def _first_tier(tiers: Sequence[Sequence[str]]) -> tuple[str, ...]:
    """Ids of the first non-empty tier (exact before prefix), without duplicates."""
    for tier in tiers:
        if tier:
            return tuple(dict.fromkeys(tier))
    return ()


def match_labels(query: str, ctx: CaptureContext) -> tuple[str, ...]:
    q, c = _norm(query), _colour(query)
    labels = ctx.labels
    return _first_tier(
        [
            [lb.id for lb in labels if lb.id == query],
            [lb.id for lb in labels if q and _norm(lb.name) == q],
            [lb.id for lb in labels if not _norm(lb.name) and lb.color == c],
            [lb.id for lb in labels if c and lb.color == c],
            [
                lb.id
                for lb in labels
                if q and (_norm(lb.name).startswith(q) or (lb.color or "").startswith(c))
            ],
        ]
    )


def match_members(query: str, ctx: CaptureContext) -> tuple[str, ...]:
    q = _norm(query)
    members = ctx.members
    me = [ctx.me] if q == "me" and ctx.me else []
    return _first_tier(
        [
            [m.id for m in members if m.id == query],
            [m.id for m in members if q and _norm(m.username) == q],
            me,
            [m.id for m in members if q and _norm(m.full_name) == q],
            [m.id for m in members if q and _norm(m.initials) == q],
            [
                m.id
                for m in members
                if q
                and (
                    _norm(m.username).startswith(q)
                    or _norm(m.full_name).startswith(q)
                    or any(word.startswith(q) for word in _norm(m.full_name).split())
                )
            ],
        ]
    )


def match_lists(query: str, ctx: CaptureContext) -> tuple[str, ...]:
    q = _norm(query)
    lists = ctx.lists
    return _first_tier(
        [
            [lst.id for lst in lists if lst.id == query],
            [lst.id for lst in lists if q and _norm(lst.name) == q],
            [lst.id for lst in lists if q and _norm(lst.name).startswith(q)],
        ]
    )


def label_display(label: CaptureLabel) -> str:
    name, colour = label.name.strip(), label.color or "no colour"
    return f"{name} ({colour})" if name else f"({colour})"


def member_display(member: CaptureMember) -> str:
    return f"@{member.username} ({member.full_name})" if member.full_name else f"@{member.username}"


# --- parsing ------------------------------------------------------------------------------


class _Builder:
    """Accumulates one parse: the draft's fields, the tokens seen and the errors."""

    def __init__(self, line: str, ctx: CaptureContext, now: datetime) -> None:
        self.line, self.ctx, self.now = line, ctx, now
        self.words: list[str] = []
        self.labels: list[str] = []
        self.members: list[str] = []
        self.list_id: str | None = None
        self.position: Position | None = None
        self.due: datetime | None = None
        self.tokens: list[CaptureToken] = []
        self.errors: list[CaptureError] = []

    def fail(self, piece: _Piece, kind: TokenKind, message: str, cands: Sequence[str]) -> None:
        raw = self.line[piece.start : piece.end]
        self.tokens.append(CaptureToken(kind, raw, piece.start, piece.end, None, message))
        self.errors.append(CaptureError(message, raw, piece.start, piece.end, tuple(cands)))

    def ok(self, piece: _Piece, kind: TokenKind, value: str, end: int | None = None) -> None:
        end = piece.end if end is None else end
        self.tokens.append(
            CaptureToken(kind, self.line[piece.start : end], piece.start, end, value)
        )

    def resolve(
        self,
        piece: _Piece,
        kind: TokenKind,
        noun: str,
        found: tuple[str, ...],
        every: Sequence[tuple[str, str]],
    ) -> str | None:
        """One id, or an error naming the candidates (``every`` is ``(id, display)`` pairs)."""
        raw = self.line[piece.start : piece.end]
        if not piece.text.strip():
            self.fail(piece, kind, f"{raw}: which {noun}? the name is empty", [])
            return None
        if len(found) == 1:
            return found[0]
        shown = dict(every)
        if found:
            names = [shown[i] for i in found]
            self.fail(piece, kind, f"{raw} matches several {noun}s: {_listing(names)}", names)
            return None
        names = list(shown.values())
        where = f"{noun}s here: {_listing(names)}" if names else f"this board has no {noun}s"
        hint = f"; write \\{raw} to keep it in the title" if not piece.braced else ""
        self.fail(piece, kind, f"{raw} matches no {noun} ({where}){hint}", names)
        return None


def _listing(names: Sequence[str], limit: int = 12) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f", … ({len(names) - limit} more)" if len(names) > limit else "")


def parse_capture(text: str, ctx: CaptureContext, now: datetime) -> CaptureResult:
    """Parse capture syntax. Never raises: problems come back in ``result.errors``."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    line, rest = lines[0], lines[1:]
    build = _Builder(line, ctx, now)
    pieces = _scan(line)
    description_head = ""
    index = 0
    while index < len(pieces):
        piece = pieces[index]
        index += 1
        if piece.kind == "word":
            build.words.append(piece.text)
        elif piece.kind == "sep":
            description_head = line[piece.end :].strip()
            break
        elif piece.kind == "unclosed":
            raw = line[piece.start : piece.end]
            build.errors.append(
                CaptureError(f"{raw}: missing the closing }}", raw, piece.start, piece.end)
            )
        elif piece.kind == "due":
            index = _take_due(build, pieces, index - 1)
        else:
            _take_sigil(build, piece)
    description = "\n".join(([description_head] if description_head else []) + rest).strip()
    draft = CardDraft(
        title=" ".join(build.words),
        description=description,
        label_ids=tuple(dict.fromkeys(build.labels)),
        member_ids=tuple(dict.fromkeys(build.members)),
        list_id=build.list_id,
        position=build.position,
        due=build.due,
    )
    if not draft.title:
        build.errors.append(CaptureError("the card needs a title", "", 0, 0))
    return CaptureResult(draft, tuple(build.errors), tuple(build.tokens))


def _take_sigil(build: _Builder, piece: _Piece) -> None:
    ctx = build.ctx
    if piece.kind == "#":
        every = [(lb.id, label_display(lb)) for lb in ctx.labels]
        found = build.resolve(piece, "label", "label", match_labels(piece.text, ctx), every)
        if found is not None:
            build.labels.append(found)
            build.ok(piece, "label", found)
    elif piece.kind == "@":
        every = [(m.id, member_display(m)) for m in ctx.members]
        found = build.resolve(piece, "member", "member", match_members(piece.text, ctx), every)
        if found is not None:
            build.members.append(found)
            build.ok(piece, "member", found)
    elif not piece.braced and _position_word(piece.text):
        _take_position(build, piece)
    else:
        every = [(lst.id, lst.name) for lst in ctx.lists]
        found = build.resolve(piece, "list", "list", match_lists(piece.text, ctx), every)
        if found is None:
            return
        if build.list_id is not None and build.list_id != found:
            build.fail(piece, "list", f"{piece.text}: the card already goes to another list", [])
            return
        build.list_id = found
        build.ok(piece, "list", found)


def _position_word(query: str) -> bool:
    return query.lower() in ("top", "bottom") or _DIGITS.fullmatch(query) is not None


def _take_position(build: _Builder, piece: _Piece) -> None:
    word = piece.text.lower()
    raw = build.line[piece.start : piece.end]
    position: Position
    if word in ("top", "bottom"):
        position = "top" if word == "top" else "bottom"
    else:
        number = int(word) if len(word) <= 9 else MAX_POSITION + 1
        if not 1 <= number <= MAX_POSITION:
            build.fail(piece, "position", f"{raw}: positions run from 1 to {MAX_POSITION}", [])
            return
        position = number
    if build.position is not None and build.position != position:
        build.fail(piece, "position", f"{raw}: the position is already ^{build.position}", [])
        return
    build.position = position
    build.ok(piece, "position", str(position))


def _take_due(build: _Builder, pieces: list[_Piece], index: int) -> int:
    """Read ``due:`` and as many following words as still make a date; the next index."""
    piece = pieces[index]
    raw = build.line[piece.start : piece.end]
    words: list[str] = [piece.text] if piece.text or piece.braced else []
    ends: list[int] = [piece.end] if words else []
    if not piece.braced:
        for follower in pieces[index + 1 : index + 1 + _DUE_WORDS]:
            if follower.kind != "word" or follower.escaped or len(words) >= _DUE_WORDS:
                break
            words.append(follower.text)
            ends.append(follower.end)
    for count in range(len(words), 0, -1):
        value = parse_date(" ".join(words[:count]), build.now)
        if isinstance(value, datetime):
            if build.due is not None and build.due != value:
                build.fail(piece, "due", f"{raw}: the card already has a due date", [])
            else:
                build.due = value
                build.ok(piece, "due", value.isoformat(), ends[count - 1])
            consumed = count - (1 if piece.text or piece.braced else 0)
            return index + 1 + consumed
    if not words:
        build.fail(piece, "due", f"{raw} needs a date: {parse_date('', build.now)}", [])
        return index + 1
    problem = parse_date(words[0], build.now)
    message = problem.message if isinstance(problem, DateError) else "not a date"
    build.fail(piece, "due", f"due:{words[0]}: {message}", [])
    return index + 1 + (0 if piece.text or piece.braced else 1)
