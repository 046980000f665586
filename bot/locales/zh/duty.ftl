## 网格值守：确认、拒绝、顶班，定时提醒与通知，/duty。

duty-shift = <b>{ $grid }</b>（{ $code }）· { $unit }
    { $when }

# 发给值守成员
duty-ask = 📋 <b>值守班次</b> — 请确认或拒绝。
    { $shift }
duty-remind = ⏰ 提醒：请确认或拒绝您的值守班次。
    { $shift }
duty-start-now = 🟢 您的值守班次现在开始。到岗后请按“开始值守”。
    { $shift }
duty-end-now = 🏁 您的值守班次已结束。请按“结束值守”填写简短报告。
    { $shift }
duty-offer = 🆘 <b>需要顶班</b> — 您能接这个班次吗？
    { $shift }

duty-button-confirm = ✅ 确认
duty-button-decline = ❌ 拒绝
duty-button-start = 🟢 开始值守
duty-button-take = 我来接班
duty-numbered = { $n }. { $label }

# 发给书记（以及收到顶班请求、但班次已被接走的成员）
duty-note-declined = ❌ <b>{ $name }</b>拒绝了值守班次。
    { $shift }
    原因：{ $reason }
    { $offers }
duty-note-unconfirmed = ⚠️ <b>{ $name }</b>未确认值守班次 — 已发出顶班请求。
    { $shift }
    { $offers }
duty-note-left = ⚠️ <b>{ $name }</b>已离开本单位 — 其值守班次需要顶班。
    { $shift }
    { $offers }
duty-note-no-show = ❌ <b>未到岗</b>：{ $name }尚未开始值守。
    { $shift }
duty-note-uncovered = ❌ <b>无人值守</b>：没有人接这个班次。
    { $shift }
duty-note-covered = ✅ <b>{ $name }</b>接下了这个班次。
    { $shift }
duty-note-taken = 这个班次已由他人接下，仍然感谢您。
    { $shift }
duty-note-ask-closed = ⌛ 此班次的确认时间已过，无需再确认或拒绝。
    { $shift }
duty-note-offer-closed = ⌛ 这个班次已经开始，不能再接了。
    { $shift }
duty-offered = { $count ->
    [0] 本单位此时没有其他空闲成员。
   *[other] 已向{ $count }名成员发出顶班请求。
}

# 按钮的回应
duty-confirmed = ✅ <b>已确认。</b>班次开始时会发来“开始值守”按钮。
    { $shift }
duty-covered = ✅ <b>这个班次归您了。</b>谢谢！班次开始时会发来“开始值守”按钮。
    { $shift }
duty-already-confirmed = 您已确认过这个班次。
duty-already-yours = 这个班次已经是您的了。
duty-not-yours = 这个班次已不再由您负责，未做任何更改。
duty-cancelled = 这个班次已取消，未做任何更改。
duty-over = 这个班次已开始或已结束，未做任何更改。
duty-taken = 这个班次已被他人先接下，仍然感谢您。
duty-busy = 您在这个时间已有其他班次，未做任何更改。
duty-other-unit = 这个班次属于其他单位。

# 拒绝
duty-decline-ask = ❌ <b>拒绝这个班次？</b>
    { $shift }
    请简要说明原因（不超过{ $limit }字），或发送 /cancel 保留班次。
duty-decline-kept = 班次仍由您负责，未做任何更改。
duty-reason-text = 请用文字说明原因（不超过{ $limit }字），或发送 /cancel 保留班次。
duty-reason-too-long = 共{ $length }字，超过了{ $limit }字的上限。请发送更短的原因，或 /cancel。
duty-declined = 已拒绝。已通知您的书记，并向其他成员发出顶班请求。
    { $shift }

# /duty
duty-none = 未来7天您没有值守班次，也没有可接的空缺班次。
duty-list-mine = <b>您的值守班次</b>
    { $lines }
duty-list-open = <b>可接的空缺班次</b>
    { $lines }
duty-line = { $n }. { $when } · <b>{ $grid }</b>（{ $code }）— { $status }
duty-status-assigned = ⚠️ 待确认
duty-status-confirmed = ✅ 已确认
duty-status-started = 🟢 值守中
duty-status-no-show = ❌ 未到岗
duty-status-open = 🆘 待顶班

## 值守：开始值守、结束值守（报告）、上报事件

onduty-cancelled = 未做任何更改。
onduty-ask-location = <b>开始值守</b>：{ $grid } · { $when }
    请用下方按钮分享位置，或不分享位置直接开始。
