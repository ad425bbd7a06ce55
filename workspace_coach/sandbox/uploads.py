"""Google's media-upload paths (`/upload/<service path>...`) for the methods the sandbox serves
that take a message as media: Gmail `users.messages.send`.

google-api-python-client posts there when a `media_body` is given: `uploadType=media` with the
message itself as the body (`message/rfc822`), or `uploadType=multipart` with a
`multipart/related` body of the JSON metadata and then the message. Either is turned into the
JSON call Google documents as equivalent, a `Message` whose `raw` is the message base64url
encoded, and goes through every gate of a normal call.
"""

from __future__ import annotations

import base64
import json
import re

from workspace_coach.sandbox import errors

#: upload paths served, as regular expressions over the raw path
_PATHS = (re.compile(r"^/upload(/gmail/v1/users/[^/]+/messages/send)$"),)


def as_json_call(raw_path: str, query: dict[str, list[str]], data: bytes, content_type: str
                 ) -> tuple[str, dict[str, list[str]], bytes, str] | None:
    """(path, query, body, content type) of the equivalent JSON call, or None when `raw_path`
    is not an upload path the sandbox serves."""
    target = next((m.group(1) for p in _PATHS if (m := p.match(raw_path))), None)
    if target is None:
        return None
    kind = (query.pop("uploadType", ["media"]) or ["media"])[-1]
    metadata: dict = {}
    if kind == "media":
        message = data
    elif kind == "multipart":
        metadata_bytes, message = _related(data, content_type)
        try:
            metadata = json.loads(metadata_bytes or b"{}")
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise errors.parse_error() from None
    else:
        raise errors.invalid(f"Invalid value for uploadType: {kind}")
    if not message:
        return target, query, json.dumps(metadata).encode(), "application/json"
    body = {**metadata, "raw": base64.urlsafe_b64encode(message).decode("ascii")}
    return target, query, json.dumps(body).encode(), "application/json"


def _related(data: bytes, content_type: str) -> tuple[bytes, bytes]:
    """(metadata, media) of a two-part `multipart/related` body, bytes kept exactly."""
    found = re.search(r'boundary="?([^";]+)"?', content_type)
    if not content_type.startswith("multipart/related") or not found:
        raise errors.bad_request("Invalid multipart request")
    parts = []
    for chunk in data.split(b"--" + found.group(1).encode())[1:]:
        if chunk.startswith(b"--"):
            break  # the closing delimiter
        _headers, _, body = chunk.lstrip(b"\r\n").partition(b"\r\n\r\n")
        parts.append(body[:-2] if body.endswith(b"\r\n") else body)
    if len(parts) != 2:
        raise errors.bad_request("Invalid multipart request")
    return parts[0], parts[1]
