"""The demo's organisation, people and script, decided before anything runs.

Everything here is pure and seeded: the same seed and size always give the same day. The
plan is the scenario's ground truth: the end-to-end test derives every number it expects
from it, never from the bot.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, time, timedelta
from enum import StrEnum

from bot.kit.i18n import LANGUAGES
from storage.models import Role

DAY = date(2026, 11, 30)  # a Monday: check-ins are expected
EVE = DAY - timedelta(days=1)  # a Sunday: no check-in, people join in the evening
ZONE = "Asia/Shanghai"
SHIFT_START, SHIFT_END = time(9, 0), time(13, 0)
DEADLINE = time(12, 0)  # the directive's acknowledgement deadline
MIN_MEMBERS = 35  # five per branch: two on duty, two to cover, one to spare
FIRST_TELEGRAM_ID = 70_000_001
CENTRE = (31.2304, 121.4737)
RADIUS_M = 500
FAR_M = 2_000  # where the member who starts "far from the grid" stands
WEAK_BRANCH = "N-2"


class Checkin(StrEnum):
    ON_TIME = "on_time"  # before the 09:00 reminder
    LATE = "late"  # from the 09:00 reminder's button
    EVENING = "evening"  # from the 18:00 reminder's button
    NEVER = "never"


class Ack(StrEnum):
    PROMPT = "prompt"  # within the hour
    LATE = "late"  # from the reminder sent at the deadline
    NEVER = "never"


class Fate(StrEnum):
    """What becomes of a shift."""

    DONE = "done"  # confirmed when asked, started, ended with a report
    LATE_CONFIRM = "late_confirm"  # confirmed after the reminder
    DECLINED_COVERED = "declined_covered"  # declined with a reason; a member takes it
    UNCONFIRMED_COVERED = "unconfirmed_covered"  # silent until the cut-off; a member takes it
    DECLINED_UNCOVERED = "declined_uncovered"  # declined; nobody takes it
    NO_SHOW = "no_show"  # confirmed, never started


# One of each, spread over the branches; every other shift is DONE.
FATES = (
    Fate.DECLINED_COVERED,
    Fate.LATE_CONFIRM,
    Fate.UNCONFIRMED_COVERED,
    Fate.DECLINED_UNCOVERED,
    Fate.NO_SHOW,
)
COVERED = (Fate.DECLINED_COVERED, Fate.UNCONFIRMED_COVERED)
WORKED = (Fate.DONE, Fate.LATE_CONFIRM, *COVERED)


@dataclass(frozen=True, slots=True)
class UnitPlan:
    code: str
    name: str
    parent: str | None

    @property
    def is_branch(self) -> bool:
        return "-" in self.code


@dataclass(frozen=True, slots=True)
class GridPlan:
    code: str
    name: str
    unit: str
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class PersonPlan:
    telegram_id: int
    first_name: str
    last_name: str | None
    language: str
    unit: str
    role: Role
    blocks: bool = False  # blocks the bot on Monday 06:30
    leave: bool = False  # records leave for Monday on Sunday evening
    checkin: Checkin = Checkin.ON_TIME
    answer: str | None = "post"  # the check-in choice: post, sick (excused), problem (flag)
    ack: Ack = Ack.PROMPT

    @property
    def name(self) -> str:
        """As Telegram shows it, and so as the bot stores it."""
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name

    @property
    def checks_in(self) -> bool:
        return not self.blocks and not self.leave and self.checkin is not Checkin.NEVER

    @property
    def acks(self) -> bool:
        return not self.blocks and self.ack is not Ack.NEVER


@dataclass(frozen=True, slots=True)
class ShiftPlan:
    grid: str
    holder: int  # Telegram id of the member it is assigned to
    fate: Fate
    cover: int | None = None  # who takes it when it is offered
    too_late: int | None = None  # presses "Take this shift" after it was taken
    incident: bool = False  # the member on duty reports an incident
    far: bool = False  # starts duty far from the grid

    @property
    def worker(self) -> int | None:
        """Who is on duty in the end."""
        if self.fate in COVERED:
            return self.cover
        return self.holder if self.fate in WORKED else None


@dataclass(frozen=True, slots=True)
class Words:
    """What the script's people type, in the demo's language."""

    org: str
    directive: str
    decline: str
    incident: str
    notes: str


WORDS = {
    "en": Words(
        org="Riverside Volunteers",
        directive=(
            "Heavy rain tonight: walk your grid, check the drains and sandbags, and tell "
            "your secretary about anything blocked."
        ),
        decline="My daughter is in hospital, sorry.",
        incident="Fallen tree across the road, traffic diverted.",
        notes="All quiet.",
    ),
    "zh": Words(
        org="河滨志愿者",
        directive="今晚有大雨：请巡查本网格，检查排水口和沙袋，发现堵塞立即报告书记。",
        decline="女儿住院，抱歉。",
        incident="路边大树倒下，交通已绕行。",
        notes="一切正常。",
    ),
}

_UNIT_NAMES = {
    "en": {
        "CITY": "City Committee",
        "N": "North District",
        "S": "South District",
        "E": "East District",
        "branch": "{district} Branch {n}",
    },
    "zh": {
        "CITY": "市委员会",
        "N": "北区",
        "S": "南区",
        "E": "东区",
        "branch": "{district}第{n}支部",
    },
}
_BRANCHES = {"N": 3, "S": 2, "E": 2}
_STREETS = {
    "en": ["Elm Street", "Oak Road", "Mill Lane", "Bridge Row", "Hill Walk", "Canal Side",
           "Station Road", "Market Square", "Orchard Way", "Church Lane", "Park Avenue",
           "River View", "School Road", "Well Street", "Harbour Lane", "Garden Court"],
    "zh": ["榆树街", "橡树路", "磨坊巷", "桥头街", "山坡道", "运河边", "车站路", "市场广场",
           "果园路", "教堂巷", "公园大道", "河景路", "学校路", "水井街", "港湾巷", "花园里"],
}  # fmt: skip
_FIRST = {
    "en": ["Ann", "Ben", "Cara", "Dan", "Eve", "Finn", "Gail", "Hugo", "Iris", "Jack", "Kate",
           "Liam", "Mia", "Noah", "Olive", "Paul", "Quinn", "Rose", "Sam", "Tess", "Umar",
           "Vera", "Will", "Xena", "Yara", "Zack", "Alma", "Bram", "Cleo", "Dora", "Eli",
           "Faye", "Gus", "Hana", "Ivan", "Jade", "Kai", "Lena", "Milo", "Nina"],
    "zh": ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰",
           "娟", "涛", "明", "超", "秀英", "霞", "平", "刚", "桂英", "建华", "文", "华",
           "红", "玉兰", "鑫", "斌", "宇", "浩", "凯", "秀兰", "婷", "雪", "琳", "晨",
           "欣", "博", "萍"],
}  # fmt: skip
_LAST = {
    "en": ["Adams", "Baker", "Clark", "Davis", "Evans", "Fox", "Green", "Hall", "Irwin",
           "Jones", "King", "Lee", "Moore", "Nash", "Owen", "Price", "Reid", "Shaw",
           "Turner", "Vance", "Walsh", "Young", "Zhou", "Wong", "Chen", "Lin", "Hart",
           "Ford", "Lowe", "Marsh", "Noble", "Park", "Quill", "Rowe", "Stone", "Tate",
           "Webb", "York", "Blake", "Cole"],
    "zh": ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马",
           "朱", "胡", "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许",
           "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋",
           "蔡"],
}  # fmt: skip


@dataclass(frozen=True)
class Plan:
    seed: int
    language: str
    units: tuple[UnitPlan, ...]
    grids: tuple[GridPlan, ...]
    people: tuple[PersonPlan, ...]
    shifts: tuple[ShiftPlan, ...]
    words: Words
    _by_id: dict[int, PersonPlan] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_id.update((p.telegram_id, p) for p in self.people)

    def person(self, telegram_id: int) -> PersonPlan:
        return self._by_id[telegram_id]

    def unit(self, code: str) -> UnitPlan:
        return next(u for u in self.units if u.code == code)

    @property
    def root(self) -> UnitPlan:
        return next(u for u in self.units if u.parent is None)

    @property
    def author(self) -> PersonPlan:
        """The city committee's secretary: writes the directive."""
        return self.staff(self.root.code, Role.SECRETARY)

    def staff(self, unit: str, role: Role) -> PersonPlan:
        return next(p for p in self.people if p.unit == unit and p.role is role)

    @property
    def members(self) -> list[PersonPlan]:
        """Branch members: everyone but the committees' secretaries and coordinators."""
        return [p for p in self.people if p.role is Role.MEMBER]

    def subtree(self, code: str) -> set[str]:
        """The unit's code and those of every unit below it."""
        found = {code}
        for unit in self.units:  # parents come before their children
            if unit.parent in found:
                found.add(unit.code)
        return found

    def within(self, code: str) -> list[PersonPlan]:
        inside = self.subtree(code)
        return [p for p in self.people if p.unit in inside]

    def secretary_for(self, unit: str) -> PersonPlan:
        """A branch has no secretary of its own: its district's secretary is the nearest."""
        plan = self.unit(unit)
        district = plan.parent if plan.is_branch and plan.parent else unit
        return self.staff(district, Role.SECRETARY)

    def grid(self, code: str) -> GridPlan:
        return next(g for g in self.grids if g.code == code)

    @property
    def recipients(self) -> list[PersonPlan]:
        """Who the directive (to the whole organisation) goes to: all but its author."""
        return [p for p in self.people if p.telegram_id != self.author.telegram_id]


