"""A small board to resolve capture tokens against (shared by the capture tests)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from trello_tui.capture.parse import CaptureContext, CaptureLabel, CaptureList, CaptureMember

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 25, 10, 30, tzinfo=PARIS)  # a Wednesday

BUG = CaptureLabel("lab-bug", "Bug", "red")
BUILD = CaptureLabel("lab-build", "build", "blue")
GREEN = CaptureLabel("lab-green", "", "green")
SHIPPED = CaptureLabel("lab-shipped", "Shipped", "green")
REVIEW = CaptureLabel("lab-review", "Needs review", "green_dark")
PLAIN = CaptureLabel("lab-plain", "Someday", None)

ALICE = CaptureMember("mem-alice", "alice", "Alice Smith", "AS")
BOB = CaptureMember("mem-bob", "bobstone", "Bob Stone", "BS")
CAROL = CaptureMember("mem-carol", "carol", "Carol Anders", "CA")

TODO = CaptureList("list-todo", "To Do")
DOING = CaptureList("list-doing", "Doing")
DONE = CaptureList("list-done", "Done")
REVIEWING = CaptureList("list-review", "In review")

CTX = CaptureContext(
    labels=(BUG, BUILD, GREEN, SHIPPED, REVIEW, PLAIN),
    members=(ALICE, BOB, CAROL),
    lists=(TODO, DOING, DONE, REVIEWING),
    me=BOB.id,
)


def at(y: int, mo: int, d: int, h: int = 12, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=PARIS)
