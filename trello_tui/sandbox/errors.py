"""Trello's error answers: mostly ``text/plain`` bodies with fixed wording."""

from __future__ import annotations

from typing import Any

NOT_FOUND = "The requested resource was not found."


class ApiError(Exception):
    """An answer other than 200; ``body`` is text/plain unless ``json_body`` is given."""

    def __init__(
        self,
        status: int,
        body: str = "",
        *,
        json_body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {body}")
        self.status = status
        self.body = body
        self.json_body = json_body
        self.headers = headers or {}


def not_found() -> ApiError:
    return ApiError(404, NOT_FOUND)


def invalid_id() -> ApiError:
    return ApiError(400, "invalid id")


def invalid_value(name: str) -> ApiError:
    return ApiError(400, f"invalid value for {name}")


def unauthorized(what: str = "") -> ApiError:
    return ApiError(401, f"unauthorized {what + ' ' if what else ''}permission requested")


def over_limit(what: str) -> ApiError:
    # The exact body of Trello's over-limit 403 is unrecorded; this wording is ours.
    return ApiError(403, f"{what} limit exceeded")
