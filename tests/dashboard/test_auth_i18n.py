"""Sign-in and who sees what, and the message catalogue's completeness."""

from __future__ import annotations

import os
import re
from pathlib import Path

from tests.dashboard.conftest import run_app
from workspace_coach.dashboards.i18n import LANGUAGES, MESSAGES

AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
        "client_id": "id", "client_secret": "secret",
        "server_metadata_url": "https://accounts.google.com/.well-known/openid-configuration"}
COACHES = {"jiyoung@coach.kr": ["saessak"], "Lead@Coach.kr": ["*"]}


def test_without_auth_every_client_is_shown(use_db):
    at = run_app("clients")
    assert at.selectbox(key="client").options == ["빈 조직", "해살 협동조합", "새싹 사회적기업"]


def test_sign_in_is_required_when_auth_is_configured(use_db):
    at = run_app("clients", secrets={"auth": AUTH, "coaches": COACHES},
                 user={"is_logged_in": False})
    assert at.title[0].value == MESSAGES["auth.title"]["ko"]
    assert [b.label for b in at.button] == [MESSAGES["auth.login"]["ko"]]
    assert not at.metric and not at.selectbox


def test_a_coach_sees_only_assigned_clients(use_db):
    at = run_app("clients", lang="en", secrets={"auth": AUTH, "coaches": COACHES},
                 user={"is_logged_in": True, "email": "jiyoung@coach.kr"})
    assert at.selectbox(key="client").options == ["새싹 사회적기업"]
    assert "Signed in as jiyoung@coach.kr" in [c.value for c in at.sidebar.caption]
    assert [b.key for b in at.button if b.key and b.key.startswith("open-")] == ["open-saessak"]
    asked = run_app("overview", client="haessal", lang="en",   # not theirs: never shown
                    secrets={"auth": AUTH, "coaches": COACHES},
                    user={"is_logged_in": True, "email": "jiyoung@coach.kr"})
    assert asked.title[0].value == "새싹 사회적기업: overview"

    lead = run_app("clients", secrets={"auth": AUTH, "coaches": COACHES},
                   user={"is_logged_in": True, "email": "lead@coach.kr"})
    assert len(lead.selectbox(key="client").options) == 3

    stranger = run_app("clients", lang="en", secrets={"auth": AUTH, "coaches": COACHES},
                       user={"is_logged_in": True, "email": "who@else.kr"})
    assert not stranger.selectbox
    assert "No client is assigned to who@else.kr" in stranger.info[0].value


def test_every_message_has_both_languages():
    for key, text in MESSAGES.items():
        assert set(text) == set(LANGUAGES), key
        assert all(v.strip() for v in text.values()), key
        fields = {lang: set(re.findall(r"{(\w+)}", v)) for lang, v in text.items()}
        assert fields["ko"] == fields["en"], key
    assert any(re.search(r"[가-힣]", text["ko"]) for text in MESSAGES.values())


def test_every_key_the_dashboard_uses_exists():
    folder = Path(__file__).resolve().parents[2] / "dashboards"
    used = set()
    for path in folder.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"""\bt\(\s*["']([\w.]+)["']\s*[,)]""", source))
        prefixes = re.findall(r"""\bt\(\s*f["']([\w.]+)\{""", source)
        prefixes += re.findall(r"""\bt\(\s*["']([\w.]+)["']\s*\+""", source)
        for prefix in prefixes:
            assert any(k.startswith(prefix) for k in MESSAGES), prefix
        for prefix in re.findall(r"""labeller\(\s*["']([\w.]+)["']""", source):
            assert any(k.startswith(prefix) for k in MESSAGES), prefix
    assert used and not used - set(MESSAGES), used - set(MESSAGES)


def test_views_have_a_render_and_no_side_effects_at_import():
    import subprocess
    import sys

    names = sorted(p.stem for p in (Path(__file__).resolve().parents[2] / "dashboards" /
                                    "views").glob("*.py") if p.stem != "__init__")
    assert names == ["clients", "curriculum", "overview", "portfolio", "provisioning", "security",
                     "session", "teams"]
    # importing every page in a fresh interpreter draws nothing and reads no database
    code = ("import importlib\n"
            "mods = [importlib.import_module('workspace_coach.dashboards.views.' + n)\n"
            f"        for n in {names!r}]\n"
            "assert all(callable(m.render) for m in mods)\n"
            "print('ok')\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=Path(__file__).resolve().parents[2], timeout=60,
                            env={**os.environ,
                                 "WC_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:9/x"})
    assert result.stdout.strip() == "ok", result.stderr
    # a Streamlit call outside a script run warns about the missing ScriptRunContext
    assert "ScriptRunContext" not in result.stderr, result.stderr
