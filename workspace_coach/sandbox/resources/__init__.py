"""Resource handlers, one module per Google resource, registered by discovery method id.

A handler takes a `Call` (typed parameters, parsed body, the authenticated principal and the
store) and returns the JSON document Google would return (or None for an empty 204). It raises
`GoogleError` for anything Google refuses. Handlers run inside one store transaction, so a
refusal half-way changes nothing.
"""

from __future__ import annotations

import base64
import hashlib
import importlib
import json
import pkgutil
import secrets
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from workspace_coach.sandbox import errors, events
from workspace_coach.sandbox.auth import Principal
from workspace_coach.sandbox.discovery import Method
from workspace_coach.sandbox.realism import Realism
from workspace_coach.sandbox.store import Store

T = TypeVar("T")


@dataclass
class Call:
    method: Method
    params: dict[str, Any]
    body: Any
    principal: Principal
    store: Store
    realism: Realism
    fields: str | None = None  # the caller's `fields=` (Drive trims its default responses without it)

    @property
    def tenant_id(self) -> str:
        return self.principal.tenant

    def tenant(self) -> dict[str, Any]:
        record = self.store.get("tenant", "", self.principal.tenant)
        assert record is not None, "authenticated principal without a tenant"
        return record

    def resolve_customer(self, value: str | None) -> str:
        """`my_customer` or the tenant's own id; anyone else's customer is forbidden."""
        if value in (None, "", "my_customer", self.tenant_id):
            return self.tenant_id
        raise errors.forbidden()

    def check_domain(self, domain: str) -> None:
        if domain.lower() not in self.tenant()["domains"]:
            raise errors.forbidden()

    def admin_event(self, name: str, event_type: str, **params: object) -> None:
        events.record(self.store, self.tenant_id, "admin", self.principal.email, event_type,
                      name, {k: v for k, v in params.items() if v is not None})


class RenderedJson:
    """A handler's answer already encoded as JSON (UTF-8): a large page (activities) skips
    building and encoding thousands of dicts. Sent as is; parsed back only for a partial
    response (`fields=`)."""

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data

    def parsed(self) -> Any:
        return json.loads(self.data)


Handler = Callable[[Call], Any]
HANDLERS: dict[str, Handler] = {}


def handles(*method_ids: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        for method_id in method_ids:
            if method_id in HANDLERS:
                raise RuntimeError(f"two handlers for {method_id}")
            HANDLERS[method_id] = fn
        return fn

    return register


def load_all() -> dict[str, Handler]:
    """Import every resource module so its handlers register."""
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")
    return HANDLERS


# -- shared helpers -----------------------------------------------------------------------------

def now_rfc3339() -> str:
    return events.rfc3339(datetime.now(UTC))


def etag(document: dict[str, Any]) -> str:
    digest = hashlib.sha1(
        json.dumps({k: v for k, v in document.items() if k != "etag"}, sort_keys=True,
                   ensure_ascii=False).encode()
    ).digest()
    return '"' + base64.urlsafe_b64encode(digest).decode().rstrip("=") + '"'


def numeric_id(length: int = 21) -> str:
    return str(secrets.randbelow(9) + 1) + "".join(secrets.choice(string.digits)
                                                  for _ in range(length - 1))


def alnum_id(length: int, alphabet: str = string.ascii_lowercase + string.digits) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def page_offset(page_token: str | None) -> int:
    if not page_token:
        return 0
    try:
        return int(base64.urlsafe_b64decode(page_token.encode()).decode().split(":")[1])
    except (ValueError, IndexError, UnicodeDecodeError):
        raise errors.invalid("Invalid page token") from None


def next_page_token(end: int, total: int) -> str | None:
    return base64.urlsafe_b64encode(f"p:{end}".encode()).decode() if end < total else None


def page(items: Sequence[T], page_size: int, page_token: str | None) -> tuple[list[T], str | None]:
    """Slice a stable listing; tokens are opaque like Google's."""
    start = page_offset(page_token)
    chunk = list(items[start : start + page_size])
    return chunk, next_page_token(start + page_size, len(items))


def admin_list(call: Call, kind: str, key: str, items: Sequence[Any]) -> dict[str, Any]:
    """One page of an Admin SDK list answer: `kind`, the etag, this page's `items` under `key`
    (present even when empty) and `nextPageToken` while more remain. The page comes from the
    call's `maxResults` (100 when not given) and `pageToken`."""
    chunk, token = page(items, call.params.get("maxResults") or 100, call.params.get("pageToken"))
    out: dict[str, Any] = {"kind": kind, "etag": '"sandbox"', key: chunk}
    if token:
        out["nextPageToken"] = token
    return out


def require(body: dict[str, Any] | None, *paths: str) -> None:
    """Raise Google's `required` error for the first missing dotted field."""
    for path in paths:
        node: Any = body
        for part in path.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if node in (None, ""):
            raise errors.required(path)


def body_dict(call: Call) -> dict[str, Any]:
    if call.body is None:
        return {}
    if not isinstance(call.body, dict):
        raise errors.invalid("Invalid JSON payload received. Expected an object.")
    return call.body
