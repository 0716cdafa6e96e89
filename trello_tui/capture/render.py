"""Capture syntax rendered back from a draft: the shortest token that resolves to exactly one
label, member or list (completion uses it), and the whole line for a draft (the preview and
the round-trip property). Kept apart from parse.py, which it mirrors."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from trello_tui.capture.parse import (
    CaptureContext,
    CaptureLabel,
    CaptureList,
    CaptureMember,
    CardDraft,
    _position_word,
    _scan,
    _special,
    match_labels,
    match_lists,
    match_members,
)


def _token_forms(sigil: str, query: str) -> list[str]:
    forms = []
    if query and not any(ch.isspace() for ch in query) and not query.startswith("{"):
        forms.append(sigil + query)
    # A line break inside braces would split the text into title and description.
    if query.strip() and not any(ch in query for ch in "}\n\r"):
        forms.append(sigil + "{" + query + "}")
    return forms


def _pick(
    sigil: str,
    queries: Sequence[str],
    target: str,
    matcher: Callable[[str, CaptureContext], tuple[str, ...]],
    ctx: CaptureContext,
) -> str:
    """The first token form that scans as one token and resolves to exactly ``target``."""
    for query in queries:
        for form in _token_forms(sigil, query):
            pieces = _scan(form)
            if len(pieces) != 1 or pieces[0].kind != sigil or pieces[0].end != len(form):
                continue
            if sigil == "^" and not pieces[0].braced and _position_word(pieces[0].text):
                continue
            if matcher(pieces[0].text, ctx) == (target,):
                return form
    return sigil + target


def label_token(label: CaptureLabel, ctx: CaptureContext) -> str:
    return _pick("#", [label.name, label.color or "", label.id], label.id, match_labels, ctx)


def member_token(member: CaptureMember, ctx: CaptureContext) -> str:
    queries = [member.username, member.full_name, member.initials, member.id]
    return _pick("@", queries, member.id, match_members, ctx)


def list_token(lst: CaptureList, ctx: CaptureContext) -> str:
    return _pick("^", [lst.name, lst.id], lst.id, match_lists, ctx)


def due_token(due: datetime) -> str:
    spec = "minutes" if not due.second and not due.microsecond else "auto"
    return "due:" + due.isoformat(timespec=spec)


def render_draft(draft: CardDraft, ctx: CaptureContext) -> str:
    """Capture syntax that parses back to ``draft`` (ids the context lacks are kept as ids)."""
    words = [("\\" + w if _special(w) else w) for w in draft.title.split()]
    labels = {lb.id: lb for lb in ctx.labels}
    members = {m.id: m for m in ctx.members}
    lists = {lst.id: lst for lst in ctx.lists}
    for label_id in draft.label_ids:
        words.append(label_token(labels[label_id], ctx) if label_id in labels else "#" + label_id)
    for member_id in draft.member_ids:
        known = members.get(member_id)
        words.append(member_token(known, ctx) if known else "@" + member_id)
    if draft.list_id is not None:
        known_list = lists.get(draft.list_id)
        words.append(list_token(known_list, ctx) if known_list else "^" + draft.list_id)
    if draft.position is not None:
        words.append(f"^{draft.position}")
    if draft.due is not None:
        words.append(due_token(draft.due))
    line = " ".join(words)
    description = draft.description.strip()
    if not description:
        return line
    return f"{line}\n{description}" if "\n" in description else f"{line} -- {description}"
