## 简体中文消息目录。HTML 模式：参数由翻译器转义。

# 角色
role-member = 成员
role-secretary = 书记
role-coordinator = 协调员

# 按钮
button-approve = ✅ 同意
button-reject = ❌ 拒绝
button-back = ‹ 返回
button-cancel = 取消
button-previous = ‹ 上一页
button-more = 更多 ›
button-stale = 此按钮已失效，未做任何更改。

# 通用回复
access-denied = 您无权在此执行该操作。
error-internal = 系统出了点问题，请重试，或发送 /cancel。
unknown-command = 没有这个命令。发送 /help 查看可用功能。
free-text-hint = 这里不需要输入文字。发送 /help 查看可用功能。
use-buttons = 请点击上方按钮选择，或发送 /cancel。
cancel-nothing = 当前没有可取消的操作。
list-more = ……另有{ $count }项。
list-names-more = { $names }……另有{ $count }人。

# 命令菜单
cmd-start = 通过邀请链接加入
cmd-me = 我的单位、角色和状态
cmd-invite = 创建邀请链接
cmd-invites = 管理和撤销邀请链接
cmd-grant = 授予成员角色
cmd-ungrant = 撤销成员角色
cmd-move = 将成员调到其他单位
cmd-deactivate = 停用成员
cmd-reactivate = 恢复成员
cmd-language = 语言 / Language
cmd-help = 可用功能
cmd-cancel = 退出当前步骤
help-text = <b>您可以使用的功能</b>
    { $commands }

# 加入
start-how-to-join = <b>欢迎使用{ $org }。</b>
    请打开书记发给您的邀请链接加入。如果没有链接，请向本单位书记索取。
start-welcome-back = { $name }，欢迎回来。发送 /help 查看可用功能。
join-invalid = 邀请链接无效。请确认打开的是完整链接，或向书记索取新链接。
join-expired = 邀请链接已过期，请向书记索取新链接。
join-used-up = 邀请链接的使用次数已满，请向书记索取新链接。
join-revoked = 邀请链接已被撤销，请向书记索取新链接。
join-inactive = 您的成员身份已停用，请联系书记。
join-welcome = <b>欢迎加入！</b>您现在是<b>{ $unit }</b>的{ $role }。
    发送 /help 查看可用功能。
join-role-added = 您现在同时担任<b>{ $unit }</b>的{ $role }。
join-already = 您已经是<b>{ $unit }</b>的{ $role }，未做更改。
join-already-elsewhere = 您已是<b>{ $unit }</b>的成员。如需调换单位，请联系书记。
join-pending = 您加入<b>{ $unit }</b>的申请已提交给书记，审批后会通知您。
join-already-pending = 您加入<b>{ $unit }</b>的申请仍在等待审批。
join-approved = <b>申请已通过。</b>您现在是<b>{ $unit }</b>的{ $role }。
    发送 /help 查看可用功能。
join-rejected = 您以{ $role }身份加入<b>{ $unit }</b>的申请未获通过。如有疑问，请联系书记。
approval-request = <b>{ $unit }加入申请</b>
    { $name } { $username } 申请以{ $role }身份加入。
approval-approved = ✅ { $name }已加入<b>{ $unit }</b>（{ $by }批准）。
approval-rejected = ❌ { $name }未获准加入<b>{ $unit }</b>（{ $by }拒绝）。
approval-already-decided = 该申请已处理。
approval-already-decided-detail = { $name }加入<b>{ $unit }</b>的申请已处理过。

# /me 和 /language
not-a-member = 您还不是{ $org }的成员。请打开书记发给您的邀请链接。
member-inactive = 您的成员身份已停用，无法进行此操作。如有误，请联系您的书记。
me-card = <b>{ $name }</b>
    单位：{ $unit }
    角色：
    { $roles }
    状态：{ $status } · 加入日期：{ $since }
    今天：{ $today } · { $checkin }
me-role-line = • { $unit } { $role }
me-no-roles = • 成员
me-active = 正常
me-inactive = 已停用
language-choose = 请选择语言：
language-set = 语言已设为{ $language }。
language-not-member = 加入之前，Muster 使用您的 Telegram 语言设置。

# /invite
invite-not-allowed = 只有书记可以创建邀请，范围限于本单位及下级单位。
invite-choose-unit = <b>新建邀请</b> — 选择单位（共{ $count }个）
    请点击下方按钮，或输入单位名称的一部分或单位代码进行搜索。
