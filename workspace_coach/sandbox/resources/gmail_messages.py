"""Gmail `users.messages.send`: a message sent as the authenticated user, kept in a mailbox.

Google's rules the sandbox follows (sources in docs/sandbox.md, "Weekly digest"):

- the body is a `Message` whose `raw` is the whole RFC 2822 message, base64url encoded;
  without `raw` Google answers 400 invalidArgument "'raw' RFC822 payload message string or
  uploading message via /upload/* URL required";
- `userId` is `me` or the authenticated user's own address; anyone else's is 403 forbidden
  "Delegation denied for <caller>";
- a message without any recipient in To, Cc or Bcc is 400 invalidArgument "Recipient address
  required";
- the answer is the sent `Message`: `id`, `threadId` and `labelIds` ["SENT"].

Every sent message is stored (kind `mail`, one per tenant) with its decoded headers and
bodies, so the control API can list the mailbox (`GET /_sandbox/tenants/<domain>/mail`).
"""

from __future__ import annotations

import base64
import binascii
import email
import email.policy
from email.message import EmailMessage
from typing import Any

from workspace_coach.sandbox import errors
from workspace_coach.sandbox.resources import Call, alnum_id, body_dict, handles, now_rfc3339
from workspace_coach.sandbox.store import Store

KIND = "mail"
RAW_REQUIRED = ("'raw' RFC822 payload message string or uploading message via /upload/* URL "
                "required")


def _decode(raw: str) -> EmailMessage:
    try:
        data = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    except (binascii.Error, ValueError):
        raise errors.GoogleError(400, "invalidArgument", "Invalid value for ByteString: "
                                 f"{raw[:40]}") from None
    parsed = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def _bodies(message: EmailMessage) -> dict[str, str]:
    """{"text/plain": ..., "text/html": ...} of the parts a reader would show."""
    out: dict[str, str] = {}
    for part in message.walk():
        kind = part.get_content_type()
        if kind in ("text/plain", "text/html") and kind not in out \
                and not part.is_attachment():
            out[kind] = str(part.get_content())
    return out


@handles("gmail.users.messages.send")
def send(call: Call) -> dict[str, Any]:
    user = call.params.get("userId") or "me"
    sender = call.principal.email
    if user != "me" and user.lower() != sender.lower():
        raise errors.forbidden(f"Delegation denied for {sender}")
    raw = body_dict(call).get("raw")
    if not raw:
        raise errors.GoogleError(400, "invalidArgument", RAW_REQUIRED)
    message = _decode(str(raw))
    recipients = [str(a) for header in ("To", "Cc", "Bcc")
                  for a in (message.get_all(header) or [])]
    if not any(r.strip() for r in recipients):
        raise errors.GoogleError(400, "invalidArgument", "Recipient address required")
    ident = alnum_id(16, "0123456789abcdef")
    sent = {"id": ident, "threadId": ident, "labelIds": ["SENT"]}
    call.store.put(KIND, call.tenant_id, ident, {
        **sent, "from": sender, "to": [r.strip() for r in recipients if r.strip()],
        "subject": str(message.get("Subject") or ""), "sentAt": now_rfc3339(),
        "headers": {k: str(v) for k, v in message.items()}, "bodies": _bodies(message),
        "sizeEstimate": len(str(raw)) * 3 // 4})
    return sent


def mailbox(store: Store, tenant_id: str) -> list[dict[str, Any]]:
    """Every message sent in the tenant, oldest first (for the control API)."""
    return store.list(KIND, tenant_id)
