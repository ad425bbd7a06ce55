"""`connection check`: every way a connection can fail, one row each, with the fix to make.

Modelled on GAM's `check serviceaccount`: the key file, the computer's clock against Google's,
the key itself (a token for the service account alone), then a token for each scope on its own as
the profile's subject, so every scope missing from the domain-wide delegation entry is named
instead of the whole token failing at once. Then one cheap read per API the chosen capabilities
use: a 403 `accessNotConfigured` means the key's Cloud project has not enabled the API, a 403
"Not Authorized to access this resource/api" that the subject is not an administrator.

Tokens are asked for with google-auth directly (they are the thing checked); API calls go through
`GoogleSession` like every other call.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import requests
from google.auth import exceptions as auth_exceptions
from google.auth.transport.requests import Request
from google.oauth2 import credentials as user_credentials
from google.oauth2 import service_account

from workspace_coach.errors import ConfigError
from workspace_coach.google import scopes as scope_table
from workspace_coach.google.clients import GoogleClients, discovery_document, root_url
from workspace_coach.google.connection import ConnectionProfile, load_credentials_info
from workspace_coach.google.retry import GoogleApiError, RetryPolicy
from workspace_coach.google.session import GoogleSession

Status = Literal["pass", "warn", "fail", "skip"]

#: The clock the key's JWTs are signed with; tests swap it for a skewed one.
system_clock: Callable[[], float] = time.time

#: Below this the clocks agree; up to `CLOCK_FAIL_SECONDS` Google still takes the JWT.
CLOCK_OK_SECONDS = 10
CLOCK_FAIL_SECONDS = 300

DELEGATION_PATH = ("Admin console (admin.google.com) > Security > Access and data control > "
                   "API controls > Domain-wide delegation")
DELEGATION_PATH_KO = "관리 콘솔(admin.google.com) > 보안 > 액세스 및 데이터 관리 > API 제어 > 도메인 전체 위임"
NEW_KEY = ("console.cloud.google.com > IAM & Admin > Service accounts > (the account) > Keys > "
           "Add key > Create new key > JSON")


@dataclass
class Row:
    """One thing checked: `status`, what (`title`), what was found (`detail`), how to fix it."""

    id: str
    status: Status
    title: str
    detail: str
    fix: str = ""
    fix_ko: str = ""


@dataclass
class Report:
    connection: str
    domain: str
    subject: str
    capabilities: tuple[str, ...]
    rows: list[Row] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(row.status == "fail" for row in self.rows)

    def add(self, *args: Any, **kwargs: Any) -> Row:
        row = Row(*args, **kwargs)
        self.rows.append(row)
        return row

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "connection": self.connection, "domain": self.domain,
                "subject": self.subject, "capabilities": list(self.capabilities),
                "rows": [asdict(row) for row in self.rows]}


@dataclass(frozen=True)
class TokenFailure:
    """Why the token endpoint said no, with the fix in both languages."""

    code: str
    message: str
    fix: str
    fix_ko: str
    per_scope: bool = False  # only that scope is refused (the delegation entry lacks it)

    @property
    def detail(self) -> str:
        return f"{self.code}: {self.message}" if self.message else self.code


def check_connection(profile: ConnectionProfile, capabilities: tuple[str, ...], *,
                     clock: Callable[[], float] | None = None) -> Report:
    """Run every check for `capabilities` against the profile's tenant; never raises for a
    failure of the connection itself (that is a failing row)."""
    clock = clock or system_clock
    report = Report(str(profile.source or ""), profile.domain, profile.admin, capabilities)
    info = _key_row(report, profile)
    skew = _clock_row(report, profile, clock)
    if info is None:
        return report
    wanted = scope_table.scopes_for(capabilities)
    if info["type"] == "service_account":
        if not _service_account_rows(report, profile, info, wanted, clock, skew):
            return report
    else:
        _user_rows(report, profile, info, wanted)
    passed = [row.id.split(":", 1)[1] for row in report.rows
              if row.id.startswith("scope:") and row.status == "pass"]
    _api_rows(report, profile, info, capabilities, passed)
    return report


# -- the key file ----------------------------------------------------------------------------------

_SA_FIELDS = ("client_email", "client_id", "private_key", "private_key_id", "token_uri")
_USER_FIELDS = ("client_id", "client_secret", "refresh_token")


def _key_row(report: Report, profile: ConnectionProfile) -> dict[str, Any] | None:
    title = "Key file · 키 파일"
    path = profile.credentials_path
    try:
        info = load_credentials_info(path)
    except ConfigError as exc:
        report.add("key", "fail", title, str(exc),
                   f"point credentials: in {report.connection or 'connection.yaml'} at the JSON "
                   "key file (relative to the profile)",
                   "connection.yaml의 credentials:가 JSON 키 파일을 가리키게 하세요")
        return None
    kind = info.get("type") if isinstance(info, dict) else None
    needed = {"service_account": _SA_FIELDS, "authorized_user": _USER_FIELDS}.get(str(kind))
    if needed is None:
        report.add("key", "fail", title, f"{path}: 'type' is {kind!r}, not service_account or "
                   "authorized_user",
                   f"download a JSON key of the service account ({NEW_KEY}) or sign in with "
                   "`workspace-coach connection setup --auth oauth`",
                   "서비스 계정의 JSON 키를 새로 받거나 `connection setup --auth oauth`로 로그인하세요")
        return None
    missing = [name for name in needed if not info.get(name)]
    if missing:
        report.add("key", "fail", title, f"{path}: missing {', '.join(missing)}",
                   f"download the key again ({NEW_KEY}); do not edit it",
                   "키 파일을 다시 내려받으세요(직접 고치지 마세요)")
        return None
    if kind == "service_account":
        try:
            service_account.Credentials.from_service_account_info(info)
        except (ValueError, KeyError) as exc:
            report.add("key", "fail", title, f"{path}: the private key is unreadable ({exc})",
                       f"create a new key ({NEW_KEY})", "새 키를 만드세요")
            return None
        report.add("key", "pass", title,
                   f"{path.name}: service account {info['client_email']}, client ID "
                   f"{info['client_id']}, project {info.get('project_id', '?')}")
    else:
        report.add("key", "pass", title, f"{path.name}: {profile.admin}'s own Google sign-in "
                   f"(OAuth client {info['client_id']})")
    return info


# -- the clock -------------------------------------------------------------------------------------

def _clock_row(report: Report, profile: ConnectionProfile, clock: Callable[[], float]
               ) -> float | None:
    """Local clock minus the server's (from the HTTP `Date` header), or None if unmeasured."""
    title = "Clock · 시계"
    url = root_url(profile, "directory")
    try:
        before = clock()
        answer = requests.get(url, timeout=15, allow_redirects=False)
        after = clock()
        server = email.utils.parsedate_to_datetime(answer.headers["Date"]).timestamp()
    except (requests.RequestException, KeyError, TypeError, ValueError) as exc:
        report.add("clock", "warn", title, f"could not read the time of {url}: {exc}")
        return None
    # The Date header is truncated to the second: a local clock that is right reads 0 to 1 s ahead.
    skew = (before + after) / 2 - server - 0.5
    host = requests.utils.urlparse(url).netloc
    if abs(skew) < CLOCK_OK_SECONDS:
        report.add("clock", "pass", title,
                   f"this computer's clock differs from {host} by less than {CLOCK_OK_SECONDS} s")
        return skew
    status: Status = "warn" if abs(skew) < CLOCK_FAIL_SECONDS else "fail"
    report.add("clock", status, title,
               f"this computer's clock is {_duration(skew)} {'ahead of' if skew > 0 else 'behind'} "
               f"{host}",
               "set the clock right (turn on automatic time / NTP); Google refuses a key's "
               "token request signed minutes off",
               "컴퓨터 시계를 맞추세요(자동 시간 설정/NTP). 몇 분 이상 틀리면 Google이 토큰을 거부합니다")
    return skew


