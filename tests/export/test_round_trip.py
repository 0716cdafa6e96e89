"""Acceptance: `trello-tui export` of a demo board re-imports into a fresh sandbox identically.

Each demo board is loaded into a cache the way the app opens it, exported to JSON, and that
file seeds a brand-new sandbox (``Sandbox.create(path)``, what ``trello-tui sandbox --seed
PATH`` does). Both boards are then read through the API and compared: the board's fields,
lists (names, order, positions), cards (every field a card shows, in order), labels (names and
colours), checklists (items, order, states, due dates, assignees) and members (who is on the
board and on each card). Members are compared by username: the fresh sandbox has its own
alex, sam and jordan, and the importer maps the exported ones onto them.

The cache holds what the app loads, open lists and open cards, so that is what the original
is read as; the re-imported board is read with ``lists=all&cards=all`` so nothing extra can
hide. Before the export the demo gets the odd values a board can carry (quotes, commas and
newlines in names, a check item with a due date and an assignee, a card cover).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from tests.export.helpers import DEMO_BOARDS, board_id, cache_at, cache_boards, get_board
from trello_tui.export import trello_json
from trello_tui.sandbox import Sandbox
from trello_tui.store.cache import Cache

CARD_FIELDS = (
    "name", "desc", "idList", "pos", "closed", "due", "start", "dueComplete", "idLabels",
    "idShort", "shortLink", "shortUrl", "url", "idChecklists", "dateLastActivity", "subscribed",
)  # fmt: skip
BADGES = ("checkItems", "checkItemsChecked", "comments", "description", "votes", "due", "start")


def _awkward(sb: Sandbox) -> None:
    """Values that break naive exporters, on the roadmap, before it is cached."""
    w = sb.world
    roadmap = w.boards[board_id(sb, "Product Roadmap")]
    cards = [w.cards[c] for c in roadmap.card_ids if not w.cards[c].closed]
    cards[0].name = 'He said "ship it", then left'
    cards[0].desc = "Line one,\nline two; «ünïcode» 🚀\n\n- a list\n"
    cards[1].cover_color = "red"
    checklist = next(w.checklists[c] for c in roadmap.checklist_ids)
    checklist.name = 'Tasks, "quoted"'
    checklist.items[0].due = "2026-12-01T17:00:00.000Z"
    checklist.items[0].id_member = w.me
    checklist.items[-1].name = 'a, b "c"'
    label = next(w.labels[i] for i in roadmap.label_ids)
    label.name = 'Bug, "urgent"'


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Sandbox, dict[str, Path]]:
    """The demo sandbox and, per demo board, the path of its JSON export."""
    sb = Sandbox.create("demo")
    _awkward(sb)
    folder = tmp_path_factory.mktemp("export")
    cache = cache_at(folder / "cache")
    asyncio.run(cache_boards(sb, cache))
    paths: dict[str, Path] = {}
    for name in DEMO_BOARDS:
        cached = cache.load_board(board_id(sb, name))
        assert cached is not None
        path = folder / f"{name}.json"
        path.write_text(json.dumps(trello_json(cached.board)), encoding="utf-8")
        paths[name] = path
    cache.close()
    return sb, paths


def _view(board: dict[str, Any], card_ids: set[str] | None = None) -> dict[str, Any]:
    """Everything the acceptance point names, with members as usernames."""
    people = {m["id"]: m["username"] for m in board["members"]}
    cards = [c for c in board["cards"] if card_ids is None or c["id"] in card_ids]
    kept = {c["id"] for c in cards}
    lists = sorted(board["lists"], key=lambda x: x["pos"])
    return {
        "board": {
            **{k: board[k] for k in ("id", "name", "desc", "closed", "shortLink", "url")},
            **{k: board[k] for k in ("shortUrl", "starred", "labelNames")},
            "permissionLevel": board["prefs"]["permissionLevel"],
            "background": board["prefs"]["background"],
        },
        "members": sorted(people.values()),
        "lists": [(x["id"], x["name"], x["pos"], x["closed"]) for x in lists],
        "labels": [(x["id"], x["name"], x["color"]) for x in board["labels"]],
        "order": {
            x["id"]: [
                c["id"] for c in sorted(cards, key=lambda c: c["pos"]) if c["idList"] == x["id"]
            ]
            for x in lists
        },
        "cards": {
            c["id"]: {
                **{k: c[k] for k in CARD_FIELDS},
                "badges": {k: c["badges"][k] for k in BADGES},
                "labels": [(x["id"], x["name"], x["color"]) for x in c["labels"]],
                "members": [people[m] for m in c["idMembers"]],
                "cover": c["cover"]["color"],
            }
            for c in cards
        },
        "checklists": {
            cl["id"]: (
                cl["name"],
                cl["idCard"],
                cl["pos"],
                [
                    (i["id"], i["name"], i["pos"], i["state"], i["due"], people.get(i["idMember"]))
                    for i in cl["checkItems"]
                ],
            )
            for cl in board["checklists"]
            if cl["idCard"] in kept
        },
    }


@pytest.mark.parametrize("name", DEMO_BOARDS)
async def test_export_reimports_identically(
    exported: tuple[Sandbox, dict[str, Path]], name: str
) -> None:
    sb, paths = exported
    fresh = Sandbox.create(str(paths[name]))
    assert fresh.world.me != sb.world.me  # a different world: nothing is shared but the file
    board = board_id(sb, name)
    original = await get_board(sb, board, lists="open", cards="open")
    again = await get_board(fresh, board)  # lists=all, cards=all: nothing extra may appear
    want, got = _view(original), _view(again)
    for part in want:
        assert got[part] == want[part], f"{name}: {part} differs"
    # not vacuous: the boards carry what the comparison is about
    assert len(want["cards"]) == len([c for c in original["cards"] if not c["closed"]])
    if name == "Product Roadmap":
        assert len(want["cards"]) > 250 and len(want["labels"]) == 32
        assert len(want["checklists"]) > 50 and len({x[2] for x in want["labels"]}) == 31
        assert any(c["members"] for c in want["cards"].values())
        assert any(c["badges"]["checkItemsChecked"] for c in want["cards"].values())


async def test_reimported_members_are_the_fresh_worlds_people(
    exported: tuple[Sandbox, dict[str, Path]],
) -> None:
    """alex's cards stay alex's: assignments land on the new world's members, not on copies."""
    sb, paths = exported
    fresh = Sandbox.create(str(paths["Product Roadmap"]))
    names = [m.username for m in fresh.world.members.values()]
    assert len(names) == len(set(names))  # no second "alex"
    again = await get_board(fresh, board_id(sb, "Product Roadmap"))
    mine = [c for c in again["cards"] if fresh.world.me in c["idMembers"]]
    original = await get_board(sb, board_id(sb, "Product Roadmap"), cards="open")
    assert len(mine) == sum(sb.world.me in c["idMembers"] for c in original["cards"]) > 0


