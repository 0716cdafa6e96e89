"""Seeds: ``demo``, ``empty``, ``cards:N`` (N ≤ 5,000) or a path to a Trello board export.

Whoever starts the sandbox (its command line, or code) may seed it from any export it can
read. A reset asked for over HTTP (``POST /_sandbox/reset``) is narrower (:func:`allowed_seed`):
a seed name, the seed the sandbox started with, or a file inside the seeds folder given when
it started (``--seeds DIR``); any other path is refused unread, without saying whether it exists.

Every seed has you (``alex``) and two teammates (``sam``, ``jordan``) with tokens, and an
outsider (``casey``) whose private board you cannot read. Seeds are deterministic apart from
ids, tokens and dates (which are relative to now). Large boards are built directly (no
per-card actions) so ``cards:5000`` builds in well under a second.
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path
from typing import Any

from trello_tui.sandbox import ops
from trello_tui.sandbox.demo_content import CARD_TITLES, COMMENTS, DESCRIPTIONS, ITEMS
from trello_tui.sandbox.positions import SPACING
from trello_tui.sandbox.serialize import COLOURS
from trello_tui.sandbox.world import (
    Board,
    Card,
    CheckItem,
    Checklist,
    Label,
    Org,
    TList,
    World,
    iso,
)

MAX_CARDS = 5000
DAY = 86400.0
NAMES = "demo | empty | cards:N"


class SeedError(ValueError):
    """An unknown seed or an unreadable export."""


def is_name(seed: str) -> bool:
    return seed in ("demo", "empty") or seed.startswith("cards:")


def allowed_seed(seed: str, folder: Path | None, started_with: str) -> str:
    """The seed a reset over HTTP may build: a name, the seed the sandbox started with, or a
    file inside ``folder`` (a name relative to it, or a path that resolves inside it, symlinks
    followed). Raises :class:`SeedError` for anything else."""
    if is_name(seed) or seed == started_with:
        return seed
    if folder is None:
        raise SeedError(
            f"seed {seed!r} refused: a reset takes {NAMES}, or a file in the seeds folder, "
            "and this sandbox has none (start it with --seeds DIR)"
        )
    root = folder.resolve()
    target = (root / seed).resolve()  # an absolute seed replaces root; ".." is resolved away
    if not target.is_relative_to(root):
        raise SeedError(f"seed {seed!r} refused: it is outside the seeds folder {root}")
    if not target.is_file():
        raise SeedError(f"unknown seed {seed!r}: no such file in the seeds folder {root}")
    return str(target)


def build_world(seed: str) -> World:
    if seed == "demo":
        return demo_world()
    if seed == "empty":
        return people()
    if seed.startswith("cards:"):
        try:
            n = int(seed[6:])
        except ValueError:
            raise SeedError(f"bad seed {seed!r}: cards:N needs a number") from None
        if not 0 <= n <= MAX_CARDS:
            raise SeedError(f"bad seed {seed!r}: N must be 0..{MAX_CARDS}")
        return cards_world(n)
    path = Path(seed)
    if path.is_file():
        from trello_tui.sandbox.importer import import_export

        try:
            data: Any = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise SeedError(f"cannot read {path}: {err}") from None
        try:
            return import_export(people(), data)
        except (KeyError, TypeError, AttributeError) as err:  # a field missing or mistyped
            kind = type(err).__name__
            raise SeedError(f"{path} is not a Trello board export ({kind}: {err})") from None
    raise SeedError(f"unknown seed {seed!r} ({NAMES} | PATH)")


def people() -> World:
    """You, two teammates and an outsider, with tokens, in one Workspace."""
    w = World()
    me = w.add_member("alex", "Alex Rivera")
    w.me = me.id
    team = [me, w.add_member("sam", "Sam Okafor"), w.add_member("jordan", "Jordan Lee")]
    outsider = w.add_member("casey", "Casey Nguyen")
    for m in [*team, outsider]:
        w.add_token(m)
    org = Org(
        id=w.new_id(),
        name="acmeproduct",
        display_name="Acme Product Team",
        desc="Where the product team plans and ships.",
        members=[m.id for m in team],
    )
    w.orgs[org.id] = org
    return w


def new_board(w: World, name: str, members: dict[str, str], *, org: str | None = None) -> Board:
    b = Board(
        id=w.new_id(),
        name=name,
        short_link=w.new_short_link(),
        id_member_creator=next(iter(members)),
        date_last_activity=iso(),
        id_org=org,
        permission_level="org" if org else "private",
        members=dict(members),
    )
    w.boards[b.id] = b
    w.short_links[b.short_link] = b.id
    return b


def add_list(w: World, b: Board, name: str, index: int) -> TList:
    lst = TList(id=w.new_id(), name=name, id_board=b.id, pos=SPACING * (index + 1))
    w.lists[lst.id] = lst
    b.list_ids[lst.id] = None
    return lst


def add_label(w: World, b: Board, name: str, color: str | None) -> Label:
    lab = Label(id=w.new_id(), id_board=b.id, name=name, color=color)
    w.labels[lab.id] = lab
    b.label_ids[lab.id] = None
    return lab


def add_card(
    w: World, b: Board, lst: TList, name: str, ts: float | None = None, /, **extra: object
) -> Card:
    card = Card(
        id=w.new_id(ts),
        name=name,
        id_board=b.id,
        id_list=lst.id,
        pos=SPACING * (len(lst.card_ids) + 1),
        id_short=b.next_id_short,
        short_link=w.new_short_link(),
        date_last_activity=b.date_last_activity,
    )
    for k, v in extra.items():
        setattr(card, k, v)
    b.next_id_short += 1
    w.cards[card.id] = card
    w.short_links[card.short_link] = card.id
    b.card_ids[card.id] = None
    lst.card_ids[card.id] = None
    return card


def add_checklist(w: World, card: Card, name: str, items: list[tuple[str, bool]]) -> Checklist:
    cl = Checklist(
        id=w.new_id(),
        name=name,
        id_board=card.id_board,
        id_card=card.id,
        pos=SPACING * (len(card.checklist_ids) + 1),
    )
    for i, (text, done) in enumerate(items):
        item = CheckItem(
            id=w.new_id(),
            id_checklist=cl.id,
            name=text,
            pos=SPACING * (i + 1),
            state="complete" if done else "incomplete",
        )
        cl.items.append(item)
        w.check_items[item.id] = cl.id
    w.checklists[cl.id] = cl
    w.boards[card.id_board].checklist_ids[cl.id] = None
    card.checklist_ids.append(cl.id)
    return cl


def _due(rng: random.Random, now: float) -> dict[str, object]:
    kind = rng.random()
    if kind < 0.15:  # overdue
        return {"due": iso(now - rng.uniform(1, 20) * DAY)}
    if kind < 0.3:  # due soon
        return {"due": iso(now + rng.uniform(2, 40) * 3600)}
    if kind < 0.4:  # done
        return {"due": iso(now - rng.uniform(1, 10) * DAY), "due_complete": True}
    if kind < 0.5:  # later, with a start date
        return {"due": iso(now + rng.uniform(5, 30) * DAY), "start": iso(now + DAY)}
    return {}


def demo_world() -> World:
    """A believable workspace: a ~300-card roadmap using every label colour, and more."""
    w = people()
    rng = random.Random(2026)
    now = time.time()
    me, sam, jordan, casey = list(w.members)
    org = next(iter(w.orgs))
    team = {me: "admin", sam: "normal", jordan: "normal"}
    roadmap = new_board(w, "Product Roadmap", team, org=org)
    roadmap.desc = "Everything we plan to build this year. **Drag freely.**"
    roadmap.starred = True
    names = ["Backlog", "Next up", "In progress", "Review", "Done", "Icebox"]
    lists = [add_list(w, roadmap, n, i) for i, n in enumerate(names)]
    label_names = [
        "Bug", "Feature", "Design", "Backend", "Frontend", "Docs", "Research", "Ops", "Security",
        "Performance", "Mobile", "Data", "Infra", "UX", "Legal", "Growth", "Support", "QA",
        "Billing", "Search", "Onboarding", "Accessibility", "i18n", "API", "Analytics", "Email",
        "Payments", "Sync", "Offline", "Tech debt",
    ]  # fmt: skip
    labels = [add_label(w, roadmap, n, c) for n, c in zip(label_names, COLOURS, strict=True)]
    labels.append(add_label(w, roadmap, "", "sky"))  # an unnamed label
    labels.append(add_label(w, roadmap, "No colour", None))  # a colourless label
    weights = [70, 50, 45, 35, 80, 20]
    people_ids = [me, sam, jordan]
    t = now - 30 * DAY  # the board's history starts a month ago
    ops.record(w, me, "createBoard", roadmap, {}, [], ts=t)
    for lst in lists:
        t += 60
        ops.record(w, me, "createList", roadmap, {"list": ops.list_ref(lst)}, [lst.id], ts=t)
    for i in range(300):
        lst = rng.choices(lists, weights)[0]
        title = f"{rng.choice(CARD_TITLES)}"
        extra: dict[str, object] = _due(rng, now)
        if rng.random() < 0.5:
            extra["desc"] = rng.choice(DESCRIPTIONS)
        extra["id_labels"] = [x.id for x in rng.sample(labels, rng.choice([0, 1, 1, 2, 3]))]
        extra["id_members"] = rng.sample(people_ids, rng.choice([0, 1, 1, 2]))
        if lst is lists[4]:
            extra["due_complete"] = bool(extra.get("due"))
        if i % 37 == 0:
            extra["closed"] = True
        t += 25 * DAY / 300
        card = add_card(w, roadmap, lst, title, t, **extra)
        _history(w, rng, roadmap, card, lists, rng.choice(people_ids), t)
        if rng.random() < 0.25:
            chosen = rng.sample(ITEMS, rng.randint(2, 6))
            add_checklist(w, card, "Tasks", [(t, rng.random() < 0.4) for t in chosen])
    # every colour used at least once
    open_cards = [w.cards[c] for c in roadmap.card_ids if not w.cards[c].closed]
    for lab, card in zip(labels, open_cards, strict=False):
        if lab.id not in card.id_labels:
            card.id_labels.append(lab.id)
    for card in rng.sample(open_cards, 40):
        author = rng.choice(people_ids)
        ops.comment(w, author, card, rng.choice(COMMENTS))
    _small_boards(w, rng, now, team, org, casey)
    _chronological(w)
    w.outbox.clear()
    return w


def _chronological(w: World) -> None:
    """Backdated history was recorded out of order: sort it and renumber ``seq``."""
    ordered = sorted(w.actions.values(), key=lambda a: (a.date, a.seq))
    for seq, act in enumerate(ordered, 1):
        act.seq = seq
    w.action_seq = len(ordered)
    for b in w.boards.values():
        b.action_ids.sort(key=lambda a: w.actions[a].seq)


def _history(
    w: World, rng: random.Random, b: Board, card: Card, lists: list[TList], who: str, t: float
) -> None:
    """createCard in the backlog, then a move to the card's list if it lives elsewhere."""
    backlog = lists[0]
    data = {"card": ops.card_ref(card), "list": ops.list_ref(backlog)}
    ops.record(w, who, "createCard", b, data, [card.id, backlog.id], ts=t)
    if card.id_list != backlog.id:
        target = w.lists[card.id_list]
        moved = {
            "card": dict(ops.card_ref(card), idList=target.id),
            "old": {"idList": backlog.id},
            "listBefore": ops.list_ref(backlog),
            "listAfter": ops.list_ref(target),
        }
        when = t + rng.uniform(600, 4 * 3600)
        ops.record(w, who, "updateCard", b, moved, [card.id, target.id, backlog.id], ts=when)


