"""``pos`` as Trello accepts it: ``top``, ``bottom`` or a positive number.

Our rule (Trello's server algorithm is not public; this follows the observed data and the
web client's constants, see research §3):

* ``bottom`` = last sibling + ``SPACING`` (16384); an empty container starts at ``SPACING``.
* ``top`` = first sibling / 2 (the halving seen in real boards: 65535 → 32767.5 → …).
* a number is stored as given.
* **Re-spacing.** If the resulting value equals a sibling's, lies closer than ``MIN_SPACING``
  (0.125) to a neighbour, or exceeds ``MAX_POS`` (2^48), the whole container is re-spaced to
  ``SPACING · (i + 1)`` in order, the item keeping the place its requested value implies (after
  any sibling with an equal value). :func:`place` returns the siblings whose pos changed so
  the caller can record an ``update…`` action for each — clients see re-spacing as actions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

SPACING = 16384.0
MIN_SPACING = 0.125
MAX_POS = float(2**48)


class Positioned(Protocol):
    id: str
    pos: float


def place(
    siblings: Sequence[Positioned], item: Positioned, requested: str | float
) -> tuple[float, list[tuple[Positioned, float]]]:
    """The pos ``item`` gets among ``siblings`` (item excluded) and the re-spaced siblings.

    Returns ``(pos, [(sibling, old_pos), ...])``; ``item.pos`` is not changed here, the
    siblings' are.
    """
    others = sorted((s for s in siblings if s.id != item.id), key=lambda s: s.pos)
    if requested == "bottom":
        pos = others[-1].pos + SPACING if others else SPACING
    elif requested == "top":
        pos = others[0].pos / 2 if others else SPACING
    else:
        pos = float(requested)
    if not _crowded(others, pos):
        return pos, []
    # Re-space: insert after every sibling whose pos <= the requested value.
    if requested == "top":
        index = 0
    elif requested == "bottom":
        index = len(others)
    else:
        index = sum(1 for s in others if s.pos <= pos)
    changed: list[tuple[Positioned, float]] = []
    new_pos = SPACING * (index + 1)
    for i, sib in enumerate(others):
        target = SPACING * (i + 1 if i < index else i + 2)
        if sib.pos != target:
            changed.append((sib, sib.pos))
            sib.pos = target
    return new_pos, changed


def _crowded(others: list[Positioned], pos: float) -> bool:
    if pos > MAX_POS or pos < MIN_SPACING:
        return True
    # the two neighbours of pos (others is sorted)
    lo, hi = 0, len(others)
    while lo < hi:
        mid = (lo + hi) // 2
        if others[mid].pos < pos:
            lo = mid + 1
        else:
            hi = mid
    if lo < len(others) and others[lo].pos - pos < MIN_SPACING:
        return True
    return lo > 0 and pos - others[lo - 1].pos < MIN_SPACING
