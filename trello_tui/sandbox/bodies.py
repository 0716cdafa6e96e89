"""Request bodies: size-checked before anything is read, then streamed up to a cap.

Caps (bytes on the wire):

* every ``/1`` route: 1 MiB. Trello's longest texts are 16,384 characters (a card's name and
  desc, a comment, a check item, a webhook's description: research "Text limits"); one such
  text costs at most 12 bytes a character on the wire (a 4-byte UTF-8 character
  percent-encoded, or a JSON surrogate pair ``\\ud83d\\ude00``), about 192 KiB, so 1 MiB
  holds five of them with room for every other field. The sandbox takes no file uploads
  (Trello's attachment uploads are the one route that would need more).
* the admin API: 64 KiB. Its bodies are JSON objects of a few fields (faults, or a seed's
  *name*: seed files are read on the sandbox's side from its seeds folder, never uploaded).

A declared ``Content-Length`` over the cap is refused before a byte of the body is read (and
before authentication, as Trello's edge refuses an over-long URL with 414 before it checks the
key); a chunked body is refused as soon as it passes the cap. The answer is 413 ``text/plain``
``request entity too large`` with ``Connection: close``, so the server stops reading the rest.
Trello's own answer to an oversized body is not recorded: that status and wording are ours.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import Message

from trello_tui.sandbox.errors import ApiError

MAX_BODY = 1 << 20
MAX_ADMIN_BODY = 64 << 10
TOO_LARGE = "request entity too large"
CLOSE = {"connection": "close"}


def too_large() -> ApiError:
    return ApiError(413, TOO_LARGE, headers=CLOSE)


def check_declared(request: Request, cap: int) -> None:
    """Refuse a body whose declared size is over ``cap`` (nothing is read)."""
    declared = request.headers.get("content-length")
    if declared is None:
        return
    try:
        size = int(declared)
    except ValueError:
        raise ApiError(400, "invalid content-length", headers=CLOSE) from None
    if size > cap:
        raise too_large()


def has_body(request: Request) -> bool:
    """Whether the client is sending (or may still send) a body."""
    if request.headers.get("transfer-encoding"):
        return True
    return request.headers.get("content-length", "0").strip() not in ("", "0")


async def read_capped(request: Request, cap: int) -> bytes:
    """The whole body, streamed; :func:`too_large` as soon as it passes ``cap`` bytes."""
    check_declared(request, cap)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > cap:
            raise too_large()
    return bytes(body)


def replay(request: Request, body: bytes) -> Request:
    """The same request, its body already read: Starlette's ``form()`` and ``body()`` then
    parse these capped bytes instead of reading the connection again."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return await request.receive()  # after the body: the real disconnect, if any
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return Request(request.scope, receive)
