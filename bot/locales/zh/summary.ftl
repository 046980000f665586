## 协调员汇总

summary-title = 📊 <b>{ $unit } — { $day }</b>
summary-late = ⏰ 延迟发送：原定 { $time }，当时机器人未运行。
summary-nothing = 暂无可汇总内容：{ $unit } 还没有成员。
summary-day-off = 休息日：无需报到（成员 { $members } 人）。
summary-checkins = 成员 { $members } · 已报到 { $checked }（{ $rate }）· 请假/免报 { $excused } · 休假 { $leave } · <b>未报到 { $missing }</b>
summary-change = 与前一天相比：已报到 { $checked }，未报到 { $missing }
summary-by-unit = <b>各单位（由差到好）</b>（已报到/应报到，未报到，变化）
summary-unit-line = • { $unit }：{ $checked }/{ $expected }（{ $rate }）· 未报到 { $missing }（{ $change }）
summary-own-unit = { $unit }（本级成员）
summary-more-units = …另有 { $count } 个单位
summary-own-missing = <b>{ $unit } 本级未报到：</b>{ $names }
summary-duty-none = <b>执勤：</b>今天没有网格或班次。
summary-duty = <b>执勤：</b>网格 { $grids } · 已覆盖 { $covered } · <b>未覆盖 { $uncovered }</b>
    班次：未确认 { $unconfirmed } · 已确认 { $confirmed } · 待顶班 { $open } · 已开始 { $started } · 已完成 { $completed } · 已拒绝 { $declined } · <b>缺勤 { $noshow }</b>
summary-directives-none = <b>今日指令：</b>无。
summary-directives = <b>今日指令</b>
summary-directive-acked = • “{ $title }” — 已确认 { $acked }/{ $recipients }（{ $rate }）
summary-directive-sent = • “{ $title }” — 已发送 { $sent }/{ $recipients }（无需确认）
summary-problems = <b>问题：</b>标记的报到 { $flagged } 条，执勤事件 { $incidents } 起
summary-flagged-line = • 🚩 { $name }（{ $unit }）
summary-incident-line = • ⚠️ { $time } { $unit }：{ $text }
summary-week-title = 📈 <b>{ $unit } — 截至 { $day } 的一周</b>
summary-week-days = <b>每日报到率</b>
summary-week-day = • { $day }：{ $rate } · 未报到 { $missing }
summary-week-units = <b>各单位（按最后一天由差到好）</b>（第一天 → 最后一天）
summary-week-unit = • { $unit }：{ $first } → { $last }（{ $trend }）
summary-bad-date = “{ $text }”不是日期。请写成 2026-12-01：/summary 2026-12-01
summary-unknown-unit = 没有代码为“{ $code }”的单位。
summary-not-allowed = 汇总仅供协调员和书记查看本级及下级单位。
summary-future = 那一天还没到；请查询今天或更早的日期。
summary-pick = 查看哪个委员会？
cmd-summary = 查看某日的委员会汇总
