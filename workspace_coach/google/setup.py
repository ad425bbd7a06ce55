"""What `connection setup` tells a coach, and the files it writes.

Two ways in, both ending in a `connection.yaml`:

- a service account with a JSON key and domain-wide delegation (the usual way: works unattended,
  acts as the profile's `admin`);
- a coach's own Google sign-in (OAuth for an installed app), for when an organisation policy
  forbids service-account keys or the coach should act as themselves; writes an authorized-user
  JSON with a refresh token.

The text is data (pairs of English and Korean lines) so the command, the docs and the tests read
the same steps.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from pydantic import ValidationError

from workspace_coach.errors import UserError
from workspace_coach.google import scopes as scope_table
from workspace_coach.google.connection import ConnectionProfile, load_credentials_info

Lines = list[tuple[str, str]]

KEY_FILE = "service-account.json"
USER_FILE = "authorized-user.json"


def key_steps() -> Lines:
    return [
        (("Open https://console.cloud.google.com/ and choose (or create) a project for this "
         "client, e.g. 'workspace-coach-haessal'."),
         "https://console.cloud.google.com/ 에서 이 고객용 프로젝트를 고르거나 만드세요."),
        (("IAM & Admin > Service accounts > Create service account: name it 'workspace-coach'; "
         "it needs no IAM role."),
         ("IAM 및 관리자 > 서비스 계정 > 서비스 계정 만들기: 이름은 'workspace-coach', IAM 역할은 "
         "필요 없습니다.")),
        (("Open the account > Keys > Add key > Create new key > JSON, and keep the downloaded "
         "file safe: it is the only copy of the private key."),
         ("계정 > 키 > 키 추가 > 새 키 만들기 > JSON. 내려받은 파일이 비공개 키의 유일한 사본이니 "
         "안전하게 보관하세요.")),
        (("If Google says 'Service account key creation is disabled', the organisation policy "
         "iam.disableServiceAccountKeyCreation is enforced: an Organization Policy Administrator "
         "can turn it off for this project only (IAM & Admin > Organization policies > Disable "
         "service account key creation > Manage policy > Override parent's policy > Not "
         "enforced), or sign in as yourself instead: `connection setup --auth oauth`."),
         ("'서비스 계정 키 생성이 사용 중지됨'이 나오면 조직 정책 "
         "iam.disableServiceAccountKeyCreation이 적용된 것입니다. 조직 정책 관리자가 이 프로젝트만 "
         "예외로 두거나(IAM 및 관리자 > 조직 정책 > 서비스 계정 키 생성 사용 중지 > 정책 관리 > "
         "상위 정책 재정의 > 시행 안 함), 대신 본인 계정으로 로그인하세요: "
         "`connection setup --auth oauth`.")),
    ]


def api_steps(capabilities: Iterable[str], project_id: str | None) -> Lines:
    lines: Lines = []
    for api in scope_table.cloud_apis_for(list(capabilities)):
        link = api.library_link(project_id)
        lines.append((f"Enable {api.title} ({api.service}): {link}",
                      f"{api.title} 사용 설정: {link}"))
    return lines


def delegation_steps(client_id: str, capabilities: Iterable[str]) -> Lines:
    line = scope_table.delegation_line(list(capabilities))
    return [
        (("As a super administrator, open admin.google.com > Security > Access and data "
         "control > API controls > Manage Domain Wide Delegation > Add new (or edit the entry "
         "of this client ID)."),
         ("최고 관리자로 admin.google.com > 보안 > 액세스 및 데이터 관리 > API 제어 > 도메인 전체 "
         "위임 관리 > 새로 추가(이미 있으면 이 클라이언트 ID 항목 수정).")),
        (f"Client ID: {client_id}", f"클라이언트 ID: {client_id}"),
        (f"OAuth scopes (comma-delimited), paste exactly: {line}",
         f"OAuth 범위(쉼표로 구분)에 그대로 붙여 넣기: {line}"),
        ("Click Authorize. It usually works within minutes, sometimes up to 24 hours.",
         "승인을 누르세요. 보통 몇 분, 길게는 24시간 안에 반영됩니다."),
    ]


def oauth_steps(capabilities: Iterable[str]) -> Lines:
    caps = list(capabilities)
    needs_admin = any(api in scope_table.ADMIN_APIS for api in scope_table.apis_for(caps))
    lines: Lines = [
        (("In https://console.cloud.google.com/ choose a project, enable the APIs below, then "
         "APIs & Services > OAuth consent screen: user type Internal."),
         ("https://console.cloud.google.com/ 에서 프로젝트를 고르고 아래 API를 사용 설정한 뒤, "
         "API 및 서비스 > OAuth 동의 화면: 사용자 유형 '내부'.")),
        (("APIs & Services > Credentials > Create credentials > OAuth client ID > Desktop app; "
         "download its JSON (client_secret_….json)."),
         ("API 및 서비스 > 사용자 인증 정보 > OAuth 클라이언트 ID 만들기 > 데스크톱 앱; JSON을 "
         "내려받으세요.")),
    ]
    if needs_admin:
        lines.append((("The person who signs in must be an administrator of the tenant: the "
                      "Directory, Reports and Groups Settings APIs answer only administrators."),
                      ("로그인하는 사람은 테넌트 관리자여야 합니다(디렉터리·보고서·그룹 설정 API는 "
                      "관리자에게만 응답).")))
    return lines


def read_key(path: Path) -> dict[str, Any]:
    """A service-account key as Google's console downloads it, or a one-line error."""
    info = load_credentials_info(path)
    if not isinstance(info, dict) or info.get("type") != "service_account":
        raise UserError(f"{path}: not a service-account key (its 'type' is not service_account)"
                        " / 서비스 계정 키가 아닙니다")
    missing = [k for k in ("client_email", "client_id", "private_key", "project_id")
               if not info.get(k)]
    if missing:
        raise UserError(f"{path}: the key lacks {', '.join(missing)}; download it again")
    return info


