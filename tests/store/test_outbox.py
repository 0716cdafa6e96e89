"""The outbox keeps writes in order, on disk, through every state change and a reopen."""

from __future__ import annotations

from pathlib import Path

from trello_tui.store.outbox import FAILED, PENDING, SENT, Outbox


def _add(box: Outbox, n: int, board: str = "b1") -> str:
    op_id = f"op{n}"
    box.add(op_id, board, "move_card", {"kind": "move_card", "card_id": f"tmp-{n}", "n": n})
    return op_id


def test_order_states_and_reopen(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    box = Outbox(path)
    ids = [_add(box, n) for n in range(4)]
    _add(box, 9, board="b2")
    assert [e.op_id for e in box.entries("b1")] == ids
    box.mark_sent(ids[0], {"known": ["x"]})
    box.fail(ids[1], "invalid value for idList")
    box.close()

    box = Outbox(path)
    entries = {e.op_id: e for e in box.entries()}
    assert entries[ids[0]].state == SENT and entries[ids[0]].sent_at is not None
    assert entries[ids[0]].context == {"known": ["x"]} and entries[ids[0]].attempts == 1
    assert entries[ids[1]].state == FAILED and entries[ids[1]].error == "invalid value for idList"
    assert entries[ids[2]].state == PENDING
    assert box.count("b1") == 4 and box.count(state=FAILED) == 1
    assert box.board_ids() == ["b1", "b2"]


def test_confirm_swaps_ids_and_rewrites_later_rows_atomically(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite3")
    first, second = _add(box, 1), _add(box, 2)
    box.confirm(first, swap=("tmp-1", "real-1"), rewritten=[(second, {"card_id": "real-1"})])
    assert box.get(first) is None
    later = box.get(second)
    assert later is not None and later.body == {"card_id": "real-1"}
    assert box.id_map("b1") == {"tmp-1": "real-1"}


def test_retry_moves_a_failed_write_to_the_end_and_discard_forgets(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.sqlite3")
    a, b, c = _add(box, 1), _add(box, 2), _add(box, 3)
    box.fail(a, "no")
    box.retry(a)
    assert [e.op_id for e in box.entries()] == [b, c, a]
    assert box.get(a) is not None and box.get(a).state == PENDING  # type: ignore[union-attr]
    d = _add(box, 4)
    assert [e.op_id for e in box.entries()] == [b, c, a, d]
    box.discard(b)
    box.mark_sent(c)
    box.mark_pending(c, "503")
    assert [e.op_id for e in box.entries()] == [c, a, d]
    assert box.get(c).state == PENDING  # type: ignore[union-attr]


def test_a_corrupt_outbox_is_set_aside(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    path.write_bytes(b"\x00garbage" * 500)
    messages: list[str] = []
    box = Outbox(path, report=messages.append)
    _add(box, 1)
    assert box.count() == 1 and messages
    assert any(p.name.startswith("outbox.sqlite3.unusable-") for p in tmp_path.iterdir())


def test_only_one_process_sends_the_outbox(tmp_path: Path) -> None:
    path = tmp_path / "o.sqlite3"
    first, second = Outbox(path), Outbox(path)
    assert first.claim_sender() and first.claim_sender()
    assert not second.claim_sender()
    first.close()
    assert second.claim_sender()


def test_a_row_is_claimed_once_under_the_lock_only_while_it_waits(tmp_path: Path) -> None:
    path = tmp_path / "o.sqlite3"
    sender, other = Outbox(path), Outbox(path)
    a, b, c = _add(other, 1), _add(other, 2), _add(other, 3)
    assert not other.claim(a)  # no lock: never sent from here
    assert sender.claim_sender()
    seen = sender.data_version()
    _add(other, 4)
    assert sender.data_version() != seen  # another connection's commit shows
    assert sender.claim(a) and sender.get(a).state == SENT  # type: ignore[union-attr]
    assert sender.claim(a)  # (again after a lost answer, reconciled first)
    assert not other.withdraw(a)  # claimed: an undo can't take it back any more
    sender.confirm(a)
    assert not sender.claim(a)  # confirmed: never sent again
    assert other.withdraw(b) and not sender.claim(b)
    assert other.snapshot("b1")[2] == {b}  # remembered as dropped, not confirmed
    sender.fail(c, "refused")
    assert not sender.claim(c)
    sender.release_sender()
    assert not sender.holds_sender and other.claim_sender()
