"""The reach time's nearest rank (storage/reach.py) and its words (bot/kit/reach.py)."""

from __future__ import annotations

import pytest

from bot.kit.i18n import translator
from bot.kit.reach import reach_parts, reached_word
from storage.reach import How, MemberReach, Reached, _nearest_rank


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