onduty-share-location = 📍 分享我的位置
onduty-no-location = 不分享位置，直接开始
onduty-location-expected = 请点击“📍 分享我的位置”或“不分享位置，直接开始”，或发送 /cancel。
onduty-started = ✅ 已于{ $time }在<b>{ $grid }</b>开始值守。
onduty-started-outside = 您的位置距网格中心{ $distance }米，已告知书记。
onduty-on-duty = 在{ $grid }值守期间：可随时上报事件，值守结束后请点击结束值守。
onduty-incident-button = ⚠️ 上报事件
onduty-end-button = 🏁 结束值守
onduty-start-notice = 🟢 <b>{ $name }</b>于{ $time }在<b>{ $grid }</b>（{ $unit }）开始值守。
    { $notes }
onduty-notice-late = ⏰ 迟到：已在未到岗提醒之后。
onduty-notice-outside = 📍 距网格中心{ $distance }米（半径{ $radius }米）。
onduty-report-question = <b>值守报告（{ $number }/{ $total }）</b> — { $prompt }
    { $hint }
onduty-report-confirm = <b>您的值守报告</b>
    { $summary }
    提交后即结束值守。
onduty-submit = ✅ 提交并结束值守
onduty-start-over = ↺ 重新填写
onduty-ended = 🏁 <b>{ $grid }</b>的值守已于{ $time }结束，报告已保存，谢谢。
onduty-incident-ask = <b>上报事件</b>：{ $grid }
    请发送文字、照片（可带说明）和/或位置，然后点击“发送”。
onduty-incident-send = 📨 发送
onduty-incident-added = 已添加：{ $parts }。可继续添加，或点击“发送”。
onduty-incident-has-text = 文字
onduty-incident-has-photo = 照片
onduty-incident-has-location = 位置
onduty-incident-unsupported = 只能添加文字、照片或位置。请发送其中一种，或发送 /cancel。
onduty-incident-sent = 📨 事件已发送给书记。
onduty-incident-notice = ⚠️ <b>事件</b>：<b>{ $grid }</b>（{ $unit }）{ $time }，上报人{ $name }：
    { $text }{ $where }
onduty-incident-where = { "" }
    📍 { $lat }, { $lon }
onduty-error-not-yours = 这不是（或已不再是）您的班次。发送 /duty 查看您的班次。
onduty-error-cancelled = 此班次已取消。发送 /duty 查看您的班次。
onduty-error-already-started = 您已在值守中（自{ $at }起）。
onduty-error-already-ended = 此次值守已结束（{ $at }）。
onduty-error-over = 此班次已结束（{ $at }），无法再开始。
onduty-error-too-early = 太早了：此班次从{ $at }起可以开始。
onduty-error-not-started = 此次值守尚未开始，无法结束。
onduty-error-not-on-duty = 只有在此班次值守期间才能上报事件。
onduty-error-report-changed = 报告表单已更改，请重新填写。
onduty-error-incident-empty = 请先添加文字、照片或位置。
onduty-error-incident-too-long = 文字共{ $length }个字符，上限为{ $limit }。请发送更短的内容。

## 网格与排班（handlers/duty/{grids,assign,upload,roster}.py、bot/duty/{roster,grids,reading}.py、app/cli.py）。

roster-not-allowed = 只有书记和协调员可以为自己负责的单位执行此操作。

