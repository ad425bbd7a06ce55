"""Tenants: a customer with its domain, a super-admin and a service account with a fresh key.

`create_tenant` returns the service-account key file's content, the same JSON Google's console
hands out, with `token_uri` pointing at the sandbox.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from workspace_coach.sandbox import errors, events
from workspace_coach.sandbox.resources import alnum_id, now_rfc3339, numeric_id
from workspace_coach.sandbox.resources.directory_users import EMAIL_RE
from workspace_coach.sandbox.store import Store

DOMAIN_RE = EMAIL_RE.pattern.split("@", 1)[1].rstrip("$")


@dataclass(frozen=True)
class NewTenant:
    customer_id: str
    domain: str
    admin: str
    service_account_info: dict[str, Any]


def _customer_id() -> str:
    return "C0" + alnum_id(7, "abcdefghijklmnopqrstuvwxyz0123456789")


def find_by_domain(store: Store, domain: str) -> dict[str, Any] | None:
    tenant_id = store.key_lookup("domain", "", domain)
    return store.get("tenant", "", tenant_id) if tenant_id else None


def create_tenant(
    store: Store,
    domain: str,
    admin: str | None = None,
    *,
    token_uri: str,
    admin_given_name: str = "관리자",
    admin_family_name: str = "Admin",
) -> NewTenant:
    import re

    domain = domain.strip().lower()
    if not re.match("^" + DOMAIN_RE + "$", domain):
        raise errors.invalid(f"Invalid domain: {domain}")
    admin = (admin or f"admin@{domain}").strip().lower()
    if not EMAIL_RE.match(admin) or not admin.endswith("@" + domain):
        raise errors.invalid(f"The admin must be an address in {domain}: {admin}")
    with store.transaction():
        if store.key_lookup("domain", "", domain):
            raise errors.duplicate(f"A tenant with the domain {domain} already exists.")
        customer_id = _customer_id()
        store.put("tenant", "", customer_id, {
            "id": customer_id, "customerDomain": domain, "domains": [domain],
            "adminEmail": admin, "creationTime": now_rfc3339(), "language": "ko",
        })
        store.key_set("domain", "", domain, customer_id)
        user_id = numeric_id()
        local = admin.split("@")[0]
        store.put("user", customer_id, user_id, {
            "kind": "admin#directory#user", "id": user_id, "primaryEmail": admin,
            "name": {"givenName": admin_given_name, "familyName": admin_family_name,
                     "fullName": f"{admin_given_name} {admin_family_name}"},
            "isAdmin": True, "isDelegatedAdmin": False, "lastLoginTime": "1970-01-01T00:00:00.000Z",
            "creationTime": now_rfc3339(), "agreedToTerms": True, "suspended": False,
            "archived": False, "changePasswordAtNextLogin": False, "ipWhitelisted": False,
            "emails": [{"address": admin, "primary": True}], "customerId": customer_id,
            "orgUnitPath": "/", "isMailboxSetup": True, "isEnrolledIn2Sv": False,
            "isEnforcedIn2Sv": False, "includeInGlobalAddressList": True,
        })
        store.key_set("email", customer_id, admin, f"user:{user_id}")
        events.record(store, customer_id, "admin", admin, "USER_SETTINGS", "CREATE_USER",
                      {"USER_EMAIL": admin})
        info = _service_account(store, customer_id, domain, local, token_uri)
    return NewTenant(customer_id, domain, admin, info)


def _service_account(store: Store, tenant: str, domain: str, local: str,
                     token_uri: str) -> dict[str, Any]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    key_id = secrets.token_hex(20)
    project = "wc-sandbox-" + domain.split(".")[0][:20].replace("_", "-")
    client_email = f"workspace-coach@{project}.iam.gserviceaccount.com"
    client_id = numeric_id(21)
    store.put("service_account", "", key_id, {
        "tenant": tenant, "client_email": client_email, "client_id": client_id,
        "public_key_pem": public_pem,
    })
    return {
        "type": "service_account",
        "project_id": project,
        "private_key_id": key_id,
        "private_key": private_pem,
        "client_email": client_email,
        "client_id": client_id,
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": token_uri,
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "universe_domain": "googleapis.com",
    }


def list_tenants(store: Store) -> list[dict[str, Any]]:
    return store.list("tenant", "")