def _duration(seconds: float) -> str:
    whole = abs(round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min {secs} s" if minutes else f"{secs} s"


# -- tokens ----------------------------------------------------------------------------------------

def _service_account_rows(report: Report, profile: ConnectionProfile, info: dict[str, Any],
                          wanted: tuple[str, ...], clock: Callable[[], float],
                          skew: float | None) -> bool:
    """The key alone, then each scope as the subject; False when nothing further can work."""
    client_id = info["client_id"]

    def token(scope: str, subject: str | None) -> TokenFailure | None:
        issued = int(clock())
        creds = service_account.Credentials.from_service_account_info(
            info, scopes=[scope], subject=subject,
            additional_claims={"iat": issued, "exp": issued + 3600})
        return _refresh(creds, client_id, scope, profile, skew)

    failure = token(wanted[0], None)
    title = "Key accepted by Google · 키 인증"
    if failure:
        report.add("auth", "fail", title, failure.detail, failure.fix, failure.fix_ko)
        return False
    report.add("auth", "pass", title, f"a token for {info['client_email']} itself")
    refused: list[str] = []
    for index, scope in enumerate(wanted, 1):
        failure = token(scope, profile.admin)
        label = f"Delegation as {profile.admin} · 위임 ({index}/{len(wanted)})"
        if failure is None:
            report.add(f"scope:{scope}", "pass", label, scope)
            continue
        if not failure.per_scope:
            report.add("subject", "fail", f"Token as {profile.admin} · 관리자 토큰",
                       failure.detail, failure.fix, failure.fix_ko)
            return False
        refused.append(scope)
        report.add(f"scope:{scope}", "fail", label, f"{scope}: {failure.detail}",
                   failure.fix, failure.fix_ko)
    if refused:
        line = scope_table.delegation_line(report.capabilities)
        report.add("delegation", "fail", "Domain-wide delegation · 도메인 전체 위임",
                   f"{len(refused)} of {len(wanted)} scopes not authorised for client ID "
                   f"{client_id}",
                   f"{DELEGATION_PATH}: edit client ID {client_id} (or Add new) and paste, "
                   f"overwriting what is there: {line}",
                   f"{DELEGATION_PATH_KO}: 클라이언트 ID {client_id}를 수정(또는 새로 추가)하고 "
                   f"범위 칸에 다음을 그대로 붙여 넣으세요: {line}")
    return True


def _user_rows(report: Report, profile: ConnectionProfile, info: dict[str, Any],
               wanted: tuple[str, ...]) -> None:
    """A coach's own sign-in: each scope must be among those they consented to."""
    for index, scope in enumerate(wanted, 1):
        creds = user_credentials.Credentials.from_authorized_user_info(info, scopes=[scope])
        if info.get("token_uri"):
            creds = creds.with_token_uri(info["token_uri"])
        failure = _refresh(creds, info["client_id"], scope, profile, None)
        label = f"Sign-in of {profile.admin} · 로그인 권한 ({index}/{len(wanted)})"
        if failure is None:
            report.add(f"scope:{scope}", "pass", label, scope)
        elif failure.code == "invalid_scope":
            report.add(f"scope:{scope}", "fail", label, f"{scope}: {failure.detail}",
                       "sign in again with `workspace-coach connection setup --auth oauth` "
                       "and allow every permission asked",
                       "`connection setup --auth oauth`로 다시 로그인하고 요청된 권한을 모두 허용하세요")
        else:
            report.add("subject", "fail", f"Sign-in of {profile.admin} · 로그인", failure.detail,
                       failure.fix, failure.fix_ko)
            return


def _refresh(creds: Any, client_id: str, scope: str, profile: ConnectionProfile,
             skew: float | None) -> TokenFailure | None:
    try:
        creds.refresh(Request())
    except auth_exceptions.RefreshError as exc:
        return explain_token_error(exc, client_id=client_id, scope=scope, subject=profile.admin,
                                   domain=profile.domain, skew=skew)
    except auth_exceptions.TransportError as exc:
        return TokenFailure("unreachable", str(exc).splitlines()[0][:200],
                            "check the network (and, for the sandbox, that it is running)",
                            "네트워크를 확인하세요(샌드박스라면 실행 중인지)")
    return None


def explain_token_error(exc: auth_exceptions.RefreshError, *, client_id: str, scope: str,
                        subject: str, domain: str, skew: float | None) -> TokenFailure:
    """Google's token-endpoint refusal turned into what to do about it."""
    data = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], dict) else {}
    text = str(exc.args[0]) if exc.args else ""
    code = str(data.get("error") or text.split(":", 1)[0] or "error")
    message = str(data.get("error_description") or text.split(":", 1)[-1]).strip()
    if code in ("unauthorized_client", "access_denied"):
        return TokenFailure(
            code, message,
            f"{DELEGATION_PATH}: add {scope} to client ID {client_id} (use the numeric client ID, "
            "not the e-mail address; changes can take minutes to reach every user)",
            f"{DELEGATION_PATH_KO}: 클라이언트 ID {client_id}에 {scope} 범위를 추가하세요",
            per_scope=True)
    if code == "invalid_grant" and "Signature" in message:
        return TokenFailure(
            code, message,
            f"the key was deleted or belongs to another project: create a new key ({NEW_KEY}) "
            "and point credentials: at it",
            "키가 삭제되었거나 다른 프로젝트의 키입니다: 새 키를 만들어 credentials:에 지정하세요")
    if code == "invalid_grant" and ("short-lived" in message or "timeframe" in message):
        off = f" (it is {_duration(skew)} {'ahead' if skew > 0 else 'behind'})" if skew else ""
        return TokenFailure(
            code, message,
            f"this computer's clock is wrong{off}: set it right (automatic time / NTP) and retry",
            "컴퓨터 시계가 틀립니다: 자동 시간 설정(NTP)으로 맞춘 뒤 다시 시도하세요")
    if code == "invalid_grant" and ("email" in message.lower() or "User ID" in message):
        return TokenFailure(
            code, message,
            f"admin: {subject} is not an active user of {domain}: set admin: in connection.yaml "
            "to a super administrator's address",
            f"admin: {subject}은(는) {domain}의 활성 사용자가 아닙니다: 최고 관리자 주소로 바꾸세요")
    if code in ("invalid_client", "disabled_client", "deleted_client"):
        return TokenFailure(
            code, message,
            "the service account or its OAuth client is disabled or deleted: enable it in "
            "IAM & Admin > Service accounts, or create a new one",
            "서비스 계정(또는 OAuth 클라이언트)이 사용 중지·삭제되었습니다: 다시 사용 설정하거나 새로 만드세요")
    if code == "invalid_scope":
        return TokenFailure(code, message, f"{scope} is not a scope Google knows",
                            f"{scope}은(는) Google이 모르는 범위입니다", per_scope=True)
    return TokenFailure(code, message, "see Google's message above", "위 Google 메시지를 확인하세요")


