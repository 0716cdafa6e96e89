"""``pos`` arithmetic for cards, lists, checklists and check items (pure functions).

Follows the Trello web client's rules (research/trello-api.md §3.3): items are spaced by
``SPACING`` (2^14) around ``INITIAL_POS`` (2^47); a drop at the bottom goes ``SPACING`` past
the last item, at the top ``SPACING`` before the first (or half of it when that is too close to
zero), between two items ``SPACING`` from one neighbour when the gap is wide, else the
midpoint. Values stay in (0, ``MAX_POS``) and never closer than ``MIN_SPACING`` to a
neighbour: below that a double around 2^48 loses precision and Trello re-spaces the list.

When there is no room left, ``place`` returns a re-spacing plan: new positions for the
fewest neighbours around the insertion point (growing the window until the spread is
comfortable), so a move costs a handful of extra writes rather than one per item.

Trello's answer is authoritative: callers adopt the ``pos`` the server returns.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

SPACING = 16384.0
MIN_SPACING = 0.125
MAX_POS = float(2**48)
INITIAL_POS = float(2**47)
#: a re-spaced window must leave at least this much between items, so that many more
#: midpoint insertions fit before the next re-spacing (2^10 / 2^-3 = 2^13 halvings … enough).
_COMFORT = 1024.0


def _fits(low: float, value: float, high: float) -> bool:
    """``value`` lies in (low, high) at least MIN_SPACING from both ends."""
    return value - low >= MIN_SPACING and high - value >= MIN_SPACING


def between(prev: float | None, next_: float | None, proposed: float | None = None) -> float | None:
    """A pos strictly between two neighbours (``None`` = no neighbour there).

    ``proposed`` is the item's current pos: it is kept when it already lies in the gap, so a
    no-op move sends nothing new. Returns ``None`` when there is no room (re-space first).
    """
    low = 0.0 if prev is None else prev
    high = MAX_POS if next_ is None else next_
    if high - low < 2 * MIN_SPACING:
        return None
    if proposed is not None and _fits(low, proposed, high):
        return proposed
    if prev is None and next_ is None:
        return INITIAL_POS
    if next_ is None:
        candidate = low + SPACING
        return candidate if _fits(low, candidate, high) else (low + high) / 2
    if prev is None:
        if high >= 2 * SPACING:
            return high - SPACING
        return high / 2
    if high - low >= 2 * SPACING:
        return low + SPACING if low > INITIAL_POS else high - SPACING
    return (low + high) / 2


def top(siblings: Sequence[float]) -> float | None:
    """A pos above every sibling (siblings sorted ascending)."""
    return between(None, siblings[0] if siblings else None)


def bottom(siblings: Sequence[float]) -> float | None:
    """A pos below every sibling (siblings sorted ascending)."""
    return between(siblings[-1] if siblings else None, None)


def pos_for_index(
    siblings: Sequence[float], index: int, current: float | None = None
) -> float | None:
    """A pos that puts an item at ``index`` among ``siblings`` (sorted, the item excluded).

    ``index`` is clamped to ``0 .. len(siblings)``. ``None`` means there is no room.
    """
    index = max(0, min(index, len(siblings)))
    prev = siblings[index - 1] if index > 0 else None
    next_ = siblings[index] if index < len(siblings) else None
    return between(prev, next_, current)


@dataclasses.dataclass(frozen=True, slots=True)
class Placement:
    """Where the item goes, and which siblings must move first to make room.

    ``respace`` holds ``(sibling index, new pos)`` pairs, indices into the ``siblings``
    sequence given to ``place``; empty when the item simply fits.
    """

    pos: float
    respace: tuple[tuple[int, float], ...] = ()


def _spread(low: float, high: float, count: int) -> list[float] | None:
    """``count`` evenly spaced values strictly inside (low, high), or None if too tight."""
    step = (high - low) / (count + 1)
    if step < _COMFORT:
        return None
    step = min(step, SPACING)
    # Centre the run in the gap so both ends keep room for later inserts.
    start = (low + high) / 2 - step * (count - 1) / 2
    return [start + i * step for i in range(count)]


def place(siblings: Sequence[float], index: int, current: float | None = None) -> Placement:
    """A pos for the item at ``index``, re-spacing the fewest neighbours when there is no room.

    ``siblings`` are the other items' positions, sorted ascending (the moving item excluded).
    """
    index = max(0, min(index, len(siblings)))
    direct = pos_for_index(siblings, index, current)
    if direct is not None:
        return Placement(direct)
    n = len(siblings)
    radius = 1
    while True:
        lo = max(0, index - radius)
        hi = min(n, index + radius)
        low = siblings[lo - 1] if lo > 0 else 0.0
        high = siblings[hi] if hi < n else MAX_POS
        # The window's items plus the new one, spread evenly between the fixed bounds.
        values = _spread(low, high, hi - lo + 1)
        if values is None and lo == 0 and hi == n:
            values = _spread(0.0, MAX_POS, n + 1)
        if values is not None:
            new_pos = values[index - lo]
            moved = values[: index - lo] + values[index - lo + 1 :]
            respace = tuple(
                (lo + offset, value)
                for offset, value in enumerate(moved)
                if siblings[lo + offset] != value
            )
            return Placement(new_pos, respace)
        if lo == 0 and hi == n:  # cannot happen below 2^38 items; fail loudly rather than lie
            raise ValueError("no room for another item between 0 and MAX_POS")
        radius *= 2
