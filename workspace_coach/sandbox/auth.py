"""OAuth like Google: the `/token` JWT-bearer grant, self-signed JWTs, and access-token checks.

google-auth signs a JWT (RS256, header `kid` = the key's private_key_id) with the service
account's key and posts it to the key file's `token_uri`. We verify it against the public key the
sandbox issued: signature, issuer, audience, expiry, subject (a user of that tenant) and scopes,
then hand out an expiring opaque access token bound to (tenant, subject, scopes). Impersonating a
user also needs the scopes in the tenant's domain-wide delegation entry (`grantedScopes`).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from workspace_coach.sandbox import errors
from workspace_coach.sandbox.store import Store

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
GOOGLE_TOKEN_AUDIENCES = ("https://oauth2.googleapis.com/token",
                          "https://accounts.google.com/o/oauth2/token",
                          "https://www.googleapis.com/oauth2/v4/token")
TOKEN_LIFETIME_SECONDS = 3600
CLOCK_SKEW_SECONDS = 300
TIMEFRAME_MESSAGE = ("Invalid JWT: Token must be a short-lived token (60 minutes) and in a "
                     "reasonable timeframe. Check your 'iat' and 'exp' values and use a clock "
                     "with skew to account for clock differences between systems.")
#: What Google's token endpoint answers when the domain-wide delegation entry lacks a scope.
UNAUTHORIZED_CLIENT_MESSAGE = ("Client is unauthorized to retrieve access tokens using this "
                               "method, or client not authorized for any of the scopes requested.")


@dataclass(frozen=True)
class Principal:
    """Who is calling: the tenant, the acting user (or service account), and granted scopes."""

    tenant: str
    email: str
    scopes: frozenset[str]
    client_email: str = ""


class OAuthError(Exception):
    """An error of the token endpoint: `{"error": ..., "error_description": ...}`."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def verify_jwt(store: Store, assertion: str) -> tuple[dict, dict]:
    """Check a JWT signed by a sandbox-issued key; return (claims, service account record)."""
    try:
        header_b64, payload_b64, signature_b64 = assertion.split(".")
        header = json.loads(_b64decode(header_b64))
        claims = json.loads(_b64decode(payload_b64))
        signature = _b64decode(signature_b64)
    except (ValueError, json.JSONDecodeError):
        raise OAuthError("invalid_grant", "Invalid JWT: malformed") from None
    if header.get("alg") != "RS256":
        raise OAuthError("invalid_grant", "Invalid JWT: unsupported algorithm")
    account = store.get("service_account", "", str(header.get("kid", "")))
    if account is None:
        raise OAuthError("invalid_grant", "Invalid JWT Signature.")
    public_key = serialization.load_pem_public_key(account["public_key_pem"].encode())
    try:
        public_key.verify(  # type: ignore[union-attr]
            signature,
            f"{header_b64}.{payload_b64}".encode(),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
    except InvalidSignature:
        raise OAuthError("invalid_grant", "Invalid JWT Signature.") from None
    if claims.get("iss") != account["client_email"]:
        raise OAuthError("invalid_grant", "Invalid JWT: issuer does not match the key")
    now = time.time()
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, (int, float)) or not isinstance(iat, (int, float)):
        raise OAuthError("invalid_grant", "Invalid JWT: iat and exp are required")
    if (exp < now - CLOCK_SKEW_SECONDS or iat > now + CLOCK_SKEW_SECONDS
            or exp - iat > TOKEN_LIFETIME_SECONDS + 60):
        raise OAuthError("invalid_grant", TIMEFRAME_MESSAGE)
    return claims, account


def _subject_email(store: Store, tenant: str, subject: str) -> str:
    from workspace_coach.sandbox.resources import directory_users

    user = directory_users.find_user(store, tenant, subject)
    if user is None or user.get("suspended"):
        raise OAuthError("invalid_grant", "Invalid email or User ID")
    return user["primaryEmail"]


def _issue(store: Store, tenant: str, email: str, scopes: frozenset[str]) -> dict[str, object]:
    token = "ya29.sandbox." + secrets.token_urlsafe(32)
    store.execute(
        "INSERT INTO tokens (token, tenant, principal, scopes, expires) VALUES (?, ?, ?, ?, ?)",
        (token, tenant, email, " ".join(sorted(scopes)), time.time() + TOKEN_LIFETIME_SECONDS),
    )
    return {"access_token": token, "expires_in": TOKEN_LIFETIME_SECONDS - 1,
            "token_type": "Bearer", "scope": " ".join(sorted(scopes))}


def _secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_user_login(store: Store, tenant: str, email: str, scopes: list[str],
                      known_scopes: set[str], token_uri: str) -> dict[str, str]:
    """What a person's OAuth consent yields: an authorized-user file with a refresh token.

    Stands in for the browser consent flow a coach goes through with a live tenant.
    """
    from workspace_coach.sandbox.resources import directory_users

    user = directory_users.find_user(store, tenant, email)
    if user is None or user.get("suspended"):
        raise errors.not_found(f"No active user {email} in this tenant")
    unknown = sorted(set(scopes) - known_scopes)
    if not scopes or unknown:
        raise errors.invalid(f"Invalid OAuth scope: {unknown[0] if unknown else '(none)'}")
    client_id = f"{secrets.randbelow(10**12):012d}-sandbox.apps.googleusercontent.com"
    client_secret = "GOCSPX-" + secrets.token_urlsafe(24)
    refresh_token = "1//sandbox-" + secrets.token_urlsafe(40)
    store.put("refresh_token", "", _secret_hash(refresh_token), {
        "tenant": tenant, "email": user["primaryEmail"], "scopes": sorted(scopes),
        "client_id": client_id, "client_secret": _secret_hash(client_secret),
    })
    return {"type": "authorized_user", "client_id": client_id, "client_secret": client_secret,
            "refresh_token": refresh_token, "token_uri": token_uri,
            "universe_domain": "googleapis.com"}