def make_plan(members: int, seed: int, language: str) -> Plan:
    """The organisation and the day for ``members`` branch members (staff come on top)."""
    if members < MIN_MEMBERS:
        raise ValueError(f"--members must be at least {MIN_MEMBERS}")
    if language not in LANGUAGES:
        raise ValueError(f"--language must be one of {', '.join(LANGUAGES)}")
    rng = random.Random(seed)
    units = _units(language)
    branches = [u.code for u in units if u.is_branch]
    names = _names(rng, language, members + 2 * (len(units) - len(branches)))
    ids = iter(range(FIRST_TELEGRAM_ID, FIRST_TELEGRAM_ID + len(names)))
    other = LANGUAGES[1 - LANGUAGES.index(language)]
    staff = [
        PersonPlan(next(ids), *names.pop(), language, unit.code, role)
        for unit in units
        if not unit.is_branch
        for role in (Role.SECRETARY, Role.COORDINATOR)
    ]
    # A few members read the other language: every message is worded per reader.
    people = [
        PersonPlan(
            next(ids),
            *names.pop(),
            other if rng.random() < 0.1 else language,
            branches[index % len(branches)],
            Role.MEMBER,
        )
        for index in range(members)
    ]
    grids = _grids(units, language)
    shifts, busy = _shifts(rng, grids, people)
    people = _behaviours(rng, people, busy)
    return Plan(seed, language, units, grids, (*staff, *people), shifts, WORDS[language])


