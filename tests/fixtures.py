"""Access to the real recorded Trello responses in ../shared/trello-api/fixtures."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

# Byte-for-byte copies of ../shared/trello-api/fixtures live in the repo, so a clean clone
# needs nothing beside it.
FIXTURES = Path(__file__).resolve().parent / "sandbox" / "fixtures"
OPENAPI = FIXTURES / "openapi" / "trello-openapi-atlassian-swagger-v3.json"


def load_json(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def cassette_interactions(name: str) -> list[dict[str, Any]]:
    """The request/response pairs of a VCR cassette, with bodies decoded to text."""
    import yaml

    class _Loader(yaml.SafeLoader):
        pass

    def _binary(loader: yaml.SafeLoader, node: yaml.Node) -> bytes:
        return base64.b64decode(str(loader.construct_scalar(node)))  # type: ignore[arg-type]

    _Loader.add_constructor("!binary", _binary)
    data = yaml.load((FIXTURES / name).read_text(encoding="utf-8"), Loader=_Loader)
    out = []
    for item in data["http_interactions"]:
        body = item["response"]["body"]
        text = body.get("string")
        if text is None and "base64_string" in body:
            text = base64.b64decode(body["base64_string"]).decode("utf-8")
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        item["response"]["text"] = text or ""
        out.append(item)
    return out
