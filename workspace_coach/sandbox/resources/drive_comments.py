"""Drive v3 comments: listed for a file the caller can read. The sandbox keeps no comments
(nothing creates them), so a list is always empty; gspread's `Client.copy` lists them to carry
them over to the copy."""

from __future__ import annotations

from typing import Any

from workspace_coach.sandbox.resources import Call, handles
from workspace_coach.sandbox.resources.drive_access import get_file


@handles("drive.comments.list")
def list_comments(call: Call) -> dict[str, Any]:
    get_file(call, call.params["fileId"])
    return {"kind": "drive#commentList", "comments": []}