def _units(language: str) -> tuple[UnitPlan, ...]:
    names = _UNIT_NAMES[language]
    units = [UnitPlan("CITY", names["CITY"], None)]
    units += [UnitPlan(d, names[d], "CITY") for d in _BRANCHES]
    for district, count in _BRANCHES.items():
        units += [
            UnitPlan(
                f"{district}-{n}", names["branch"].format(district=names[district], n=n), district
            )
            for n in range(1, count + 1)
        ]
    return tuple(units)


def _names(rng: random.Random, language: str, count: int) -> list[tuple[str, str | None]]:
    """Distinct (first, last) names; Chinese names are one word, family name first."""
    pairs = [(f, s) for f in _FIRST[language] for s in _LAST[language]]
    if count > len(pairs):
        pairs += [(f"{f}{n}", s) for n in range(2, 2 + count // len(pairs)) for f, s in pairs]
    chosen = rng.sample(pairs, count)
    if language == "zh":
        return [(f"{last}{first}", None) for first, last in chosen]
    return [(first, last) for first, last in chosen]


def _grids(units: Sequence[UnitPlan], language: str) -> tuple[GridPlan, ...]:
    """Two grids per branch, and a third in the first branch that nobody is rostered on."""
    streets = iter(_STREETS[language] * 4)
    grids = []
    for index, unit in enumerate(u for u in units if u.is_branch):
        count = 3 if index == 0 else 2
        for n in range(1, count + 1):
            lat = CENTRE[0] + 0.02 * index
            lon = CENTRE[1] + 0.02 * n
            grids.append(GridPlan(f"{unit.code}-G{n}", next(streets), unit.code, lat, lon))
    return tuple(grids)


def _shifts(
    rng: random.Random, grids: Sequence[GridPlan], people: Sequence[PersonPlan]
) -> tuple[tuple[ShiftPlan, ...], set[int]]:
    """One shift on each grid but the spare one; the unusual fates go to different
    branches. Returns the shifts and everyone with a part in them."""
    pools: dict[str, list[int]] = {}
    for person in people:
        pools.setdefault(person.unit, []).append(person.telegram_id)
    for pool in pools.values():
        rng.shuffle(pool)
    rostered = [g for g in grids if not g.code.endswith("-G3")]
    # First grids of every branch first, so the fates fall in different branches.
    order = sorted(rostered, key=lambda g: (g.code[-1], g.code))
    fates = list(FATES) + [Fate.DONE] * (len(order) - len(FATES))
    busy: set[int] = set()
    shifts = []
    done = 0
    for grid, fate in zip(order, fates, strict=True):
        pool = pools[grid.unit]
        holder = pool.pop()
        cover = pool.pop() if fate in COVERED else None
        too_late = pool.pop() if fate is Fate.DECLINED_COVERED else None
        busy.update(p for p in (holder, cover, too_late) if p is not None)
        if fate is Fate.DONE:
            done += 1
        shifts.append(
            ShiftPlan(
                grid.code,
                holder,
                fate,
                cover=cover,
                too_late=too_late,
                incident=fate is Fate.DONE and done == 1,
                far=fate is Fate.DONE and done == 2,
            )
        )
    shifts.sort(key=lambda s: s.grid)
    return tuple(shifts), busy


def _share(count: int, part: float) -> int:
    return max(1, round(count * part))


def _take(rng: random.Random, pool: list[PersonPlan], count: int) -> list[PersonPlan]:
    """``count`` people (or all there are) out of ``pool``, removed from it, chosen by the
    seed."""
    chosen = rng.sample(pool, min(count, len(pool)))
    for person in chosen:
        pool.remove(person)
    return chosen


def _behaviours(
    rng: random.Random, people: Sequence[PersonPlan], busy: set[int]
) -> list[PersonPlan]:
    """Who blocks the bot, takes leave, checks in when and how, acknowledges when. Nobody
    with a part in the roster blocks the bot or is on leave."""
    free = [p for p in people if p.telegram_id not in busy]
    blocks = {p.telegram_id for p in _take(rng, free, _share(len(people), 0.02))}
    leave = {p.telegram_id for p in _take(rng, free, _share(len(people), 0.05))}
    active = [p for p in people if p.telegram_id not in blocks | leave]
    # One branch struggles: most of its members never check in, so the summaries have a
    # clear worst unit to put first.
    weak = [p for p in active if p.unit == WEAK_BRANCH]
    checkin = {p.telegram_id: Checkin.NEVER for p in _take(rng, weak, _share(len(weak), 0.6))}
    active = [p for p in active if p.telegram_id not in checkin]
    for kind, part in ((Checkin.LATE, 0.15), (Checkin.EVENING, 0.05), (Checkin.NEVER, 0.05)):
        checkin.update((p.telegram_id, kind) for p in _take(rng, active, _share(len(people), part)))
    checking = [p for p in people if checkin.get(p.telegram_id) is not Checkin.NEVER]
    checking = [p for p in checking if p.telegram_id not in blocks | leave]
    answers: dict[int, str] = {}
    for answer, part in (("sick", 0.05), ("problem", 0.04)):
        answers.update(
            (p.telegram_id, answer) for p in _take(rng, checking, _share(len(people), part))
        )
    reachable = [p for p in people if p.telegram_id not in blocks]
    acks: dict[int, Ack] = {}
    for ack, part in ((Ack.LATE, 0.12), (Ack.NEVER, 0.12)):
        acks.update((p.telegram_id, ack) for p in _take(rng, reachable, _share(len(people), part)))
    out = []
    for person in people:
        key = person.telegram_id
        kind = Checkin.NEVER if key in blocks | leave else checkin.get(key, Checkin.ON_TIME)
        out.append(
            replace(
                person,
                blocks=key in blocks,
                leave=key in leave,
                checkin=kind,
                answer=answers.get(key, "post") if kind is not Checkin.NEVER else None,
                ack=Ack.NEVER if key in blocks else acks.get(key, Ack.PROMPT),
            )
        )
    return out
