"""Import a Trello board export (the JSON of "Print and export → Export as JSON").

Ids that are not 24-hex (anonymised exports use names like ``hashcard7``) are replaced by new
ids, everywhere they appear, including inside action data. Every member of the export joins
the board; you (``alex``) join it as an admin so the board is readable with your token.
Older exports (2015) lack fields such as ``idChecklist`` on items or ``start``: defaults fill in.

Usernames are unique on Trello, so an exported member whose username the world already has
(``alex`` in a board exported from the demo) is that member: their id is mapped onto the
world's, and their cards stay assigned to them. Memberships keep their type (admin, normal,
observer) when the export has them. A workspace (``idOrganization``) is kept only when the
world has it. Everything a card, list or check item carries that the world models (cover
colour, voters, due reminder, list colour, board background) is kept.
"""

from __future__ import annotations

from typing import Any

from trello_tui.sandbox.seeds_util import remap_ids
from trello_tui.sandbox.world import (
    HEX24,
    Action,
    Board,
    Card,
    CheckItem,
    Checklist,
    Label,
    Member,
    TList,
    World,
    iso,
)


class ImportError_(ValueError):
    """The file is not a Trello board export."""


def import_export(w: World, data: Any) -> World:
    if not isinstance(data, dict) or not isinstance(data.get("lists"), list) or "name" not in data:
        raise ImportError_("not a Trello board export (needs name and lists)")
    data = remap_ids(w, data, _same_people(w, data))
    prefs: dict[str, Any] = data["prefs"] if isinstance(data.get("prefs"), dict) else {}
    b = Board(
        id=data["id"],
        name=str(data["name"]),
        desc=str(data.get("desc") or ""),
        closed=bool(data.get("closed")),
        short_link=_short_link(w, data.get("shortLink")),
        id_member_creator=data.get("idMemberCreator") or w.me,
        date_last_activity=data.get("dateLastActivity") or iso(),
        permission_level=prefs.get("permissionLevel", "private"),
        background=str(prefs.get("background") or "blue"),
        id_org=data.get("idOrganization") if data.get("idOrganization") in w.orgs else None,
        pinned=bool(data.get("pinned")),
        starred=bool(data.get("starred")),
        members={w.me: "admin"},
    )
    w.boards[b.id] = b
    w.short_links[b.short_link] = b.id
    roles: dict[str, str] = {
        str(m.get("idMember")): str(m.get("memberType"))
        for m in data.get("memberships") or []
        if isinstance(m, dict) and m.get("memberType") in ("admin", "normal", "observer")
    }
    for raw in data.get("members", []):
        if raw["id"] not in w.members:
            w.members[raw["id"]] = Member(
                id=raw["id"],
                username=str(raw.get("username") or raw["id"]),
                full_name=str(raw.get("fullName") or raw.get("username") or "?"),
                initials=str(raw.get("initials") or "?"),
                avatar_hash=raw.get("avatarHash"),
                bio=str(raw.get("bio") or ""),
            )
        b.members.setdefault(raw["id"], roles.get(raw["id"], "normal"))
    for raw in data.get("labels", []):
        lab = Label(
            id=raw["id"], id_board=b.id, name=str(raw.get("name") or ""), color=raw.get("color")
        )
        w.labels[lab.id] = lab
        b.label_ids[lab.id] = None
    for raw in data["lists"]:
        lst = TList(
            id=raw["id"],
            name=str(raw.get("name") or ""),
            id_board=b.id,
            pos=float(raw.get("pos") or 0),
            closed=bool(raw.get("closed")),
            color=raw.get("color") if isinstance(raw.get("color"), str) else None,
        )
        w.lists[lst.id] = lst
        b.list_ids[lst.id] = None
    for raw in data.get("cards", []):
        _card(w, b, raw)
    for raw in data.get("checklists", []):
        _checklist(w, b, raw)
    for card_id in b.card_ids:
        card = w.cards[card_id]
        card.checklist_ids.sort(key=lambda i: w.checklists[i].pos)
    for raw in sorted(data.get("actions", []), key=lambda a: a.get("date", "")):
        w.action_seq += 1
        models = [m for m in (_ref(raw, "card"), _ref(raw, "list")) if m]
        act = Action(
            id=raw["id"],
            type=str(raw.get("type")),
            id_member_creator=raw.get("idMemberCreator") or w.me,
            date=raw.get("date") or iso(),
            data=raw.get("data") or {},
            id_board=b.id,
            models=[b.id, *models, raw.get("idMemberCreator") or w.me],
            seq=w.action_seq,
        )
        if act.id_member_creator not in w.members:
            act.id_member_creator = w.me
        w.actions[act.id] = act
        b.action_ids.append(act.id)
    return w


