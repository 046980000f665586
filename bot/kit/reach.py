"""How people were reached, in words (issue #18): a line's counts per path and its reach
time, one member's path, and a register entry's not on Telegram, for the directive views,
the exports and the summary."""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable
from datetime import timedelta
from typing import TypeVar

from bot.kit.i18n import Html, Translator, join_html
from storage.reach import EntryReach, How, MemberReach, Reached

K = TypeVar("K", bound=Hashable)

# A line's counts, in the order read on every line (dicts keep it).
COUNTS = {
    How.TELEGRAM: "reach-telegram",
    How.EMAIL: "reach-email",
    How.GATEWAY: "reach-gateway",
    How.PHONE: "reach-phone",
    How.UNREACHED: "reach-unreached",
    How.SILENT: "reach-silent",
}
# One member's path (the silent have none).
PATHS = {
    How.TELEGRAM: "reached-telegram",
    How.EMAIL: "reached-email",
    How.GATEWAY: "reached-gateway",
    How.PHONE: "reached-phone",
    How.UNREACHED: "reached-unreached",
}


def reach_parts(i18n: Translator, language: str, reach: Reached) -> Html:
    """``Telegram 40 · email 2 · 📞 phone 3 · not reached 1 · silent 4 · p50 3 min ·
    p90 12 min``: the paths with anyone on them, then the reach time when anyone was."""
    parts: list[str] = [
        i18n.t(language, key, count=reach.counts[how])
        for how, key in COUNTS.items()
        if reach.counts.get(how)
    ]
    if reach.p50 is not None and reach.p90 is not None:
        parts.append(
            i18n.t(
                language,
                "reach-time",
                p50=i18n.duration(language, _rounded(reach.p50)),
                p90=i18n.duration(language, _rounded(reach.p90)),
            )
        )
    return join_html(" · ", parts)


def _rounded(seconds: float) -> timedelta:
    # Whole minutes (storage gives them rounded up); "1 min" reads "within a minute",
    # never "0 min".
    return timedelta(minutes=max(1, math.ceil(round(seconds) / 60)))


def phone_button(i18n: Translator, language: str, name: str, data: str) -> tuple[str, str]:
    """A "📞 Name" button: a secretary's "reached by phone" for one person, in the lists
    of the silent (a directive's) and of the missing (a check-in day's)."""
    return (i18n.plain(language, "phone-button", name=name), data)


def reached_word(i18n: Translator, language: str, found: MemberReach | None) -> str:
    """One member's path, plain text (a cell, a drill-down line's tail): "phone (on
    behalf by Sue)", "not reached: no answer"; empty while silent."""
    if found is None or found.how is How.SILENT:
        return ""
    return i18n.plain(
        language,
        PATHS[found.how],
        by=found.by or "—",
        note=found.note or "",
        given=int(bool(found.note)),
    )


def entry_words(i18n: Translator, language: str, entry: EntryReach) -> tuple[str, str]:
    """A register entry's two cells, plain text: "not on Telegram" (or "joined after it
    was sent"), and how the fallback reached them: "email sent", "SMS — acknowledged by
    code", "not reached: no address" … Never an address."""
    telegram = "entry-joined-later" if entry.joined else "entry-not-on-telegram"
    how = i18n.plain(
        language,
        "entry-reached",
        state=entry.state.value,
        channel=entry.channel or "",
        answered=int(entry.choice is not None),
    )
    return i18n.plain(language, telegram), how


def entry_counts(words: Iterable[tuple[K, str]]) -> dict[K, dict[str, int]]:
    """How many entries each way, per unit, from (unit, how) as the rows word them: the
    figures shown are the rows counted, so they cannot disagree."""
    counts: dict[K, dict[str, int]] = {}
    for unit, how in words:
        per = counts.setdefault(unit, {})
        per[how] = per.get(how, 0) + 1
    return counts
