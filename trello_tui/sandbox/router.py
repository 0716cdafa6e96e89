"""A small path router for ``/1/...`` routes, shared by the HTTP entry and ``/1/batch``.

Each route declares the parameters it reads (``Ctx.raw`` enforces it), which lets a test walk
every route against the official OpenAPI map.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trello_tui.sandbox.context import Ctx

Handler = Callable[["Ctx"], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    template: str  # e.g. "/cards/{id}/checkItem/{idCheckItem}"
    params: frozenset[str]
    handler: Handler
    regex: re.Pattern[str]
    legacy: str = ""  # evidence, for single-field routes absent from the OpenAPI map


class Router:
    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(
        self, method: str, template: str, params: str = "", *, legacy: str = ""
    ) -> Callable[[Handler], Handler]:
        pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)

        def deco(fn: Handler) -> Handler:
            self.routes.append(
                Route(
                    method,
                    template,
                    frozenset(params.split()),
                    fn,
                    re.compile(f"^{pattern}$"),
                    legacy,
                )
            )
            return fn

        return deco

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        """The first route (in registration order) matching ``method`` and ``path``."""
        for route in self.routes:
            if route.method != method:
                continue
            m = route.regex.match(path)
            if m:
                return route, m.groupdict()
        return None


API = Router()
