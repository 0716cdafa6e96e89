"""Id remapping for imported exports: every non-24-hex ``id`` gets a fresh one, everywhere.

``known`` pre-seeds the mapping (the importer maps an exported member onto the world's member
of the same username, so a board exported from the demo comes back assigned to the same people).
"""

from __future__ import annotations

from typing import Any

from trello_tui.sandbox.world import HEX24, World

ID_KEYS = ("id", "idBoard", "idList", "idCard", "idChecklist", "idMemberCreator", "idMember")


def remap_ids(
    w: World, data: dict[str, Any], known: dict[str, str] | None = None
) -> dict[str, Any]:
    mapping: dict[str, str] = dict(known or {})

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k in ID_KEYS and isinstance(v, str) and not HEX24.match(v) and v not in mapping:
                    mapping[v] = w.new_id()
                collect(v)
        elif isinstance(node, list):
            for v in node:
                collect(v)

    def rewrite(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: rewrite(v) for k, v in node.items()}
        if isinstance(node, list):
            return [rewrite(v) for v in node]
        if isinstance(node, str):
            return mapping.get(node, node)
        return node

    collect(data)
    out: dict[str, Any] = rewrite(data) if mapping else data
    return out