async def test_export_of_the_reimport_is_the_same_file(
    exported: tuple[Sandbox, dict[str, Path]], tmp_path: Path
) -> None:
    """Export → import → load → export again gives the same JSON, but for world-bound ids."""
    _, paths = exported
    first = json.loads(paths["Website Relaunch"].read_text(encoding="utf-8"))
    fresh = Sandbox.create(str(paths["Website Relaunch"]))
    cache = Cache(tmp_path / "again.sqlite3")
    await cache_boards(fresh, cache, ("Website Relaunch",))
    cached = cache.load_board(first["id"])
    assert cached is not None
    second = trello_json(cached.board)
    ids = {m["id"]: m["username"] for m in first["members"]}
    ids.update({m["id"]: m["username"] for m in second["members"]})
    # member ids (and the avatar URLs built on them) and the workspace belong to each world
    for data in (first, second):
        data.pop("idOrganization")
        for member in data["members"]:
            member["id"] = ids[member["id"]]
            member.pop("avatarUrl")
        for card in data["cards"]:
            card["idMembers"] = [ids[m] for m in card["idMembers"]]
    assert second == first


async def test_the_comparison_sees_a_lost_detail(
    exported: tuple[Sandbox, dict[str, Path]], tmp_path: Path
) -> None:
    """The check above has teeth: an export missing one detail fails it, part by part."""
    sb, paths = exported
    data = json.loads(paths["Product Roadmap"].read_text(encoding="utf-8"))
    data["checklists"][0]["checkItems"][0]["state"] = "complete"
    data["checklists"][0]["checkItems"][1]["state"] = "complete"
    data["cards"][5]["pos"] += 1
    data["labels"][3]["color"] = "sky"
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(data), encoding="utf-8")
    board = board_id(sb, "Product Roadmap")
    want = _view(await get_board(sb, board, lists="open", cards="open"))
    got = _view(await get_board(Sandbox.create(str(broken)), board))
    differs = {part for part in want if got[part] != want[part]}
    # the colour shows in the board's labelNames and on the cards' labels too
    assert differs == {"board", "cards", "labels", "checklists"}
