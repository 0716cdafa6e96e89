"""Capture syntax, one token kind at a time, and the errors a user sees."""

from __future__ import annotations

import pytest

from tests.capture.board import (
    ALICE,
    BOB,
    BUG,
    BUILD,
    CAROL,
    CTX,
    DONE,
    GREEN,
    NOW,
    PLAIN,
    REVIEW,
    REVIEWING,
    SHIPPED,
    TODO,
    at,
)
from trello_tui.capture.parse import CaptureContext, CardDraft, parse_capture


def parse_ok(text: str, ctx: CaptureContext = CTX) -> CardDraft:
    result = parse_capture(text, ctx, NOW)
    assert result.ok, [e.message for e in result.errors]
    return result.draft


def only_error(text: str) -> str:
    result = parse_capture(text, CTX, NOW)
    assert len(result.errors) == 1, [e.message for e in result.errors]
    return result.errors[0].message


def test_the_issue_example() -> None:
    draft = parse_ok("Fix login #bug @alice due:fri ^top")
    assert draft == CardDraft(
        title="Fix login",
        label_ids=(BUG.id,),
        member_ids=(ALICE.id,),
        position="top",
        due=at(2026, 11, 27),
    )


def test_plain_title_is_tidied() -> None:
    assert parse_ok("  Buy   milk \t now ").title == "Buy milk now"


def test_tokens_anywhere_and_whitespace_tidied() -> None:
    draft = parse_ok("#bug Fix   the  @alice login  ^Done")
    assert draft.title == "Fix the login"
    assert draft.list_id == DONE.id


@pytest.mark.parametrize(
    ("token", "label"),
    [
        ("#bug", BUG),  # by name, case-insensitive
        ("#BUG", BUG),
        ("#red", BUG),  # by colour
        ("#blue", BUILD),
        ("#{needs review}", REVIEW),  # braces for names with spaces
        ("#{ Needs   Review }", REVIEW),
        ("#green_dark", REVIEW),
        ("#green-dark", REVIEW),
        ("#green", GREEN),  # the unnamed green label beats the named one of that colour
        ("#ship", SHIPPED),  # unique prefix
        ("#some", PLAIN),
        ("#lab-build", BUILD),  # by id
    ],
)
def test_labels(token: str, label: object) -> None:
    assert parse_ok(f"Task {token}").label_ids == (label.id,)  # type: ignore[attr-defined]


def test_several_labels_keep_order_and_dedupe() -> None:
    draft = parse_ok("Task #build #bug #red #{needs review}")
    assert draft.label_ids == (BUILD.id, BUG.id, REVIEW.id)


def test_ambiguous_label_names_candidates() -> None:
    result = parse_capture("Task #bu", CTX, NOW)
    (error,) = result.errors
    assert error.candidates == ("Bug (red)", "build (blue)")
    assert error.message == "#bu matches several labels: Bug (red), build (blue)"
    assert (error.start, error.end, error.raw) == (5, 8, "#bu")
    assert result.draft.label_ids == ()
    assert result.draft.title == "Task"


def test_unknown_label_lists_the_board_labels_and_the_escape() -> None:
    message = only_error("Fix issue #123")
    assert message.startswith("#123 matches no label (labels here: Bug (red), build (blue),")
    assert "Needs review (green_dark)" in message
    assert "write \\#123 to keep it in the title" in message


def test_escaped_tokens_stay_in_the_title() -> None:
    draft = parse_ok(r"Fix issue \#123 for \@bob at 2\^10 \due:x \-- \\#x")
    assert draft.title == r"Fix issue #123 for @bob at 2\^10 due:x -- \#x"
    assert draft.label_ids == ()


def test_words_that_only_look_like_tokens() -> None:
    draft = parse_ok("Email bob@example.com about C# and 2^10 # of items")
    assert draft.title == "Email bob@example.com about C# and 2^10 # of items"


@pytest.mark.parametrize(
    ("token", "member"),
    [
        ("@alice", ALICE),  # username
        ("@ALICE", ALICE),
        ("@bobstone", BOB),
        ("@{Alice Smith}", ALICE),  # full name
        ("@ca", CAROL),  # initials (exact beats carol's username prefix)
        ("@smith", ALICE),  # a word of the full name
        ("@car", CAROL),
        ("@me", BOB),  # the current member
        ("@mem-carol", CAROL),
    ],
)
def test_members(token: str, member: object) -> None:
    assert parse_ok(f"Task {token}").member_ids == (member.id,)  # type: ignore[attr-defined]


def test_ambiguous_and_unknown_members() -> None:
    result = parse_capture("Task @s @zed", CTX, NOW)
    first, second = result.errors
    assert (
        first.message == "@s matches several members: @alice (Alice Smith), @bobstone (Bob Stone)"
    )
    assert second.message.startswith("@zed matches no member (members here: @alice (Alice Smith),")
    assert second.candidates == (
        "@alice (Alice Smith)",
        "@bobstone (Bob Stone)",
        "@carol (Carol Anders)",
    )


def test_me_without_a_current_member_is_an_error() -> None:
    ctx = CaptureContext(members=CTX.members)
    assert not parse_capture("Task @me", ctx, NOW).ok


@pytest.mark.parametrize(
    ("token", "position"),
    [("^top", "top"), ("^TOP", "top"), ("^bottom", "bottom"), ("^1", 1), ("^42", 42)],
)
def test_positions(token: str, position: object) -> None:
    draft = parse_ok(f"Task {token}")
    assert draft.position == position
    assert draft.list_id is None


