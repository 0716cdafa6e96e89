"""One run of the app under Pilot: key presses chosen from the model, until it is quit.

The driver only selects (puts the cursor on the card the walk picked, as a user's arrow keys
would) and presses keys; every change goes through the app's own bindings. Before each
operation it compares the columns on screen with the model and counts a divergence (the
screen showing something the user did not mean) — the final check is what must hold.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

from tests.reliability.knobs import NOW, NUMBER_KEYS, SIZE, WEIGHTS
from trello_tui.store.cache import Cache
from trello_tui.store.outbox import Outbox
from trello_tui.ui.app import TrelloApp
from trello_tui.ui.backend import Backend
from trello_tui.ui.screens.board import BoardScreen
from trello_tui.ui.screens.capture import Composer
from trello_tui.ui.screens.card import CardScreen
from trello_tui.ui.screens.pickers import TextPrompt

if TYPE_CHECKING:
    from tests.reliability.machine import Chaos

DUE_TEXTS = [f"2026-12-{d:02d}" for d in range(1, 29)] + ["none", "done"]


class Driver:
    def __init__(self, chaos: Chaos, cache: Cache, outbox: Outbox) -> None:
        self.chaos = chaos
        self.user = chaos.user
        self.rng = chaos.rng
        self.backend = Backend(chaos._client, cache, outbox, me=chaos.sb.credentials.me)
        self.app = TrelloApp(
            self.backend, board_key=chaos.board_id, me=chaos.sb.credentials.me, clock=lambda: NOW
        )
        self.pilot: Any = None

    async def run(self, count: int, *, drain: bool = False) -> None:
        chaos = self.chaos
        async with self.app.run_test(size=SIZE) as pilot:
            self.pilot = pilot
            await self._loaded()
            chaos.watchdog.label = "start"
            chaos.watchdog.start()
            try:
                # ``count`` operations done: a step that did nothing (its card is not where
                # the model has it, say) is skipped and another is picked, a few times over.
                target, tries = chaos.report.ops + count, 0
                while chaos.report.ops < target and tries < 3 * count:
                    tries += 1
                    chaos._next_phase()
                    await self.step()
                    chaos.watchdog.label = "between key presses"
                    await asyncio.sleep(self.rng.uniform(0, chaos.think_s))
                if drain:
                    chaos.watchdog.label = "drain"
                    await self._drain()
            finally:
                await chaos.watchdog.stop()

    async def _loaded(self) -> None:
        app, backend = self.app, self.backend
        deadline = time.monotonic() + 120
        while not (
            backend.engine is not None
            and backend.engine.state is not None
            and app.state is backend.engine.state
            and isinstance(app.screen, BoardScreen)
            and app.screen.is_mounted
        ):
            if time.monotonic() > deadline:
                raise AssertionError("the board never loaded")
            await asyncio.sleep(0.05)
        await self.pilot.pause()

    async def _drain(self) -> None:
        engine = self.backend.engine
        assert engine is not None
        if not await engine.settled(self.chaos.drain_s):
            self.chaos.report.problems.append(
                f"not drained: {len(engine.pending_ops())} writes still pending"
            )
        for op, reason in engine.failed_ops():
            self.chaos.report.failed_writes += 1
            self.chaos.report.problems.append(f"refused: {op.kind} {reason}")

    # -- helpers ---------------------------------------------------------------------------------

    @property
    def screen(self) -> BoardScreen:
        screen = self.app.screen
        assert isinstance(screen, BoardScreen), screen
        return screen

    def app_id(self, key: str) -> str | None:
        """The app's id for a model card: a seed card's id, or a created card found by tag."""
        state = self.app.state
        assert state is not None
        card = self.user.cards[key]
        if not card.created:
            return key if key in state.cards else None
        for found in state.cards.values():
            if found.name.split(" ")[0] == key and not found.closed:
                return found.id
        return None

    def key_of(self, card_id: str) -> str:
        state = self.app.state
        assert state is not None
        if card_id in self.user.cards:
            return card_id
        card = state.cards.get(card_id)
        return card.name.split(" ")[0] if card is not None else card_id

    def diverged(self, list_id: str) -> bool:
        column = self.screen.view.column_for(list_id)
        shown = [self.key_of(i) for i in column.ids] if column is not None else []
        if shown != self.user.lists[list_id]:
            self.chaos.report.screen_divergences += 1
            if self.chaos.log is not None:
                with self.chaos.watchdog.excused():
                    self._explain(list_id, shown)
            self.chaos.diverging.add(list_id)
            return True
        self.chaos.diverging.discard(list_id)
        return False

    def _explain(self, list_id: str, shown: list[str]) -> None:
        """Log a divergence: the screen, the app's state, the model and Trello's board."""
        started = list_id not in self.chaos.diverging
        state = self.app.state
        assert state is not None
        held = [self.key_of(i) for i in state.card_ids_in(list_id)]
        w = self.chaos.server.world()  # (a copy of Trello's board)
        truth = sorted(
            (c for c in w.cards.values() if c.id_list == list_id and not c.closed),
            key=lambda c: (c.pos, c.id),
        )
        if started:  # each divergence's history, when it begins (later reports repeat it)
            self.chaos.say("recent operations:\n  " + "\n  ".join(self.chaos.recent))
            self._dump_actions(w, [c.id for c in truth][:4])
            from tests.reliability.probes import WRITES

            self.chaos.say("writes:\n  " + "\n  ".join(WRITES))
        held_at = [
            f"{self.key_of(i)[-4:]}@{state.cards[i].pos:g}" for i in state.card_ids_in(list_id)
        ]
        truth_at = [f"{self.key_of(c.id)[-4:]}@{c.pos:g}" for c in truth]
        self.chaos.say(
            f"screen differs in {w.lists[list_id].name}:\n  screen {shown}\n"
            f"  state  {held}\n  model  {self.user.lists[list_id]}\n"
            f"  trello {[self.key_of(c.id) if c.id in state.cards else c.name for c in truth]}"
            "\n"
            f"  state at  {held_at}\n  trello at {truth_at}"
        )

    def watch(self, done: str) -> None:
        """After an operation (a verbose run): name the operation after which a list's
        screen first disagrees with the model, with the positions the app holds."""
        state = self.app.state
        if self.chaos.log is None or state is None:
            return
        if not isinstance(self.app.screen, BoardScreen):  # (the next step closes it)
            self.chaos.say(f"after {done}: {type(self.app.screen).__name__} left open")
            return
        with self.chaos.watchdog.excused():
            for list_id in self.user.list_order:
                column = self.screen.view.column_for(list_id)
                shown = [self.key_of(i) for i in column.ids] if column is not None else []
                meant = self.user.lists[list_id]
                if shown == meant:
                    self.chaos.watched.discard(list_id)
                    continue
                if list_id in self.chaos.watched:
                    continue
                self.chaos.watched.add(list_id)
                at = (
                    [f"{self.key_of(i)[-4:]}@{state.cards[i].pos:g}" for i in column.ids]
                    if column
                    else []
                )
                self.chaos.say(
                    f"after {done}: {list_id[-3:]} shows {[k[-4:] for k in shown]}\n"
                    f"  meant {[k[-4:] for k in meant]}\n  at {at}"
                )

    def _dump_actions(self, w: Any, card_ids: list[str]) -> None:
        for card_id in card_ids:
            acts = [a for a in w.actions.values() if a.data.get("card", {}).get("id") == card_id]
            for a in acts[-6:]:
                who = w.members[a.id_member_creator].username
                data = {k: v for k, v in a.data.items() if k not in ("board", "list")}
                self.chaos.say(f"  action {card_id[-3:]} {a.type} by {who}: {data}")

    def note(self, text: str) -> None:
        """Keep the last operations (printed at each divergence's start); log each one."""
        if self.chaos.log is None:
            return
        with self.chaos.watchdog.excused():
            self._note(text)

    def _note(self, text: str) -> None:
        self.chaos.say(f"op {self.chaos.report.ops} {text}")
        state = self.app.state
        lists = self.user.list_order
        where = ""
        if state is not None:
            where = " | ".join(
                ",".join(
                    f"{self.key_of(i)[-3:]}@{state.cards[i].pos:g}" for i in state.card_ids_in(x)
                )
                for x in lists
            )
        self.chaos.recent = [*self.chaos.recent[-40:], f"{text}  [app: {where}]"]

    async def press(self, *keys: str) -> None:
        await self.pilot.press(*keys)
        await self.pilot.pause()

    async def open_screen(self, key: str, kind: type[Any]) -> bool:
        """Press a key that opens a prompt or a screen, and wait until that screen is up: keys
        typed before it mounts would go to the board (``n`` of a due date "none" opens a
        composer). Another screen instead (one left open, say) is closed and the operation
        skipped: typing into it would do what nobody meant."""
        await self.press(key)
        deadline = time.monotonic() + 10
        while not isinstance(self.app.screen, kind):
            if time.monotonic() > deadline or not isinstance(self.app.screen, BoardScreen):
                self.chaos.report.problems_seen += 1
                self.note(f"  {key} opened {type(self.app.screen).__name__}, not {kind.__name__}")
                while not isinstance(self.app.screen, BoardScreen):
                    await self.press("escape")
                    if time.monotonic() > deadline + 10:
                        break
                return False
            await asyncio.sleep(0.02)
        await self.pilot.pause()
        return True

    async def focus(self, key: str) -> bool:
        card_id = self.app_id(key)
        if card_id is None or not self.screen.view.focus_card(card_id):
            return False
        await self.pilot.pause()
        return self.screen.view.focused_card_id == card_id

    # -- one step ----------------------------------------------------------------------------

    def pick_kind(self) -> str:
        kinds = dict(WEIGHTS)
        if self.chaos.undoable is None:
            kinds.pop("undo")
        names = list(kinds)
        return self.rng.choices(names, weights=[kinds[n] for n in names])[0]

    async def step(self) -> None:
        chaos = self.chaos
        if not isinstance(self.app.screen, BoardScreen):
            # A detail or prompt left open (its escape was taken by something else): close it.
            chaos.report.problems_seen += 1
            await self.press("escape")
            if not isinstance(self.app.screen, BoardScreen):
                chaos.report.skipped += 1
                return
        kind = self.pick_kind()
        chaos.watchdog.label = kind
        if kind == "undo":
            await self.undo()
            return
        candidates = [k for keys in self.user.lists.values() for k in keys]
        if kind == "check":
            candidates = [k for k in candidates if self.user.cards[k].checks]
        if not candidates:
            chaos.report.skipped += 1
            return
        key = self.rng.choice(candidates)
        list_id, _ = self.user.where(key)
        if self.diverged(list_id) or not await self.focus(key):
            chaos.report.skipped += 1
            return
        before = self.user.snapshot()
        first = [k[-3:] for k in self.user.lists[self.user.list_order[0]]]
        self.note(f"{kind} {key[-3:]} in {list_id[-3:]} (first list meant: {first})")
        created = await getattr(self, f"op_{kind}")(key)
        if created is False:
            chaos.report.skipped += 1
            return
        chaos.report.ops += 1
        chaos.report.by_kind[kind] += 1
        chaos.undoable = (before, created if isinstance(created, str) else None)
        self.watch(f"op {chaos.report.ops} {kind} {key[-4:]}")

    async def undo(self) -> None:
        assert self.chaos.undoable is not None
        before, created = self.chaos.undoable
        engine = self.backend.engine
        step = engine._undo[-1] if engine is not None and engine._undo else []
        self.note("undo " + "; ".join(_describe(op) for op in step))
        await self.press("z")
        if engine is not None:
            self.note("  undo sent " + "; ".join(_describe(op) for op in engine.pending_ops()[-2:]))
        self.user.restore_for_undo(before, created)
        self.chaos.undoable = None
        self.chaos.report.ops += 1
        self.chaos.report.by_kind["undo"] += 1
        self.watch(f"op {self.chaos.report.ops} undo")

    # -- operations: each returns False when it did nothing, the new card's key for a create --

    async def op_move(self, key: str) -> bool | None:
        user = self.user
        list_id, index = user.where(key)
        at = user.list_order.index(list_id)
        size = len(user.lists[list_id])
        choices: list[tuple[str, str, int]] = []
        if at + 1 < len(user.list_order):
            choices.append(("greater_than_sign", user.list_order[at + 1], index))
        if at > 0:
            choices.append(("less_than_sign", user.list_order[at - 1], index))
        if index + 1 < size:
            choices += [("J", list_id, index + 1), ("B", list_id, size - 1)]
        if index > 0:
            choices += [("K", list_id, index - 1), ("T", list_id, 0)]
        if not choices:
            return False
        press, target, where = self.rng.choice(choices)
        if target != list_id and self.diverged(target):
            return False
        self.note(f"press {press} -> {target[-3:]}@{where} {self._at(list_id, target)}")
        before = self._where_shown(key)
        await self.press(press)
        after = self._where_shown(key)
        others = len(user.lists[target]) if target != list_id else size - 1
        if after != (target, min(where, others)):  # (a longer list's row lands at the end)
            self.note(f"  moved to {after} (was {before}); {self._move_context(key, target)}")
            self.note(f"  now {self._at(list_id, target)}")
        user.move(key, target, where)
        return None

    def _at(self, *list_ids: str) -> str:
        """The app's positions in these lists (a verbose run's log)."""
        state = self.app.state
        if self.chaos.log is None or state is None:
            return ""
        return " | ".join(
            ",".join(f"{self.key_of(i)[-3:]}@{state.cards[i].pos:g}" for i in state.card_ids_in(x))
            for x in dict.fromkeys(list_ids)
        )

    def _where_shown(self, key: str) -> tuple[str, int] | None:
        """The column and row the app shows a model card at, for diagnosis."""
        card_id = self.app_id(key)
        for list_id in self.user.list_order:
            column = self.screen.view.column_for(list_id)
            if column is not None and card_id in column.ids:
                return list_id, column.ids.index(card_id)
        return None

    def _move_context(self, key: str, target: str) -> str:
        view = self.screen.view
        column = view.current
        engine = self.backend.engine
        pending = [_describe(op) for op in engine.pending_ops()[-3:]] if engine else []
        shown = [self.key_of(i)[-3:] for i in getattr(view.column_for(target), "ids", [])]
        return (
            f"focused {view.focused_card_id} (card {self.app_id(key)}), "
            f"column {column.list_id if column else None} cursor "
            f"{column.cursor if column else None} of {len(column.ids) if column else 0}, "
            f"target shows {shown}, "
            f"pending {pending}"
        )

    async def op_create(self, key: str) -> str | bool:
        chaos = self.chaos
        chaos.counter += 1
        tag = f"n{chaos.counter}"
        list_id, index = self.user.where(key)
        if not await self.open_screen("n", Composer):
            return False
        await self.press(*tag, "enter")
        self.user.create(tag, tag, list_id, index + 1)
        return tag

    async def op_rename(self, key: str) -> bool | None:
        card = self.user.cards[key]
        self.chaos.counter += 1
        tag = key if card.created else card.key
        name = f"{tag} r{self.chaos.counter}"
        if not await self.open_screen("t", TextPrompt):
            return False
        await self.press("ctrl+u", *name, "enter")
        card.name = name

    async def op_label(self, key: str) -> None:
        family = self.rng.choice(sorted(self.chaos.label_for))
        label_id = self.chaos.label_for[family]
        await self.press(NUMBER_KEYS[family])
        self.user.cards[key].labels ^= {label_id}

    async def op_member(self, key: str) -> None:
        await self.press("space")
        self.user.cards[key].members ^= {self.chaos.me_id}

    async def op_due(self, key: str) -> bool | None:
        text = self.rng.choice(DUE_TEXTS)
        if not await self.open_screen("d", TextPrompt):
            return False
        await self.press(*text, "enter")
        card = self.user.cards[key]
        if text == "done":
            card.due_complete = True
        elif text == "none":
            card.due = None
        else:
            card.due = self.chaos.due_for(text)

    async def op_check(self, key: str) -> bool | None:
        card = self.user.cards[key]
        item_id = self.rng.choice(sorted(card.checks))
        if not await self.open_screen("enter", CardScreen):
            return False
        screen = self.app.screen
        if not isinstance(screen, CardScreen):
            return False
        items: Any = screen.query_one("#check-items")
        index = next(
            (
                i
                for i in range(items.option_count)
                if str(items.get_option_at_index(i).id).endswith(f":{item_id}")
            ),
            None,
        )
        if index is None:
            await self.press("escape")
            return False
        items.highlighted = index
        await self.press("space")
        await self.press("escape")
        card.checks[item_id] = not card.checks[item_id]
        return None

    async def op_archive(self, key: str) -> None:
        await self.press("c")
        self.user.archive(key)


def _describe(op: Any) -> str:
    """An operation in a line, for the diagnosis log."""
    fields = {k: v for k, v in vars(op).items() if k in ("card_id", "list_id", "pos", "before")}
    return f"{op.kind} {str(fields)[:160]}"
