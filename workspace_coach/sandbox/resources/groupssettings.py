"""Groups Settings API: one settings document per group.

Storage: `kind="group_settings"`, id = the group's email (lower-case); directory_groups creates,
renames and deletes it with the group. Values are strings ("true"/"false" included) exactly as
Google returns them; a value outside the set the discovery document lists is refused with
Google's 400 "Invalid Value". The discovery document's default `alt` is "atom", but every client
library sends `alt=json`, which is the only representation served here.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from workspace_coach.sandbox import errors
from workspace_coach.sandbox.discovery import load_document
from workspace_coach.sandbox.resources import Call, body_dict, handles
from workspace_coach.sandbox.store import Store

KIND = "groupsSettings#groups"
MAX_MESSAGE_BYTES = 26214400

# What Google returns for a group created through the Directory API.
DEFAULTS: dict[str, Any] = {
    "whoCanJoin": "CAN_REQUEST_TO_JOIN",
    "whoCanViewMembership": "ALL_MEMBERS_CAN_VIEW",
    "whoCanViewGroup": "ALL_MEMBERS_CAN_VIEW",
    "whoCanInvite": "ALL_MANAGERS_CAN_INVITE",
    "whoCanAdd": "ALL_MANAGERS_CAN_ADD",
    "allowExternalMembers": "false",
    "whoCanPostMessage": "ANYONE_CAN_POST",
    "allowWebPosting": "true",
    "primaryLanguage": "en_US",
    "maxMessageBytes": MAX_MESSAGE_BYTES,
    "isArchived": "false",
    "archiveOnly": "false",
    "messageModerationLevel": "MODERATE_NONE",
    "spamModerationLevel": "MODERATE",
    "replyTo": "REPLY_TO_IGNORE",
    "includeCustomFooter": "false",
    "customFooterText": "",
    "sendMessageDenyNotification": "false",
    "defaultMessageDenyNotificationText": "",
    "showInGroupDirectory": "false",
    "allowGoogleCommunication": "false",
    "membersCanPostAsTheGroup": "false",
    "messageDisplayFont": "DEFAULT_FONT",
    "includeInGlobalAddressList": "true",
    "whoCanLeaveGroup": "ALL_MEMBERS_CAN_LEAVE",
    "whoCanContactOwner": "ANYONE_CAN_CONTACT",
    "whoCanAddReferences": "NONE",
    "whoCanAssignTopics": "NONE",
    "whoCanUnassignTopic": "NONE",
    "whoCanTakeTopics": "NONE",
    "whoCanMarkDuplicate": "NONE",
    "whoCanMarkNoResponseNeeded": "NONE",
    "whoCanMarkFavoriteReplyOnAnyTopic": "NONE",
    "whoCanMarkFavoriteReplyOnOwnTopic": "NONE",
    "whoCanUnmarkFavoriteReplyOnAnyTopic": "NONE",
    "whoCanEnterFreeFormTags": "NONE",
    "whoCanModifyTagsAndCategories": "NONE",
    "favoriteRepliesOnTop": "true",
    "whoCanApproveMembers": "ALL_MANAGERS_CAN_APPROVE",
    "whoCanBanUsers": "OWNERS_AND_MANAGERS",
    "whoCanModifyMembers": "OWNERS_AND_MANAGERS",
    "whoCanApproveMessages": "OWNERS_AND_MANAGERS",
    "whoCanDeleteAnyPost": "OWNERS_AND_MANAGERS",
    "whoCanDeleteTopics": "OWNERS_AND_MANAGERS",
    "whoCanLockTopics": "OWNERS_AND_MANAGERS",
    "whoCanMoveTopicsIn": "OWNERS_AND_MANAGERS",
    "whoCanMoveTopicsOut": "OWNERS_AND_MANAGERS",
    "whoCanPostAnnouncements": "OWNERS_AND_MANAGERS",
    "whoCanHideAbuse": "NONE",
    "whoCanMakeTopicsSticky": "NONE",
    "whoCanModerateMembers": "OWNERS_AND_MANAGERS",
    "whoCanModerateContent": "OWNERS_AND_MANAGERS",
    "whoCanAssistContent": "NONE",
    "customRolesEnabledForSettingsToBeMerged": "false",
    "enableCollaborativeInbox": "false",
    "whoCanDiscoverGroup": "ALL_IN_DOMAIN_CAN_DISCOVER",
    "default_sender": "DEFAULT_SELF",
}

# Values Google accepts that its discovery descriptions leave out.
_EXTRA_VALUES = {
    "whoCanViewGroup": {"ALL_OWNERS_CAN_VIEW"},
    "whoCanViewMembership": {"ALL_OWNERS_CAN_VIEW"},
}
_READ_ONLY = {"kind", "email", "customRolesEnabledForSettingsToBeMerged", "maxMessageBytes",
              "messageDisplayFont", "whoCanAddReferences"}
_WRITABLE = (set(DEFAULTS) | {"name", "description", "customReplyTo"}) - _READ_ONLY
_TOKEN = re.compile(r"-\s+`?([A-Z][A-Z_]+|true|false)`?(?=:|\s|$)")


@cache
def allowed_values() -> dict[str, frozenset[str]]:
    """Enumerations read from the discovery schema's "Possible values are: - X ..." text."""
    props = load_document("groupssettings", "v1")["schemas"]["Groups"]["properties"]
    out: dict[str, frozenset[str]] = {}
    for name, spec in props.items():
        desc = spec.get("description", "")
        if "Possible values" not in desc:
            continue
        values = set(_TOKEN.findall(desc.split("Possible values", 1)[1]))
        if values:
            out[name] = frozenset(values | _EXTRA_VALUES.get(name, set()))
    return out


