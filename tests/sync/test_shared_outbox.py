"""One outbox for every process of the user (sync/shared.py): each engine here has its own
Outbox object on the one file, so each holds the sender lock as a process of its own would."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

from tests.sync.harness import Rig, rig
from trello_tui.sandbox import Sandbox
from trello_tui.store.outbox import Outbox
from trello_tui.sync.ops import CreateCard, MoveCard
from trello_tui.sync.ops_items import AddCheckItem, CreateChecklist
from trello_tui.trello import positions


async def until(check: Callable[[], bool], within_s: float) -> bool:
    deadline = time.monotonic() + within_s
    while not check():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True


def named(sb: Sandbox, name: str) -> list[str]:
    return [c.id for c in sb.world.cards.values() if c.name == name and not c.closed]


def shown(r: Rig, name: str) -> list[str]:
    state = r.engine.state
    assert state is not None
    return [c.id for c in state.cards.values() if c.name == name and not c.closed]


async def test_a_write_of_another_process_is_shown_and_sent_by_the_sender(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    async with rig(sb, tmp_path) as sender, rig(sb, tmp_path) as other:
        assert await sender.engine.outbox.run(sender.engine.outbox.sync.claim_sender)
        state = other.engine.state
        assert state is not None
        first = state.open_lists()[0].id
        card = state.cards_in(first)[0]
        target = state.open_lists()[1].id
        pos = positions.top([c.pos for c in state.cards_in(target)])
        assert pos is not None
        create = CreateCard(state.id, list_id=first, name="Made in the other window", pos=1.5)
        other.engine.submit(create)
        other.engine.submit(MoveCard(state.id, card_id=card.id, list_id=target, pos=pos))
        # The sender shows the other process's writes, then sends them (the other never does).
        assert await until(lambda: bool(shown(sender, "Made in the other window")), 2)
        assert await until(lambda: sb.world.cards[card.id].id_list == target, 5)
        assert await until(lambda: bool(named(sb, "Made in the other window")), 5)
        assert await sender.engine.settled(5)
        # The other process learns they were confirmed there: nothing pending, the real id.
        assert await until(lambda: not other.engine.pending_ops(), 3)
        (real,) = named(sb, "Made in the other window")
        assert shown(other, "Made in the other window") == [real]
        assert shown(sender, "Made in the other window") == [real]
        assert other.engine.state is not None
        assert other.engine.state.cards[card.id].id_list == target
    assert Outbox(tmp_path / "outbox.sqlite3").count() == 0
    assert len(named(sb, "Made in the other window")) == 1


async def test_a_row_dropped_or_refused_elsewhere_is_taken_back_here(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    async with rig(sb, tmp_path) as r:
        r.engine.set_offline(True)  # (shows the rows; sends nothing)
        state = r.engine.state
        assert state is not None
        lst = state.open_lists()[0].id
        elsewhere = Outbox(tmp_path / "outbox.sqlite3")
        dropped = CreateCard(state.id, list_id=lst, name="Undone in its window", pos=2.5)
        refused = CreateCard(state.id, list_id=lst, name="Refused there", pos=3.5)
        for op in (dropped, refused):
            elsewhere.add(op.op_id, op.board_id, op.kind, op.to_json())
        assert await until(lambda: bool(shown(r, "Refused there")), 2)
        assert shown(r, "Undone in its window") and len(r.engine.pending_ops()) == 2
        assert elsewhere.withdraw(dropped.op_id)
        elsewhere.fail(refused.op_id, "list is archived")
        assert await until(lambda: not r.engine.pending_ops(), 2)
        assert not shown(r, "Undone in its window") and not shown(r, "Refused there")
        assert [reason for _, reason in r.engine.failed_ops()] == ["list is archived"]
        elsewhere.discard(refused.op_id)  # the user drops it there: gone here too
        assert await until(lambda: not r.engine.failed_ops(), 2)
        elsewhere.close()
    assert not named(sb, "Undone in its window") and not named(sb, "Refused there")


async def test_the_next_process_takes_over_a_dead_senders_rows_once(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    async with rig(sb, tmp_path) as r:
        state = r.engine.state
        assert state is not None
        lst = state.open_lists()[0].id
        # A sender claimed a create, Trello made the card, and the sender died before it
        # could record the answer (its row is left 'sent').
        dead = Outbox(tmp_path / "outbox.sqlite3")
        assert dead.claim_sender()
        create = CreateCard(state.id, list_id=lst, name="Sent by the dead one", pos=4.5)
        dead.add(create.op_id, create.board_id, create.kind, create.to_json())
        assert dead.claim(create.op_id, {"server_offset": 0.0})
        await r.client.send(create.call())
        moved = MoveCard(state.id, card_id=state.cards_in(lst)[0].id, list_id=lst, pos=0.25)
        dead.add(moved.op_id, moved.board_id, moved.kind, moved.to_json())
        assert await until(lambda: len(r.engine.pending_ops()) == 2, 2)
        await asyncio.sleep(1.2)
        assert len(named(sb, "Sent by the dead one")) == 1  # nothing sent while it held on
        assert sb.world.cards[moved.card_id].pos != 0.25
        dead.close()  # (a process's death frees its lock the same way)
        assert await until(lambda: not r.engine.pending_ops(), 4)
    # The create was reconciled (found, not sent again); the move was sent by the new sender.
    assert len(named(sb, "Sent by the dead one")) == 1
    assert sb.world.cards[moved.card_id].pos == 0.25
    assert Outbox(tmp_path / "outbox.sqlite3").count() == 0


async def test_a_write_retried_in_another_window_is_queued_here_again(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    async with rig(sb, tmp_path) as r:
        r.engine.set_offline(True)  # (shows the rows; sends nothing)
        state = r.engine.state
        assert state is not None
        lst = state.open_lists()[0].id
        elsewhere = Outbox(tmp_path / "outbox.sqlite3")
        op = CreateCard(state.id, list_id=lst, name="Retried there", pos=5.5)
        elsewhere.add(op.op_id, op.board_id, op.kind, op.to_json())
        elsewhere.fail(op.op_id, "list is archived")
        assert await until(lambda: bool(r.engine.failed_ops()), 2)
        elsewhere.retry(op.op_id)  # the user presses retry in the other window
        assert await until(lambda: len(r.engine.pending_ops()) == 1, 2)
        assert not r.engine.failed_ops() and shown(r, "Retried there")
        elsewhere.close()
        r.engine.set_offline(False)  # this one holds no other claim: it sends it, once
        assert await until(lambda: bool(named(sb, "Retried there")), 5)
        assert await r.engine.settled(5)
    assert len(named(sb, "Retried there")) == 1


async def test_a_write_naming_a_checklist_made_elsewhere_goes_out_under_its_real_id(
    tmp_path: Path,
) -> None:
    sb = Sandbox.create(seed="demo")
    holder = Outbox(tmp_path / "outbox.sqlite3")  # another process's sender, which then dies
    try:
        assert holder.claim_sender()
        async with rig(sb, tmp_path) as other:
            state = other.engine.state
            assert state is not None
            card = state.cards_in(state.open_lists()[0].id)[0]
            create = CreateChecklist(state.id, card_id=card.id, name="Made elsewhere")
            other.engine.submit(create)
            item = AddCheckItem(
                state.id, card_id=card.id, checklist_id=create.checklist_id, name="Then this"
            )
            other.engine.submit(item)
            assert await until(lambda: holder.count(state.id) == 2, 3)
            # The holder sends the checklist and records it (the item's row rewritten), then dies.
            made = await other.client.create_checklist(card.id, "Made elsewhere")
            rewritten = item.to_json() | {"checklist_id": made.id}
            swap = (create.checklist_id, made.id)
            holder.confirm(create.op_id, swap=swap, rewritten=[(item.op_id, rewritten)])
            assert await until(lambda: create not in other.engine.pending_ops(), 3)
            holder.release_sender()
            # This process takes over and sends the item into the real checklist.
            assert await other.engine.settled(5)
            assert not other.engine.failed_ops()
            assert [i.name for i in sb.world.checklists[made.id].items] == ["Then this"]
    finally:
        holder.close()


async def test_an_undo_of_a_write_refused_elsewhere_sends_no_inverse(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    holder = Outbox(tmp_path / "outbox.sqlite3")  # the sending process
    try:
        assert holder.claim_sender()
        async with rig(sb, tmp_path) as other:
            state = other.engine.state
            assert state is not None
            first, target = (lst.id for lst in state.open_lists()[:2])
            card = state.cards_in(first)[0]
            pos = positions.top([c.pos for c in state.cards_in(target)])
            assert pos is not None
            move = MoveCard(state.id, card_id=card.id, list_id=target, pos=pos)
            other.engine.submit(move)
            assert await until(lambda: holder.count(state.id) == 1, 3)
            # The sender sent it and Trello refused it; the user undoes it in this window
            # before this one has read that (no await in between).
            assert holder.claim(move.op_id)
            holder.fail(move.op_id, "list is archived")
            assert other.engine.undo()
            await asyncio.sleep(1.0)
            # Nothing landed, so there is nothing to put back: no inverse is queued, and the
            # refused write is dropped (it was undone).
            assert not other.engine.pending_ops()
            assert holder.count(state.id) == 0
            assert sb.world.cards[card.id].id_list == first
            assert other.engine.state is not None
            assert other.engine.state.cards[card.id].id_list == first
    finally:
        holder.close()
