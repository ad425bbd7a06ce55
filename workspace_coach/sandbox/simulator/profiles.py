"""Tenant profiles: the mix of personas that makes a whole organisation.

Personas are handed out in exact proportions (largest remainder), in an order drawn from the
seed, so a 30-person `thriving` tenant always has its 9 champions, never "about 9".
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from workspace_coach.sandbox import errors


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    mix: tuple[tuple[str, float], ...]   # persona name -> share of people
    coaching_boost: float                # multiplies every persona's coachability


PROFILES: dict[str, Profile] = {
    "thriving": Profile(
        "thriving", "A client that took to Workspace: champions in every team, most people "
        "collaborate in shared drives, meet with video and chat; 2SV is the norm.",
        (("champion", 0.35), ("steady", 0.5), ("email_only", 0.1), ("reluctant", 0.05)),
        1.2),
    "struggling": Profile(
        "struggling", "A client still living in email and attachments: few champions, many "
        "email-only and reluctant people, some accounts never used, little 2SV.",
        (("champion", 0.05), ("steady", 0.15), ("email_only", 0.4), ("reluctant", 0.3),
         ("never", 0.1)),
        0.8),
    "mixed": Profile(
        "mixed", "A typical small organisation: a few champions, a solid middle, a tail of "
        "email-only and reluctant people and one or two unused accounts.",
        (("champion", 0.15), ("steady", 0.4), ("email_only", 0.25), ("reluctant", 0.15),
         ("never", 0.05)),
        1.0),
}


def get_profile(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise errors.invalid(f"Unknown profile {name!r}; known: {', '.join(PROFILES)}") from None


def assign_personas(profile: Profile, people: list[str], seed: int) -> dict[str, str]:
    """Persona per person (keyed by a stable name such as the address' local part)."""
    order = sorted(people, key=lambda p: hashlib.sha256(f"{seed}:{p}".encode()).hexdigest())
    total = len(order)
    quotas = [(name, share * total) for name, share in profile.mix]
    counts = {name: int(q) for name, q in quotas}
    left = total - sum(counts.values())
    for name, _ in sorted(quotas, key=lambda x: (-(x[1] - int(x[1])), x[0]))[:left]:
        counts[name] += 1
    out: dict[str, str] = {}
    index = 0
    for name, _ in profile.mix:
        for person in order[index : index + counts[name]]:
            out[person] = name
        index += counts[name]
    return out
