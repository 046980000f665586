"""``/directives`` for a question (issue #16): its headcount per unit within the viewer's
scope, each unit's button drilling down to who answered what, page by page."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.directives import buttons as b
from bot.directives.answers import Headcount
from bot.directives.asking import closing
from bot.directives.headcount import TELEGRAM_LIMIT, headcount_text, tally_parts
from bot.directives.onbehalf import phone_rows
from bot.kit.i18n import Html, first_words, join_html
from bot.kit.reach import entry_counts, entry_words, reach_parts, reached_word
from bot.org.authz import Action, PermissionDeniedError, can
from handlers.directives.chosen import follow_up_rows
from handlers.kit.common import Buttons, MusterApp, MusterContext, Reply, actor_of
from handlers.kit.pickers import page_of, paged, turns
from storage.answers import MemberAnswer
from storage.directives import Directive
from storage.models import Unit
from storage.reach import EntryReach, How, Lines, MemberReach, Reached

DETAIL_WORDS = 200  # characters of the directive's opening, as in its plain detail
NAMES = 20  # members a page: a phone screen of lines
REACH_SHOWN = 10  # units in "How they were reached" before "…and N more"
ENTRIES_SHOWN = 10  # register entries not on Telegram listed before "…and N more"


def reach_block(reply: Reply, lines: Sequence[tuple[Unit, Reached | None]]) -> Html:
    """ "How they were reached", a line per unit: its paths and its reach time."""
    i18n = reply.context.services.i18n
    worded = [
        reply.t("watch-reach-unit", unit=unit.name, parts=reach_parts(i18n, reply.language, reach))
        for unit, reach in lines
        if reach is not None
    ]
    if not worded:
        return Html("")
    kept = reply.fold(worded, lambda line: line, count=REACH_SHOWN)
    return join_html("\n", [reply.t("watch-reach"), *kept])


def entries_block(reply: Reply, entries: Sequence[EntryReach]) -> Html:
    """ "Not on Telegram": the register entries of its audience who are not recipients,
    counted per unit by how the fallback reached them, then one line each (the first
    few); the counts are those lines counted. Names and units only, never an address."""
    if not entries:
        return Html("")
    i18n = reply.context.services.i18n
    worded = [(entry, *entry_words(i18n, reply.language, entry)) for entry in entries]
    units = [
        reply.t("watch-entries-unit", unit=unit.name, parts=join_html(" · ", [
            reply.t("watch-entries-part", how=how, count=count) for how, count in ways.items()
        ]))
        for unit, ways in entry_counts((entry.unit, how) for entry, _, how in worded).items()
    ]  # fmt: skip
    people = reply.fold(
        worded,
        lambda row: reply.t(
            "watch-entries-person",
            name=row[0].name,
            unit=row[0].unit.name,
            telegram=row[1],
            how=row[2],
        ),
        count=ENTRIES_SHOWN,
    )
    shown = reply.fold(units, lambda line: line, count=REACH_SHOWN)
    return join_html("\n", [reply.t("watch-entries", count=len(entries)), *shown, *people])


def _button(reply: Reply, headcount: Headcount, unit: Unit) -> tuple[str, str]:
    """A line's drill-down: the root's line lists its own members, another its subtree."""
    own = unit.id == headcount.root.id
    name = reply.label("summary-own-unit", unit=unit.name) if own else unit.name
    payload = b.WhoAnswered(headcount.directive.id, unit.id, own, 0)
    return reply.label("watch-answers-button", unit=name), payload.pack()


async def question_detail(
    reply: Reply,
    directive: Directive,
    heading: Html,
    actions: Buttons,
    page: int = 0,
    below: str = "",
) -> tuple[str, Buttons]:
    """``heading`` (who from, when, the text, the delivery status) over the headcount of
    each of the viewer's units and how they were reached, then ``below``; a button per
    unit (paged), then ``actions``."""
    actor = await actor_of(reply.update, reply.context)
    services = reply.context.services
    counts = await services.answers.visible(actor, directive)
    share = TELEGRAM_LIMIT // max(1, len(counts))  # rarely more than one: the viewer's units
    closed = None  # once answers closed: when, in the viewer's time
    if services.answers.closed(directive):
        closed = closing(directive, await services.directives.author_zone(actor))
    texts = [
        headcount_text(services.i18n, reply.language, count, above=heading if n == 0 else "",
                       limit=share, closed=closed)
        for n, count in enumerate(counts)
    ]  # fmt: skip
    for count in counts:  # how each line's members were reached, and how fast
        reach = await services.on_behalf.lines(directive.id, count.root.path, Lines.BELOW)
        block = reach_block(reply, [(unit, reach.get(unit.path)) for unit, _ in count.lines])
        if block:
            texts.append(block)
    if below:
        texts.append(below)
    lines = [(count, unit) for count in counts for unit, _ in count.lines]
    rows = paged(
        lines,
        page,
        button=lambda line: _button(reply, *line),
        turn=lambda n: b.HeadcountPage(directive.id, n),
        previous=reply.t("button-previous"),
        more=reply.t("button-more"),
    )
    return "\n\n".join(texts) or heading, [*rows, *actions]


def _member(
    reply: Reply, headcount: Headcount, person: MemberAnswer, reached: dict[int, MemberReach]
) -> str:
    """``• Ann — I can come (5) · 06:12: “reason”``, ``• Bo — not answered``; a member of
    a unit below the listed one with that unit's name."""
    name = person.name
    if person.unit_id != headcount.root.id:
        name = reply.label("watch-answer-name-unit", name=name, unit=person.unit_name)
    answer = person.answer
    # Reached other than on Telegram (phone, a fallback channel, not at all): said after.
    how = reached.get(person.member_id)
    tail = "" if how is None or how.how is How.TELEGRAM else (
        reached_word(reply.context.services.i18n, reply.language, how))  # fmt: skip
    if answer is None:
        key = "watch-answer-unreachable" if person.unreachable else "watch-answer-silent"
        line = reply.t(key, name=name)
        return join_html(" · ", [line, tail]) if tail and not person.unreachable else line
    zone = reply.context.services.settings.zone
    line = reply.t(
        "watch-answer-member",
        name=name,
        choice=headcount.question.choices[answer.choice].label,
        number=-1 if answer.number is None else answer.number,
        time=answer.at.astimezone(zone).strftime("%H:%M"),
        reason=answer.reason or "",
        given=int(answer.reason is not None),
    )
    return join_html(" · ", [line, tail]) if tail else line


