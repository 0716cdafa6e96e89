"""Composer help: completion of the token under the cursor, and the live preview."""

from __future__ import annotations

from tests.capture.board import ALICE, BOB, BUG, BUILD, CTX, DONE, GREEN, NOW, REVIEW, TODO, at
from trello_tui.capture.assist import completions, preview
from trello_tui.capture.parse import parse_capture


def inserts(text: str, cursor: int | None = None) -> list[str]:
    found = completions(text, len(text) if cursor is None else cursor, CTX, now=NOW)
    assert found is not None
    return [c.insert for c in found.candidates]


def test_label_completion_ranks_prefix_matches() -> None:
    found = completions("Fix #b", 6, CTX)
    assert found is not None
    assert (found.kind, found.start, found.end, found.query) == ("label", 4, 6, "b")
    assert [c.id for c in found.candidates[:2]] == [BUG.id, BUILD.id]
    assert found.candidates[0].color == "red"
    assert found.candidates[0].display == "Bug (red)"


def test_lone_sigil_offers_everything() -> None:
    assert inserts("Fix #") == [
        "#Bug",
        "#build",
        "#green",
        "#Shipped",
        "#{Needs review}",
        "#Someday",
    ]


def test_completion_by_colour_and_inside_braces() -> None:
    assert inserts("Fix #gre")[:3] == ["#green", "#Shipped", "#{Needs review}"]
    assert inserts("Fix #{needs r") == ["#{Needs review}"]


def test_member_completion() -> None:
    found = completions("Ask @st", 7, CTX)
    assert found is not None
    assert [c.id for c in found.candidates] == [BOB.id]
    assert found.candidates[0].insert == "@bobstone"
    assert inserts("Ask @") == ["@alice", "@bobstone", "@carol"]


def test_list_and_position_completion() -> None:
    assert inserts("Task ^") == ["^top", "^bottom", "^{To Do}", "^Doing", "^Done", "^{In review}"]
    assert inserts("Task ^do") == ["^Doing", "^Done", "^{To Do}"]
    assert inserts("Task ^t") == ["^top", "^{To Do}", "^bottom"]  # substring last


def test_due_completion_shows_dates() -> None:
    found = completions("Pay due:to", 10, CTX, now=NOW)
    assert found is not None
    assert [c.display for c in found.candidates] == [
        "today — Wed 25 Nov 12:00",
        "tomorrow — Thu 26 Nov 12:00",
    ]
    found = completions("Pay due:next w rent", 14, CTX)
    assert found is not None
    assert (found.start, found.end, found.query) == (4, 14, "next w")
    assert [c.insert for c in found.candidates] == ["due:{next week}"]
    assert completions("Pay due:fri rent", 16, CTX) is None  # title words after a date


def test_cursor_in_the_middle_of_a_token() -> None:
    found = completions("Fix #bug now", 6, CTX)  # cursor after "#b"
    assert found is not None
    assert (found.start, found.end, found.query) == (4, 8, "b")


def test_no_completion_outside_tokens() -> None:
    assert completions("Fix the bug", 5, CTX) is None
    assert completions("Fix #bug -- see #b", 18, CTX) is None  # the description is free text
    assert completions("Fix \\#b", 7, CTX) is None  # escaped
    assert completions("Fix #b\n#bu", 10, CTX) is None  # only the title line has tokens
    assert completions("", 0, CTX) is None


def test_every_inserted_token_parses_to_its_item() -> None:
    for sigil in "#@^":
        found = completions(f"Task {sigil}", 6, CTX)
        assert found is not None
        for candidate in found.candidates:
            text = f"Task {candidate.insert}"
            result = parse_capture(text, CTX, NOW)
            assert result.ok, text
            draft = result.draft
            resolved = {*draft.label_ids, *draft.member_ids, draft.list_id, draft.position}
            assert candidate.id in resolved


def test_preview() -> None:
    shown = preview("Fix login #bug #green @alice ^Done ^top due:fri -- details", CTX, NOW)
    assert shown.ok
    assert shown.title == "Fix login"
    assert shown.description == "details"
    assert shown.labels == (BUG, GREEN)
    assert shown.members == (ALICE,)
    assert shown.list == DONE
    assert shown.position == "top"
    assert shown.due == at(2026, 11, 27)
    assert shown.due_text == "Fri 27 Nov 12:00"


def test_preview_carries_errors() -> None:
    shown = preview("Fix #bu ^{To Do} #{needs review}", CTX, NOW)
    assert not shown.ok
    assert shown.errors == ("#bu matches several labels: Bug (red), build (blue)",)
    assert shown.list == TODO
    assert shown.labels == (REVIEW,)


def test_context_from_api_models() -> None:
    from trello_tui.capture.assist import context_from
    from trello_tui.trello.models import Label, Member, TrelloList

    label = Label.from_json({"id": "l1", "idBoard": "b", "name": "Bug", "color": "red"})
    member = Member.from_json({"id": "m1", "username": "alice", "fullName": "Alice Smith"})
    lst = TrelloList.from_json({"id": "t1", "idBoard": "b", "name": "Done", "pos": 1})
    ctx = context_from([label], [member], [lst], me="m1")
    result = parse_capture("Fix #bug @me @as ^Done", ctx, NOW)
    assert result.ok
    assert result.draft.label_ids == ("l1",)
    assert result.draft.member_ids == ("m1",)
    assert result.draft.list_id == "t1"
