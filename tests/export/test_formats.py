"""Markdown and CSV exports: what they say about the demo board, and awkward text surviving."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest

from tests.export.helpers import board_id, cache_at, cache_boards
from trello_tui.export import CSV_COLUMNS, render, to_csv, to_markdown
from trello_tui.export.board_json import Ordered
from trello_tui.sandbox import Sandbox
from trello_tui.trello.models import Board

BOARD = "5581995e154c75482b514e90"
NASTY = 'Launch, "v2"\nnow — «ünï» *bold* _x_ #1 [link](y) a|b'
DESC = 'First line, with comma\n\n"Quoted" second\r\nthird'


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.fixture(scope="module")
def roadmap(tmp_path_factory: pytest.TempPathFactory) -> Board:
    """The demo roadmap as the cache holds it."""
    sb = Sandbox.create("demo")
    cache = cache_at(tmp_path_factory.mktemp("formats"))
    asyncio.run(cache_boards(sb, cache, ("Product Roadmap",)))
    cached = cache.load_board(board_id(sb, "Product Roadmap"))
    cache.close()
    assert cached is not None
    return cached.board


def awkward_board() -> Board:
    """A small board with every kind of text a naive exporter breaks on."""

    def item(i: int, name: str, done: bool) -> dict[str, Any]:
        return {"id": f"i{i}", "name": name, "pos": i * 10, "state": "complete" if done else ""}

    board = Board.from_json(
        {
            "id": BOARD,
            "name": "Team, \"Q4\"",
            "desc": "Line one\nline two",
            "closed": True,
            "url": "https://trello.com/b/abcdefgh/team",
            "lists": [
                {"id": "l2", "name": "Done, \"really\"", "pos": 200},
                {"id": "l1", "name": "To do", "pos": 100},
                {"id": "l3", "name": "Empty", "pos": 300},
                {"id": "l4", "name": "Old", "pos": 400, "closed": True},
            ],
            "labels": [
                {"id": "b1", "name": 'Bug, "hot"', "color": "red"},
                {"id": "b2", "name": "", "color": "sky_dark"},
                {"id": "b3", "name": "Plain", "color": None},
            ],
            "members": [{"id": "m1", "username": "ana", "fullName": "Ana, de \"la\" Cruz"}],
            "cards": [
                {
                    "id": "c1", "name": NASTY, "idList": "l1", "pos": 2,
                    "desc": DESC,
                    "idLabels": ["b1", "b2", "b3"], "idMembers": ["m1"],
                    "due": "2026-12-01T17:00:00.000Z", "dueComplete": True,
                    "start": "2026-11-30T09:00:00.000Z", "url": "https://trello.com/c/x/1-a",
                },
                {"id": "c0", "name": "First", "idList": "l1", "pos": 1},
                {"id": "c2", "name": "Gone", "idList": "l1", "pos": 3, "closed": True},
                {"id": "c3", "name": "In an old list", "idList": "l4", "pos": 1},
                {"id": "c4", "name": "Shipped", "idList": "l2", "pos": 1},
            ],
            "checklists": [
                {
                    "id": "k2", "idCard": "c1", "name": "Later, \"maybe\"", "pos": 2,
                    "checkItems": [item(3, "Third, \"q\"", False)],
                },
                {
                    "id": "k1", "idCard": "c1", "name": "Steps", "pos": 1,
                    "checkItems": [item(2, "b *two*", False), item(1, "a, one", True)],
                },
            ],
        }
    )  # fmt: skip
    # Decoding shows a name on one line and a description with plain newlines (text.visible);
    # the exporter must still quote whatever a card holds, so c1 holds its text as it was sent.
    cards = [c.with_changes(name=NASTY, desc=DESC) if c.id == "c1" else c for c in board.cards]
    return board.with_changes(cards=tuple(cards))


# -- CSV ------------------------------------------------------------------------------------


def test_csv_has_one_row_per_card_in_board_order(roadmap: Board) -> None:
    text = to_csv(roadmap)
    rows = _rows(text)
    assert tuple(rows[0].keys()) == CSV_COLUMNS
    order = Ordered.of(roadmap)
    assert [r["Card ID"] for r in rows] == [c.id for c in order.cards]
    assert len(rows) == len(roadmap.cards) > 250
    lists = {x.id: x.name for x in roadmap.lists}
    labels = {x.id: x for x in roadmap.labels}
    people = {m.id: m for m in roadmap.members}
    for row, card in zip(rows, order.cards, strict=True):
        assert row["Card Name"] == card.name and row["Card Description"] == card.desc
        assert row["List Name"] == lists[card.id_list] and row["Board Name"] == roadmap.name
        assert row["Card URL"] == card.url and row["Archived"] == "false"
        assert row["Labels"] == ", ".join(
            f"{labels[i].name} ({labels[i].color or 'no colour'})" for i in card.id_labels
        )
        assert row["Member Usernames"] == ", ".join(people[m].username for m in card.id_members)
        assert row["Due Complete"] == ("true" if card.due_complete else "false")
        assert (row["Due Date"] != "") == (card.due is not None)
        checklists = order.card_checklists.get(card.id, ())
        assert int(row["Checklist Item Total Count"]) == sum(len(c.check_items) for c in checklists)
        assert int(row["Checklist Item Completed Count"]) == sum(c.done for c in checklists)
    assert any(int(r["Checklist Item Completed Count"]) for r in rows)
    assert sum(int(r["Comment Count"]) for r in rows) >= 30


def test_csv_keeps_commas_quotes_and_newlines() -> None:
    board = awkward_board()
    text = to_csv(board)
    assert text.endswith("\r\n") and '"Team, ""Q4"""' in text  # RFC 4180: quoted, "" inside
    rows = {r["Card ID"]: r for r in _rows(text)}
    row = rows["c1"]
    assert row["Card Name"] == NASTY
    assert row["Card Description"] == 'First line, with comma\n\n"Quoted" second\r\nthird'
    assert row["Labels"] == 'Bug, "hot" (red),  (sky_dark), Plain (no colour)'
    assert row["Members"] == 'Ana, de "la" Cruz' and row["Member Usernames"] == "ana"
    assert row["Due Date"] == "2026-12-01T17:00:00.000Z" and row["Due Complete"] == "true"
    assert row["Start Date"] == "2026-11-30T09:00:00.000Z"
    assert row["Checklists"] == 'Steps: 1/2; Later, "maybe": 0/1'
    assert (row["Checklist Item Total Count"], row["Checklist Item Completed Count"]) == ("3", "1")
    assert row["Board Name"] == 'Team, "Q4"' and row["Position"] == "2"
    # every card, archived ones and those of archived lists included, list by list
    assert list(rows) == ["c0", "c1", "c2", "c4", "c3"]
    assert rows["c2"]["Archived"] == "true" and rows["c4"]["List Name"] == 'Done, "really"'


