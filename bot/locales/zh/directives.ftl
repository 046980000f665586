## 通知：撰写、接收、催办、查看。

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
follow-up-start = <b>后续通知</b>：发给{ $unit }选择“{ $choice }”的{ $count }名成员。以发出时的答复为准。
follow-up-nobody = { $unit }没有成员选择“{ $choice }”。
follow-up-stale = 该问题已撤回，没有可以后续通知的成员。
directive-text-empty = 通知没有正文。请发送正文，或发送 /cancel。
directive-text-too-long = 正文共{ $length }个字符，上限为{ $limit }（Telegram 上限 4,096，Muster 需加标题）。请删减后重新发送，或发送 /cancel。
directive-unsupported-attachment = 这类消息不能作为附件。请发送文字、一张图片或一个文件，或发送 /cancel。
directive-ask-ack = 是否需要成员一键确认？
directive-ack-yes = 需要，设截止时间
directive-ack-no = 不需要
directive-ack-answers = ❓ 请成员答复
directive-ask-choices-first = <b>答复选项</b> — 成员可以怎样答复？请输入第一个选项（不超过{ $limit }个字符），或点下方的常用选项。
directive-ask-choices = <b>答复选项</b> — 成员点选其中一项：
    { $choices }
    输入文字可再添加一个选项（最多{ $most }个）；点某个选项，可设置点选后说明原因或填写数字。
directive-use-presets = 使用：{ $choices }
directive-choice-line = { $number }. { $label }{ $extras }
directive-choice-reason = { $reason ->
        [required] 须说明原因
       *[optional] 可说明原因
    }
directive-choice-number = 再问“{ $prompt }”（{ $low }–{ $high }）
directive-choice = 第{ $number }个选项：<b>{ $label }</b>{ $extras }
    成员点选后，是否要说明原因或填写数字？
directive-reason-none = 无需原因
directive-reason-optional = 原因可选
directive-reason-required = 原因必填
directive-number-add = 填写数字
directive-number-remove = 不填数字
directive-choice-remove = 删除此选项
directive-ask-number-prompt = 点选“{ $label }”的成员要填写什么数字？请输入问题，或点下方的常用问题。
directive-number-preset = 您能带几个人来？
directive-ask-number-bounds = “{ $prompt }” — 范围是多少？请输入最小值和最大值，如 0-20，或只输入最小值。
directive-ask-number-high = 最大值是多少？（不小于{ $low }）
directive-number-not-range = 这不是有效的范围。请输入两个整数，如 0-20，或发送 /cancel。
directive-number-not-whole = 这不是整数。请输入最大值，如 20，或发送 /cancel。
directive-type-text = 请以文字输入，或发送 /cancel。
question-preset-come = 我能到
question-preset-transport = 我需要接送
question-preset-cannot = 我来不了
question-too-few = 至少需要{ $least }个选项。请再添加一个，或发送 /cancel。
question-too-many = 最多只能有{ $most }个选项，再多手机屏幕上就放不下了。请删去一个，或发送 /cancel。
question-label-empty = 第{ $choice }个选项没有文字。请输入一个简短的选项，或发送 /cancel。
question-label-too-long = 第{ $choice }个选项有{ $length }个字符，按钮最多显示{ $limit }个。请删减后重新发送，或发送 /cancel。
question-label-duplicate = 第{ $choice }个选项“{ $label }”与已有选项重复。请换一个，或发送 /cancel。
question-prompt-empty = 第{ $choice }个选项后的数字问题没有文字。请输入，例如“您能带几个人来？”，或发送 /cancel。
question-prompt-too-long = 第{ $choice }个选项后的数字问题有{ $length }个字符，上限为{ $limit }。请删减后重新发送，或发送 /cancel。
question-number-bounds = { $low }到{ $high }不是有效的范围：最小值不能小于0，也不能大于最大值，最大值不超过999999。请发送两个数字，如 0 50，或发送 /cancel。
directive-ask-deadline = 确认截止时间？请选择，或输入时间，如 18:00 或 2026-12-01 18:00（{ $zone }）。
directive-ask-deadline-answer = 答复截止时间？请选择，或输入时间，如 18:00 或 2026-12-01 18:00（{ $zone }）。届时答复截止；截止前会提醒尚未答复的成员，他们仍可及时答复。
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
directive-preview-follow-up = ✉️ 仅发给选择“{ $choice }”的成员（以发出时的答复为准）。
directive-preview-followups = 点选后：{ $followups }。
directive-preview-followup = “{ $label }”{ $extras }
directive-preview-choice = 成员将用此按钮答复；在预览中点选不会记录。
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
fallback-tally = { $channel }：已发送{ $sent }{ $failed ->
        [0] {""}
       *[other] { " " }· 失败{ $failed }
    }{ $pending ->
        [0] {""}
       *[other] { " " }· 待发送{ $pending }
    } · { $question ->
        [1] 已答复
       *[0] 已确认
    }{ $acked }
