"""Real Trello exports (2015 and 2021) pass through the cache and come out as they went in.

Each fixture is read as the models read a board, saved to a cache file, loaded back and
exported. Every field Trello wrote must come out with the same value: the board's own fields
and every list, card, label, member and checklist (matched by id, in any order), down to the
nested objects (``prefs``, ``limits``, ``cover``, ``badges`` …) and fields no model knows
(``customFields``, ``memberships``, ``pluginData`` …). Two changes are allowed, both from the
models: a 2015 ``null`` in a boolean field (``starred``, a list's ``subscribed``) comes out
``false`` (the test lists exactly where), and check items come in ``pos`` order (one 2015
checklist lists them otherwise). ``actions`` is empty in an export: the cache keeps state,
not history.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from trello_tui.export import trello_json
from trello_tui.store.cache import Cache
from trello_tui.trello.models import Board

FIXTURES = Path(__file__).resolve().parents[1] / "sandbox" / "fixtures"
EXPORTS = ["board-export-nebula-2015.json", "board-export-anonymized-deck-2021.json"]
NESTED = ("lists", "cards", "labels", "members", "checklists")
#: what a Trello board export always has (the acceptance's list of fields)
REQUIRED = ("id", "name", "desc", "closed", "url", "shortLink", "prefs", "labelNames", "actions")
CARD_REQUIRED = (
    "id", "name", "idList", "idLabels", "idMembers", "idChecklists", "pos", "due", "dueComplete",
    "start", "desc", "closed", "badges", "labels", "url", "shortLink",
)  # fmt: skip


def differences(want: Any, got: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    """Where ``got`` does not carry ``want``'s value (extra keys in ``got`` are fine)."""
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return [(path, want, got)]
        out: list[tuple[str, Any, Any]] = []
        for key, value in want.items():
            out += differences(value, got.get(key, "<missing>"), f"{path}.{key}")
        return out
    if isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            return [(path, want, got)]
        pairs = enumerate(zip(want, got, strict=True))
        return [d for i, (a, b) in pairs for d in differences(a, b, f"{path}[{i}]")]
    # 65535 == 65535.0 in Python: also require the JSON text to match (Trello writes ints)
    if want != got or json.dumps(want) != json.dumps(got):
        return [(path, want, got)]
    return []


def reexport(data: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    cache = Cache(tmp_path / "cache.sqlite3")
    cache.save_board(Board.from_json(data))
    cached = cache.load_board(data["id"])
    cache.close()
    assert cached is not None
    return trello_json(cached.board)


@pytest.mark.parametrize("name", EXPORTS)
def test_real_export_reexports_identically(name: str, tmp_path: Path) -> None:
    data = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    out = reexport(data, tmp_path)
    assert all(key in out for key in REQUIRED) and out["actions"] == []
    for card in out["cards"]:
        assert all(key in card for key in CARD_REQUIRED), card["id"]
    found: list[tuple[str, Any, Any]] = []
    top = {k: v for k, v in data.items() if k not in (*NESTED, "actions")}
    found += differences(top, {k: out.get(k, "<missing>") for k in top})
    for kind in NESTED:
        assert sorted(x["id"] for x in out[kind]) == sorted(x["id"] for x in data[kind]), kind
        ours = {x["id"]: x for x in out[kind]}
        for item in data[kind]:
            if kind == "checklists":  # one 2015 checklist lists its items out of pos order
                item = dict(item, checkItems=sorted(item["checkItems"], key=lambda i: i["pos"]))
            found += differences(item, ours[item["id"]], f"{kind}[{item['id']}]")
    # only the typed booleans: a null Trello wrote in a boolean field comes out false
    assert all(want is None and got is False for _, want, got in found), found[:5]
    expected = {".starred"} if "2015" in name else set()  # the board's subscribed is not typed
    lists = {f"lists[{x['id']}].subscribed" for x in data["lists"] if x["subscribed"] is None}
    assert {path for path, _, _ in found} == expected | lists


def test_real_export_orders_like_a_board(tmp_path: Path) -> None:
    data = json.loads((FIXTURES / EXPORTS[0]).read_text(encoding="utf-8"))
    out = reexport(data, tmp_path)
    assert [x["pos"] for x in out["lists"]] == sorted(x["pos"] for x in data["lists"])
    rank = {x["id"]: i for i, x in enumerate(out["lists"])}
    keys = [(rank[c["idList"]], c["pos"]) for c in out["cards"]]
    assert keys == sorted(keys)
    # 2015 positions survive exactly: whole ones as integers, 16383.75 as it was
    assert {json.dumps(c["pos"]) for c in out["cards"]} == {
        json.dumps(c["pos"]) for c in data["cards"]
    }
    # every check item names its checklist, though 2015 items did not; items in pos order
    assert all(i["idChecklist"] == cl["id"] for cl in out["checklists"] for i in cl["checkItems"])
    for checklist in out["checklists"]:
        assert [i["pos"] for i in checklist["checkItems"]] == sorted(
            i["pos"] for i in checklist["checkItems"]
        )