def _small_boards(
    w: World, rng: random.Random, now: float, team: dict[str, str], org: str, casey: str
) -> None:
    me = w.me
    site = new_board(w, "Website Relaunch", team, org=org)
    site_lists = [add_list(w, site, n, i) for i, n in enumerate(["To do", "Doing", "Done"])]
    site_labels = [
        add_label(w, site, n, c)
        for n, c in [("Copy", "yellow"), ("Visual", "purple"), ("Blocker", "red")]
    ]
    for i in range(24):
        card = add_card(
            w, site, site_lists[i % 3], rng.choice(CARD_TITLES), id_labels=[site_labels[i % 3].id],
            id_members=[list(team)[i % 3]], **_due(rng, now),
        )  # fmt: skip
        if i % 5 == 0:
            add_checklist(w, card, "Launch", [(t, i % 2 == 0) for t in rng.sample(ITEMS, 3)])
    personal = new_board(w, "Personal", {me: "admin"})
    p_lists = [add_list(w, personal, n, i) for i, n in enumerate(["Today", "This week", "Someday"])]
    for i, title in enumerate(
        [
            "Renew passport",
            "Book dentist",
            "Read *Shape Up*",
            "Plan trip",
            "Fix bike",
            "Call mum",
            "Back up photos",
            "Learn Textual",
        ]
    ):
        add_card(w, personal, p_lists[i % 3], title, **_due(rng, now))
    archived = new_board(w, "Archived Ideas", {me: "admin", w.members[list(team)[1]].id: "normal"})
    archived.closed = True
    archived.date_closed = iso(now - 30 * DAY)
    a_list = add_list(w, archived, "Ideas", 0)
    add_card(w, archived, a_list, "Dark mode for everything")
    secret = new_board(w, "Casey's Private Plans", {casey: "admin"})
    add_card(w, secret, add_list(w, secret, "Secret", 0), "Surprise party for Alex")