fallback-channel-email = 邮件
fallback-channel-gateway = 短信
directive-paid-refused-notice = ⚠️ <b>付费加急已停止</b>：Telegram 提示机器人的星星余额不足。来自{ $unit }的这条通知，其余部分按免费速率（每秒约30条）继续发送；已用约{ $stars } ⭐。为机器人充值星星后即可再次付费加急。

# 通知：接收
directive-heading = <b>来自{ $unit }的通知</b>
directive-heading-ack = <b>来自{ $unit }的通知</b> — 请于{ $deadline }前确认
directive-acknowledged-at = ✅ 已于{ $time }确认
directive-acknowledged-late = ✅ 已于{ $time }确认（逾期）
directive-heading-answer = <b>来自{ $unit }的通知</b> — 请于{ $deadline }前答复
answer-line = ✅ 您的答复：<b>{ $choice }</b> · { $time }
answer-line-number = ✅ 您的答复：<b>{ $choice }</b>（{ $number }）· { $time }
answer-line-reason = { $line }
    原因：{ $reason }
answer-closed-line = ⏰ 答复已于{ $time }截止。
answer-change = ✏️ 更改
answer-recorded = 已记录：{ $choice }。
answer-unchanged = 您已选择了“{ $choice }”。
answer-late = 答复已于{ $time }截止，这次点击未被记录。
answer-ask-number = { $prompt }
    请发送{ $low }到{ $high }之间的整数，或发送 /cancel。
answer-bad-number = 这不是{ $low }到{ $high }之间的整数。请重新发送，或发送 /cancel。
answer-ask-reason = 您选择了“{ $choice }”，请简要说明原因，或发送 /cancel。
answer-ask-reason-optional = 您选择了“{ $choice }”。如愿意，请简要说明原因；也可以点“跳过”。
answer-reason-empty = 选择“{ $choice }”需要说明原因。请简要说明，或发送 /cancel。
answer-reason-too-long = 原因共{ $length }个字符，上限为{ $limit }。请删减后重新发送，或发送 /cancel。
answer-reason-text = 请用文字说明原因，或发送 /cancel。
answer-noted = ✅ 已记录，谢谢。
answer-skip = 跳过
answer-detail-kept = 您的答复保持不变。
directive-withdrawn-line = ❌ 此通知已撤回。
button-acknowledge = ✅ 确认收到
directive-ack-done = 已于{ $time }确认。
directive-ack-already = 已经确认过（{ $time }）。
directive-withdrawn = 此通知已撤回。
directive-reminder = ⚠️ <b>提醒：</b>请确认来自{ $unit }的通知（{ $deadline }截止）。
directive-reminder-answer = ⚠️ <b>提醒：</b>请答复来自{ $unit }的通知，答复将于{ $deadline }截止。
reminder-done = ✅ 已于{ $time }确认。

# 通知：催办
escalation-list = ⚠️ <b>有{ $count }名成员逾期未确认通知</b>：
    { $lines }
escalation-list-answer = ⚠️ <b>有{ $count }名成员逾期未答复通知</b>：
    { $lines }
escalation-list-early = ⚠️ <b>有{ $count }名成员尚未确认通知</b>：
    { $lines }
escalation-list-answer-early = ⚠️ <b>有{ $count }名成员尚未答复通知</b>：
    { $lines }
escalation-unit = • { $unit }（{ $count }人）：{ $names }
escalation-open = 查看通知
ladder-coordinators = ⚠️ { $committee }下属<b>{ $count }个单位</b>的通知确认率低于{ $percent }%：
    { $lines }
ladder-coordinators-answer = ⚠️ { $committee }下属<b>{ $count }个单位</b>的通知答复率低于{ $percent }%：
    { $lines }
ladder-coordinator-unit = • { $unit }：{ $percent }%（{ $total }人中{ $silent }人未回复）
ladder-line = 催办：{ $steps }
ladder-done = { $step ->
        [remind] 已提醒
        [secretaries] 已通知书记
        [coordinators] 已通知协调员
       *[fallback] 已转备用渠道
    } { $time }
ladder-skipped = { $step ->
        [remind] 提醒
        [secretaries] 通知书记
        [coordinators] 通知协调员
       *[fallback] 转备用渠道
    }已跳过
