"""The ``[directives]`` section's escalation ladder (issue #18): how the silent are chased
after a directive with a deadline goes out, step by step."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from bot.kit.durations import Duration, format_duration


class StepKind(StrEnum):
    REMIND = "remind"  # the silent members themselves, again
    SECRETARIES = "secretaries"  # each nearest secretary: their own silent members, by name
    COORDINATORS = "coordinators"  # the coordinators above: units under ``below``, counts only
    FALLBACK = "fallback"  # the fallback channels (bot/fallback/), through Services


class LadderStep(BaseModel):
    """One rung: ``step`` at ``after`` from when the directive started sending."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    after: Duration
    step: StepKind
    # A coordinators step: the units whose response rate is under this (0.8: under 80%).
    below: float | None = Field(default=None, gt=0, le=1)


def ladder_problems(ladder: list[LadderStep] | None, *, fallback: bool) -> list[str]:
    """``key: problem`` for a ladder that cannot run: steps out of order, ``below`` on a
    step that lists no units, a fallback step with no fallback channel (``fallback``)."""
    problems: list[str] = []
    before: timedelta | None = None
    for index, rung in enumerate(ladder or []):
        key = f"directives.ladder[{index}]"
        if before is not None and rung.after <= before:
            problems.append(
                f"{key}.after: {format_duration(rung.after)} is not after the step before it"
                f" ({format_duration(before)}); list the steps in the order they run"
            )
        before = rung.after
        if rung.below is not None and rung.step is not StepKind.COORDINATORS:
            problems.append(f"{key}.below: only a coordinators step lists units under a rate")
        if rung.step is StepKind.FALLBACK and not fallback:
            problems.append(f"{key}.step: no fallback channel is configured")
    return problems