async def who_answered(update: Update, context: MusterContext) -> None:
    reply = await Reply.to(update, context)
    pressed = reply.pressed(b.WhoAnswered)
    actor = await actor_of(update, context)
    services = context.services
    try:
        found = await services.answers.members(
            actor, pressed.directive, pressed.unit, own=pressed.own
        )
    except PermissionDeniedError:
        await reply.toast("access-denied")
        return
    if found is None:
        await reply.toast("button-stale")
        return
    headcount, people = found
    root = headcount.root
    # The root's own line, or (for a unit's whole subtree) the headcount's total.
    own = next((t for u, t in headcount.lines if u.id == root.id), None)
    tally = own if pressed.own else headcount.total
    page = page_of(len(people), pressed.page, NAMES)
    shown = people[page * NAMES : (page + 1) * NAMES]
    reached = await services.on_behalf.members(pressed.directive)
    lines = [_member(reply, headcount, person, reached) for person in shown]
    name = reply.label("summary-own-unit", unit=root.name) if pressed.own else root.name
    text = reply.t(
        "watch-answers",
        unit=name,
        text=first_words(headcount.directive.text, DETAIL_WORDS // 4),
        parts=tally_parts(services.i18n, reply.language, headcount, tally) if tally else "",
        lines=join_html("\n", lines) or "—",
        first=page * NAMES + 1 if shown else 0,
        last=page * NAMES + len(shown),
        total=len(people),
    )
    nav = turns(
        len(people),
        page,
        turn=lambda n: b.WhoAnswered(pressed.directive, pressed.unit, pressed.own, n),
        previous=reply.t("button-previous"),
        more=reply.t("button-more"),
        size=NAMES,
    )
    # The viewer's own members who have not answered: "📞 Reached by phone", each.
    phone: Buttons = []
    if services.on_behalf.may_record(actor, root):
        silent = [(p.member_id, p.name) for p in shown if p.answer is None]
        phone = phone_rows(services.i18n, reply.language, pressed.directive, silent)
    back = [(reply.t("watch-answers-back"), b.OpenDirective(pressed.directive).pack())]
    # A unit below the root: message those who chose an answer there (the root's own
    # line leaves that to the detail's buttons, which cover the whole root).
    follow = [] if pressed.own or not can(actor, Action.SEND_DIRECTIVE, root) else (
        follow_up_rows(reply, headcount.directive, root, drilled=True))  # fmt: skip
    await reply.toast("")
    await reply.edit_text(text, [*phone, *([nav] if nav else []), *follow, back])


def register(app: MusterApp) -> None:
    app.add_handler(CallbackQueryHandler(who_answered, pattern=b.WhoAnswered.pattern))