def cards_world(n: int) -> World:
    """One board of ``n`` cards over five lists, some labelled, assigned and due."""
    w = people()
    now = time.time()
    me, sam, jordan, _ = list(w.members)
    team = {me: "admin", sam: "normal", jordan: "normal"}
    board = new_board(w, f"Big board ({n} cards)", team, org=next(iter(w.orgs)))
    lists = [
        add_list(w, board, name, i)
        for i, name in enumerate(["Backlog", "To do", "Doing", "Review", "Done"])
    ]
    labels = [
        add_label(w, board, name, c)
        for name, c in [("Bug", "red"), ("Feature", "green"), ("Chore", "blue"), ("", "yellow")]
    ]
    date = iso(now)
    per_list = -(-n // len(lists)) if n else 0
    for i in range(n):
        lst = lists[min(i // per_list, len(lists) - 1)] if per_list else lists[0]
        add_card(
            w, board, lst, f"{CARD_TITLES[i % len(CARD_TITLES)]} #{i + 1}",
            id_labels=[labels[i % 4].id] if i % 3 else [],
            id_members=[[me, sam, jordan][i % 3]] if i % 4 == 0 else [],
            due=iso(now + ((i % 40) - 10) * DAY) if i % 5 == 0 else None,
            desc="Generated card." if i % 7 == 0 else "", date_last_activity=date,
        )  # fmt: skip
    ops.record(w, me, "createBoard", board, {}, [])
    w.outbox.clear()
    return w