invite-choose-unit-search = <b>新建邀请</b> — 与“{ $query }”匹配的单位：{ $count }个
invite-unit-not-found = 您的范围内没有与“{ $query }”匹配的单位。请重新输入，或发送 /cancel。
invite-choose-role = <b>为{ $unit }新建邀请</b> — 以什么身份加入？
invite-choose-uses = 这个链接可以供多少人使用？
invite-uses-n = { $n }人
invite-uses-unlimited = 不限
invite-choose-expiry = 链接有效期多长？
invite-choose-approval = 每位加入者是否需要书记审批？
invite-approval-yes = 需要审批
invite-approval-no = 直接加入
invite-approval-on = 加入需书记审批
invite-approval-off = 可直接加入
invite-created = <b>{ $unit }邀请链接</b>（{ $role }）
    { $link }
    { $uses ->
        [0] 不限人数
       *[other] 限{ $uses }人使用
    } · 有效期至{ $until } · { $approval }
    请只把链接发给受邀的人。
invite-failed = 邀请创建失败，请用 /invite 重试。
invite-cancelled = 已取消，未创建邀请。
invites-none = 您的范围内没有可用的邀请链接。
invites-list = <b>可用邀请链接：{ $count }个</b>
    { $lines }
invites-line = • { $unit } · { $role } · { $uses ->
        [0] 已用{ $used }次
       *[other] 已用{ $used }/{ $uses }次
    } · 有效期至{ $until }
invites-revoke-button = 撤销：{ $unit } · { $role }
invites-revoked = 邀请已撤销。

# 管理员命令
admin-only = 只有管理员可以执行此操作。
admin-unknown-member = 找不到成员 { $who }。请用 @用户名 或 Telegram ID 指定。
admin-unknown-unit = 没有代码为 { $code } 的单位。
admin-usage-grant = 用法：/grant @用户名 secretary|coordinator 单位代码
admin-usage-ungrant = 用法：/ungrant @用户名 secretary|coordinator 单位代码
admin-usage-move = 用法：/move @用户名 单位代码
admin-usage-deactivate = 用法：/deactivate @用户名
admin-usage-reactivate = 用法：/reactivate @用户名
admin-granted = { $name }现为<b>{ $unit }</b>的{ $role }。
admin-ungranted = { $name }不再担任<b>{ $unit }</b>的{ $role }。
admin-already-has-role = { $name }已有该角色。
admin-has-no-role = { $name }在该单位没有这个角色。
admin-moved = 已将{ $name }调到<b>{ $unit }</b>。
admin-already-there = { $name }已在该单位。
admin-deactivated = 已停用{ $name }：不再收到消息，角色暂停。
admin-reactivated = 已恢复{ $name }。
admin-already-active = { $name }本来就是正常状态。
admin-already-inactive = { $name }已经是停用状态。
admin-wrong-bot-username = ⚠️ <b>邀请链接指向了别的机器人。</b>
    配置中的用户名是 @{ $configured }（telegram.bot_username），而本机器人是 @{ $actual }，因此用 <code>muster invite create</code> 生成的链接会打开 @{ $configured }。请将 telegram.bot_username 改为 "{ $actual }"，然后重启机器人。

# 时间
when-today = 今天{ $time }
when-tomorrow = 明天{ $time }
when-day = { $day } { $time }
# 时长，用最大的整单位："3分钟"、"1小时30分钟"、"2天"。
duration-days = { $n }天
duration-hours = { $n }小时
duration-minutes = { $n }分钟
duration-joined = { $first }{ $rest }

# 通知：撰写
cmd-directive = 向下级单位发送通知
cmd-directives = 最近的通知：送达与确认
button-continue = 下一步 ›
directive-not-allowed = 只有书记可以发送通知，范围限于本单位及下级单位。
directive-targets = <b>新建通知</b> — 发给谁？
    点一次选中该单位及其全部下级单位（☑），再点一次只选该单位本身（◉），第三次取消。输入名称的一部分可搜索。
    已选：{ $units }个单位 · <b>{ $members }</b>名成员