def write_secret(path: Path, data: dict[str, Any]) -> None:
    """Credentials are readable by their owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2)


def install_key(key: Path, out: Path) -> Path:
    """Copy the key beside the profile (owner-only); leave it where it is if it already is."""
    target = out / KEY_FILE
    if key.resolve() != target.resolve():
        out.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(key, target)
    os.chmod(target, 0o600)
    return target


def write_profile(out: Path, *, name: str, domain: str, admin: str, credentials: str,
                  customer: str = "my_customer", endpoint: str | None = None
                  ) -> ConnectionProfile:
    try:
        profile = ConnectionProfile(name=name, domain=domain.lower(), admin=admin.lower(),
                                    credentials=Path(credentials), customer=customer,
                                    endpoint=endpoint)
    except ValidationError as exc:
        raise UserError(f"connection profile: {exc.errors()[0]['msg']}") from None
    profile.save(out / "connection.yaml")
    return profile


def authorized_user_info(creds: Any) -> dict[str, Any]:
    """The authorized-user JSON `load_credentials` reads, from OAuth user credentials."""
    if not creds.refresh_token:
        raise UserError("Google returned no refresh token; sign in again and allow access")
    return {"type": "authorized_user", "client_id": creds.client_id,
            "client_secret": creds.client_secret, "refresh_token": creds.refresh_token,
            "token_uri": creds.token_uri, "universe_domain": "googleapis.com"}


def run_oauth_flow(client_secrets: Path, scope_list: Iterable[str], *, open_browser: bool,
                   ask: Callable[[str], str]) -> Any:  # pragma: no cover - needs a person
    """Sign a person in with their browser (installed-app flow) and return their credentials.

    With a browser on this computer Google redirects to a local port we listen on; without one
    the person opens the link elsewhere and pastes back the address the browser ends on (it
    cannot load, which is expected), as GAM does on headless machines.
    """
    from google_auth_oauthlib.flow import InstalledAppFlow

    flow = InstalledAppFlow.from_client_secrets_file(str(client_secrets), scopes=list(scope_list))
    if open_browser:
        return flow.run_local_server(
            port=0, open_browser=True,
            authorization_prompt_message="Opening your browser to sign in / 브라우저에서 "
            "로그인하세요: {url}",
            success_message="Signed in; you may close this tab. / 로그인 완료, 이 탭을 닫으세요.")
    flow.redirect_uri = "http://127.0.0.1:8080/"
    url, _ = flow.authorization_url(access_type="offline", prompt="consent")
    pasted = ask(f"Open this link in any browser, sign in, then paste the address it ends on "
                 f"/ 이 링크를 열어 로그인한 뒤 마지막 주소를 붙여 넣으세요:\n{url}\n")
    code = parse_qs(urlsplit(pasted.strip()).query).get("code", [pasted.strip()])[0]
    flow.fetch_token(code=code)
    return flow.credentials
