"""Sandbox tenants set up to fail the way a real connection fails."""

from __future__ import annotations

import itertools
import json
import os
import secrets
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from typer.testing import CliRunner

from workspace_coach.cli.main import app
from workspace_coach.sandbox.remote import create_tenant_profile

_numbers = itertools.count(1)


def new_tenant(sandbox, tmp_path: Path, **options) -> Path:
    """A tenant of its own domain; returns the folder holding its connection.yaml."""
    number = next(_numbers)
    domain = f"conn{number}-{os.getpid()}.example.kr"
    if options.get("non_admin_subject"):
        options["non_admin_subject"] = f"{options['non_admin_subject']}@{domain}"
    folder = tmp_path / f"client{number}"
    create_tenant_profile(domain, folder, endpoint=sandbox.url, **options)
    return folder


def key_info(folder: Path) -> dict:
    return json.loads((folder / "service-account.json").read_text(encoding="utf-8"))


def replace_key_with_unknown_one(folder: Path) -> None:
    """A key of the same service account that the sandbox never issued (deleted, or another
    project's)."""
    info = key_info(folder)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    info["private_key"] = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()).decode()
    info["private_key_id"] = secrets.token_hex(20)
    (folder / "service-account.json").write_text(json.dumps(info), encoding="utf-8")


@pytest.fixture
def check_cli():
    runner = CliRunner()

    def invoke(folder: Path, *extra: str):
        return runner.invoke(app, ["connection", "check", "--connection", str(folder), *extra])

    return invoke