# -- APIs and admin rights -------------------------------------------------------------------------

_S = "https://www.googleapis.com/auth/"


def _probe(api: str, session: GoogleSession, profile: ConnectionProfile, *,
           usage_only: bool = False, group: str | None = None) -> Any:
    """One cheap read per API; for APIs without a list, a get of a real group when there is one,
    else of something absent (a 404 still proves the API answers)."""
    service = session.service(api)
    if api == "directory":
        request = service.users().get(userKey=profile.admin, viewType="admin_view")
    elif api == "reports" and usage_only:
        day = (dt.date.today() - dt.timedelta(days=3)).isoformat()
        request = service.customerUsageReports().get(date=day)
    elif api == "reports":
        request = service.activities().list(userKey="all", applicationName="login",
                                            maxResults=1)
    elif api == "groupssettings":
        request = service.groups().get(
            groupUniqueId=group or f"workspace-coach-check@{profile.domain}")
    elif api == "drive":
        request = service.files().list(pageSize=1, fields="files(id)")
    elif api == "datatransfer":
        request = service.applications().list(maxResults=1)
    elif api == "gmail":
        # gmail.send allows no read: a send without a message is refused with 400 and sends
        # nothing, which still proves the API answers for this subject and scope.
        request = service.users().messages().send(userId="me", body={})
    else:
        request = service.spreadsheets().get(spreadsheetId="workspace-coach-check",
                                             fields="spreadsheetId")
    return session.execute(request, what=f"connection check ({api})")


