## 每日打卡、请假和 /members。

# 每日打卡
cmd-checkin = 今日打卡
checkin-day-off = 今天（{ $day }）无需打卡。
checkin-not-yet = 今日打卡{ $time }开始，届时请发送 /checkin。
checkin-closed = 今日打卡已截止，下次打卡开始于{ $when }。
checkin-window-passed = 打卡在您填完前已截止，未保存任何内容。
checkin-current = 您今天已于{ $time }打卡：
    { $summary }
checkin-current-by-phone = 📞 您的书记{ $secretary }已于{ $time }通过电话代您完成今天的打卡。您也可以自己填写今天的打卡表：您的回答将取代代为记录的打卡。
checkin-change = ✏️ 修改
checkin-keep = 不用改
checkin-kept = 打卡内容保持不变。
checkin-question = <b>打卡（{ $number }/{ $total }）</b> — { $prompt }
    { $hint }
form-hint-single = 请选择一项。
form-hint-multi = 可多选，选好后点“完成”。
form-hint-number = 请输入数字（{ $min }–{ $max }{ $unit }）。
form-hint-text = 请输入您的回答。
form-hint-location = 请分享位置（📎 → 位置）。
form-hint-photo = 请发送一张照片。
form-skip = 跳过
form-done = 完成 ✓
checkin-confirm = <b>您的打卡</b>
    { $summary }
    确认提交吗？
form-summary-line = • { $prompt }：{ $answer }
checkin-submit = ✅ 提交
checkin-start-over = 重新填写
checkin-saved = ✅ 已完成{ $day }的打卡。
checkin-updated = ✅ { $day }的打卡已更新。
checkin-cancelled = 已取消打卡，未保存任何内容。
checkin-restart = 填写期间表单有变（或已过零点），请重新开始。
form-error-required = 此题必答。请回答，或发送 /cancel。
form-error-choice = 请点击上方按钮选择，或发送 /cancel。
form-error-number = 这不是数字。请重新输入（{ $min }–{ $max }{ $unit }），或发送 /cancel。
form-error-range = 数字超出范围（{ $min }–{ $max }{ $unit }）。请重新输入，或发送 /cancel。
form-error-too-long = 回答共{ $length }个字符，上限为{ $limit }。请删减，或发送 /cancel。
form-error-text = 请用文字回答，或发送 /cancel。
form-error-location = 请分享位置（📎 → 位置），或发送 /cancel。
form-error-photo = 请发送一张照片，或发送 /cancel。
checkin-flag-notice = ⚠️ <b>{ $name }</b>（{ $unit }）在今日打卡中报告了问题：
    { $summary }
checkin-flag-above = 🚩 { $label }：{ $value }，达到或高于{ $limit }
checkin-flag-below = 🚩 { $label }：{ $value }，达到或低于{ $limit }
checkin-flag-escalated = ⬆️ 已上报至您（第{ $level }级）：<b>{ $name }</b>（{ $unit }）在{ $day }的打卡中报告了问题，尚未处理：
    { $summary }
flag-handled-button = ✅ 已处理
flag-escalate-button = ⬆️ 上报
flag-handled-which = ✅ 已处理：{ $question }
flag-escalate-which = ⬆️ 上报：{ $question }
flag-note-ask = 标记为已处理：<b>{ $name }</b>（{ $unit }）。请补充处理情况，或点击“跳过”。
flag-note-cancelled = 未做更改，该问题仍待处理。
flag-note-text = 请用文字填写备注，或点击“跳过”，或发送 /cancel。
flag-note-too-long = 备注共{ $length }个字符，上限为{ $limit }。请删减，或发送 /cancel。
flag-handled = ✅ 已标记为处理：<b>{ $name }</b>（{ $unit }）。
flag-handled-note = ✅ 已标记为处理：<b>{ $name }</b>（{ $unit }）。备注：{ $note }
flag-by-admin = 管理员
flag-already-handled = { $name }已于{ $day } { $time }处理。
flag-withdrawn = { $name }已修改该回答，无需跟进。
flag-escalated = ⬆️ 已上报至{ $names }（{ $unit }）。
flag-at-top = 已是最高一级，仍由{ $names }处理。
flag-not-allowed = 该问题不在您所辖的单位范围内。
flag-unknown = 该问题已不存在。
me-checkin-done = ✅ 已于{ $time }打卡
me-checkin-missing = 尚未打卡 — /checkin
me-checkin-day-off = 今天无需打卡
me-checkin-inactive = 已停用，无需打卡
checkin-reminder = ⏰ 请完成{ $day }的打卡，{ $time }截止。
checkin-now = 立即打卡
checkin-missing = ⚠️ <b>未打卡</b>
    { $lines }
checkin-missing-unit = { $unit }，{ $day }：{ $count }人 — { $names }
checkin-missing-name = { $name }（上次打卡：{ $last }）
checkin-missing-name-never = { $name }（从未打卡）

