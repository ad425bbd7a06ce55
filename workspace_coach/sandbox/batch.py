"""The batch endpoints: multipart/mixed exactly as googleapiclient's BatchHttpRequest speaks it.

Each part is an `application/http` request with its own Authorization header; each answer part
carries `Content-ID: <response-ID>` for the request's `<ID>`. Every inner call goes through the
same gates as a single call (so each counts against quota and may fault), and Google's per-API
limits on calls per batch apply.
"""

from __future__ import annotations

import email.parser
import email.policy
import uuid
from http import HTTPStatus
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from werkzeug.wrappers import Request, Response

from workspace_coach.sandbox import errors

if TYPE_CHECKING:
    from workspace_coach.sandbox.app import SandboxApp

# Calls allowed in one batch, per batch path (Directory 1,000; Drive 100; others Google's 1,000).
BATCH_LIMITS = {
    "/batch": 1000,
    "/batch/admin/directory_v1": 1000,
    "/batch/admin/reports_v1": 1000,
    "/batch/drive/v3": 100,
    "/batch/groupssettings/v1": 1000,
    "/batch/sheets/v4": 1000,
}


def _error_response(exc: errors.GoogleError) -> Response:
    import json

    return Response(json.dumps(exc.body()), status=exc.code,
                    content_type="application/json; charset=UTF-8")


def handle(app: SandboxApp, request: Request, raw_path: str) -> Response:
    limit = BATCH_LIMITS.get(raw_path.rstrip("/"))
    if limit is None:
        return _error_response(errors.method_not_found(raw_path))
    if request.method != "POST":
        return Response(status=405)
    content_type = request.headers.get("Content-Type", "")
    if not content_type.startswith("multipart/mixed"):
        return _error_response(errors.bad_request("Batch requests must be multipart/mixed"))
    raw = request.get_data()
    message = email.parser.BytesParser(policy=email.policy.compat32).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + raw
    )
    if not message.is_multipart():
        return _error_response(errors.bad_request("Could not parse the batch request"))
    parts = message.get_payload()
    if len(parts) > limit:
        return _error_response(errors.bad_request(
            f"A batch can contain at most {limit} calls; this one has {len(parts)}.",
            reason="batchSizeTooLarge"))
    outer_auth = request.headers.get("Authorization")
    boundary = "batch_" + uuid.uuid4().hex
    chunks: list[str] = []
    for part in parts:
        content_id = part.get("Content-ID", "")
        try:
            method, target, headers, body = _parse_inner(part.get_payload(decode=False))
        except ValueError:
            inner = errors.bad_request("Could not parse a part of the batch request")
            status, payload, extra = inner.code, _dumps(inner.body()), {}
        else:
            split = urlsplit(target)
            result = app.call_api(
                method, split.path, parse_qs(split.query, keep_blank_values=True),
                headers.get("authorization", outer_auth), body,
                headers.get("content-type", "application/json"),
            )
            status, payload, extra = result.status, result.payload().decode("utf-8"), result.headers
        reason = HTTPStatus(status).phrase
        lines = [f"HTTP/1.1 {status} {reason}"]
        if payload:
            lines.append("Content-Type: application/json; charset=UTF-8")
        else:  # as Google does; googleapiclient cannot parse a part without any header
            lines.append("Content-Length: 0")
        lines.extend(f"{k}: {v}" for k, v in extra.items())
        response_id = content_id.replace("<", "<response-", 1) if content_id else ""
        chunks.append(
            f"--{boundary}\r\nContent-Type: application/http\r\n"
            f"Content-ID: {response_id}\r\n\r\n" + "\r\n".join(lines) + "\r\n\r\n" + payload
            + "\r\n"
        )
    chunks.append(f"--{boundary}--\r\n")
    return Response("".join(chunks).encode("utf-8"), status=200,
                    content_type=f"multipart/mixed; boundary={boundary}")


def _dumps(body: object) -> str:
    import json

    return json.dumps(body, ensure_ascii=False)


def _parse_inner(payload: str) -> tuple[str, str, dict[str, str], bytes]:
    """Split one `application/http` part into method, target, headers and body."""
    text = payload.replace("\r\n", "\n")
    head, _, body = text.partition("\n\n")
    lines = head.split("\n")
    request_line = lines[0].strip()
    method, target, _version = request_line.split(" ", 2)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            key, value = line.split(":", 1)
            headers[key.strip().lower()] = value.strip()
    data = body.encode("utf-8")
    if "content-length" in headers:
        data = data[: int(headers["content-length"])]
    return method.upper(), target, headers, data
