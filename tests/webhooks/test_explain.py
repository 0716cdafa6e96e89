"""A refused webhook creation, explained in words the user can act on."""

from __future__ import annotations

from trello_tui.live.registrar import explain_failure
from trello_tui.trello.errors import AuthError, InvalidRequest, Unavailable

CALLBACK = "https://tidy-cat.trycloudflare.com/trello/webhook/b1"
LOCAL = "http://127.0.0.1:8123"


def head_check(status: int) -> InvalidRequest:
    return InvalidRequest(
        f"URL ({CALLBACK}) did not return 200 status code, got {status}", status=400
    )


def test_unreachable_url_points_at_the_tunnel() -> None:
    text = explain_failure(head_check(0), CALLBACK, LOCAL)
    assert "got HTTP 0" in text and "is the tunnel running" in text


def test_404_means_the_tunnel_forwards_elsewhere() -> None:
    text = explain_failure(head_check(404), CALLBACK, LOCAL)
    assert CALLBACK in text and f"point it at {LOCAL}" in text


def test_bad_gateway_means_the_app_is_not_reached() -> None:
    for status in (502, 530):
        text = explain_failure(head_check(status), CALLBACK, LOCAL)
        assert f"cannot reach the app at {LOCAL}" in text


def test_other_refusals_are_passed_on() -> None:
    assert "trello-tui auth" in explain_failure(AuthError("invalid token"), CALLBACK, LOCAL)
    assert "will retry" in explain_failure(Unavailable("timed out"), CALLBACK, LOCAL)
    text = explain_failure(InvalidRequest("invalid value for idModel"), CALLBACK, LOCAL)
    assert "invalid value for idModel" in text
