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
