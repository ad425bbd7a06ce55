"""Connection profiles: one YAML file per client organisation.

```yaml
name: haessal                       # slug of the client organisation
domain: haessal.coop.kr
customer: my_customer
admin: admin@haessal.coop.kr        # subject for domain-wide delegation
credentials: service-account.json   # path relative to this file
endpoint: http://127.0.0.1:8765/    # only for the sandbox; absent means live Google
```
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from workspace_coach.errors import ConfigError

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


class ConnectionProfile(BaseModel):
    """How to reach one client organisation's tenant."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="Slug of the client organisation.")
    domain: str
    customer: str = "my_customer"
    admin: str = Field(description="Admin to impersonate with domain-wide delegation.")
    credentials: Path = Field(description="Service-account or authorized-user JSON.")
    endpoint: str | None = Field(default=None, description="Sandbox root URL; absent for Google.")
    display_name: str | None = None
    per_person_insights: bool = Field(
        default=False, description="The client has recorded consent for per-person insights."
    )
    min_group_size: int = Field(default=5, ge=2)
    share_name_in_reports: bool = Field(
        default=False, description="The client lets its name appear in portfolio reports."
    )
    source: Path | None = Field(default=None, exclude=True)

    @field_validator("name")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not SLUG_RE.match(value):
            raise ValueError("must be a slug: lowercase letters, digits and '-'")
        return value

    @field_validator("endpoint")
    @classmethod
    def _endpoint(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not re.match(r"^https?://", value):
            raise ValueError("must start with http:// or https://")
        return value if value.endswith("/") else value + "/"

    @property
    def is_live(self) -> bool:
        return self.endpoint is None

    @property
    def credentials_path(self) -> Path:
        base = self.source.parent if self.source else Path.cwd()
        return self.credentials if self.credentials.is_absolute() else base / self.credentials

    def credentials_kind(self) -> Literal["service_account", "authorized_user"]:
        info = load_credentials_info(self.credentials_path)
        kind = info.get("type")
        if kind not in ("service_account", "authorized_user"):
            raise ConfigError(
                f"{self.credentials_path}: 'type' must be service_account or authorized_user"
            )
        return kind

    def save(self, path: Path) -> None:
        data = self.model_dump(mode="json", exclude_none=True, exclude={"source"})
        if data.get("min_group_size") == 5:
            data.pop("min_group_size")
        if not data.get("share_name_in_reports"):
            data.pop("share_name_in_reports", None)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def load_credentials_info(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: credentials file not found") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not a JSON credentials file ({exc})") from None


def load_profile(path: str | os.PathLike[str] | None = None) -> ConnectionProfile:
    """Read a connection profile; `path` falls back to WC_CONNECTION."""
    raw_path = path or os.environ.get("WC_CONNECTION")
    if not raw_path:
        raise ConfigError("no connection profile: pass --connection PATH or set WC_CONNECTION")
    file = Path(raw_path)
    if file.is_dir():
        file = file / "connection.yaml"
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{file}: connection profile not found") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{file}: not valid YAML ({exc})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{file}: expected a mapping of settings")
    try:
        profile = ConnectionProfile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "(profile)"
        raise ConfigError(f"{file}: {field}: {first['msg']}") from None
    profile.source = file.resolve()
    return profile