ladder-next = 下一步：{ $time } { $step ->
        [remind] 提醒
        [secretaries] 通知书记
        [coordinators] 通知协调员
       *[fallback] 转备用渠道
    }
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
    }{ $answered ->
        [-1] {""}
       *[other] { " " }· 已答复{ $answered }
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
headcount-heading = <b>人数统计</b> — { $total }人中<b>{ $answered }</b>人已答复
    { $parts }
headcount-heading-closed = <b>人数统计</b> — { $total }人中<b>{ $answered }</b>人已答复 · 已于{ $time }截止
    { $parts }
headcount-line = { $unit }：{ $parts }
headcount-choice = { $label } { $count }人
headcount-choice-sum = { $label } { $count }人（+{ $sum }）
headcount-silent = 未答复{ $count }人
headcount-unreachable = 无法送达{ $count }人
watch-detail-question = <b>来自{ $unit }的通知</b> · { $when }
    “{ $text }”
    { $status }
watch-answers-button = 👥 { $unit }
watch-answers = <b>{ $unit }的答复</b> · “{ $text }”
    { $parts }
    { $lines }
    第{ $first }–{ $last }人，共{ $total }人
watch-answer-name-unit = { $name }（{ $unit }）
watch-answer-member = • { $name } — { $choice }{ $number ->
        [-1] {""}
       *[other] （{ $number }）
    } · { $time }{ $given ->
        [0] {""}
       *[other] ：“{ $reason }”
    }
watch-answer-silent = • { $name } — 未答复
watch-answer-unreachable = • { $name } — ⚠️ 无法送达
watch-answers-back = ‹ 返回人数统计
watch-remind = 🔔 立即提醒
watch-follow-up = ✉️ 通知选择“{ $choice }”的成员
watch-follow-up-in = ✉️ 通知{ $unit }选择“{ $choice }”的成员
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
export-choice = 答复
export-number = 数量
export-reason = 原因
export-answered = 答复时间
export-changes = 更改次数
export-not-answered = 未答复

## 📞 电话联系（代为记录，issue #18）
phone-button = 📞 { $name }
phone-ask = 📞 <b>已电话联系：{ $name }</b>（{ $unit }）
    “{ $text }”
    { $question ->
        [0] 对方怎么说？代其记录，或记录未能联系上。
       *[other] 对方如何答复？代其记录，或记录未能联系上。
    }发送 /cancel 则不作记录。
phone-acknowledged = ✅ 已确认
phone-unreached = 🚫 未能联系上
phone-ask-number = { $prompt }
    请发送对方给出的数字，须为{ $low }到{ $high }之间的整数；或发送 /cancel。
phone-ask-reason = 对方选择了“{ $choice }”：请简要发送对方说明的原因，或发送 /cancel。
phone-ask-unreached = 为什么未能联系上？请简要说明（如“无人接听，已留言”），或发送 /cancel。
phone-reason-empty = 这里需要简要说明。请发送，或发送 /cancel。
phone-reason-too-long = 超过了{ $limit }个字符。请缩短后重新发送，或发送 /cancel。
phone-recorded = 📞 已由您代{ $name }记录：{ $outcome ->
        [acknowledged] 已确认
        [answered] 答复“{ $choice }”{ $number ->
            [-1] {""}
           *[other] （{ $number }）
        }{ $given ->
            [0] {""}
           *[other] ：“{ $reason }”
        }
       *[unreached] 未能联系上：“{ $reason }”
    }。
phone-already = { $name }已另有答复：未作记录。
phone-stale = 已无法记录（通知或成员已不存在）。
phone-cancelled = 未作任何记录。
phone-told = 📞 您的书记{ $secretary }于{ $day }{ $time }通过电话代您记录：通知“{ $text }”{ $outcome ->
        [acknowledged] 已确认
        [answered] 答复“{ $choice }”
       *[unreached] 未能联系上您
    }。

## 联系方式与联系用时（issue #18）
reach-telegram = Telegram { $count }人
reach-email = 邮件{ $count }人
reach-gateway = 短信{ $count }人
reach-phone = 📞 电话{ $count }人
reach-unreached = 未联系上{ $count }人
reach-silent = 未答复{ $count }人
reach-time = 联系用时 p50 { $p50 } · p90 { $p90 }
watch-reach = <b>联系方式</b>
watch-reach-unit = { $unit }：{ $parts }
reached-telegram = Telegram
reached-email = 邮件
reached-gateway = 短信
reached-phone = 电话（由{ $by }代为记录）
reached-unreached = 未联系上{ $given ->
        [0] {""}
       *[other] ：{ $note }
    }
export-reached = 联系方式
## 未加入 Telegram 的名册人员：指令详情与导出（issue #18）
entry-not-on-telegram = 未加入 Telegram
entry-joined-later = 通知发出后才加入
entry-reached = { $state ->
        [acked] { $channel ->
            [gateway] 短信 — 已凭回复码{ $answered ->
                [1] 答复
               *[0] 确认
            }
           *[other] 邮件 — 已凭链接{ $answered ->
                [1] 答复
               *[0] 确认
            }
        }
        [sent] { $channel ->
            [gateway] 短信已发送
           *[other] 邮件已发送
        }
        [to_go] { $channel ->
            [gateway] 短信待发送
           *[other] 邮件待发送
        }
        [failed] 未联系上：{ $channel ->
            [gateway] 短信均发送失败
           *[other] 邮件均发送失败
        }
        [no_address] 未联系上：无联系地址
       *[not_sent] 未联系上：未发送
    }
watch-entries = <b>未加入 Telegram</b> · 名册上{ $count }人
watch-entries-unit = { $unit }：{ $parts }
watch-entries-part = { $how }{ $count }人
watch-entries-person = • { $name }（{ $unit }）— { $telegram } · { $how }
