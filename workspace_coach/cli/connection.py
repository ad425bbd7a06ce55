"""`workspace-coach connection ...`: set up a connection to a real tenant and check it."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from workspace_coach.google import scopes as scope_table

app = typer.Typer(
    help="Connect to a real Google Workspace tenant: a guided setup and a check that explains "
    "every failure. / 실제 Google Workspace 연결: 안내에 따른 설정과 점검",
    no_args_is_help=True,
)

FOR_HELP = (f"What the connection is for, comma-separated: {', '.join(scope_table.CAPABILITIES)} "
            f"(default: {','.join(scope_table.DEFAULT_CAPABILITIES)}).")

_MARK = {"pass": "PASS", "warn": "WARN", "fail": "FAIL", "skip": "SKIP"}
_COLOUR = {"pass": "green", "warn": "yellow", "fail": "red", "skip": "bright_black"}


@app.command()
def check(
    connection: Path = typer.Option(None, "--connection", "-c", envvar="WC_CONNECTION",
                                    help="The client's connection.yaml (or its folder)."),
    for_: str = typer.Option("", "--for", help=FOR_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print machine-readable rows."),
) -> None:
    """Check a connection step by step, like GAM's `check serviceaccount`: key file, clock, the
    key, each scope of the domain-wide delegation, each API, admin rights, customer and domain.
    Every failing row says what to do; the exit code is 1 when any row fails."""
    from workspace_coach.google.check import check_connection
    from workspace_coach.google.connection import load_profile

    capabilities = scope_table.parse_capabilities(for_)
    report = check_connection(load_profile(connection), capabilities)
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        typer.echo(f"Connection check · 연결 점검: {report.connection}")
        typer.echo(f"  {report.domain}, subject {report.subject}, for {', '.join(capabilities)}")
        for row in report.rows:
            mark = typer.style(_MARK[row.status], fg=_COLOUR[row.status], bold=True)
            typer.echo(f"{mark}  {row.title}: {row.detail}")
            if row.fix:
                typer.echo(f"      fix: {row.fix}")
            if row.fix_ko:
                typer.echo(f"      해결: {row.fix_ko}")
        failed = sum(row.status == "fail" for row in report.rows)
        passed = sum(row.status == "pass" for row in report.rows)
        if failed:
            typer.echo(f"{failed} failed, {passed} passed · 실패 {failed}건: fix the rows above "
                       "and run the check again / 위 항목을 고친 뒤 다시 점검하세요")
        else:
            typer.echo(f"All {passed} checks passed · 모든 점검 통과")
    if not report.ok:
        raise typer.Exit(1)


def _say(lines, numbered: bool = True) -> None:
    for index, (en, ko) in enumerate(lines, 1):
        prefix = f"  {index}. " if numbered else "  - "
        typer.echo(prefix + en)
        typer.echo(" " * len(prefix) + ko)


def _ask(value: str | None, question: str, *, default: str | None = None, interactive: bool,
         option: str) -> str:
    from workspace_coach.errors import UserError

    if value:
        return value
    if not interactive:
        if default:
            return default
        raise UserError(f"{option} is required with --no-input / --no-input에서는 {option}이(가) "
                        "필요합니다")
    return typer.prompt(question, default=default)


@app.command()
def setup(
    out: Path = typer.Option(None, "--out", help="Folder for connection.yaml and the key "
                             "(default: clients/NAME)."),
    for_: str = typer.Option("", "--for", help=FOR_HELP),
    domain: str = typer.Option("", help="The client's primary domain, e.g. haessal.coop.kr."),
    admin: str = typer.Option("", help="Super administrator to act as (service account), or "
                              "the person who signs in (oauth). Default admin@DOMAIN."),
    name: str = typer.Option("", help="Slug of the client (default: from the domain)."),
    auth: str = typer.Option("service-account", help="service-account (a JSON key with "
                             "domain-wide delegation) or oauth (your own Google sign-in)."),
    key: Path = typer.Option(None, help="The service account's downloaded JSON key."),
    client_secrets: Path = typer.Option(None, help="For --auth oauth: the Desktop-app OAuth "
                                        "client JSON."),
    no_browser: bool = typer.Option(False, help="For --auth oauth: sign in with a browser on "
                                    "another computer and paste the address back."),
    endpoint: str = typer.Option("", help="A sandbox URL, to rehearse the setup; leave empty "
                                 "for Google."),
    no_input: bool = typer.Option(False, "--no-input", help="Never prompt; take everything "
                                  "from the options."),
) -> None:
    """Guided connection to a real tenant: the APIs to enable (with console links), the service
    account and its key (or your own sign-in when keys are forbidden), and the exact client ID
    and scopes to paste into domain-wide delegation. Ends with a connection.yaml.
    / 실제 테넌트 연결 안내: 사용할 API, 서비스 계정과 키, 도메인 전체 위임에 붙여 넣을 값."""
    from workspace_coach.errors import UserError
    from workspace_coach.google import setup as guide

    interactive = not no_input
    capabilities = scope_table.parse_capabilities(
        for_ or (_ask(None, "What for? / 용도 (" + ", ".join(scope_table.CAPABILITIES) + ")",
                      default=",".join(scope_table.DEFAULT_CAPABILITIES),
                      interactive=interactive, option="--for")))
    domain = _ask(domain, "Primary domain / 기본 도메인", interactive=interactive,
                  option="--domain").strip().lower()
    admin = _ask(admin, "Administrator to act as / 관리자 주소", default=f"admin@{domain}",
                 interactive=interactive, option="--admin")
    name = name or domain.split(".")[0].replace("_", "-")
    out = out or Path("clients") / name
    if auth not in ("service-account", "oauth"):
        raise UserError("--auth must be service-account or oauth")
    typer.echo(f"Connecting {domain} for {', '.join(capabilities)} · {domain} 연결")
    if auth == "oauth":
        _setup_oauth(out, capabilities, domain, admin, name, client_secrets, no_browser,
                     endpoint or None, interactive)
        return
    typer.echo("\nStep 1 · 1단계: a service account and its key / 서비스 계정과 키")
    _say(guide.key_steps())
    key = Path(_ask(str(key) if key else None, "Path of the downloaded JSON key / 키 파일 경로",
                    interactive=interactive, option="--key"))
    info = guide.read_key(key)
    typer.echo(f"\nStep 2 · 2단계: enable the APIs in project {info['project_id']} / API 사용 설정")
    _say(guide.api_steps(capabilities, info["project_id"]))
    typer.echo("\nStep 3 · 3단계: domain-wide delegation / 도메인 전체 위임")
    _say(guide.delegation_steps(info["client_id"], capabilities))
    guide.install_key(key, out)
    guide.write_profile(out, name=name, domain=domain, admin=admin, credentials=guide.KEY_FILE,
                        endpoint=endpoint or None)
    _done(out, capabilities)


def _setup_oauth(out: Path, capabilities: tuple[str, ...], domain: str, admin: str, name: str,
                 client_secrets: Path | None, no_browser: bool, endpoint: str | None,
                 interactive: bool) -> None:  # pragma: no cover - needs a browser and a person
    from workspace_coach.google import setup as guide

    typer.echo("\nStep 1 · 1단계: an OAuth client / OAuth 클라이언트")
    _say(guide.oauth_steps(capabilities))
    _say(guide.api_steps(capabilities, None), numbered=False)
    secrets = Path(_ask(str(client_secrets) if client_secrets else None,
                        "Path of the OAuth client JSON / OAuth 클라이언트 JSON 경로",
                        interactive=interactive, option="--client-secrets"))
    typer.echo(f"\nStep 2 · 2단계: sign in as {admin} / {admin}(으)로 로그인")
    creds = guide.run_oauth_flow(secrets, scope_table.scopes_for(capabilities),
                                 open_browser=not no_browser, ask=typer.prompt)
    guide.write_secret(out / guide.USER_FILE, guide.authorized_user_info(creds))
    guide.write_profile(out, name=name, domain=domain, admin=admin, credentials=guide.USER_FILE,
                        endpoint=endpoint)
    _done(out, capabilities)


def _done(out: Path, capabilities: tuple[str, ...]) -> None:
    command = (f"workspace-coach connection check --connection {out} "
               f"--for {','.join(capabilities)}")
    typer.echo(f"\nWrote {out / 'connection.yaml'} · 연결 프로필을 저장했습니다")
    typer.echo(f"Next, once delegation has had a few minutes / 몇 분 뒤 점검: {command}")
