"""The activity simulator: believable Workspace adoption for a sandbox tenant.

Personas (`personas.py`) describe how one kind of person uses Workspace; profiles (`profiles.py`)
mix personas into a whole organisation; `engine.py` turns them into audit events, day by day, in
the sandbox's one `events` table; `usage.py` derives Google's usage figures from those same rows,
so activities and usage reports never disagree. `calendar.py` knows Korean public holidays and
`clock.py` the sandbox's notion of "now".
"""

from workspace_coach.sandbox.simulator.engine import SimulationResult, simulate

__all__ = ["SimulationResult", "simulate"]