# -- Markdown -------------------------------------------------------------------------------


def _sections(text: str) -> dict[str, str]:
    parts = re.split(r"^## (.*)$", text, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_markdown_reads_like_the_board(roadmap: Board) -> None:
    text = to_markdown(roadmap)
    assert text.startswith("# Product Roadmap\n\nEverything we plan to build this year.")
    sections = _sections(text)
    order = Ordered.of(roadmap)
    assert list(sections) == [x.name for x in order.lists]  # no archived card is cached
    for lst in order.lists:
        body = sections[lst.name]
        names = re.findall(r"^- \*\*(.*)\*\*$", body, flags=re.MULTILINE)
        assert names == [c.name for c in order.cards if c.id_list == lst.id]
    items = re.findall(r"^  - \[( |x)\] ", text, flags=re.MULTILINE)
    checklists = order.checklists
    assert len(items) == sum(len(c.check_items) for c in checklists)
    assert items.count("x") == sum(c.done for c in checklists) > 0
    assert len(re.findall(r"^  \*\*Tasks\*\* \(\d+/\d+\)$", text, flags=re.MULTILINE)) == len(
        checklists
    )
    assert re.search(r"^  - Due: \d{4}-\d\d-\d\d \d\d:\d\d UTC \(complete\)$", text, re.MULTILINE)
    assert re.search(r"^  - Members: .*\(@alex\)", text, flags=re.MULTILINE)
    assert "  - Labels: Bug (green)" in text and "(sky)" in text and "(no colour)" in text
    assert "  > Owner: **Sam**." in text  # descriptions are Markdown: kept, quoted in the item


def test_markdown_escapes_names_and_files_archived_cards_last() -> None:
    text = to_markdown(awkward_board())
    assert text.startswith('# Team, "Q4"\n\n_This board is closed._\n\nLine one\nline two\n')
    sections = _sections(text)
    assert list(sections) == ["To do", 'Done, "really"', "Empty", "Archived"]
    todo = sections["To do"]
    assert todo.index("**First**") < todo.index("Launch")
    name = r'Launch, "v2" now — «ünï» \*bold\* \_x\_ \#1 \[link\](y) a\|b'
    assert f"- **{name}**\n" in todo  # one line, Markdown characters escaped
    assert '  - Labels: Bug, "hot" (red), (sky dark), Plain (no colour)\n' in todo
    assert "  - Start: 2026-11-30 09:00 UTC\n  - Due: 2026-12-01 17:00 UTC (complete)\n" in todo
    assert '  - Members: Ana, de "la" Cruz (@ana)\n' in todo
    assert '  > First line, with comma\n  >\n  > "Quoted" second\n  > third\n' in todo
    steps = "  **Steps** (1/2)\n\n  - [x] a, one\n  - [ ] b \\*two\\*\n"
    later = '  **Later, "maybe"** (0/1)\n\n  - [ ] Third, "q"\n'
    assert steps in todo and later in todo and todo.index(steps) < todo.index(later)
    assert "Gone" not in todo and sections["Empty"].strip() == "_No cards._"
    archived = sections["Archived"]
    assert "- **Gone** — in To do" in archived and "- **In an old list** — in Old" in archived


def test_render_picks_the_format(roadmap: Board, tmp_path: Path) -> None:
    assert render(roadmap, "csv") == to_csv(roadmap)
    assert render(roadmap, "markdown") == to_markdown(roadmap)
    text = render(roadmap, "json")
    assert text.startswith('{"id":"') and text.count("\n") == 1  # compact, as Trello's
    with pytest.raises(ValueError, match="unknown export format"):
        render(roadmap, "xml")
