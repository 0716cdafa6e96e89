"""Finding the object a create may have made before its connection broke.

Trello has no idempotency key, so a create (POST) whose outcome is unknown cannot simply be
sent again. Instead the queue runs the call's ``CreateProbe`` lookup and asks ``Reconciler``
whether one of the candidates is ours:

* it matches what we sent (the probe's ``match``: same name, text, colour …);
* it was created at or after the moment we first sent the request: Trello ids carry their
  creation second in the first 8 hex digits, compared with our send time on Trello's clock
  (learnt from the ``Date`` header) less ``CLOCK_SLACK_S``;
* it is not already claimed: every id a create returned (or was reconciled to) is claimed,
  so two creates of the same name in a row never adopt the same object.

The earliest such candidate is ours (a later one belongs to a later create).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from trello_tui.trello.calls import ApiCall
from trello_tui.trello.errors import InvalidRequest, NotFound, TrelloError

#: ids have whole seconds, and clocks differ a little even after the Date-header correction
CLOCK_SLACK_S = 2.0
_MAX_CLAIMED = 10_000


def id_time(object_id: str) -> float | None:
    """The creation time (epoch seconds) in a Trello id, or None if it is not one."""
    try:
        return float(int(object_id[:8], 16))
    except ValueError:
        return None


def already_done(call: ApiCall[Any], error: TrelloError) -> bool:
    """A retry refused because an earlier, unconfirmed attempt already did the work."""
    if call.method == "DELETE" and isinstance(error, NotFound):
        return True
    if (
        call.method == "DELETE"
        and ("/idLabels/" in call.path or "/idMembers/" in call.path)
        and isinstance(error, InvalidRequest)
        and "not on the card" in error.message.lower()
    ):
        return True  # the label or member was already taken off
    return (
        call.method == "POST"
        and call.path.endswith(("/idLabels", "/idMembers"))
        and isinstance(error, InvalidRequest)
        and "already" in error.message.lower()
    )


class Reconciler:
    """Remembers which created ids are ours and picks our object out of a lookup."""

    def __init__(self) -> None:
        self._claimed: OrderedDict[str, None] = OrderedDict()

    def claim(self, object_id: str) -> None:
        self._claimed[object_id] = None
        while len(self._claimed) > _MAX_CLAIMED:
            self._claimed.popitem(last=False)

    def claimed(self, object_id: str) -> bool:
        return object_id in self._claimed

    def claim_result(self, call: ApiCall[Any] | None, result: Any) -> None:
        """Claim the id a successful create returned."""
        if call is None or call.create is None:
            return
        object_id = getattr(result, "id", None)
        if isinstance(object_id, str) and object_id:
            self.claim(object_id)

    def find(self, call: ApiCall[Any], candidates: Any, since: float) -> Mapping[str, Any] | None:
        """Our object among ``candidates`` (created at or after ``since``), or None."""
        probe = call.create
        if probe is None or not isinstance(candidates, list):
            return None
        matches: list[tuple[float, str, Mapping[str, Any]]] = []
        for item in candidates:
            if not isinstance(item, Mapping):
                continue
            object_id = item.get("id")
            if not isinstance(object_id, str) or object_id in self._claimed:
                continue
            created = id_time(object_id)
            if created is not None and created < since:
                continue
            if probe.match(item):
                matches.append((created or 0.0, object_id, item))
        if not matches:
            return None
        return min(matches, key=lambda m: (m[0], m[1]))[2]