_PROBE_METHODS = {"directory": [("users", "get")],
                  "reports": [("activities", "list"), ("customerUsageReports", "get")],
                  "groupssettings": [("groups", "get")], "drive": [("files", "list")],
                  "sheets": [("spreadsheets", "get")],
                  "datatransfer": [("applications", "list")],
                  "gmail": [("users.messages", "send")]}


def _method_scopes(api: str) -> frozenset[str]:
    """Scopes any probe method of `api` accepts, from the discovery document."""
    doc = discovery_document(api)
    out: set[str] = set()
    for resource, method in _PROBE_METHODS[api]:
        node = doc
        for part in resource.split("."):   # nested resources: "users.messages"
            node = node["resources"][part]
        out.update(node["methods"][method].get("scopes", ()))
    return frozenset(out)


@dataclass
class _Outcome:
    answered: bool = False       # the API answered (so it is enabled)
    disabled: str = ""           # Google's accessNotConfigured message
    forbidden: str = ""          # the subject lacks admin rights
    other: str = ""              # anything else
    skipped: str = ""
    result: Any = None


def _api_rows(report: Report, profile: ConnectionProfile, info: dict[str, Any],
              capabilities: tuple[str, ...], passed: list[str]) -> None:
    outcomes: dict[str, _Outcome] = {}
    for api in scope_table.apis_for(capabilities):
        usable = [scope for scope in passed if scope in _method_scopes(api)]
        if not usable:
            outcomes[api] = _Outcome(skipped="no authorised scope to try it with (see above)")
            continue
        session = GoogleSession(GoogleClients(profile, usable[:1]),
                                retry=RetryPolicy(max_tries=3, base=0.5, cap=2.0))
        outcome = outcomes[api] = _Outcome()
        try:
            group = _any_group(profile, passed) if api == "groupssettings" else None
            outcome.result = _probe(api, session, profile,
                                    usage_only="reports.usage" in usable[0], group=group)
            outcome.answered = True
        except GoogleApiError as exc:
            reason, status = exc.failure.reason, exc.failure.status
            if reason in ("accessNotConfigured", "SERVICE_DISABLED"):
                outcome.disabled = exc.failure.message
            elif status == 403 and reason == "forbidden":
                outcome.answered, outcome.forbidden = True, exc.failure.message
            elif status in (400, 404):
                outcome.answered = True
            else:
                outcome.other = exc.failure.summary()
    project = info.get("project_id") or info.get("quota_project_id")
    for cloud in scope_table.cloud_apis_for(capabilities):
        mine = [outcomes[api] for api in outcomes if scope_table.CLOUD_APIS[api] == cloud]
        title = f"API enabled: {cloud.title} · API 사용 설정"
        disabled = next((o.disabled for o in mine if o.disabled), "")
        if disabled:
            link = cloud.library_link(project)
            report.add(f"api:{cloud.service}", "fail", title, f"{cloud.service}: {disabled}",
                       f"enable {cloud.title} for the key's project: {link} (then wait a few "
                       "minutes)",
                       f"키의 프로젝트에서 {cloud.title}를 사용 설정하세요: {link}")
        elif any(o.answered for o in mine):
            report.add(f"api:{cloud.service}", "pass", title, f"{cloud.service} answers")
        else:
            why = next((o.other or o.skipped for o in mine if o.other or o.skipped), "")
            report.add(f"api:{cloud.service}", "fail" if any(o.other for o in mine) else "skip",
                       title, f"{cloud.service}: {why}")
    for api in scope_table.apis_for(capabilities):
        if api not in scope_table.ADMIN_APIS:
            continue
        outcome = outcomes[api]
        title = f"Admin rights for the {api} API · 관리자 권한"
        if outcome.forbidden:
            report.add(f"admin:{api}", "fail", title, f"{profile.admin}: {outcome.forbidden}",
                       f"{profile.admin} is not an administrator: make them a super admin "
                       "(Admin console > Account > Admin roles > Super Admin > Assign users) or "
                       "set admin: in connection.yaml to a super administrator's address",
                       f"{profile.admin}은(는) 관리자가 아닙니다: 최고 관리자 역할을 주거나 "
                       "connection.yaml의 admin:을 최고 관리자 주소로 바꾸세요")
        elif outcome.answered:
            report.add(f"admin:{api}", "pass", title, f"{profile.admin} may use it")
        else:
            report.add(f"admin:{api}", "skip", title,
                       outcome.skipped or outcome.other or "the API is not enabled")
    directory = outcomes.get("directory")
    if directory and directory.answered and not directory.forbidden:
        _customer_row(report, profile, passed, directory.result or {})


