"""JSON shapes of sandbox objects, field for field as Trello serves them.

Each ``*_json`` function builds the full object; ``pick`` then applies a ``fields`` parameter.
The default field sets per route follow the recorded responses in
``shared/trello-api/fixtures`` (cassettes of 2020-2022 and the 2021 board export).
"""

from __future__ import annotations

import re
from typing import Any

from trello_tui.sandbox.world import (
    Board,
    Card,
    CheckItem,
    Checklist,
    Label,
    Member,
    Org,
    TList,
    Token,
    Webhook,
    World,
)

J = dict[str, Any]

BASE_COLOURS = (
    "green",
    "yellow",
    "orange",
    "red",
    "purple",
    "blue",
    "sky",
    "lime",
    "pink",
    "black",
)
COLOURS = tuple(c for base in BASE_COLOURS for c in (base, f"{base}_dark", f"{base}_light"))

BOARD_DEFAULT = [
    "id", "name", "desc", "descData", "closed", "idOrganization", "idEnterprise", "pinned",
    "url", "shortUrl", "prefs", "labelNames",
]  # fmt: skip
CHECKLIST_DEFAULT = ["id", "name", "idBoard", "idCard", "pos", "checkItems"]
NESTED_MEMBER = [
    "id", "username", "fullName", "initials", "avatarHash", "avatarUrl", "activityBlocked",
    "idMemberReferrer", "nonPublic", "nonPublicAvailable",
]  # fmt: skip


def num(pos: float) -> float | int:
    """Trello writes whole positions as integers (65535) and others as floats (32767.5)."""
    return int(pos) if pos.is_integer() else pos


def pick(obj: J, fields: list[str] | None) -> J:
    if fields is None:
        return obj
    out = {"id": obj["id"]} if "id" in obj else {}
    for f in fields:
        if f in obj:
            out[f] = obj[f]
    return out


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "card"


def limit(disable_at: int, used: int = 0) -> J:
    warn = int(disable_at * 0.8)
    status = "ok" if used < warn else ("warn" if used < disable_at else "maxExceeded")
    return {"status": status, "disableAt": disable_at, "warnAt": warn}


# -- members -------------------------------------------------------------------------------
def avatar_url(m: Member) -> str | None:
    if m.avatar_hash is None:
        return None
    return f"https://trello-members.s3.amazonaws.com/{m.id}/{m.avatar_hash}"


def member_json(m: Member) -> J:
    """The nested member shape (actions' memberCreator, board and card members)."""
    url = avatar_url(m)
    return {
        "id": m.id,
        "username": m.username,
        "fullName": m.full_name,
        "initials": m.initials,
        "avatarHash": m.avatar_hash,
        "avatarUrl": url,
        "activityBlocked": False,
        "idMemberReferrer": None,
        "nonPublic": {},
        "nonPublicAvailable": True,
        "confirmed": m.confirmed,
        "memberType": m.member_type,
    }


def member_full_json(w: World, m: Member, *, is_self: bool) -> J:
    """``GET /1/members/{id}``: the long shape, with private fields only for yourself."""
    out = member_json(m)
    out.update(
        {
            "bio": m.bio,
            "bioData": {"emoji": {}},
            "url": f"https://trello.com/{m.username}",
            "status": "disconnected",
            "products": [],
            "idEnterprise": None,
            "idEnterprisesDeactivated": [],
            "idPremOrgsAdmin": [],
            "idBoards": [b.id for b in w.boards.values() if m.id in b.members],
            "idOrganizations": [o.id for o in w.orgs.values() if m.id in o.members],
            "premiumFeatures": [],
            "trophies": [],
            "avatarSource": "upload" if m.avatar_hash else "none",
        }
    )
    if is_self:
        out.update(
            {
                "aaId": m.id,
                "aaEmail": None,
                "aaEnrolledDate": None,
                "email": m.email,
                "gravatarHash": m.avatar_hash or "",
                "credentialsRemovedCount": 0,
                "idEnterprisesAdmin": [],
                "loginTypes": ["password"],
                "marketingOptIn": {"optedIn": False, "date": "2020-01-01T00:00:00.000Z"},
                "messagesDismissed": [],
                "oneTimeMessagesDismissed": [],
                "prefs": {
                    "privacy": {"fullName": "public", "avatar": "public"},
                    "sendSummaries": True,
                    "minutesBetweenSummaries": 60,
                    "minutesBeforeDeadlineToNotify": 1440,
                    "colorBlind": False,
                    "locale": "en-US",
                },
                "uploadedAvatarHash": None,  # sandbox avatars are not uploads
                "uploadedAvatarUrl": None,
                "isAaMastered": True,
                "ixUpdate": str(w.version),
                "limits": {
                    "boards": {"totalPerMember": limit(4500)},
                    "orgs": {"totalPerMember": limit(850)},
                },
            }
        )
    return out


