"""Run gspread's own test suite (pinned to 6.2.1) live against a local sandbox.

    .venv/bin/python bench/gspread_suite.py [--suite PATH] [-k EXPR] [--keep]

The suite is gspread's `tests/` directory at the release tag. PyPI's sdist of gspread 6.2.1
ships without it, so the runner takes, in this order: `--suite` (a source checkout or a
release tarball), the sdist if a future one carries `tests/`, then the tag's source archive
from the project's public repository (needs network). gspread's tests replay VCR cassettes;
with GS_RECORD_MODE=all they call the service live instead, and this harness points them at the
sandbox: a plugin injected with `-p` mounts a transport adapter on gspread's HTTP session for
Google's hosts and gives the suite's service-account credentials the sandbox tenant's key,
subject and scopes. This is a harness for gspread's suite only; the project's own code reaches
the sandbox through its connection profile as always.

Needs pytest, vcrpy and pytest-vcr (`pip install -e '.[bench]'`; the runner installs the
missing ones into this interpreter otherwise). Prints passed / failed / total, the ratio and
every failure.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import textwrap
from pathlib import Path

VERSION = "6.2.1"
ARCHIVE = f"https://github.com/burnash/gspread/archive/refs/tags/v{VERSION}.tar.gz"
TEST_DEPS = {"vcr": "vcrpy", "pytest_vcr": "pytest-vcr"}

PLUGIN = '''
"""Injected by bench/gspread_suite.py: gspread's suite against the sandbox."""
import os

import requests
from google.auth.transport.requests import AuthorizedSession
from google.oauth2 import service_account

import gspread.http_client

SANDBOX = os.environ["GSPREAD_SUITE_SANDBOX"]
SUBJECT = os.environ["GSPREAD_SUITE_SUBJECT"]
SCOPES = ["https://www.googleapis.com/auth/spreadsheets",
          "https://www.googleapis.com/auth/drive"]
HOSTS = ("https://sheets.googleapis.com/", "https://www.googleapis.com/")


class _ToSandbox(requests.adapters.HTTPAdapter):
    def __init__(self, root):
        super().__init__()
        self.root = root

    def send(self, request, **kwargs):
        request.url = SANDBOX + request.url[len(self.root):]
        return super().send(request, **kwargs)


_read = service_account.Credentials.from_service_account_file.__func__


def _from_file(cls, filename, **kwargs):
    kwargs["scopes"] = SCOPES
    kwargs["subject"] = SUBJECT
    return _read(cls, filename, **kwargs)


service_account.Credentials.from_service_account_file = classmethod(_from_file)
_init = gspread.http_client.HTTPClient.__init__


def _http_init(self, auth, session=None):
    _init(self, auth, session or AuthorizedSession(auth))
    for host in HOSTS:
        self.session.mount(host, _ToSandbox(host))