def _same_people(w: World, data: dict[str, Any]) -> dict[str, str]:
    """Exported member id -> the world's member id, for usernames the world already has."""
    by_name = {m.username: m.id for m in w.members.values()}
    out: dict[str, str] = {}
    for raw in data.get("members") or []:
        if not isinstance(raw, dict):
            continue
        mine = by_name.get(str(raw.get("username")))
        if mine is not None and isinstance(raw.get("id"), str) and raw["id"] != mine:
            out[raw["id"]] = mine
    return out


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _ref(raw: dict[str, Any], kind: str) -> str | None:
    ref = (raw.get("data") or {}).get(kind)
    return ref.get("id") if isinstance(ref, dict) else None


def _short_link(w: World, link: Any) -> str:
    if isinstance(link, str) and len(link) == 8 and link.isalnum() and link not in w.short_links:
        return link
    return w.new_short_link()


def _card(w: World, b: Board, raw: dict[str, Any]) -> None:
    if raw.get("idList") not in w.lists:
        return
    labels = raw.get("idLabels") or [x["id"] for x in raw.get("labels", []) if isinstance(x, dict)]
    cover: dict[str, Any] = raw["cover"] if isinstance(raw.get("cover"), dict) else {}
    card = Card(
        id=raw["id"],
        name=str(raw.get("name") or ""),
        id_board=b.id,
        id_list=raw["idList"],
        pos=float(raw.get("pos") or 0),
        id_short=int(raw.get("idShort") or b.next_id_short),
        short_link=_short_link(w, raw.get("shortLink")),
        date_last_activity=raw.get("dateLastActivity") or iso(),
        desc=str(raw.get("desc") or ""),
        closed=bool(raw.get("closed")),
        due=raw.get("due"),
        start=raw.get("start"),
        due_complete=bool(raw.get("dueComplete")),
        id_labels=[x for x in labels if x in w.labels],
        id_members=[x for x in raw.get("idMembers", []) if x in b.members],
        id_members_voted=[x for x in raw.get("idMembersVoted") or [] if x in b.members],
        due_reminder=_int_or_none(raw.get("dueReminder")),
        comments=int((raw.get("badges") or {}).get("comments") or 0),
        cover_color=cover.get("color") if isinstance(cover.get("color"), str) else None,
    )
    b.next_id_short = max(b.next_id_short, card.id_short + 1)
    w.cards[card.id] = card
    w.short_links[card.short_link] = card.id
    b.card_ids[card.id] = None
    w.lists[card.id_list].card_ids[card.id] = None


def _checklist(w: World, b: Board, raw: dict[str, Any]) -> None:
    card = w.cards.get(raw.get("idCard", ""))
    if card is None:
        return
    cl = Checklist(
        id=raw["id"],
        name=str(raw.get("name") or ""),
        id_board=b.id,
        id_card=card.id,
        pos=float(raw.get("pos") or 0),
    )
    for item in raw.get("checkItems", []):
        ci = CheckItem(
            id=item["id"] if HEX24.match(item["id"]) else w.new_id(),
            id_checklist=cl.id,
            name=str(item.get("name") or ""),
            pos=float(item.get("pos") or 0),
            state="complete" if item.get("state") == "complete" else "incomplete",
            due=item.get("due"),
            due_reminder=_int_or_none(item.get("dueReminder")),
            id_member=item.get("idMember"),
        )
        cl.items.append(ci)
        w.check_items[ci.id] = cl.id
    w.checklists[cl.id] = cl
    b.checklist_ids[cl.id] = None
    if cl.id not in card.checklist_ids:
        card.checklist_ids.append(cl.id)