# -- used by directory_groups / directory_members --------------------------------------------

def create_settings(store: Store, tenant: str, group: dict[str, Any]) -> None:
    doc = {"kind": KIND, "email": group["email"], "name": group.get("name", ""),
           "description": group.get("description", ""), **DEFAULTS}
    store.put("group_settings", tenant, group["email"].lower(), doc)


def sync_group(store: Store, tenant: str, old_email: str, group: dict[str, Any]) -> None:
    """Carry the group's email, name and description into its settings document."""
    doc = store.get("group_settings", tenant, old_email.lower())
    if doc is None:
        create_settings(store, tenant, group)
        return
    if old_email.lower() != group["email"].lower():
        store.delete("group_settings", tenant, old_email.lower())
    doc.update(email=group["email"], name=group.get("name", ""),
               description=group.get("description", ""))
    store.put("group_settings", tenant, group["email"].lower(), doc)


def delete_settings(store: Store, tenant: str, email: str) -> None:
    store.delete("group_settings", tenant, email.lower())


def allows_external(store: Store, tenant: str, email: str) -> bool:
    doc = store.get("group_settings", tenant, email.lower()) or DEFAULTS
    return doc.get("allowExternalMembers") == "true"


# -- handlers -----------------------------------------------------------------------------------

def _group_and_settings(call: Call) -> tuple[dict[str, Any], dict[str, Any]]:
    from workspace_coach.sandbox.resources.directory_groups import find_group

    group = find_group(call.store, call.tenant_id, call.params["groupUniqueId"])
    if group is None:
        raise errors.not_found("Resource Not Found: groupUniqueId")
    doc = call.store.get("group_settings", call.tenant_id, group["email"].lower())
    if doc is None:
        create_settings(call.store, call.tenant_id, group)
        doc = call.store.get("group_settings", call.tenant_id, group["email"].lower())
        assert doc is not None
    return group, doc


@handles("groupsSettings.groups.get")
def get(call: Call) -> dict[str, Any]:
    return _group_and_settings(call)[1]


@handles("groupsSettings.groups.patch", "groupsSettings.groups.update")
def patch(call: Call) -> dict[str, Any]:
    group, doc = _group_and_settings(call)
    body = body_dict(call)
    enums = allowed_values()
    changes: dict[str, Any] = {}
    for name, value in body.items():
        if name in _READ_ONLY or name not in _WRITABLE:
            continue
        if not isinstance(value, str):
            raise errors.invalid("Invalid Value")
        if name in enums and value not in enums[name]:
            raise errors.invalid("Invalid Value")
        changes[name] = value
    _check_rules(doc, changes)
    if "name" in changes and not changes["name"].strip():
        raise errors.invalid("Invalid Value")
    too_long = len(changes.get("description", "")) > 4096
    if too_long or len(changes.get("customFooterText", "")) > 1000:
        raise errors.invalid("Invalid Value")
    for name, value in changes.items():
        if doc.get(name) != value:
            call.admin_event("CHANGE_GROUP_SETTING", "GROUP_SETTINGS", GROUP_EMAIL=group["email"],
                             SETTING_NAME=name, OLD_VALUE=str(doc.get(name, "")), NEW_VALUE=value)
            doc[name] = value
    call.store.put("group_settings", call.tenant_id, group["email"].lower(), doc)
    if group.get("name") != doc["name"] or group.get("description", "") != doc["description"]:
        group["name"], group["description"] = doc["name"], doc["description"]
        call.store.put("group", call.tenant_id, group["id"], group)
    return doc


def _check_rules(doc: dict[str, Any], changes: dict[str, Any]) -> None:
    """The cross-field rules the reference documents for archiveOnly and replyTo."""
    archive_only = changes.get("archiveOnly", doc.get("archiveOnly"))
    if "archiveOnly" in changes and changes["archiveOnly"] != doc.get("archiveOnly"):
        if archive_only == "true":
            changes["whoCanPostMessage"] = "NONE_CAN_POST"
        elif changes.get("whoCanPostMessage", "NONE_CAN_POST") == "NONE_CAN_POST":
            changes["whoCanPostMessage"] = "ALL_MANAGERS_CAN_POST"
    if changes.get("whoCanPostMessage") == "NONE_CAN_POST" and archive_only != "true":
        raise errors.invalid("Invalid Value")
    if changes.get("replyTo", doc.get("replyTo")) == "REPLY_TO_CUSTOM" and not changes.get(
            "customReplyTo", doc.get("customReplyTo")):
        raise errors.invalid("Invalid Value")
