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
