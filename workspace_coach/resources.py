"""Where the files that ship with Workspace Coach are: curricula, examples, the dashboard app.

The repository keeps them in its top-level `curricula/`, `examples/` and `dashboards/` folders,
where people edit them; `workspace_coach/` links to each, so a checkout (`pip install -e .`) and
an installed wheel both find them as part of the package, through `importlib.resources`. A coach
can use their own curricula instead with `--curricula DIR` (or WC_CURRICULA).
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

from workspace_coach.errors import UserError

CURRICULA_ENV = "WC_CURRICULA"


def _shipped(name: str) -> Path:
    found = files("workspace_coach").joinpath(name)
    # A wheel installs unpacked; only an unusual importer (a zip) would hand back something else.
    if not isinstance(found, Path) or not found.exists():
        raise UserError(f"Workspace Coach is installed without its {name}/ folder; reinstall "
                        f"it · {name}/ 폴더 없이 설치되어 있습니다. 다시 설치하세요")
    return found


def shipped_curricula() -> Path:
    """The curricula that come with Workspace Coach."""
    return _shipped("curricula")


def curricula(folder: Path | None = None) -> Path:
    """The curricula to use: `folder` if given, else WC_CURRICULA, else the shipped ones."""
    chosen = folder or os.environ.get(CURRICULA_ENV)
    if not chosen:
        return shipped_curricula()
    path = Path(chosen).expanduser()
    if not path.exists():
        raise UserError(f"--curricula {path}: no such file or folder · "
                        "커리큘럼 폴더가 없습니다")
    return path


def examples() -> Path:
    """The example organisations (`examples/<name>/org.yaml` and a roster)."""
    return _shipped("examples")


def dashboard_app() -> Path:
    """The Streamlit script of the coaching dashboard."""
    return _shipped("dashboards") / "app.py"


def use_curricula(folder: Path | None) -> None:
    """Make `folder` the curricula of this process and the ones it starts (the dashboard, and
    the recommendations an audit writes), as WC_CURRICULA would; None keeps what is set."""
    if folder is not None:
        os.environ[CURRICULA_ENV] = str(curricula(folder).resolve())
