## 督查日报告：/report、提醒、未报单位清单和上级收到的汇总。

cmd-report = 本单位督查日报告
report-name = { $title } — { $unit }
report-none = 您没有需要填报的日报告：日报告只由组织配置的角色和单位填报。
report-pick = 要填报哪一份？
report-not-yours = 这份报告不由您填报（不是您的单位或角色），未做任何更改。
report-day-off = 今天（{ $day }）无需填报。
report-not-yet = { $name }：{ $time }开始填报，届时请发送 /report。
report-closed = { $name }：今日报告已于{ $time }截止，不能再修改。
report-window-passed = 您填完前报告已截止，未保存任何内容。
report-current = <b>{ $name }</b>
    { $author }于{ $time }填报：
    { $summary }
report-change = ✏️ 修改
report-keep = 不用改
report-kept = 报告保持不变。
report-question = <b>日报告（{ $number }/{ $total }）</b> — { $prompt }
    { $hint }
report-confirm = <b>您的报告</b>
    { $summary }
    确认提交吗？
report-submit = ✅ 提交
report-start-over = 重新填写
report-saved = ✅ { $name }：{ $day }已填报。
report-updated = ✅ { $name }：{ $day }的报告已更新。
report-taken = ⚠️ 本单位的报告已由他人先行填报，以其为准。如需修改，请发送 /report。
report-cancelled = 已取消填报，未保存任何内容。
report-reminder = ⏰ 请于{ $time }前填报{ $unit }的<b>{ $title }</b>（{ $day }）。
report-now = 立即填报
report-missing = ⚠️ <b>{ $title }</b> — { $unit }，{ $day }：{ $count }个单位未报 — { $units }
report-units-more = { $names }……另有{ $count }个单位。
report-summary-line = 📝 { $title }：已报{ $reported }个单位，共{ $total }个
report-summary-missing = 未报：{ $units }
report-week = <b>每日已报单位</b>
report-week-day = • { $day }：{ $forms }
report-week-form = { $title } { $reported }/{ $total }
report-digest-title = 📋 <b>{ $title }</b> — { $unit }，{ $day }
    已报{ $reported }个单位，共{ $total }个
report-digest-unit = <b>{ $unit }</b>（{ $name }，{ $time }）
    { $answers }
report-digest-more = ……另有{ $count }份报告未在此列出。
report-digest-missing = ❌ 未报（{ $count }个）：{ $units }