def token_json(w: World, t: Token, *, webhooks: bool) -> J:
    scopes = t.scope.split(",")
    read, write, account = ("read" in scopes), ("write" in scopes), ("account" in scopes)
    out: J = {
        "id": t.id,
        "identifier": t.identifier,
        "idMember": t.id_member,
        "dateCreated": t.date_created,
        "dateExpires": t.date_expires,
        "permissions": [  # from the scope the user approved
            {"idModel": t.id_member, "modelType": "Member", "read": read, "write": account},
            {"idModel": "*", "modelType": "Board", "read": read, "write": write},
            {"idModel": "*", "modelType": "Organization", "read": read, "write": write},
        ],
    }
    if webhooks:
        out["webhooks"] = [webhook_json(h) for h in w.webhooks.values() if h.token == t.token]
    return out


def webhook_json(h: Webhook) -> J:
    return {
        "id": h.id,
        "description": h.description,
        "idModel": h.id_model,
        "callbackURL": h.callback_url,
        "active": h.active,
        "consecutiveFailures": h.consecutive_failures,
        "firstConsecutiveFailDate": h.first_fail_date,
    }


def org_json(o: Org) -> J:
    return {
        "id": o.id,
        "name": o.name,
        "displayName": o.display_name,
        "desc": o.desc,
        "descData": None,
        "url": f"https://trello.com/w/{o.name}",
        "website": o.website,
        "logoHash": None,
        "logoUrl": None,
        "products": [],
        "powerUps": [],
        "teamType": None,
        "idBoards": [],
        "memberships": [],
    }


# -- boards --------------------------------------------------------------------------------
def label_names(w: World, b: Board) -> J:
    names = dict.fromkeys(COLOURS, "")
    for lid in b.label_ids:
        lab = w.labels[lid]
        if lab.color and not names.get(lab.color):
            names[lab.color] = lab.name
    return names


def board_json(w: World, b: Board, member_id: str) -> J:
    open_cards = sum(1 for c in b.card_ids if not w.cards[c].closed)
    open_lists = sum(1 for i in b.list_ids if not w.lists[i].closed)
    return {
        "id": b.id,
        "name": b.name,
        "desc": b.desc,
        "descData": None,
        "closed": b.closed,
        "dateClosed": b.date_closed,
        "idOrganization": b.id_org,
        "idEnterprise": None,
        "idMemberCreator": b.id_member_creator,
        "idBoardSource": None,
        "idTags": [],
        "pinned": b.pinned,
        "starred": b.starred,
        "subscribed": b.subscribed,
        "shortLink": b.short_link,
        "url": f"https://trello.com/b/{b.short_link}/{slug(b.name)}",
        "shortUrl": f"https://trello.com/b/{b.short_link}",
        "dateLastActivity": b.date_last_activity,
        "dateLastView": b.date_last_view,
        "creationMethod": None,
        "enterpriseOwned": False,
        "templateGallery": None,
        "ixUpdate": str(w.version),
        "powerUps": [],
        "premiumFeatures": [],
        "nodeId": f"ari:cloud:trello::board/{b.id}",
        "memberships": [
            {
                "id": mid[:16] + b.id[16:],
                "idMember": mid,
                "memberType": kind,
                "unconfirmed": False,
                "deactivated": False,
            }
            for mid, kind in b.members.items()
        ],
        "labelNames": label_names(w, b),
        "prefs": {
            "permissionLevel": b.permission_level,
            "hideVotes": False,
            "voting": "disabled",
            "comments": "members",
            "invitations": "members",
            "selfJoin": True,
            "cardCovers": True,
            "isTemplate": False,
            "cardAging": "regular",
            "calendarFeedEnabled": False,
            "background": b.background,
            "backgroundImage": None,
            "backgroundImageScaled": [],
            "backgroundTile": False,
            "backgroundBrightness": "dark",
            "backgroundColor": "#0079BF",
            "backgroundBottomColor": "#0079BF",
            "backgroundTopColor": "#0079BF",
            "canBePublic": True,
            "canBeEnterprise": True,
            "canBeOrg": True,
            "canBePrivate": True,
            "canInvite": True,
        },
        "limits": {
            "attachments": {"perBoard": limit(36000)},
            "boards": {"totalMembersPerBoard": limit(1600, len(b.members))},
            "cards": {
                "openPerBoard": limit(5000, open_cards),
                "totalPerBoard": limit(2000000, len(b.card_ids)),
            },
            "checklists": {"perBoard": limit(1800000, len(b.checklist_ids))},
            "labels": {"perBoard": limit(1000, len(b.label_ids))},
            "lists": {
                "openPerBoard": limit(500, open_lists),
                "totalPerBoard": limit(3000, len(b.list_ids)),
            },
        },
    }