directive-targets-matching = 与“{ $query }”匹配的单位：{ $found }个
directive-targets-without-you = （不含您本人）
directive-unit-included = 已包含在内：已选中{ $unit }及其全部下级单位。
directive-choose-a-unit = 请至少选择一个单位。
directive-no-recipients = 所选单位没有使用 Telegram 的成员，没有人会收到。请选择其他单位。
directive-ask-text = 请发送通知正文：不超过{ $limit }个字符，保留粗体、斜体和链接。
    如需附带一张图片或一个文件，请先发送它，或把正文作为它的说明文字。
directive-ask-text-attached = 已收到附件“{ $name }”。请发送通知正文（不超过{ $limit }个字符）。
directive-text-empty = 通知没有正文。请发送正文，或发送 /cancel。
directive-text-too-long = 正文共{ $length }个字符，上限为{ $limit }（Telegram 上限 4,096，Muster 需加标题）。请删减后重新发送，或发送 /cancel。
directive-unsupported-attachment = 这类消息不能作为附件。请发送文字、一张图片或一个文件，或发送 /cancel。
directive-ask-ack = 是否需要成员一键确认？
directive-ack-yes = 需要，设截止时间
directive-ack-no = 不需要
directive-ask-deadline = 确认截止时间？请选择，或输入时间，如 18:00 或 2026-12-01 18:00（{ $zone }）。
directive-ask-schedule = 什么时候发出？请选择，或输入时间，如 08:00 或 2026-12-01 08:00（{ $zone }）。
directive-send-now = 立即
directive-bad-time = 无法识别这个时间。请按 18:00 或 2026-12-01 18:00 的格式输入，或发送 /cancel。
directive-past-time = 这个时间已经过去了。请选择或输入更晚的时间，或发送 /cancel。
directive-deadline-past = 撰写期间截止时间已过，请重新选择。
directive-deadline-before-send = 截止时间必须晚于发出时间，请选择更晚的截止时间。
directive-preview = <b>预览</b> — 将发给{ $units }个单位的{ $members }名成员。发出时间：{ $when }。{ $attachment }
    ────────
    { $body }
directive-preview-attachment = 附{ $kind ->
        [photo] 图片一张
       *[other] 文件“{ $name }”
    }。
directive-send = ✅ 发送
directive-paid-button = ⚡ 付费加急
directive-free-button = 改为免费速率发送
directive-preview-paid = ⚡ <b>付费加急</b>：发给{ $members }名成员，每秒最多{ $rate }条，预计约<b>{ $stars } ⭐</b>（每条通知上限{ $cap } ⭐）。
directive-paid-over-cap = ⚠️ 发给{ $members }名成员预计约{ $stars } ⭐，超出每条通知{ $cap } ⭐的上限。请按免费速率发送，或少选几个单位。
directive-paid-unavailable = 现在无法付费加急。请按免费速率发送，或发送 /cancel 取消。
directive-cancelled = 已取消，未发送任何内容。
directive-scheduled = ⏳ 已定于{ $when }发出，届时会在这里显示进度。
directive-progress = 正在发送…已发<b>{ $sent }</b>/{ $total } · { $unreachable }人无法送达
directive-finished = ✅ 通知已发出：<b>{ $sent }</b>/{ $total } · { $unreachable }人无法送达{ $failed ->
        [0] {""}
       *[other] { " " }· { $failed }条发送失败
    }
directive-progress-withdrawn = ❌ 通知已撤回：已发<b>{ $sent }</b>/{ $total } · { $withdrawn }条未发出 · { $unreachable }人无法送达{ $failed ->
        [0] {""}
       *[other] { " " }· { $failed }条发送失败
    }
directive-paid-used = ⚡ 付费加急 · 已用约{ $stars } ⭐（上限{ $cap } ⭐）
directive-paid-capped = ⚡ 付费加急 · 已用约{ $stars } ⭐，已达上限，其余按免费速率发送
directive-paid-refused = ⚠️ 付费加急 · 已用约{ $stars } ⭐，机器人的星星余额不足，其余按免费速率发送
directive-paid-refused-notice = ⚠️ <b>付费加急已停止</b>：Telegram 提示机器人的星星余额不足。来自{ $unit }的这条通知，其余部分按免费速率（每秒约30条）继续发送；已用约{ $stars } ⭐。为机器人充值星星后即可再次付费加急。

