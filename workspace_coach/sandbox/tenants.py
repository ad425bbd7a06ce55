"""Tenants: a customer with its domain, a super-admin and a service account with a fresh key.

`create_tenant` returns the service-account key file's content, the same JSON Google's console
hands out, with `token_uri` pointing at the sandbox.

A tenant also stands for the Cloud project of its service account and for its Admin console's
domain-wide delegation entry: which scopes that entry grants (`grantedScopes`, None for all) and
which Cloud APIs the project has not enabled (`disabledServices`). Both start permissive, as the
rest of the sandbox expects; tests and rehearsals narrow them to see Google's refusals.
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


#: The Cloud service and console title of each served API (the Admin SDK API covers two).
SERVICES: dict[str, tuple[str, str]] = {
    "directory": ("admin.googleapis.com", "Admin SDK API"),
    "reports": ("admin.googleapis.com", "Admin SDK API"),
    "drive": ("drive.googleapis.com", "Google Drive API"),
    "groupssettings": ("groupssettings.googleapis.com", "Groups Settings API"),
    "sheets": ("sheets.googleapis.com", "Google Sheets API"),
    # The Data Transfer API is part of the Admin SDK API, like Directory and Reports.
    "datatransfer": ("admin.googleapis.com", "Admin SDK API"),
    "gmail": ("gmail.googleapis.com", "Gmail API"),
}
SERVICE_NAMES = frozenset(service for service, _ in SERVICES.values())


@dataclass(frozen=True)
class NewTenant:
    customer_id: str
    domain: str
    admin: str
    service_account_info: dict[str, Any]
    subject: str = ""


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
    non_admin_subject: str | None = None,
    settings: dict[str, Any] | None = None,
    known_scopes: set[str] | frozenset[str] = frozenset(),
) -> NewTenant:
    import re

    domain = domain.strip().lower()
    if not re.match("^" + DOMAIN_RE + "$", domain):
        raise errors.invalid(f"Invalid domain: {domain}")
    admin = (admin or f"admin@{domain}").strip().lower()
    if not EMAIL_RE.match(admin) or not admin.endswith("@" + domain):
        raise errors.invalid(f"The admin must be an address in {domain}: {admin}")
    plain = (non_admin_subject or "").strip().lower()
    if plain and (not EMAIL_RE.match(plain) or not plain.endswith("@" + domain) or plain == admin):
        raise errors.invalid(f"The non-admin subject must be another address in {domain}: {plain}")
    checked = validate_settings(settings or {}, known_scopes)
    with store.transaction():
        if store.key_lookup("domain", "", domain):
            raise errors.duplicate(f"A tenant with the domain {domain} already exists.")
        customer_id = _customer_id()
        store.put("tenant", "", customer_id, {
            "id": customer_id, "customerDomain": domain, "domains": [domain],
            "adminEmail": admin, "creationTime": now_rfc3339(), "language": "ko",
            "projectNumber": numeric_id(12), "grantedScopes": None, "disabledServices": [],
            **checked,
        })
        store.key_set("domain", "", domain, customer_id)
        _put_user(store, customer_id, admin, admin_given_name, admin_family_name, is_admin=True)
        if plain:
            _put_user(store, customer_id, plain, "직원", "Staff", is_admin=False)
        info = _service_account(store, customer_id, domain, admin.split("@")[0], token_uri)
    return NewTenant(customer_id, domain, admin, info, plain or admin)


def _put_user(store: Store, customer_id: str, email: str, given: str, family: str, *,
              is_admin: bool) -> None:
    user_id = numeric_id()
    store.put("user", customer_id, user_id, {
        "kind": "admin#directory#user", "id": user_id, "primaryEmail": email,
        "name": {"givenName": given, "familyName": family, "fullName": f"{given} {family}"},
        "isAdmin": is_admin, "isDelegatedAdmin": False,
        "lastLoginTime": "1970-01-01T00:00:00.000Z",
        "creationTime": now_rfc3339(), "agreedToTerms": True, "suspended": False,
        "archived": False, "changePasswordAtNextLogin": False, "ipWhitelisted": False,
        "emails": [{"address": email, "primary": True}], "customerId": customer_id,
        "orgUnitPath": "/", "isMailboxSetup": True, "isEnrolledIn2Sv": False,
        "isEnforcedIn2Sv": False, "includeInGlobalAddressList": True,
    })
    store.key_set("email", customer_id, email, f"user:{user_id}")
    events.record(store, customer_id, "admin", email, "USER_SETTINGS", "CREATE_USER",
                  {"USER_EMAIL": email})


def validate_settings(data: dict[str, Any], known_scopes: set[str] | frozenset[str]
                      ) -> dict[str, Any]:
    """The delegation and project settings in a control-API body, checked; others ignored."""
    out: dict[str, Any] = {}
    if "grantedScopes" in data:
        granted = data["grantedScopes"]
        if granted is not None:
            if not isinstance(granted, list) or not all(isinstance(s, str) for s in granted):
                raise errors.invalid("grantedScopes must be a list of scopes or null")
            unknown = sorted(set(granted) - set(known_scopes))
            if unknown:
                raise errors.invalid(f"Unknown scope in grantedScopes: {unknown[0]}")
            granted = sorted(set(granted))
        out["grantedScopes"] = granted
    if "disabledServices" in data:
        disabled = data["disabledServices"] or []
        if not isinstance(disabled, list) or not all(isinstance(s, str) for s in disabled):
            raise errors.invalid("disabledServices must be a list of service names")
        unknown = sorted(set(disabled) - SERVICE_NAMES)
        if unknown:
            raise errors.invalid(f"Unknown service {unknown[0]}; known: "
                                 f"{', '.join(sorted(SERVICE_NAMES))}")
        out["disabledServices"] = sorted(set(disabled))
    return out


def update_settings(store: Store, domain: str, data: dict[str, Any],
                    known_scopes: set[str] | frozenset[str]) -> dict[str, Any]:
    """PATCH a tenant's delegation and project settings; the tenant record as it now is."""
    checked = validate_settings(data, known_scopes)
    with store.transaction():
        tenant = find_by_domain(store, domain)
        if tenant is None:
            raise errors.not_found(f"No tenant with the domain {domain}")
        tenant.update(checked)
        store.put("tenant", "", tenant["id"], tenant)
    return tenant


def project_number(tenant: dict[str, Any]) -> str:
    # Tenants stored before project numbers existed get a stable one from their customer id.
    return tenant.get("projectNumber") or str(int.from_bytes(tenant["id"].encode(), "big"))[-12:]


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
