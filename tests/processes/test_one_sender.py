"""Every process on the machine shares one outbox and one sender (issue 20, §1-3).

Each app here is a real process (driver.py: the TrelloApp headless, polling on, the user's
cache and outbox); ``trello-tui add`` runs as the user runs it. The sandbox is in this
process, served on loopback, so what Trello received can be read from its world.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from tests.processes.conftest import Machine

pytestmark = pytest.mark.timeout(90)


def wait_for(check: Callable[[], bool], timeout: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(step)
    return True


def landed(machine: Machine, move: dict[str, str]) -> bool:
    card = machine.sb.world.cards.get(move["card"])
    return card is not None and card.id_list == move["to"]


def test_add_while_the_app_runs_reaches_trello_and_the_apps_screen(machine: Machine) -> None:
    app = machine.app(watch="Captured ")
    app.wait_ready(30)
    # One key press makes the app the outbox's sender (it holds the lock from then on).
    first = app.move()
    assert wait_for(lambda: landed(machine, first), 10), "the app's own move never landed"

    name = "Captured while the app is open"
    started = time.monotonic()
    done = machine.add(name)
    assert done.returncode == 0, done.stderr
    # "about the same time as a key press in the app": a few seconds, not a restart.
    on_trello = wait_for(lambda: len(machine.named(name)) >= 1, 6 - (time.monotonic() - started))

    def shown() -> bool:
        app.pump()
        return name in app.seen_at

    on_screen = wait_for(shown, max(0.5, 6 - (time.monotonic() - started)))
    app.pump()
    assert on_trello and on_screen, (
        f"6 s after `add`: on Trello {len(machine.named(name))} card(s), on the running app's "
        f"screen: {on_screen}; add said: {done.stdout.strip()!r}; "
        f"app status: {app.status!r}"
    )
    assert len(machine.named(name)) == 1


def test_kill_9_of_the_sender_hands_over_and_every_write_lands_once(machine: Machine) -> None:
    sender = machine.app()
    sender.wait_ready(30)
    first = sender.move()
    assert wait_for(lambda: landed(machine, first), 10), "the sender's own move never landed"
    other = machine.app()
    other.wait_ready(30)

    # While the sender holds the lock: two captures and the other app's move are queued.
    names = ["Queued capture one", "Queued capture two"]
    for name in names:
        done = machine.add(name)
        assert done.returncode == 0, done.stderr
    queued = other.move()

    sender.proc.kill9()
    killed = time.monotonic()

    def all_landed() -> bool:
        return all(machine.named(n) for n in names) and landed(machine, queued)

    arrived = wait_for(all_landed, 8)
    took = time.monotonic() - killed
    time.sleep(1.0)  # a late duplicate would show by now
    counts = {n: len(machine.named(n)) for n in names}
    other.pump()
    assert arrived and all(c == 1 for c in counts.values()), (
        f"{took:.1f} s after kill -9 of the sender: cards on Trello {counts} (want 1 each), "
        f"the other app's move landed: {landed(machine, queued)}; "
        f"its status: {other.status!r}"
    )
