"""Hypothesis: the parser never raises, and any draft survives render → parse unchanged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.capture.board import CTX, NOW
from trello_tui.capture.assist import completions, preview
from trello_tui.capture.parse import (
    CaptureContext,
    CaptureLabel,
    CaptureList,
    CaptureMember,
    CardDraft,
    parse_capture,
)
from trello_tui.capture.render import render_draft

COLOURS = [
    f"{hue}{shade}"
    for hue in ("green", "yellow", "orange", "red", "purple", "blue", "sky", "lime", "pink")
    for shade in ("", "_light", "_dark")
] + ["black", "black_light", "black_dark"]

# Text that exercises the syntax far more often than uniform unicode would.
FRAGMENTS = st.sampled_from(
    [
        "#",
        "@",
        "^",
        "{",
        "}",
        "\\",
        "--",
        " -- ",
        "due:",
        "due:{",
        " ",
        "\n",
        "\r",
        "\t",
        "bug",
        "Bug",
        "red",
        "green",
        "alice",
        "me",
        "top",
        "bottom",
        "0",
        "3",
        "99999999999",
        "Done",
        "To Do",
        "fri",
        "next week",
        "in 3 days",
        "2026-12-01",
        "17:00",
        "eod",
        "é",
        "İ",
        "\u2028",
        "\x00",
        "\x1c",
    ]
)
NAMES = st.one_of(
    st.text(max_size=12),
    st.lists(FRAGMENTS, max_size=4).map("".join),
    st.sampled_from(["bug", "Bug", "bug ", "top", "3", "green", "{x}", "a}b", "me", ""]),
)
TEXT = st.one_of(st.text(max_size=60), st.lists(FRAGMENTS, max_size=14).map("".join))


@st.composite
def contexts(draw: st.DrawFn) -> CaptureContext:
    """Boards with awkward names: duplicates, colours as names, keywords, braces, blanks."""
    n_labels = draw(st.integers(0, 6))
    labels = tuple(
        CaptureLabel(
            f"5f{i:022x}",
            draw(NAMES),
            draw(st.one_of(st.none(), st.sampled_from([*COLOURS, "mauve"]))),
        )
        for i in range(n_labels)
    )
    n_members = draw(st.integers(0, 5))
    members = tuple(
        CaptureMember(f"6a{i:022x}", draw(NAMES), draw(NAMES), draw(NAMES))
        for i in range(n_members)
    )
    n_lists = draw(st.integers(0, 5))
    lists = tuple(
        CaptureList(draw(st.sampled_from([f"7b{i:022x}", f"{i:024d}"])), draw(NAMES))
        for i in range(n_lists)
    )
    me = draw(st.one_of(st.none(), st.sampled_from([m.id for m in members] or [None])))
    return CaptureContext(labels=labels, members=members, lists=lists, me=me)


WORD = st.text(min_size=1, max_size=8).filter(lambda w: not any(ch.isspace() for ch in w))
TITLE_WORD = st.one_of(
    WORD,
    st.sampled_from(["#1", "@bob", "^top", "due:fri", "--", "\\", "\\#x", "#{a", "DUE:", "x}"]),
)
ZONES = st.one_of(
    st.just(UTC),
    st.builds(
        timezone,
        st.integers(-23 * 60 + 1, 23 * 60 - 1).map(lambda m: timedelta(minutes=m)),
    ),
)


@st.composite
def drafts(draw: st.DrawFn, ctx: CaptureContext) -> CardDraft:
    title = " ".join(draw(st.lists(TITLE_WORD, min_size=1, max_size=6)))
    description = draw(st.one_of(st.just(""), TEXT)).replace("\r", "").strip()
    label_ids = draw(
        st.lists(st.sampled_from([lb.id for lb in ctx.labels]), unique=True)
        if ctx.labels
        else st.just([])
    )
    member_ids = draw(
        st.lists(st.sampled_from([m.id for m in ctx.members]), unique=True)
        if ctx.members
        else st.just([])
    )
    list_id = (
        draw(st.one_of(st.none(), st.sampled_from([x.id for x in ctx.lists])))
        if ctx.lists
        else None
    )
    position = draw(
        st.one_of(st.none(), st.sampled_from(["top", "bottom"]), st.integers(1, 1_000_000))
    )
    due = draw(
        st.one_of(
            st.none(),
            st.datetimes(datetime(1970, 1, 1), datetime(2200, 1, 1), timezones=ZONES),
            st.datetimes(datetime(2020, 1, 1), datetime(2030, 1, 1), timezones=ZONES).map(
                lambda d: d.replace(second=0, microsecond=0)
            ),
        )
    )
    return CardDraft(
        title=title,
        description=description,
        label_ids=tuple(label_ids),
        member_ids=tuple(member_ids),
        list_id=list_id,
        position=position,
        due=due,
    )


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXT, ctx=st.one_of(st.just(CTX), contexts()), cursor=st.integers(-2, 70))
def test_parser_never_raises(text: str, ctx: CaptureContext, cursor: int) -> None:
    result = parse_capture(text, ctx, NOW)
    assert result.ok == (not result.errors)
    for error in result.errors:
        assert error.message
        assert 0 <= error.start <= error.end <= len(text)
    for token in result.tokens:
        assert text[token.start : token.end] == token.raw
    assert "\n" not in result.draft.title
    assert result.draft.title == " ".join(result.draft.title.split())
    completions(text, cursor, ctx, now=NOW)
    preview(text, ctx, NOW)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), ctx=st.one_of(st.just(CTX), contexts()))
def test_drafts_survive_render_then_parse(data: st.DataObject, ctx: CaptureContext) -> None:
    draft = data.draw(drafts(ctx))
    text = render_draft(draft, ctx)
    result = parse_capture(text, ctx, NOW)
    assert result.ok, (text, [e.message for e in result.errors])
    assert result.draft == draft, text
    if result.draft.due is not None:
        assert draft.due is not None
        assert result.draft.due.utcoffset() == draft.due.utcoffset()


@settings(max_examples=200, deadline=None)
@given(text=TEXT)
def test_parse_then_render_is_a_fixed_point(text: str) -> None:
    """Whatever parses cleanly renders to text that parses to the same draft."""
    first = parse_capture(text, CTX, NOW)
    if first.ok:
        again = parse_capture(render_draft(first.draft, CTX), CTX, NOW)
        assert again.ok
        assert again.draft == first.draft
