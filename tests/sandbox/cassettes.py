"""A tiny reader for the VCR cassettes in shared/trello-api/fixtures (no YAML dependency).

It understands exactly what those files use: ``method``/``uri``/``code`` scalars, bodies as
single-quoted (possibly folded) strings, and ``!binary |`` base64 blocks.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

# Copied byte for byte from shared/trello-api/fixtures (provenance: fixtures/README.md).
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@dataclass
class Interaction:
    method: str
    path: str  # after /1
    query: dict[str, str]
    request_body: str
    status: int
    body: str

    def json(self) -> Any:
        return json.loads(self.body)


def _scalar(lines: list[str], i: int, value: str) -> tuple[str, int]:
    """The string starting at ``value`` on line i; returns (text, next line index)."""
    value = value.strip()
    if value.startswith("!binary"):
        indent = None
        chunks = []
        i += 1
        while i < len(lines):
            line = lines[i]
            stripped = line.lstrip()
            cur = len(line) - len(stripped)
            if indent is None:
                indent = cur
            if not stripped or cur < indent:
                break
            chunks.append(stripped)
            i += 1
        return base64.b64decode("".join(chunks)).decode("utf-8"), i
    if not value.startswith("'"):
        return value.strip('"'), i + 1
    text = value[1:]
    parts = [text]
    i += 1
    while not _closed(parts[-1]):
        parts.append(lines[i].strip())
        i += 1
    # YAML folding: one line break -> space; an empty line -> newline
    out = ""
    for n, part in enumerate(parts):
        if n == 0:
            out = part
        elif part == "":
            out += "\n"
        else:
            out += ("" if out.endswith("\n") else " ") + part
    return out[:-1].replace("''", "'"), i


def _closed(text: str) -> bool:
    stripped = text.replace("''", "")
    return stripped.endswith("'")


def read(name: str) -> list[Interaction]:
    lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    out: list[Interaction] = []
    cur: dict[str, Any] = {}
    section = ""
    i = 0
    while i < len(lines):
        line = lines[i]
        s = line.strip()
        if s.startswith("- request:"):
            cur = {}
            section = "request"
        elif s == "response:":
            section = "response"
        elif s.startswith("method:"):
            cur["method"] = s.split(":", 1)[1].strip().upper()
        elif s.startswith("uri:"):
            cur["uri"] = s.split(":", 1)[1].strip()
        elif s.startswith("code:"):
            cur["status"] = int(s.split(":", 1)[1])
        elif s.startswith("string:"):
            text, i = _scalar(lines, i, s.split(":", 1)[1])
            cur[f"{section}_body"] = text
            if section == "response":
                parts = urlsplit(cur["uri"])
                out.append(
                    Interaction(
                        cur["method"],
                        parts.path[2:],
                        dict(parse_qsl(parts.query)),
                        cur.get("request_body", ""),
                        cur["status"],
                        text,
                    )
                )
            continue
        i += 1
    return out


def export(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))
