"""Text shown as exactly that text: never parsed as Textual markup.

Everything on a shared board (card, list, board, label, member and checklist names, comments)
and every server message is written by someone else. Textual parses a plain ``str`` as
content markup almost everywhere it shows one — ``notify``, ``Static``/``Label`` and their
``update``, an ``Option``'s prompt, a command palette hit (its prompt, its help, and
``Matcher.highlight``) — so a card named ``[/] x`` raised MarkupError and ended the app, and
``[@click=app.quit]x[/]`` became a live action link. The UI therefore:

- hands those widgets :class:`~textual.content.Content` built without markup (``plain``,
  ``styled``), which they show as it is; styles (dim, bold) are spans, not tags;
- passes ``markup=False`` to ``notify`` (its message must be a ``str``; a toast's title is
  never markup);
- escapes (``escape``) only where Textual takes nothing but markup: the palette's help text.

``tests/hostile/test_markup_scan.py`` reads the UI's source and fails on a markup-taking
call given text built from anything but literals without going through one of these.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher
from textual.style import Style

#: a piece of ``styled``: plain text, or (text, style) such as ``("3/5", "dim")``
Part = str | tuple[str, str | Style]


def plain(text: str, style: str | Style = "") -> Content:
    """``text`` as it is, in one style (or none)."""
    return Content.styled(text, style) if style else Content(text)


def styled(*parts: Part) -> Content:
    """Pieces of text joined as they are, each plain or with its own style."""
    return Content.assemble(*parts)


def escape(text: str) -> str:
    """``text`` as markup that shows exactly ``text`` (for an API that takes only markup).

    Textual's own ``textual.markup.escape`` leaves ``[WIP]``, ``[B]`` and ``[$accent]`` as
    tags (it escapes only a bracket followed by a lower-case letter, ``#``, ``/`` or ``@``).
    Markup treats ``\\[`` as a literal bracket and every other backslash as itself, so
    escaping every opening bracket is exact."""
    return text.replace("[", "\\[")


def highlight(matcher: Matcher, text: str) -> Content:
    """``text`` with the fuzzy matcher's hits styled (``Matcher.highlight`` parses its
    candidate as markup)."""
    content = Content(text)
    if content.plain != text:  # control codes were dropped: the offsets would be off
        return content
    score, offsets = matcher.fuzzy_search.match(matcher.query, text)
    if not score:
        return content
    for offset in offsets:
        if not text[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


#: a palette entry: the name shown and searched, and what picking it does
Entry = tuple[str, Callable[[], Any]]


def literal_commands(entries: Iterable[Entry]) -> type[Provider]:
    """A command palette provider for ``entries`` whose names are shown as they are
    (``App.search_commands`` parses each name as markup: a card named ``[/] x`` ended the
    jump-to-card search)."""
    listed: Sequence[Entry] = tuple(entries)

    class LiteralCommands(Provider):
        async def discover(self) -> Hits:
            for name, callback in listed:
                yield DiscoveryHit(plain(name), callback, text=name)

        async def search(self, query: str) -> Hits:
            matcher = self.matcher(query)
            for name, callback in listed:
                score = matcher.match(name)
                if score > 0:
                    yield Hit(score, highlight(matcher, name), callback, text=name)

    return LiteralCommands
