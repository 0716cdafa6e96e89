"""The write requests (creates, updates, moves, deletes) as ``ApiCall`` builders.

Every value goes in the form body, so long names, descriptions and comments never reach a URL.
A create is not idempotent and carries a ``CreateProbe`` (how to find the object it may have
made when the outcome is unknown: the queue looks before it sends again). Field updates are
idempotent PUTs. ``UNSET`` marks a field that is not changed; ``None`` clears it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from trello_tui.trello.calls import (
    CARD_FIELDS,
    TOKEN_PLACEHOLDER,
    UNSET,
    ApiCall,
    CreateProbe,
    Unset,
    encode_changes,
    encode_params,
    parse_none,
    parse_objects,
    parse_one,
    same_name,
)
from trello_tui.trello.models import Action, Card, CheckItem, Checklist, Label, TrelloList, Webhook


def create_list(board_id: str, name: str, pos: float | str = "bottom") -> ApiCall[TrelloList]:
    probe = CreateProbe(
        ApiCall(
            "GET", f"/boards/{board_id}/lists", encode_params(filter="all"), parse=parse_objects
        ),
        same_name(name),
    )
    return ApiCall(
        "POST",
        "/lists",
        form=encode_params(idBoard=board_id, name=name, pos=pos),
        parse=parse_one(TrelloList.from_json),
        create=probe,
        idempotent=False,
    )


def update_list(
    list_id: str, *, name: Any = UNSET, pos: Any = UNSET, closed: Any = UNSET
) -> ApiCall[TrelloList]:
    return ApiCall(
        "PUT",
        f"/lists/{list_id}",
        form=encode_changes(name=name, pos=pos, closed=closed),
        parse=parse_one(TrelloList.from_json),
    )


def create_card(
    list_id: str,
    name: str,
    *,
    desc: str = "",
    pos: float | str = "bottom",
    due: datetime | None = None,
    id_labels: Sequence[str] = (),
    id_members: Sequence[str] = (),
) -> ApiCall[Card]:
    form = encode_params(
        idList=list_id,
        name=name,
        desc=desc or None,
        pos=pos,
        due=due,
        idLabels=list(id_labels) or None,
        idMembers=list(id_members) or None,
    )
    probe = CreateProbe(
        ApiCall(
            "GET", f"/lists/{list_id}/cards", encode_params(fields=CARD_FIELDS), parse=parse_objects
        ),
        same_name(name),
    )
    return ApiCall(
        "POST", "/cards", form=form, parse=parse_one(Card.from_json), create=probe, idempotent=False
    )


def update_card(
    card_id: str,
    *,
    name: Any = UNSET,
    desc: Any = UNSET,
    pos: Any = UNSET,
    id_list: Any = UNSET,
    id_board: Any = UNSET,
    due: Any = UNSET,
    start: Any = UNSET,
    due_complete: Any = UNSET,
    closed: Any = UNSET,
) -> ApiCall[Card]:
    """Change some fields of a card; ``None`` clears a date."""
    form = encode_changes(
        name=name,
        desc=desc,
        pos=pos,
        idList=id_list,
        idBoard=id_board,
        due=due,
        start=start,
        dueComplete=due_complete,
        closed=closed,
    )
    return ApiCall("PUT", f"/cards/{card_id}", form=form, parse=parse_one(Card.from_json))


def move_card(
    card_id: str, pos: float | str, id_list: str | None = None, id_board: str | None = None
) -> ApiCall[Card]:
    return update_card(
        card_id,
        pos=pos,
        id_list=UNSET if id_list is None else id_list,
        id_board=UNSET if id_board is None else id_board,
    )


def archive_card(card_id: str, archived: bool = True) -> ApiCall[Card]:
    return update_card(card_id, closed=archived)


def delete_card(card_id: str) -> ApiCall[None]:
    return ApiCall("DELETE", f"/cards/{card_id}", parse=parse_none)


def add_card_label(card_id: str, label_id: str) -> ApiCall[list[str]]:
    # Adding a label twice is refused with a 400; the queue treats that as done (see queue.py).
    return ApiCall(
        "POST", f"/cards/{card_id}/idLabels", form=encode_params(value=label_id), parse=_raw_ids
    )


def remove_card_label(card_id: str, label_id: str) -> ApiCall[None]:
    return ApiCall("DELETE", f"/cards/{card_id}/idLabels/{label_id}", parse=parse_none)


def add_card_member(card_id: str, member_id: str) -> ApiCall[list[str]]:
    return ApiCall(
        "POST", f"/cards/{card_id}/idMembers", form=encode_params(value=member_id), parse=_raw_ids
    )


def remove_card_member(card_id: str, member_id: str) -> ApiCall[None]:
    return ApiCall("DELETE", f"/cards/{card_id}/idMembers/{member_id}", parse=parse_none)


def _raw_ids(data: Any) -> list[str]:
    if isinstance(data, list):
        return [
            item if isinstance(item, str) else str(item.get("id", ""))
            for item in data
            if isinstance(item, str | Mapping)
        ]
    return []


def create_checklist(card_id: str, name: str, pos: float | str = "bottom") -> ApiCall[Checklist]:
    probe = CreateProbe(
        ApiCall("GET", f"/cards/{card_id}/checklists", parse=parse_objects), same_name(name)
    )
    return ApiCall(
        "POST",
        "/checklists",
        form=encode_params(idCard=card_id, name=name, pos=pos),
        parse=parse_one(Checklist.from_json),
        create=probe,
        idempotent=False,
    )


def rename_checklist(checklist_id: str, name: str) -> ApiCall[Checklist]:
    return ApiCall(
        "PUT",
        f"/checklists/{checklist_id}",
        form=encode_params(name=name),
        parse=parse_one(Checklist.from_json),
    )


def delete_checklist(checklist_id: str) -> ApiCall[None]:
    return ApiCall("DELETE", f"/checklists/{checklist_id}", parse=parse_none)


def create_check_item(
    checklist_id: str, name: str, pos: float | str = "bottom", checked: bool = False
) -> ApiCall[CheckItem]:
    probe = CreateProbe(
        ApiCall("GET", f"/checklists/{checklist_id}/checkItems", parse=parse_objects),
        same_name(name),
    )
    return ApiCall(
        "POST",
        f"/checklists/{checklist_id}/checkItems",
        form=encode_params(name=name, pos=pos, checked=checked or None),
        parse=parse_one(CheckItem.from_json),
        create=probe,
        idempotent=False,
    )


def update_check_item(
    card_id: str, item_id: str, *, name: Any = UNSET, complete: Any = UNSET, pos: Any = UNSET
) -> ApiCall[CheckItem]:
    state = complete if isinstance(complete, Unset) else ("complete" if complete else "incomplete")
    return ApiCall(
        "PUT",
        f"/cards/{card_id}/checkItem/{item_id}",
        form=encode_changes(name=name, state=state, pos=pos),
        parse=parse_one(CheckItem.from_json),
    )


def delete_check_item(checklist_id: str, item_id: str) -> ApiCall[None]:
    return ApiCall("DELETE", f"/checklists/{checklist_id}/checkItems/{item_id}", parse=parse_none)


def create_label(board_id: str, name: str, color: str | None) -> ApiCall[Label]:
    probe = CreateProbe(
        ApiCall(
            "GET", f"/boards/{board_id}/labels", encode_params(limit=1000), parse=parse_objects
        ),
        lambda item: item.get("name") == name and item.get("color") == color,
    )
    return ApiCall(
        "POST",
        "/labels",
        form=encode_changes(idBoard=board_id, name=name, color=color),
        parse=parse_one(Label.from_json),
        create=probe,
        idempotent=False,
    )


def update_label(label_id: str, *, name: Any = UNSET, color: Any = UNSET) -> ApiCall[Label]:
    return ApiCall(
        "PUT",
        f"/labels/{label_id}",
        form=encode_changes(name=name, color=color),
        parse=parse_one(Label.from_json),
    )


def delete_label(label_id: str) -> ApiCall[None]:
    return ApiCall("DELETE", f"/labels/{label_id}", parse=parse_none)


def add_comment(card_id: str, text: str) -> ApiCall[Action]:
    probe = CreateProbe(
        ApiCall(
            "GET",
            f"/cards/{card_id}/actions",
            encode_params(filter="commentCard", limit=50),
            parse=parse_objects,
        ),
        lambda item: isinstance(item.get("data"), Mapping) and item["data"].get("text") == text,
    )
    return ApiCall(
        "POST",
        f"/cards/{card_id}/actions/comments",
        form=encode_params(text=text),
        parse=parse_one(Action.from_json),
        create=probe,
        idempotent=False,
    )


def edit_comment(action_id: str, text: str) -> ApiCall[Action]:
    return ApiCall(
        "PUT",
        f"/actions/{action_id}",
        form=encode_params(text=text),
        parse=parse_one(Action.from_json),
    )


def delete_comment(action_id: str) -> ApiCall[None]:
    return ApiCall("DELETE", f"/actions/{action_id}", parse=parse_none)


def create_webhook(
    callback_url: str, id_model: str, description: str = "", active: bool = True
) -> ApiCall[Webhook]:
    probe = CreateProbe(
        ApiCall("GET", f"/tokens/{TOKEN_PLACEHOLDER}/webhooks", parse=parse_objects),
        lambda item: item.get("callbackURL") == callback_url and item.get("idModel") == id_model,
    )
    form = encode_params(
        callbackURL=callback_url, idModel=id_model, description=description, active=active
    )
    return ApiCall(
        "POST",
        "/webhooks",
        form=form,
        parse=parse_one(Webhook.from_json),
        create=probe,
        idempotent=False,
    )


def update_webhook(
    webhook_id: str, *, callback_url: Any = UNSET, description: Any = UNSET, active: Any = UNSET
) -> ApiCall[Webhook]:
    form = encode_changes(callbackURL=callback_url, description=description, active=active)
    return ApiCall("PUT", f"/webhooks/{webhook_id}", form=form, parse=parse_one(Webhook.from_json))


def delete_webhook(webhook_id: str) -> ApiCall[None]:
    return ApiCall("DELETE", f"/webhooks/{webhook_id}", parse=parse_none)