@pytest.mark.parametrize(
    ("token", "lst"),
    [
        ("^Done", DONE),
        ("^done", DONE),
        ("^{To Do}", TODO),
        ("^to", TODO),  # unique prefix
        ("^{in review}", REVIEWING),
        ("^list-done", DONE),
    ],
)
def test_target_lists(token: str, lst: object) -> None:
    assert parse_ok(f"Task {token}").list_id == lst.id  # type: ignore[attr-defined]


def test_list_and_position_together() -> None:
    draft = parse_ok("Task ^Done ^2")
    assert (draft.list_id, draft.position) == (DONE.id, 2)


def test_braces_always_mean_a_list_name() -> None:
    ctx = CaptureContext(lists=(TODO, type(TODO)("list-top", "Top")))
    draft = parse_ok("Task ^{top}", ctx)
    assert (draft.list_id, draft.position) == ("list-top", None)
    assert parse_ok("Task ^top", ctx).position == "top"


def test_position_and_list_errors() -> None:
    assert only_error("Task ^Do") == "^Do matches several lists: Doing, Done"
    assert only_error("Task ^0") == "^0: positions run from 1 to 1000000"
    assert only_error("Task ^top ^bottom") == "^bottom: the position is already ^top"
    assert only_error("Task ^Done ^{To Do}") == "To Do: the card already goes to another list"
    assert only_error("Task ^nowhere").startswith("^nowhere matches no list (lists here: To Do,")


@pytest.mark.parametrize(
    ("text", "due", "title"),
    [
        ("Pay rent due:fri", at(2026, 11, 27), "Pay rent"),
        ("Pay rent due:tomorrow", at(2026, 11, 26), "Pay rent"),
        ("Pay due:next week rent", at(2026, 11, 30), "Pay rent"),
        ("Pay due:in 3 days rent", at(2026, 11, 28), "Pay rent"),
        ("Pay due:2026-12-01 17:00 rent", at(2026, 12, 1, 17), "Pay rent"),
        ("Pay due:{2026-12-01 17:00} rent", at(2026, 12, 1, 17), "Pay rent"),
        ("Pay due:eod", at(2026, 11, 25, 17), "Pay"),
        ("Pay due:fri 5pm rent", at(2026, 11, 27, 17), "Pay rent"),
        ("Pay due: fri rent", at(2026, 11, 27), "Pay rent"),
        ("Pay DUE:Fri #bug rent", at(2026, 11, 27), "Pay rent"),
        ("Pay rent due:dec 5", at(2026, 12, 5), "Pay rent"),
    ],
)
def test_due_dates(text: str, due: object, title: str) -> None:
    draft = parse_ok(text)
    assert draft.due == due
    assert draft.title == title


def test_due_errors() -> None:
    message = only_error("Pay due:someday")
    assert message.startswith('due:someday: cannot read "someday" as a date; try today')
    assert only_error("Pay due:").startswith("due: needs a date")
    assert only_error("Pay due:fri due:mon") == "due:mon: the card already has a due date"


def test_description_after_double_dash() -> None:
    draft = parse_ok("Fix login #bug -- the token #expires -- too early ")
    assert draft.title == "Fix login"
    assert draft.description == "the token #expires -- too early"
    assert draft.label_ids == (BUG.id,)


def test_description_on_following_lines() -> None:
    draft = parse_ok("Fix login @alice\r\nFirst line\n\n  - a #list item\n")
    assert draft.title == "Fix login"
    assert draft.description == "First line\n\n  - a #list item"


def test_description_from_both() -> None:
    draft = parse_ok("Fix -- summary\ndetails")
    assert draft.description == "summary\ndetails"


def test_dash_inside_words_is_not_a_separator() -> None:
    assert parse_ok("Fix a--b and --verbose").title == "Fix a--b and --verbose"


def test_empty_title_is_an_error() -> None:
    assert only_error("#bug @alice") == "the card needs a title"
    assert only_error("") == "the card needs a title"


def test_unclosed_brace() -> None:
    result = parse_capture("Task #{needs review", CTX, NOW)
    assert [e.message for e in result.errors] == ["#{needs review: missing the closing }"]
    assert result.draft.title == "Task"


def test_empty_braces() -> None:
    assert only_error("Task #{ }") == "#{ }: which label? the name is empty"


def test_errors_do_not_stop_the_rest() -> None:
    result = parse_capture("Fix #nope @alice ^Done due:fri", CTX, NOW)
    assert len(result.errors) == 1
    assert result.draft.member_ids == (ALICE.id,)
    assert result.draft.list_id == DONE.id
    assert result.draft.due == at(2026, 11, 27)


def test_tokens_report_spans_for_the_preview() -> None:
    text = "Fix #bug due:next week ^top"
    result = parse_capture(text, CTX, NOW)
    spans = [(t.kind, text[t.start : t.end], t.value) for t in result.tokens]
    assert spans == [
        ("label", "#bug", BUG.id),
        ("due", "due:next week", at(2026, 11, 30).isoformat()),
        ("position", "^top", "top"),
    ]


def test_empty_board() -> None:
    result = parse_capture("Task #bug", CaptureContext(), NOW)
    assert result.errors[0].message.startswith("#bug matches no label (this board has no labels)")
