"""How long a command waits for Trello, and what it says when Trello does not answer.

httpx's timeouts are per read: a server (or a proxy, or a captive portal) that sends a byte
every few seconds keeps one request alive for ever. So each network phase of ``add``,
``sync``, ``doctor`` and ``watch`` runs under one overall deadline, ``[sync] answer_within_s``
(30 s by default, as long as ``add`` waits for a confirmation). When it passes, the command
says ``Trello did not answer in N s`` and carries on without Trello: the outbox keeps every
write for the next run, and the exit code is non-zero so that a script knows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from trello_tui.config.settings import Settings
    from trello_tui.trello.errors import TrelloError

#: when config.toml says nothing
DEFAULT_S = 30.0


def answer_within_s(settings: Settings | None) -> float:
    """The overall deadline for one network phase of a command."""
    return settings.sync.answer_within_s if settings is not None else DEFAULT_S


def no_answer(seconds: float) -> str:
    return f"Trello did not answer in {seconds:g} s"


def advice(error: TrelloError) -> str:
    """What a command line says of ``error``: the app's wording, where the app's promise holds.

    A 429's message in the app ("your changes will be sent shortly") is kept by the app's own
    queue; a command that is about to exit must say what the user should do instead.
    """
    from trello_tui.trello.errors import RateLimited

    if isinstance(error, RateLimited):
        return "Trello asked us to slow down (its rate limit); try again in a minute"
    return error.user_message