def _refresh(store: Store, form: dict[str, str]) -> dict[str, object]:
    grant = store.get("refresh_token", "", _secret_hash(form.get("refresh_token", "")))
    if grant is None:
        raise OAuthError("invalid_grant", "Bad Request")
    if (form.get("client_id") != grant["client_id"]
            or _secret_hash(form.get("client_secret", "")) != grant["client_secret"]):
        raise OAuthError("invalid_client", "The OAuth client was not found.", status=401)
    granted = frozenset(grant["scopes"])
    asked = frozenset(form.get("scope", "").split()) or granted
    if not asked <= granted:
        raise OAuthError("invalid_scope", "Bad Request")
    return _issue(store, grant["tenant"], grant["email"], asked)


def grant_token(store: Store, form: dict[str, str], known_scopes: set[str]) -> dict[str, object]:
    """The token endpoint: JWT-bearer grants (service accounts) and refresh tokens (people)."""
    if form.get("grant_type") == "refresh_token":
        return _refresh(store, form)
    if form.get("grant_type") != JWT_BEARER:
        raise OAuthError("unsupported_grant_type", "Invalid grant_type: "
                         f"{form.get('grant_type', '')}")
    claims, account = verify_jwt(store, form.get("assertion", ""))
    aud = claims.get("aud")
    if aud not in GOOGLE_TOKEN_AUDIENCES and not str(aud).endswith("/token"):
        raise OAuthError("invalid_grant", "Invalid JWT: audience is not the token endpoint")
    scopes = frozenset(str(claims.get("scope", "")).split())
    if not scopes:
        raise OAuthError("invalid_scope", "Empty or missing scope not allowed.")
    unknown = sorted(s for s in scopes if s not in known_scopes)
    if unknown:
        raise OAuthError("invalid_scope", f"Invalid OAuth scope or ID token audience provided: "
                         f"{unknown[0]}")
    tenant = account["tenant"]
    subject = claims.get("sub")
    if subject:
        _check_delegation(store, tenant, scopes)
    email = _subject_email(store, tenant, subject) if subject else account["client_email"]
    return _issue(store, tenant, email, scopes)


def _check_delegation(store: Store, tenant: str, scopes: frozenset[str]) -> None:
    """Impersonating a user needs every scope listed in the tenant's domain-wide delegation
    entry for this client; one missing scope refuses the whole token, as at Google."""
    record = store.get("tenant", "", tenant) or {}
    granted = record.get("grantedScopes")
    if granted is not None and not scopes <= set(granted):
        raise OAuthError("unauthorized_client", UNAUTHORIZED_CLIENT_MESSAGE, status=401)


def authenticate(store: Store, authorization: str | None) -> Principal:
    """Resolve the Authorization header to a principal, or raise Google's 401."""
    if not authorization or not authorization.startswith("Bearer "):
        raise errors.auth_error()
    token = authorization[len("Bearer "):].strip()
    if token.count(".") == 2 and not token.startswith("ya29."):
        return _self_signed(store, token)
    found = store.remember(("token", token), lambda: _token_row(store, token))
    if found is None or found[1] < time.time():  # expiry is checked on every call
        raise errors.auth_error()
    return found[0]


def _token_row(store: Store, token: str) -> tuple[Principal, float] | None:
    row = store.execute(
        "SELECT tenant, principal, scopes, expires FROM tokens WHERE token=?", (token,)
    ).fetchone()
    if row is None:
        return None
    return Principal(tenant=row[0], email=row[1], scopes=frozenset(row[2].split())), row[3]


def _self_signed(store: Store, token: str) -> Principal:
    """A service account's self-signed JWT used directly as the bearer token."""
    try:
        claims, account = verify_jwt(store, token)
    except OAuthError:
        raise errors.auth_error() from None
    tenant = account["tenant"]
    subject = claims.get("sub")
    impersonating = bool(subject and subject != account["client_email"])
    scopes = claims.get("scope")
    # A JWT with an API audience instead of scopes grants that API's scopes, as at Google.
    granted = frozenset(str(scopes).split()) if scopes else frozenset({"*"})
    try:
        if impersonating and scopes:
            _check_delegation(store, tenant, granted)
        email = (_subject_email(store, tenant, subject)
                 if impersonating else account["client_email"])
    except OAuthError:
        raise errors.auth_error() from None
    return Principal(tenant=tenant, email=email, scopes=granted,
                     client_email=account["client_email"])


def purge_expired(store: Store) -> None:
    store.execute("DELETE FROM tokens WHERE expires < ?", (time.time() - 60,))
