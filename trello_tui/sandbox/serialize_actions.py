"""JSON shape of actions: the envelope, ``memberCreator``, ``member`` and ``display``."""

from __future__ import annotations

import re

from trello_tui.sandbox.serialize import J, limit, member_json
from trello_tui.sandbox.world import Action, Member, World


def action_json(w: World, a: Action, *, display: bool = False) -> J:
    creator = w.members.get(a.id_member_creator)
    out: J = {
        "id": a.id,
        "idMemberCreator": a.id_member_creator,
        "data": a.data,
        "appCreator": None,
        "type": a.type,
        "date": a.date,
        "limits": {},
        "memberCreator": member_json(creator) if creator else None,
    }
    if a.type == "commentCard":
        out["limits"] = {
            "reactions": {"perAction": limit(900), "uniquePerAction": limit(17)},
        }
    if "idMember" in a.data and a.data["idMember"] in w.members:
        out["member"] = member_json(w.members[a.data["idMember"]])
    if display:
        out["display"] = display_json(a, creator)
    return out


def display_json(a: Action, creator: Member | None) -> J:
    """A minimal ``display`` block: a translation key and the entities it names."""
    entities: J = {}
    if creator is not None:
        entities["memberCreator"] = {
            "type": "member",
            "id": creator.id,
            "username": creator.username,
            "text": creator.full_name,
        }
    card = a.data.get("card")
    if isinstance(card, dict):
        entities["card"] = {
            "type": "card",
            "hideIfContext": True,
            "id": card.get("id", ""),
            "shortLink": card.get("shortLink", ""),
            "text": card.get("name", ""),
        }
        entities["contextOn"] = {
            "type": "translatable",
            "translationKey": "action_on",
            "hideIfContext": True,
            "idContext": card.get("id", ""),
        }
    if "text" in a.data:
        entities["comment"] = {"type": "comment", "text": a.data["text"]}
    key = DISPLAY_KEYS.get(a.type)
    if a.type == "updateCard" and "listAfter" in a.data:
        key = "action_move_card_from_list_to_list"
    if a.type == "updateCheckItemStateOnCard" and a.data["checkItem"]["state"] != "complete":
        key = "action_marked_checkitem_incomplete"
    if key is None:
        key = "action_" + re.sub(r"(?<!^)(?=[A-Z])", "_", a.type).lower()
    return {"translationKey": key, "entities": entities}


# Trello's keys where we know them (the comment one is recorded in the fixtures).
DISPLAY_KEYS = {
    "commentCard": "action_comment_on_card",
    "addMemberToCard": "action_added_member_to_card",
    "removeMemberFromCard": "action_removed_member_from_card",
    "updateCheckItemStateOnCard": "action_completed_checkitem",
}