def list_json(lst: TList) -> J:
    return {
        "id": lst.id,
        "name": lst.name,
        "closed": lst.closed,
        "color": lst.color,
        "idBoard": lst.id_board,
        "pos": num(lst.pos),
        "subscribed": lst.subscribed,
        "softLimit": None,
    }


def label_json(lab: Label, uses: int | None = None) -> J:
    out: J = {"id": lab.id, "idBoard": lab.id_board, "name": lab.name, "color": lab.color}
    if uses is not None:
        out["uses"] = uses
    return out


def label_uses(w: World, b: Board) -> dict[str, int]:
    uses = dict.fromkeys(b.label_ids, 0)
    for cid in b.card_ids:
        for lid in w.cards[cid].id_labels:
            if lid in uses:
                uses[lid] += 1
    return uses


# -- cards ---------------------------------------------------------------------------------
def check_item_json(item: CheckItem) -> J:
    return {
        "id": item.id,
        "idChecklist": item.id_checklist,
        "name": item.name,
        "nameData": None,
        "pos": num(item.pos),
        "state": item.state,
        "due": item.due,
        "dueReminder": item.due_reminder,
        "idMember": item.id_member,
    }


def checklist_json(cl: Checklist) -> J:
    return {
        "id": cl.id,
        "name": cl.name,
        "idBoard": cl.id_board,
        "idCard": cl.id_card,
        "pos": num(cl.pos),
        "checkItems": [check_item_json(i) for i in sorted(cl.items, key=lambda i: i.pos)],
    }


def card_json(w: World, c: Card, labels: dict[str, J] | None = None) -> J:
    """A card with every default field; ``labels`` caches label dicts for whole-board loads."""
    items = checked = 0
    earliest: str | None = None
    for clid in c.checklist_ids:
        for item in w.checklists[clid].items:
            items += 1
            if item.state == "complete":
                checked += 1
            elif item.due and (earliest is None or item.due < earliest):
                earliest = item.due
    if labels is None:
        card_labels = [label_json(w.labels[i]) for i in c.id_labels]
    else:
        card_labels = [labels[i] for i in c.id_labels]
    return {
        "id": c.id,
        "badges": {
            "attachmentsByType": {"trello": {"board": 0, "card": 0}},
            "location": False,
            "votes": len(c.id_members_voted),
            "viewingMemberVoted": False,
            "subscribed": c.subscribed,
            "fogbugz": "",
            "checkItems": items,
            "checkItemsChecked": checked,
            "checkItemsEarliestDue": earliest,
            "comments": c.comments,
            "attachments": 0,
            "description": bool(c.desc),
            "due": c.due,
            "dueComplete": c.due_complete,
            "start": c.start,
        },
        "checkItemStates": [],
        "closed": c.closed,
        "dueComplete": c.due_complete,
        "dateLastActivity": c.date_last_activity,
        "desc": c.desc,
        "descData": None,
        "due": c.due,
        "dueReminder": c.due_reminder,
        "email": None,
        "idBoard": c.id_board,
        "idChecklists": list(c.checklist_ids),
        "idList": c.id_list,
        "idMembers": list(c.id_members),
        "idMembersVoted": list(c.id_members_voted),
        "idShort": c.id_short,
        "idAttachmentCover": None,
        "labels": card_labels,
        "idLabels": list(c.id_labels),
        "manualCoverAttachment": False,
        "name": c.name,
        "pos": num(c.pos),
        "shortLink": c.short_link,
        "shortUrl": f"https://trello.com/c/{c.short_link}",
        "start": c.start,
        "subscribed": c.subscribed,
        "url": f"https://trello.com/c/{c.short_link}/{c.id_short}-{slug(c.name)}",
        "cover": {
            "idAttachment": None,
            "color": c.cover_color,
            "idUploadedBackground": None,
            "size": "normal",
            "brightness": "light",
        },
        "isTemplate": False,
        "cardRole": None,
    }


def card_created_json(w: World, c: Card) -> J:
    """POST /1/cards answers with the card plus empty attachments, stickers and limits."""
    out = card_json(w, c)
    out.update({"attachments": [], "stickers": [], "limits": {}})
    return out
