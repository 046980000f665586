"""The author's live headcount of a question, in their language: one line per unit, worst
response rate first, folded to fit one Telegram message.

"North District: I can come 86 (+14) · I need transport 9 · I cannot 12 · not answered
31 · unreachable 2". Choice labels are shown as the author typed them (escaped).
"""

from __future__ import annotations

from collections.abc import Callable

from bot.directives.answers import Headcount
from bot.kit.i18n import Html, Translator, join_html
from storage.answers import Tally
from storage.models import Unit

TELEGRAM_LIMIT = 4096
_MARGIN = 100  # the "…and N more" line that folding leaves room for


def tally_parts(i18n: Translator, language: str, headcount: Headcount, tally: Tally) -> Html:
    """``I can come 86 (+14) · … · not answered 31 · unreachable 2``: every choice, even
    at 0 (the author reads the columns in the same order on every line)."""
    return join_html(" · ", _parts(i18n.t, language, headcount, tally))


def tally_words(i18n: Translator, language: str, headcount: Headcount, tally: Tally) -> list[str]:
    """The same parts as plain text (the dashboard draws them with ``textContent``)."""
    return _parts(i18n.plain, language, headcount, tally)


def _parts(
    word: Callable[..., str], language: str, headcount: Headcount, tally: Tally
) -> list[str]:
    parts: list[str] = []
    for index, choice in enumerate(headcount.question.choices):
        count = tally.choices.get(index)
        members, total = (count.members, count.number_sum) if count else (0, 0)
        if choice.number is not None and total:
            parts.append(
                word(language, "headcount-choice-sum", label=choice.label, count=members, sum=total)
            )
        else:
            parts.append(word(language, "headcount-choice", label=choice.label, count=members))
    parts.append(word(language, "headcount-silent", count=tally.not_answered))
    if tally.unreachable:
        parts.append(word(language, "headcount-unreachable", count=tally.unreachable))
    return parts


def headcount_text(
    i18n: Translator,
    language: str,
    headcount: Headcount,
    *,
    above: str = "",
    limit: int = TELEGRAM_LIMIT,
    closed: str | None = None,
) -> str:
    """The whole message: ``above`` (the delivery line, a directive's heading), the total
    (saying answers ``closed`` at that local time, once they have), then the units,
    folded to at most ``limit`` characters (one Telegram message)."""
    total = headcount.total
    heading = i18n.t(
        language, "headcount-heading-closed" if closed else "headcount-heading",
        answered=total.answered, total=total.recipients, time=closed or "",
        parts=tally_parts(i18n, language, headcount, total),
    )  # fmt: skip

    def line(entry: tuple[Unit, Tally]) -> str:
        unit, tally = entry
        name = (
            i18n.t(language, "summary-own-unit", unit=unit.name)
            if unit.id == headcount.root.id
            else unit.name
        )
        parts = tally_parts(i18n, language, headcount, tally)
        return i18n.t(language, "headcount-line", unit=name, parts=parts)

    top = [above, heading] if above else [heading]
    budget = limit - sum(len(part) + 1 for part in top) - _MARGIN
    lines = i18n.fold(language, headcount.lines, line, chars=budget)
    return "\n".join([*top, *lines])
