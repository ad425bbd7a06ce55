"""Google's JSON error envelope, with the real reason strings.

`{"error": {"code": 409, "message": "Entity already exists.", "errors": [{"domain": "global",
"reason": "duplicate", "message": "Entity already exists."}], "status": "ALREADY_EXISTS"}}`
"""

from __future__ import annotations

from typing import Any

_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    412: "FAILED_PRECONDITION",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}


class GoogleError(Exception):
    """An error rendered as Google renders it."""

    def __init__(
        self,
        code: int,
        reason: str,
        message: str,
        *,
        status: str | None = None,
        domain: str = "global",
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(f"{code} {reason}: {message}")
        self.code = code
        self.reason = reason
        self.message = message
        self.status = status or _STATUS.get(code, "UNKNOWN")
        self.domain = domain
        self.extra = extra or {}
        self.headers = headers or {}
        self.details = details

    def body(self) -> dict[str, Any]:
        inner = {"message": self.message, "domain": self.domain, "reason": self.reason}
        inner.update(self.extra)
        error: dict[str, Any] = {
            "code": self.code,
            "message": self.message,
            "errors": [inner],
            "status": self.status,
        }
        if self.details:
            error["details"] = self.details
        return {"error": error}


def invalid(message: str = "Invalid Input", **extra: Any) -> GoogleError:
    return GoogleError(400, "invalid", message, extra=extra)


def required(field: str) -> GoogleError:
    return GoogleError(400, "required", f"Invalid Input: {field}" if field else "Required")


def bad_request(message: str, reason: str = "badRequest") -> GoogleError:
    return GoogleError(400, reason, message)


def parse_error(message: str = "Invalid JSON payload received.") -> GoogleError:
    return GoogleError(400, "parseError", message)


def auth_error() -> GoogleError:
    return GoogleError(
        401,
        "authError",
        "Request had invalid authentication credentials. Expected OAuth 2 access token, "
        "login cookie or other valid authentication credential.",
        extra={"location": "Authorization", "locationType": "header"},
        headers={"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'},
    )


def forbidden(message: str = "Not Authorized to access this resource/api") -> GoogleError:
    return GoogleError(403, "forbidden", message)


def insufficient_permissions() -> GoogleError:
    return GoogleError(
        403, "insufficientPermissions", "Request had insufficient authentication scopes."
    )


def access_not_configured(title: str, service: str, project_number: str) -> GoogleError:
    """An API the caller's Cloud project has not enabled, worded and shaped as Google answers."""
    link = (f"https://console.developers.google.com/apis/api/{service}/overview"
            f"?project={project_number}")
    message = (f"{title} has not been used in project {project_number} before or it is disabled. "
               f"Enable it by visiting {link} then retry. If you enabled this API recently, wait "
               "a few minutes for the action to propagate to our systems and retry.")
    return GoogleError(
        403, "accessNotConfigured", message, domain="usageLimits",
        extra={"extendedHelp": "https://console.developers.google.com"},
        details=[
            {"@type": "type.googleapis.com/google.rpc.Help",
             "links": [{"description": "Google developers console API activation", "url": link}]},
            {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "SERVICE_DISABLED",
             "domain": "googleapis.com",
             "metadata": {"service": service, "consumer": f"projects/{project_number}"}},
        ],
    )


def not_found(message: str = "Resource Not Found", reason: str = "notFound") -> GoogleError:
    return GoogleError(404, reason, message)


def duplicate(message: str = "Entity already exists.") -> GoogleError:
    return GoogleError(409, "duplicate", message)


def conflict(message: str) -> GoogleError:
    return GoogleError(409, "conflict", message, status="ABORTED")


def condition_not_met(message: str = "User creation is not complete.") -> GoogleError:
    return GoogleError(412, "conditionNotMet", message)


def user_rate_limit(message: str = "Quota exceeded for quota metric 'Queries' and limit "
                    "'Queries per minute per user'.") -> GoogleError:
    return GoogleError(403, "userRateLimitExceeded", message, headers={"Retry-After": "1"})


def rate_limit(message: str = "Rate Limit Exceeded") -> GoogleError:
    return GoogleError(429, "rateLimitExceeded", message, headers={"Retry-After": "1"})


class QuotaError(GoogleError):
    """A per-minute quota answer in the newer envelope (Sheets v4): no `errors` list, an
    ErrorInfo detail naming the quota instead."""

    def __init__(self, message: str, info: dict[str, Any]) -> None:
        super().__init__(429, "rateLimitExceeded", message)
        self.info = info

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "status": self.status,
                          "details": [self.info]}}


def sheets_quota(kind: str, project: str = "0") -> GoogleError:
    """Sheets' answer past its per-user read or write quota (`kind`: "Read" or "Write")."""
    return QuotaError(
        f"Quota exceeded for quota metric '{kind} requests' and limit '{kind} requests per "
        f"minute per user' of service 'sheets.googleapis.com' for consumer "
        f"'project_number:{project}'.",
        {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "RATE_LIMIT_EXCEEDED",
         "domain": "googleapis.com",
         "metadata": {"consumer": f"projects/{project}", "service": "sheets.googleapis.com",
                      "quota_metric": f"sheets.googleapis.com/{kind.lower()}_requests",
                      "quota_limit": f"{kind}RequestsPerMinutePerUser"}})


def backend_error(code: int = 503) -> GoogleError:
    message = "The service is currently unavailable." if code == 503 else "Backend Error"
    return GoogleError(code, "backendError", message)


def method_not_found(path: str) -> GoogleError:
    """What Google answers for a path no method serves."""
    return GoogleError(404, "notFound", f"Method not found: {path}")
