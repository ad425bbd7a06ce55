"""Initial passwords: generated with `secrets` (or taken from the roster), sent only as SHA-512
crypt hashes, and handed to the admin in files only they can read.

SHA-512 crypt (`$6$rounds=N$salt$hash`) is implemented here from Drepper's specification,
because the `crypt` module is deprecated and gone in Python 3.13 and Google's `hashFunction:
crypt` accepts it with up to 10,000 rounds.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import os
import secrets
import string
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from workspace_coach.safe_text import safe_cell

ROUNDS = 5_000
_ITOA = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_ORDER = [(0, 21, 42), (22, 43, 1), (44, 2, 23), (3, 24, 45), (25, 46, 4), (47, 5, 26),
          (6, 27, 48), (28, 49, 7), (50, 8, 29), (9, 30, 51), (31, 52, 10), (53, 11, 32),
          (12, 33, 54), (34, 55, 13), (56, 14, 35), (15, 36, 57), (37, 58, 16), (59, 17, 38),
          (18, 39, 60), (40, 61, 19), (62, 20, 41)]
ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")


def _repeat(digest: bytes, length: int) -> bytes:
    return (digest * (length // 64 + 1))[:length]


def sha512_crypt(password: str, salt: str | None = None, rounds: int = ROUNDS) -> str:
    """`$6$rounds=N$salt$hash` for `password` (salt: up to 16 of [./A-Za-z0-9])."""
    if salt is None:
        salt = "".join(secrets.choice(_ITOA) for _ in range(16))
    salt = salt[:16]
    rounds = max(1000, min(rounds, 999_999_999))
    pw = password.encode("utf-8")
    sb = salt.encode("ascii")
    b = hashlib.sha512(pw + sb + pw).digest()
    a = hashlib.sha512(pw + sb + _repeat(b, len(pw)))
    n = len(pw)
    while n:
        a.update(b if n & 1 else pw)
        n >>= 1
    a_digest = a.digest()
    dp = hashlib.sha512(pw * len(pw)).digest()
    p = _repeat(dp, len(pw))
    ds = hashlib.sha512(sb * (16 + a_digest[0])).digest()
    s = _repeat(ds, len(sb))
    c = a_digest
    for i in range(rounds):
        h = hashlib.sha512(p if i & 1 else c)
        if i % 3:
            h.update(s)
        if i % 7:
            h.update(p)
        h.update(c if i & 1 else p)
        c = h.digest()
    out = []
    for x, y, z in _ORDER:
        value = (c[x] << 16) | (c[y] << 8) | c[z]
        out.append("".join(_ITOA[(value >> (6 * k)) & 63] for k in range(4)))
    value = c[63]
    out.append(_ITOA[value & 63] + _ITOA[(value >> 6) & 63])
    return f"$6$rounds={rounds}${salt}${''.join(out)}"


def generate_password(length: int = 14) -> str:
    """A random password from letters and digits without look-alikes (0/O, 1/l/I)."""
    while True:
        pw = "".join(secrets.choice(ALPHABET) for _ in range(length))
        if any(c.isdigit() for c in pw) and any(c.isupper() for c in pw) and any(
                c.islower() for c in pw):
            return pw


@dataclass
class Credential:
    email: str
    name: str
    english_name: str
    password: str = field(repr=False)


def _private_write(path: Path, data: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8-sig" if path.suffix == ".csv" else "utf-8",
                   newline="") as handle:
        handle.write(data)
    os.chmod(path, 0o600)


class CredentialStore:
    """Appends each initial password (before the insert is sent) to a 0600 CSV; a resumed apply
    keeps adding to the same file, and the last row per address is the one that counts."""

    HEADER = ["email", "name", "english_name", "initial_password", "status"]

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def add(self, cred: Credential, status: str = "") -> None:
        with self._lock:
            self._add(cred, status)

    def _add(self, cred: Credential, status: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        new = not self.path.exists()
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            if new:
                writer.writerow(self.HEADER)
            writer.writerow([safe_cell(cred.email), safe_cell(cred.name),
                             safe_cell(cred.english_name), safe_cell(cred.password), status])
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(self.path, 0o600)

    def void(self, cred: Credential) -> None:
        """The insert carrying this password did not create the user: forget the password."""
        self.add(cred, "void")

    def read(self) -> dict[str, Credential]:
        """The password that counts per address: the last one written and not voided."""
        if not self.path.exists():
            return {}
        rows: dict[str, list[Credential]] = {}
        with self.path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                cred = Credential(row["email"], row["name"], row["english_name"],
                                  row["initial_password"])
                kept = rows.setdefault(row["email"], [])
                if row.get("status") == "void":
                    kept[:] = [c for c in kept if c.password != cred.password]
                else:
                    kept.append(cred)
        return {email: creds[-1] for email, creds in rows.items() if creds}

    def write_slips(self, path: Path, emails: Iterable[str], domain: str) -> int:
        """Printable per-person slips (Korean and English) for the given addresses."""
        creds = self.read()
        chosen = [creds[e] for e in emails if e in creds]
        _private_write(path, slips_html(chosen, domain))
        return len(chosen)


def slips_html(creds: list[Credential], domain: str) -> str:
    parts = [("<!doctype html><html lang='ko'><meta charset='utf-8'><title>계정 안내 · Account "
             "slips</title><style>body{font-family:sans-serif}.slip{border:1px dashed #888;"
             "padding:1em;margin:1em 0;page-break-inside:avoid}code{font-size:1.2em}</style>")]
    for c in creds:
        e = html.escape
        parts.append(
            f"<div class='slip'><h2>{e(c.name)} {('· ' + e(c.english_name)) if c.english_name else ''}"
            f"</h2><p>Google Workspace 계정이 만들어졌습니다 · Your Google Workspace account is "
            f"ready ({e(domain)}).</p><p>주소 · Address: <code>{e(c.email)}</code><br>"
            f"임시 비밀번호 · Initial password: <code>{e(c.password)}</code></p>"
            "<p>https://accounts.google.com 에서 로그인하면 새 비밀번호를 정하게 됩니다. "
            "이 종이는 로그인 후 파기하세요.<br>Sign in at https://accounts.google.com; you "
            "will be asked to choose a new password. Destroy this slip afterwards.</p></div>")
    parts.append("</html>")
    return "".join(parts)


def results_csv(rows: list[list[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return out.getvalue()