gspread.http_client.HTTPClient.__init__ = _http_init
'''


def _ensure_test_deps() -> None:
    missing = [pkg for module, pkg in TEST_DEPS.items() if importlib.util.find_spec(module) is None]
    if missing:
        print(f"installing {', '.join(missing)} (the bench extra)", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", *missing], check=True)


def _unpack(archive: Path | bytes, into: Path) -> Path | None:
    """The directory holding `tests/` inside a tarball, or None."""
    data = archive.read_bytes() if isinstance(archive, Path) else archive
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    for conftest in sorted(into.glob("*/tests/conftest.py")):
        return conftest.parent.parent
    return None


def _unmark_fixtures(root: Path) -> None:
    """pytest 8.4+ refuses marks on fixtures (they never had an effect); drop them so a suite
    written for an older pytest still collects. Nothing else in the suite is touched."""
    on_fixture = re.compile(r"(@pytest\.fixture[^\n]*\n)(?:[ \t]*@pytest\.mark\.[^\n]*\n)+")
    above_fixture = re.compile(r"(?:[ \t]*@pytest\.mark\.[^\n]*\n)+([ \t]*@pytest\.fixture)")
    for path in (root / "tests").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        fixed = above_fixture.sub(r"\1", on_fixture.sub(r"\1", text))
        if fixed != text:
            path.write_text(fixed, encoding="utf-8")


def fetch_suite(given: str | None, work: Path) -> Path:
    if given:
        path = Path(given)
        if path.is_dir():
            if (path / "tests" / "conftest.py").exists():
                copy = work / "given" / path.resolve().name
                shutil.copytree(path, copy, ignore=shutil.ignore_patterns(".git", "cassettes"))
                return copy
            raise SystemExit(f"{path} has no tests/conftest.py")
        found = _unpack(path, work / "given")
        if found:
            return found
        raise SystemExit(f"{path} holds no gspread tests/")
    sdist = work / "sdist"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "download", f"gspread=={VERSION}", "--no-deps",
         "--no-binary", ":all:", "-q", "-d", str(sdist)], capture_output=True, text=True,
        check=False)
    if done.returncode == 0:
        for archive in sdist.glob("gspread-*.tar.gz"):
            found = _unpack(archive, work / "unpacked")
            if found:
                return found
    print(f"gspread {VERSION}'s sdist has no tests/; fetching the v{VERSION} source archive",
          flush=True)
    import requests

    try:
        answer = requests.get(ARCHIVE, timeout=60)
        answer.raise_for_status()
    except requests.RequestException as exc:
        raise SystemExit(
            f"could not fetch {ARCHIVE} ({exc.__class__.__name__}); download it elsewhere and "
            "pass it with --suite PATH") from None
    found = _unpack(answer.content, work / "archive")
    if not found:
        raise SystemExit(f"{ARCHIVE} holds no tests/")
    return found


def _counts(junit: Path) -> tuple[int, int, int, list[str]]:
    import xml.etree.ElementTree as ET

    passed = failed = skipped = 0
    failures = []
    for case in ET.parse(junit).iter("testcase"):
        name = f"{case.get('classname')}::{case.get('name')}"
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
            node = case.find("failure")
            if node is None:
                node = case.find("error")
            message = (node.get("message") or "").splitlines()[0][:160] if node is not None \
                else ""
            failures.append(f"{name}  {message}")
        elif case.find("skipped") is not None:
            skipped += 1
        else:
            passed += 1
    return passed, failed, skipped, failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", help="gspread source checkout or release tarball")
    parser.add_argument("-k", dest="keyword", help="only tests matching this pytest -k")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    _ensure_test_deps()
    work = Path(tempfile.mkdtemp(prefix="gspread-suite-"))
    try:
        passed, failed, skipped, failures = _run(args, work)
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    import gspread

    total = passed + failed
    print(f"gspread's test suite from {args.suite or f'v{VERSION}'} (gspread "
          f"{gspread.__version__} installed) against the sandbox:")
    print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
    print(f"ratio {passed}/{total} = {passed / total if total else 0:.1%}")
    for line in failures:
        print("  FAILED", line)
    return 0


def _run(args: argparse.Namespace, work: Path) -> tuple[int, int, int, list[str]]:
    from workspace_coach.sandbox.remote import create_tenant_profile
    from workspace_coach.sandbox.server import start

    root = fetch_suite(args.suite, work)
    _unmark_fixtures(root)
    (work / "plugin").mkdir()
    (work / "plugin" / "gspread_sandbox_plugin.py").write_text(textwrap.dedent(PLUGIN))
    sandbox = start(":memory:")
    try:
        profile = create_tenant_profile("gspread-suite.example.kr", work / "tenant",
                                        endpoint=sandbox.url)
        junit = work / "junit.xml"
        env = {
            **os.environ, "GS_RECORD_MODE": "all",
            "GS_CREDS_FILENAME": str((work / "tenant" / profile.credentials).resolve()),
            "GSPREAD_SUITE_SANDBOX": sandbox.url, "GSPREAD_SUITE_SUBJECT": profile.admin,
            "PYTHONPATH": str(work / "plugin"),
        }
        command = [sys.executable, "-m", "pytest", "-q", "-p", "gspread_sandbox_plugin",
                   "-p", "no:cacheprovider", "-o", "addopts=", f"--junitxml={junit}",
                   "-W", "ignore::DeprecationWarning", "tests"]
        if args.keyword:
            command += ["-k", args.keyword]
        subprocess.run(command, check=False, cwd=root, env=env, stdout=subprocess.DEVNULL)
        if not junit.exists():
            raise SystemExit("the suite did not run; rerun with --keep and look in the kept "
                             "directory")
        return _counts(junit)
    finally:
        sandbox.stop()

if __name__ == "__main__":
    sys.exit(main())
