"""Find a track's curriculum file by its id and load it, refusing a file lint would refuse."""

from __future__ import annotations

from pathlib import Path

from workspace_coach import resources
from workspace_coach.curriculum.lint import lint
from workspace_coach.curriculum.schema import Curriculum
from workspace_coach.errors import UserError


def available_tracks(folder: Path | None = None) -> dict[str, Curriculum]:
    """{track id: curriculum} of every clean file in `folder` (see `resources.curricula`)."""
    loaded, _ = lint([resources.curricula(folder)])
    return {entry.curriculum.id: entry.curriculum for entry in loaded
            if entry.curriculum is not None and not entry.problems}


def load_track(track: str, folder: Path | None = None) -> Curriculum:
    """The curriculum with id `track`; a one-line error naming the problem otherwise."""
    loaded, problems = lint([resources.curricula(folder)])
    for entry in loaded:
        if entry.curriculum is not None and entry.curriculum.id == track:
            if entry.problems:
                raise UserError(f"{entry.problems[0]} (run `workspace-coach curriculum lint`)")
            return entry.curriculum
    known = sorted(e.curriculum.id for e in loaded if e.curriculum is not None)
    if problems and not known:
        raise UserError(str(problems[0]))
    raise UserError(f"no track '{track}' (known: {', '.join(known) or 'none'})")