# 文件、某一行或输入内容的问题。有行号时为“第 3 行：……”。
roster-problem-line = 第{ $line }行：{ $problem }
roster-problem-too-big = 文件超过{ $limit }，请拆分后分别发送。
roster-problem-not-text = 文件不是 UTF-8 或 GB18030 编码的文本。请在 Excel 中“另存为”→“CSV UTF-8”后重试。
roster-problem-not-csv = 请以 .csv 文件发送排班表，列为 grid,member,date,start,end（可选 repeat_weeks）。
roster-problem-bad-csv = 无法按 CSV 读取该文件（{ $error }）。
roster-problem-bad-toml = 文件不是有效的 TOML：{ $error }
roster-problem-too-many-rows = 文件超过{ $limit }行，请拆分后分别发送。
roster-problem-no-rows = 文件表头下面没有数据行。
roster-problem-bad-header = 第一行须列出 { $columns }（可另加 { $optional }）。
roster-problem-unknown-columns = 未知的列：{ $columns }。
roster-problem-extra-fields = 字段比表头多（是否多了一个逗号？）。
roster-problem-missing = 缺少：{ $columns }。
roster-problem-bad-code = 代码“{ $code }”须为 1–32 个字母、数字、“-”、“_”或“.”。
roster-problem-code-taken = 代码 { $code } 已被其他网格使用，请换一个。
roster-problem-duplicate-code = 代码 { $code } 已在第{ $other }行使用。
roster-problem-name-too-long = 名称超过{ $max }个字符。
roster-problem-unknown-unit = 没有代码为“{ $unit }”的单位。
roster-problem-unit-scope = 网格 { $code } 所在单位不在您的管辖范围内。
roster-problem-bad-lat = 纬度“{ $value }”不是 -90 到90之间的数字。
roster-problem-bad-lon = 经度“{ $value }”不是 -180 到180之间的数字。
roster-problem-half-centre = 中心点须同时填写 lat 和 lon，或都不填。
roster-problem-bad-radius = 半径须为1到{ $max }之间的整数（米）。
roster-problem-radius-without-centre = 填写半径须同时给出中心点（lat 和 lon）。
roster-problem-unknown-grid = 没有代码为“{ $code }”的网格。
roster-problem-inactive-grid = 网格 { $code } 已停用。
roster-problem-grid-scope = 网格 { $code } 不在您负责的单位内。
roster-problem-unknown-member = 没有成员“{ $member }”。请用 @用户名 或 Telegram ID 指明。
roster-problem-ambiguous-member = 有多名成员叫“{ $member }”，请用 Telegram ID 指明。
roster-problem-inactive-member = { $name }已不是活跃成员。
roster-problem-member-outside = { $name }不属于网格 { $code } 所在的{ $unit }及其下级单位。
roster-problem-bad-date = “{ $value }”不是类似 2026-12-01 的日期。
roster-problem-bad-time = “{ $value }”不是类似 18:00 的时间。
roster-problem-zero-length = 班次在{ $time }开始又在{ $time }结束，时长为零。
roster-problem-too-long = 班次将超过24小时。
roster-problem-past = { $day } { $time }的班次开始时间已过。
roster-problem-bad-repeat = 每周重复次数须为0到{ $max }之间的整数。
roster-problem-overlap-file = { $name }在第{ $other }行已有同一时段的班次。
roster-problem-overlap-existing = { $name }在{ $day } { $time }已有班次。
roster-problem-already-there = { $name }在{ $day }的这个班次已在排班表中。
roster-problem-unknown-shift = 该班次已无法更改。

# /grids
grids-add-cancelled = 已取消，未添加网格。
grids-choose-unit = 管理哪个单位的网格？请选择（共{ $count }个）。
grids-list = <b>{ $unit }的网格</b>（{ $count }个）
    { $lines }
grids-line = • <b>{ $code }</b> { $name }{ $where }
grids-none = 还没有网格。
grids-centre = { " " }· 📍 { $lat }, { $lon }
grids-centre-radius = { " " }· 📍 { $lat }, { $lon }，{ $radius }米
grids-add-button = ➕ 添加网格
grids-off-button = ✖ { $grid }
grids-off-ask = 停用网格<b>{ $grid }</b>？停用后不能再为它排班。
    { $count ->
        [0] 它之后没有班次。
       *[other] 它之后的{ $count }个班次仍保留在排班表中，如需取消请在 /roster 中操作。
    }
grids-off-confirm = ✖ 停用
grids-off-done = ✅ 网格{ $grid }已停用。
grids-ask-code = 在<b>{ $unit }</b>新建网格。请发送网格代码：字母、数字、“-”、“_”或“.”（例如 RIV-1-G3）。
grids-ask-name = 代码<b>{ $code }</b>。请发送网格名称（例如：市场街）。
grids-ask-centre = 请发送网格中心位置（📎 → 位置），或跳过。
grids-skip = 跳过
grids-centre-expected = 请发送一个位置（📎 → 位置），或点“跳过”，或发送 /cancel。
grids-ask-radius = 网格从中心向外覆盖多远？请选择，或发送米数。
grids-metres = { $n }米
grids-radius-expected = 这不是1到50000之间的米数。请重新发送，或发送 /cancel。
grids-added = ✅ 已添加网格{ $grid }。

