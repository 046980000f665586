"""The reach time's nearest rank (storage/reach.py) and its words (bot/kit/reach.py); the
plan of the register entries' one statement."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.kit.i18n import translator
from bot.kit.reach import entry_counts, entry_words, reach_parts, reached_word
from storage import Storage
from storage.directives import _scope_clause
from storage.fallback import KIND
from storage.models import Unit
from storage.reach import (
    _ENTRIES,
    EntryReach,
    EntryState,
    How,
    MemberReach,
    Reached,
    _nearest_rank,
)


def test_the_nearest_rank_of_a_spread_of_minutes() -> None:
    assert (_nearest_rank({1: 1, 3: 1, 10: 1}, 50), _nearest_rank({1: 1, 3: 1, 10: 1}, 90)) == (
        3,
        10,
    )
    assert _nearest_rank({5: 10}, 90) == 5
    # 10 people: p50 is the 5th fastest, p90 the 9th.
    spread = {1: 4, 2: 1, 7: 3, 30: 2}
    assert (_nearest_rank(spread, 50), _nearest_rank(spread, 90)) == (2, 30)
    with pytest.raises(ValueError):
        _nearest_rank({}, 50)


def test_reach_in_words_in_both_languages() -> None:
    i18n = translator("en")
    reach = Reached({How.TELEGRAM: 40, How.PHONE: 3, How.SILENT: 2}, p50=0.0, p90=5400.0)
    assert reach_parts(i18n, "en", reach) == (
        "Telegram 40 · 📞 phone 3 · silent 2 · reached in p50 1 min · p90 1 h 30 min"
    )
    assert reach_parts(i18n, "zh", reach) == (
        "Telegram 40人 · 📞 电话3人 · 未答复2人 · 联系用时 p50 1分钟 · p90 1小时30分钟"
    )
    phoned = MemberReach(How.PHONE, by="Sue")
    assert reached_word(i18n, "en", phoned) == "phone (on behalf by Sue)"
    assert reached_word(i18n, "zh", MemberReach(How.UNREACHED)) == "未联系上"
    assert reached_word(i18n, "en", MemberReach(How.SILENT)) == ""


def entry(
    state: EntryState, channel: str | None, *, joined: bool = False, choice: int | None = None
) -> EntryReach:
    unit = Unit(2, "RIV-1", "Riverside Branch 1", 1, "/1/2/", 1, None)
    return EntryReach(9, "Dan", unit, joined, state, channel, None, None, choice)


def test_an_entry_not_on_telegram_in_words_in_both_languages() -> None:
    i18n = translator("en")
    said = {
        (state, channel): (entry_words(i18n, "en", entry(state, channel))[1],
                           entry_words(i18n, "zh", entry(state, channel))[1])
        for state, channel in [
            (EntryState.SENT, "email"), (EntryState.SENT, "gateway"),
            (EntryState.ACKED, "email"), (EntryState.ACKED, "gateway"),
            (EntryState.TO_GO, "email"), (EntryState.FAILED, "gateway"),
            (EntryState.NO_ADDRESS, None), (EntryState.NOT_SENT, None),
        ]
    }  # fmt: skip
    assert list(said.values()) == [
        ("email sent", "邮件已发送"),
        ("SMS sent", "短信已发送"),
        ("email — acknowledged by link", "邮件 — 已凭链接确认"),
        ("SMS — acknowledged by code", "短信 — 已凭回复码确认"),
        ("email to go", "邮件待发送"),
        ("not reached: every SMS send failed", "未联系上：短信均发送失败"),
        ("not reached: no address", "未联系上：无联系地址"),
        ("not reached: nothing sent", "未联系上：未发送"),
    ]
    answered = entry(EntryState.ACKED, "email", choice=1)
    assert entry_words(i18n, "en", answered) == ("not on Telegram", "email — answered by link")
    later = entry(EntryState.SENT, "email", joined=True)
    assert entry_words(i18n, "zh", later) == ("通知发出后才加入", "邮件已发送")
    assert entry_counts([("a", "x"), ("b", "x"), ("a", "x"), ("a", "y")]) == {
        "a": {"x": 2, "y": 1},
        "b": {"x": 1},
    }


@pytest.mark.parametrize("paths", [[], ["/1/"]])
async def test_the_entries_read_the_fallbacks_rows_once_never_per_entry(
    tmp_path: Path, paths: list[str]
) -> None:
    """The fallback's outbox rows have no index by entry: grouped in the statement, SQLite
    indexes them on the fly; a scan per entry took 1.5 s for 5,000 entries."""
    storage = await Storage.open(tmp_path / "plan.db")
    try:
        scope, params = _scope_clause(paths)
        sql = "EXPLAIN QUERY PLAN " + _ENTRIES.format(scope=scope)
        plan = [str(row["detail"]) for row in await storage.db.fetchall(sql, (1, KIND, *params))]
    finally:
        await storage.close()
    assert "SEARCH o USING AUTOMATIC COVERING INDEX (chat_id=?) LEFT-JOIN" in plan, plan
    assert not [step for step in plan if step.startswith(("SCAN o", "SCAN e", "SCAN outbox"))]
