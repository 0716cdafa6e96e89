"""Board export: Trello's own JSON export shape, a Markdown document, or a CSV table.

Everything here works on a :class:`~trello_tui.trello.models.Board` as the cache holds it and
does no I/O; ``command.py`` reads the cache and writes the result. Importing this package never
loads Textual (``trello-tui export`` runs from scripts).
"""

from __future__ import annotations

from trello_tui.export.board_json import trello_json
from trello_tui.export.markdown import to_markdown
from trello_tui.export.table import CSV_COLUMNS, to_csv
from trello_tui.trello.models import Board

FORMATS: tuple[str, ...] = ("json", "markdown", "csv")


def render(board: Board, fmt: str) -> str:
    """The board in ``fmt`` (one of :data:`FORMATS`) as text."""
    if fmt == "json":
        import json

        # compact, as Trello writes its export (and four times faster than indented)
        data = trello_json(board)
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"
    if fmt == "markdown":
        return to_markdown(board)
    if fmt == "csv":
        return to_csv(board)
    raise ValueError(f"unknown export format {fmt!r} (one of {', '.join(FORMATS)})")


__all__ = ["CSV_COLUMNS", "FORMATS", "render", "to_csv", "to_markdown", "trello_json"]