# /assign
assign-cancelled = 已取消，未保存任何班次。
assign-choose-unit = 新建班次——哪个单位？请选择（共{ $count }个），或输入名称的一部分。
assign-choose-grid = <b>{ $unit }</b>的哪个网格？
assign-no-grids = <b>{ $unit }</b>还没有网格，请先用 /grids 添加。
assign-choose-member = 谁在<b>{ $grid }</b>值守？请选择（共{ $count }人），或输入姓名的一部分。
assign-choose-member-search = 与“{ $query }”匹配、可在<b>{ $grid }</b>值守的成员：
assign-no-members = 没有人能在<b>{ $grid }</b>值守：该单位没有活跃成员。
assign-member-not-found = 没有与“{ $query }”匹配的成员。请换个姓名，或在上面选择。
assign-ask-date = 哪一天？请选择，或输入日期，如 2026-12-03。
assign-today = 今天
assign-tomorrow = 明天
assign-bad-date = 无法识别这个日期。请按 2026-12-03 的格式输入，或发送 /cancel。
assign-past-date = 这一天已经过去了。请选择今天或以后的日期。
assign-ask-time = { $day }：请发送开始和结束时间，如 18:00-22:00。结束早于开始表示到次日早上。
assign-bad-time = 这不是类似 18:00-22:00 的时间段。请重新发送，或发送 /cancel。
assign-ask-repeat = 之后几周的同一时间是否重复？请选择，或发送周数（0到{ $max }）。
assign-repeat-none = 仅此一次
assign-repeat-n = 再重复{ $n }周
assign-bad-repeat = 请发送0到{ $max }之间的整数周数，或发送 /cancel。
assign-preview = <b>新班次</b>
    网格：{ $grid }（{ $unit }）
    成员：{ $name }
    时间：{ $when }
assign-preview-repeats = 每周重复至{ $until }（共{ $count }个班次）
assign-save = ✅ 保存
assign-saved = ✅ 已保存：{ $name }，{ $grid }，{ $when }{ $count ->
        [1] 。
       *[other] ，之后每周重复，共{ $count }个班次。
    }系统会在开始前{ $before }请其确认。

# 以文件发送的排班 CSV
upload-cancelled = 已取消，未导入任何内容。
upload-done = ✅ 已从“{ $name }”导入{ $shifts }个班次（{ $rows }行）。成员会在每个班次前收到确认请求。
upload-unreadable = ⚠️ “{ $name }”无法导入，未作任何更改。
    { $problems }
upload-problems = ⚠️ { $name }：{ $rows }行中有{ $bad }行有问题，尚未导入任何内容。
    { $problems }
upload-nothing-good = 没有可以导入的行。请修改文件后重新发送。
upload-import-good = 导入没有问题的{ $count }行（{ $shifts }个班次）
upload-changed = 检查文件之后排班表有了变化，目前情况如下：
upload-partial-done = ✅ 已从{ $rows }行导入{ $shifts }个班次；跳过{ $skipped }行。
# /roster
roster-choose-unit = 查看哪个单位的排班？（共{ $count }个）
roster-day = <b>排班——{ $unit }</b>，{ $day }
roster-coverage = { $unit }：网格{ $grids }个，{ $uncovered }个无人值守 · { $counts }
roster-count-none = 无班次
roster-count-assigned = 待确认{ $n }
roster-count-confirmed = 已确认{ $n }
roster-count-open = 待顶班{ $n }
roster-count-uncovered = 无人值守{ $n }
roster-count-started = 值守中{ $n }
roster-count-completed = 已完成{ $n }
roster-count-no-show = 未到岗{ $n }
roster-no-grids = 这里还没有网格。书记可用 /grids 添加。
roster-in-unit = （{ $unit }）
roster-grid = <b>{ $code }</b> { $name }{ $unit }
roster-grid-empty = <b>{ $code }</b> { $name }{ $unit } — ⚠️ 无人值守
roster-shift-line = { "  " }{ $time } { $name } · { $status }
roster-status-assigned = 待确认
roster-status-confirmed = 已确认
roster-status-open = ⚠️ 待顶班
roster-status-uncovered = ❌ 无人值守
roster-status-started = 值守中
roster-status-completed = ✅ 已完成
roster-status-no-show = ❌ 未到岗
roster-status-cancelled = 已取消
roster-cancel-button = ✖ 取消班次
roster-units-button = ‹ 单位列表
roster-cancel-choose = 要取消{ $day }的哪个班次？
roster-cancel-ask = 取消这个班次？
    { $grid }，{ $when }，{ $name }
roster-cancel-told = 系统会通知{ $name }。
roster-cancel-confirm = ✖ 取消班次
roster-cancel-done = 班次已取消。
roster-cancelled-notice = 您在<b>{ $grid }</b>的值守（{ $day } { $time }）已被书记取消。