# 请假
cmd-leave = 登记或取消请假
cmd-duty = 我的值守班次
cmd-roster = 按日查看单位值守表
cmd-assign = 安排成员到网格值守
cmd-grids = 所辖单位的网格
checkin-on-leave = 您请假至{ $until }，无需打卡。
me-checkin-leave = 请假至{ $until }
leave-overview = <b>{ $name }的请假</b>
    { $lines }
leave-line = • { $period } · { $reason }
leave-cancel-button = 取消：{ $period }
leave-add = ➕ 新增请假
leave-ask-reason = <b>新增请假</b> — 请假原因？
leave-ask-first = 从哪天开始？请选择，或输入日期，如 2026-12-03。
leave-ask-last = 从{ $first }开始，到哪天为止（含当天）？请选择，或输入日期。
leave-today = 今天
leave-tomorrow = 明天
leave-same-day = 仅当天
leave-days = { $days }天
leave-recorded = ✅ 已登记{ $name }请假：{ $period }（{ $reason }），期间无需打卡，也不会收到提醒。
leave-recorded-for-you = 书记为您登记了请假：{ $period }（{ $reason }），期间无需打卡。
leave-cancelled = 已取消{ $name }在{ $period }的请假。
leave-closed = 未做任何更改。
leave-error-date = 无法识别这个日期。请按 2026-12-03 的格式输入，或发送 /cancel。
leave-error-past = 请假不能早于今天开始。
leave-error-past-retry = 请假不能早于今天开始。请选择或输入今天或之后的日期，或发送 /cancel。
leave-error-backwards = 结束日期早于开始日期。请选择或输入更晚的日期，或发送 /cancel。
leave-error-too-long = 一次请假最长一年。
leave-error-overlap = 与已登记的请假（{ $first }至{ $last }）重叠。请先用 /leave 取消原请假。

# /members
cmd-members = 各单位打卡情况（按日）
cmd-flags = 所辖单位待处理的问题（按时间先后）
flags-none = 您所辖单位暂无待处理的问题。
flags-title = 🚩 <b>待处理的问题：{ $count }条</b>，按时间先后排列
    { $lines }
flags-line = { $n }. <b>{ $name }</b>（{ $unit }），{ $day }：{ $answer } · { $level ->
        [0] 未上报
       *[other] 已上报{ $level }次
    }
flags-numbered = { $n } · { $label }
flags-not-allowed = 只有书记和协调员需要跟进问题。
members-status = <b>打卡情况（{ $day }）</b>
    { $lines }
members-unit = • <b>{ $unit }</b>：已打卡{ $checked }/{ $total }{ $excused ->
        [0] {""}
       *[other] （其中打卡告假{ $excused }人）
    }{ $leave ->
        [0] {""}
       *[other] ，登记请假{ $leave }人
    }{ $missing ->
        [0] {""}
       *[other] { " " }— 未打卡：{ $names }
    }
members-none = { $day }：您的单位没有成员。
members-not-allowed = 只有书记和协调员可以查看本单位的打卡情况。
members-bad-date = 日期格式不对。请用 /members 或 /members 2026-12-01。
members-future = 那一天还没到。
members-reach = <b>当前联系情况</b>（已加入/应有）
    { $lines }
members-reach-root = <b>{ $unit }</b>：{ $figures }
members-reach-unit = • { $unit }：{ $figures }
members-to-call = <b>尚未加入——请电话联系</b>
members-to-call-phone = • { $name }（{ $unit }）：{ $phone }
members-to-call-no-phone = • { $name }（{ $unit }）：无手机号
members-unreached = { $name }（{ $note }）
members-phone = { "   " }📞 { $names }
members-phone-name = { $name }：{ $how }

## 📞 电话代为打卡（代为记录，issue #18）：/members 的按钮，仅限当天
checkin-phone-ask = 📞 <b>已电话联系：{ $name }</b>（{ $unit }）
    { $day }的打卡：代其记录已打卡，或记录未能联系上。发送 /cancel 则不作任何记录。
checkin-phone-checked-in = ✅ 已打卡（电话）
checkin-phone-recorded = 📞 已由您代{ $name }记录：{ $outcome ->
        [checked_in] 已完成{ $day }的打卡
       *[unreached] 未能联系上：“{ $reason }”
    }。
checkin-phone-already = { $name }已自行完成{ $day }的打卡：未作记录。
checkin-phone-closed = { $day }的打卡已结束：未为{ $name }作任何记录。
checkin-phone-moved = { $name }已调到其他单位：未作记录。
checkin-phone-on-leave = { $name }{ $day }已登记请假：未作记录。
checkin-phone-gone = 已无法记录（该成员已不在）。
checkin-phone-told = 📞 您的书记{ $secretary }{ $outcome ->
        [checked_in] 于{ $time }通过电话代您完成了{ $day }的打卡。
       *[unreached] 于{ $time }打电话联系您（{ $day }的打卡），未能联系上。
    }
