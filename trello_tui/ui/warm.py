"""The modules a board's keys open on first use, imported ahead of time off the event loop.

The card detail (``enter``) renders descriptions as Markdown: its first import (markdown-it,
Pygments' lexer map, the card screen itself) takes about 150 ms on a 2-core machine, a
freeze the first time a card is opened. The other screens a key opens are imported lazily
too, to keep start-up short. Once the board has painted, a daemon thread imports them all;
Python's import lock makes a key pressed meanwhile wait only for the module it needs.
"""

from __future__ import annotations

import importlib
import logging
import threading

log = logging.getLogger(__name__)

#: imported lazily by the board's bindings (card detail, composer, help, search, views)
MODULES = (
    "trello_tui.ui.screens.card",
    "trello_tui.ui.screens.capture",
    "trello_tui.ui.screens.help",
    "trello_tui.ui.screens.search",
    "trello_tui.ui.screens.mine",
    "trello_tui.ui.screens.agenda",
    "trello_tui.ui.screens.boards",
)

_started = False


def warm_up() -> threading.Thread | None:
    """Import :data:`MODULES` in a daemon thread (once a process); the thread, if started."""
    global _started
    if _started:
        return None
    _started = True
    thread = threading.Thread(target=_import_all, name="trello-tui-warm", daemon=True)
    thread.start()
    return thread


def _import_all() -> None:
    for name in MODULES:
        try:
            importlib.import_module(name)
        except Exception:  # the key that needs it imports it again and reports the error
            log.warning("could not import %s ahead of time", name, exc_info=True)
