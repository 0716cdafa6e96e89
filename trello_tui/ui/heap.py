"""Full garbage collections kept off the event loop's path while a board is on screen.

CPython's full (generation 2) collection walks every object that has survived two younger
ones. In the running app that is the whole long-lived heap: modules, Textual's widgets, the
board, its cards and their layouts. On a 2-core machine each walk paused the event loop for
100-300 ms at random moments, several times a minute of use. The chaos walk's watchdog,
together with ``gc.callbacks``, found 33 of 41 full collections over 100 ms, while no younger
collection took over 13 ms.

Once a board has painted, what is alive mostly stays alive until the board goes, so its
holder (the board screen, a big column) freezes it with ``gc.freeze``. Later full collections
then walk only what was made since. Frozen objects are still freed by reference counting. The
cycles among them that die meanwhile are freed once the last holder lets go (``gc.unfreeze``:
the next full collection sees them again).

While the heap is held, whatever survives a full collection is frozen too. Right after the
collection everything left is alive, so this freezes no garbage, and the next full collection
walks only what was made after it.
"""

from __future__ import annotations

import gc
from typing import Any

_holders: set[int] = set()


def _after_collection(phase: str, info: dict[str, Any]) -> None:
    if phase == "stop" and info.get("generation") == 2 and _holders:
        gc.freeze()  # the survivors of a full collection: all alive


def hold(owner: object) -> None:
    """Freeze everything alive now, until ``owner`` (and every other holder) lets go."""
    _holders.add(id(owner))
    gc.freeze()
    if _after_collection not in gc.callbacks:
        gc.callbacks.append(_after_collection)


def let_go(owner: object) -> None:
    """``owner`` no longer needs the heap frozen; the last holder unfreezes it."""
    if id(owner) not in _holders:
        return
    _holders.discard(id(owner))
    if not _holders:
        gc.unfreeze()


def let_go_all() -> None:
    """The app is leaving: nothing of it stays frozen (tests run many apps in one process)."""
    _holders.clear()
    gc.unfreeze()
