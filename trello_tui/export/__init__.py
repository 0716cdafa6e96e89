"""Board export: Trello's own JSON export shape, a Markdown document, or a CSV table.

Everything here works on a :class:`~trello_tui.trello.models.Board` as the cache holds it and
does no I/O; ``command.py`` reads the cache and writes the result. Importing this package never
loads Textual (``trello-tui export`` runs from scripts).

Board text is other people's, and an export is printed on terminals and opened in editors and
spreadsheets: nothing in it is a control a terminal would obey. JSON stays faithful (what JSON
leaves raw, DEL, C1, bidi controls, is written ``\\uXXXX``: :func:`trello_tui.cli_io.json_text`);
Markdown and CSV show each control as an inert character (``trello_tui.trello.text.visible``),
and CSV also neutralises cells a spreadsheet would run as formulas (``table.py``).
"""

from __future__ import annotations

from trello_tui.export.board_json import trello_json
from trello_tui.export.markdown import to_markdown
from trello_tui.export.table import CSV_COLUMNS, to_csv
from trello_tui.trello.models import Board
from trello_tui.trello.text import visible

FORMATS: tuple[str, ...] = ("json", "markdown", "csv")


def render(board: Board, fmt: str) -> str:
    """The board in ``fmt`` (one of :data:`FORMATS`) as text."""
    if fmt == "json":
        from trello_tui.cli_io import json_text

        # compact, as Trello writes its export (and four times faster than indented)
        data = trello_json(board)
        return json_text(data, separators=(",", ":")) + "\n"
    if fmt == "markdown":
        return visible(to_markdown(board), multiline=True)
    if fmt == "csv":
        return to_csv(board)
    raise ValueError(f"unknown export format {fmt!r} (one of {', '.join(FORMATS)})")


__all__ = ["CSV_COLUMNS", "FORMATS", "render", "to_csv", "to_markdown", "trello_json"]
