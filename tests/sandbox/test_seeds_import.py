"""Seeds: demo contents, cards:N, and Trello board exports that import and read back."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.sandbox import cassettes
from tests.sandbox.test_basics import BOARD_LOAD
from trello_tui.sandbox import Sandbox, SandboxConfig, SeedError

EXPORTS = ["board-export-nebula-2015.json", "board-export-anonymized-deck-2021.json"]


async def load(sb: Sandbox, board_id: str, **extra: str) -> Any:
    auth = {"key": sb.credentials.key, "token": sb.credentials.token}
    transport = httpx.ASGITransport(app=sb.app)
    async with httpx.AsyncClient(transport=transport, base_url=sb.base_url) as api:
        r = await api.get(f"/boards/{board_id}", params={**auth, **BOARD_LOAD, **extra})
        assert r.status_code == 200, r.text
        return r.json()


@pytest.mark.parametrize("name", EXPORTS)
async def test_export_imports_and_reads_back(name: str) -> None:
    data = cassettes.export(name)
    sb = Sandbox.create(str(cassettes.FIXTURES / name), SandboxConfig())
    board_id = next(iter(sb.world.boards))
    board = await load(sb, board_id, lists="all", cards="all", actions="all", actions_limit="1000")
    assert board["name"] == data["name"]
    assert [x["name"] for x in board["lists"]] == [
        x["name"] for x in sorted(data["lists"], key=lambda x: x["pos"])
    ]
    assert sorted(c["name"] for c in board["cards"]) == sorted(c["name"] for c in data["cards"])
    assert len(board["checklists"]) == len(data["checklists"])
    items = sum(len(c["checkItems"]) for c in board["checklists"])
    assert items == sum(len(c["checkItems"]) for c in data["checklists"])
    assert {(x["name"], x["color"]) for x in board["labels"]} == {
        (x["name"], x["color"]) for x in data["labels"]
    }
    assert len(board["actions"]) == len(data["actions"])
    # the recorded positions survive (e.g. 2015's 16383.75 after moves to the top)
    assert {c["pos"] for c in board["cards"]} == {c["pos"] for c in data["cards"]}
    assert len(board["members"]) >= len(data["members"])


async def test_demo_has_due_dates_of_every_kind_and_markdown() -> None:
    sb = Sandbox.create("demo")
    roadmap = next(b.id for b in sb.world.boards.values() if b.name == "Product Roadmap")
    board = await load(sb, roadmap)
    now = datetime.now(UTC).isoformat()
    dues = [c for c in board["cards"] if c["due"]]
    assert any(c["due"] < now and not c["dueComplete"] for c in dues)  # overdue
    assert any(c["due"] > now for c in dues)  # upcoming
    assert any(c["dueComplete"] for c in dues)
    assert any("**" in c["desc"] or "```" in c["desc"] for c in board["cards"])
    assert sum(c["badges"]["comments"] for c in board["cards"]) >= 30
    assert any(c["badges"]["checkItemsChecked"] for c in board["cards"])


def test_cards_seed_is_spread_over_lists() -> None:
    # its speed is measured by benchmarks/sandbox.py (timings do not belong in tests)
    sb = Sandbox.create("cards:5000")
    board = next(iter(sb.world.boards.values()))
    assert len(board.card_ids) == 5000
    per_list = [len(sb.world.lists[i].card_ids) for i in board.list_ids]
    assert len(per_list) == 5 and max(per_list) == 1000


async def test_big_board_loads_in_one_request() -> None:
    # the load time is measured by benchmarks/sandbox.py
    sb = Sandbox.create("cards:5000")
    board_id = next(iter(sb.world.boards))
    board = await load(sb, board_id)
    assert len(board["cards"]) == 5000 and len(board["lists"]) == 5
    assert sum(len(c["idLabels"]) for c in board["cards"]) > 3000


@pytest.mark.parametrize("seed", ["cards:x", "cards:5001", "nowhere.json", "/dev/null"])
def test_bad_seeds(seed: str) -> None:
    with pytest.raises(SeedError):
        Sandbox.create(seed)


async def test_world_json_round_trip_keeps_everything() -> None:
    import json

    from trello_tui.sandbox.world import World

    sb = Sandbox.create(
        "demo", SandboxConfig(webhook_transport=httpx.MockTransport(lambda r: httpx.Response(200)))
    )
    auth = {"key": sb.credentials.key, "token": sb.credentials.token}
    board = next(iter(sb.world.boards))
    transport = httpx.ASGITransport(app=sb.app)
    async with httpx.AsyncClient(transport=transport, base_url=sb.base_url) as api:
        await api.post(
            "/webhooks", params={**auth, "callbackURL": "https://h.example/x", "idModel": board}
        )
    data = sb.world.to_json()
    again = World.from_json(json.loads(json.dumps(data)))
    assert again.to_json() == data
    assert again.check_items == sb.world.check_items and again.short_links == sb.world.short_links
    restored = Sandbox(again, SandboxConfig(), "demo")
    loaded = await load(restored, board)
    assert loaded == await load(sb, board)
