"""Writes whose answer was lost before a restart: "already done" on the resend confirms them.

Found by the chaos machine: the app was quit while a label toggle was on its way; Trello had
added the label, the restarted app sent it again, Trello said "that label is already on the
card", and the engine rolled the label back on screen and reported a failure — so the next
toggle by the user went the wrong way.
"""

from __future__ import annotations

from pathlib import Path

from tests.sync.harness import demo_board_id, rig
from trello_tui.sandbox import Sandbox
from trello_tui.store.outbox import Outbox
from trello_tui.sync.ops import AddLabel, RemoveLabel


def _sent_row(tmp: Path, op: AddLabel | RemoveLabel) -> None:
    """The outbox as the quit app left it: the write on its way (``sent``), no answer."""
    outbox = Outbox(tmp / "outbox.sqlite3")
    try:
        outbox.add(op.op_id, op.board_id, op.kind, op.to_json())
        outbox.mark_sent(op.op_id, {"server_offset": 0.0})
    finally:
        outbox.close()


async def test_label_added_before_the_restart_is_confirmed_not_refused(tmp_path: Path) -> None:
    sb = Sandbox.create("demo")
    board_id = demo_board_id(sb)
    board = sb.world.boards[board_id]
    card = next(sb.world.cards[c] for c in board.card_ids if not sb.world.cards[c].closed)
    label = next(i for i in board.label_ids if i not in card.id_labels)
    op = AddLabel(board_id, card_id=card.id, target=label)
    _sent_row(tmp_path, op)
    card.id_labels.append(label)  # Trello applied it; the answer never came back
    async with rig(sb, tmp_path) as r:
        assert await r.engine.settled(10)
        assert r.engine.failed_ops() == []
        assert r.engine.state is not None
        assert label in r.engine.state.cards[card.id].id_labels
    assert sb.world.cards[card.id].id_labels.count(label) == 1


async def test_label_removed_before_the_restart_is_confirmed_not_refused(tmp_path: Path) -> None:
    sb = Sandbox.create("demo")
    board_id = demo_board_id(sb)
    board = sb.world.boards[board_id]
    card = next(sb.world.cards[c] for c in board.card_ids if sb.world.cards[c].id_labels)
    label = card.id_labels[0]
    op = RemoveLabel(board_id, card_id=card.id, target=label)
    _sent_row(tmp_path, op)
    card.id_labels.remove(label)  # Trello removed it; the answer never came back
    async with rig(sb, tmp_path) as r:
        assert await r.engine.settled(10)
        assert r.engine.failed_ops() == []
        assert r.engine.state is not None
        assert label not in r.engine.state.cards[card.id].id_labels
    assert label not in sb.world.cards[card.id].id_labels


async def test_undo_while_the_sender_asks_for_its_lock_keeps_the_sender_alive(
    tmp_path: Path,
) -> None:
    """Found by the chaos machine: an undo that withdrew the only pending write while the
    sender awaited the outbox lock crashed the sender (IndexError), and nothing more was
    sent until a restart."""
    import asyncio

    from trello_tui.sync.ops import RenameCard

    sb = Sandbox.create("demo")
    board_id = demo_board_id(sb)
    board = sb.world.boards[board_id]
    card = next(sb.world.cards[c] for c in board.card_ids if not sb.world.cards[c].closed)
    async with rig(sb, tmp_path) as r:
        r.engine.submit(RenameCard(board_id, card_id=card.id, name="Withdrawn"))
        for _ in range(3):
            await asyncio.sleep(0)  # the sender wakes and asks for the lock (on a thread)
        assert r.engine.undo()  # withdrawn: not sent yet
        await asyncio.sleep(0.2)
        r.engine.submit(RenameCard(board_id, card_id=card.id, name="Sent"))
        assert await r.engine.settled(10)
    assert sb.world.cards[card.id].name == "Sent"