def _customer_row(report: Report, profile: ConnectionProfile, passed: list[str],
                  user: dict[str, Any]) -> None:
    title = "Customer and domain · 고객 ID와 도메인"
    scope = next((s for s in passed if s in _method_scopes_domains()), None)
    if scope is None:
        report.add("customer", "skip", title, "no authorised domain scope to read domains with")
        return
    session = GoogleSession(GoogleClients(profile, [scope]),
                            retry=RetryPolicy(max_tries=3, base=0.5, cap=2.0))
    try:
        answer = session.execute(session.service("directory").domains().list(
            customer=profile.customer), what=f"customer {profile.customer}")
    except GoogleApiError as exc:
        report.add("customer", "fail", title, f"customer {profile.customer}: "
                   f"{exc.failure.summary()}",
                   "set customer: in connection.yaml to my_customer (or remove it)",
                   "connection.yaml의 customer:를 my_customer로 바꾸거나 지우세요")
        return
    names = [d.get("domainName", "") for d in (answer or {}).get("domains", [])]
    customer_id = user.get("customerId", "?")
    if profile.domain.lower() not in [n.lower() for n in names]:
        report.add("customer", "fail", title,
                   f"{profile.domain} is not a domain of customer {customer_id} "
                   f"(its domains: {', '.join(names) or 'none'})",
                   "set domain: in connection.yaml to one of those domains",
                   "connection.yaml의 domain:을 위 도메인 중 하나로 바꾸세요")
        return
    report.add("customer", "pass", title,
               f"customer {customer_id}, domains {', '.join(names)}")


def _any_group(profile: ConnectionProfile, passed: list[str]) -> str | None:
    """One group's address to read settings of, so an admin is never judged on a missing group."""
    doc = discovery_document("directory")
    allowed = doc["resources"]["groups"]["methods"]["list"].get("scopes", ())
    scope = next((s for s in passed if s in allowed), None)
    if scope is None:
        return None
    session = GoogleSession(GoogleClients(profile, [scope]), retry=RetryPolicy(max_tries=2))
    try:
        page = session.execute(session.service("directory").groups().list(
            customer=profile.customer, maxResults=1), what="a group")
    except GoogleApiError:
        return None
    groups = (page or {}).get("groups") or []
    return groups[0].get("email") if groups else None


def _method_scopes_domains() -> frozenset[str]:
    doc = discovery_document("directory")
    return frozenset(doc["resources"]["domains"]["methods"]["list"].get("scopes", ()))