# 通知：接收
directive-heading = <b>来自{ $unit }的通知</b>
directive-heading-ack = <b>来自{ $unit }的通知</b> — 请于{ $deadline }前确认
directive-acknowledged-at = ✅ 已于{ $time }确认
directive-withdrawn-line = ❌ 此通知已撤回。
button-acknowledge = ✅ 确认收到
directive-ack-done = 已于{ $time }确认。
directive-ack-already = 已经确认过（{ $time }）。
directive-withdrawn = 此通知已撤回。
directive-reminder = ⚠️ <b>提醒：</b>请确认来自{ $unit }的通知（{ $deadline }截止）。
reminder-done = ✅ 已于{ $time }确认。

# 通知：催办
escalation-list = ⚠️ <b>有{ $count }名成员逾期未确认通知</b>：
    { $lines }
escalation-unit = • { $unit }（{ $count }人）：{ $names }
escalation-open = 查看通知
unreachable-notice = ⚠️ { $unit }有{ $count }名成员无法送达（已屏蔽机器人或已注销 Telegram）：{ $names }

# 通知：查看
watch-not-allowed = 只有书记和协调员可以查看通知情况。
watch-none = 您的范围内还没有通知。
watch-list = <b>最近的通知</b>
    { $lines }
watch-line = { $number }. { $when } · “{ $text }”
    { $status }
watch-button = { $number }. { $day } · { $text }
watch-status = { $state } · 已发{ $sent }/{ $total }{ $acked ->
        [-1] {""}
       *[other] { " " }· ✅ 已确认{ $acked }
    } · 无法送达{ $unreachable }
watch-state-scheduled = ⏳ 待发送
watch-state-sending = 发送中
watch-state-sent = 已发出
watch-state-cancelled = ❌ 已撤回
watch-detail = <b>来自{ $unit }的通知</b> · { $when }
    “{ $text }”
    { $status }
    <b>各单位</b>（从低到高）：
    { $units }{ $silent_count ->
        [-1] {""}
        [0] {""}
       *[other] {"\u000A"}<b>未确认（{ $silent_count }人）：</b>{ $silent }
    }
watch-unit-acked = • { $unit }：已确认{ $done }/{ $total }（{ $percent }%）
watch-unit-sent = • { $unit }：已发{ $done }/{ $total }（{ $percent }%）
watch-remind = 🔔 立即提醒
watch-reminded = { $count ->
        [0] 提醒已在发送中，无需重复。
       *[other] 已安排提醒{ $count }名成员。
    }
watch-cancel = 撤回此通知
watch-cancel-confirm = 撤回来自{ $unit }的通知“{ $text }”？尚未发出的{ $pending }条将不再发送，确认也将停止。
watch-cancel-yes = 确定撤回
watch-cancelled = 通知已撤回{ $count ->
        [0] 。
       *[other] ，{ $count }条尚未发出的消息不再发送。
    }
watch-back = ‹ 全部通知
watch-export-caption = 来自{ $unit }的通知的接收人：{ $rows }人
delivery-pending = 等待发送
delivery-sent = 已发送
delivery-unreachable = 无法送达
delivery-failed = 发送失败
delivery-cancelled = 未发送（已撤回）
export-unit-code = 单位代码
export-unit = 单位
export-member = 成员
export-delivery = 送达
export-sent = 发送时间
export-acknowledged = 确认时间

# 加入：审批无法执行时
join-pending-unreached = 您加入<b>{ $unit }</b>的申请已记录，但暂时联系不上书记。请联系书记后重新打开邀请链接，以再次提交。
approval-link-invalid = ⚠️ 无法接纳{ $name }加入<b>{ $unit }</b>：邀请链接已过期、被撤销或次数已满。请给对方发一个新链接。
approval-elsewhere = ⚠️ { $name }已加入{ $home }，未做更改。
approval-inactive = ⚠️ { $name }的成员身份已停用，未做更改。
join-link-invalid = 您加入<b>{ $unit }</b>的申请未能完成：邀请链接已失效。请向书记索取新链接。
admin-ambiguous-member = 有多名成员使用用户名 { $who }，请改用 Telegram ID 指定。

# 每日打卡
cmd-checkin = 今日打卡
checkin-day-off = 今天（{ $day }）无需打卡。
checkin-not-yet = 今日打卡{ $time }开始，届时请发送 /checkin。
checkin-closed = 今日打卡已截止，下次打卡开始于{ $when }。
checkin-window-passed = 打卡在您填完前已截止，未保存任何内容。
checkin-current = 您今天已于{ $time }打卡：
    { $summary }
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
