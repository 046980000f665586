## 备用渠道：通过邮件或短信发送通知，确认页面和短信回复码。
## 邮件和短信为纯文本，这里不用标记。

fallback-email-subject = 来自{ $unit }的通知 — 请于{ $deadline }前确认
fallback-email-ack = 确认收到：{ $url }
fallback-email-answer = 答复：{ $url }
fallback-email-why = 由于无法通过 Telegram 联系到您，此通知以邮件发送。Muster
fallback-sms-ack = 请于{ $deadline }前回复 { $code } 确认收到。
fallback-sms-answer = 请回复 { $code } 加您的答复编号（{ $choices }），例如"{ $code } 1"。

## 确认链接打开的页面，以及短信网关可回复给对方的内容。

fallback-page-heading = 来自{ $unit }的通知
fallback-page-ack = ✅ 确认收到
fallback-page-recorded = ✅ 已记录，谢谢。
fallback-page-already = 此链接已使用过：您的答复此前已记录。
fallback-page-withdrawn = 此通知已撤回，无需处理。
fallback-page-late = 此通知的答复已截止。
fallback-page-no-such-choice = 这不是可选的答复。请重新打开链接并选择一项。
fallback-page-refused = 此链接无效或已过期，未记录任何内容。
fallback-sms-recorded = 已记录，谢谢。
fallback-sms-already = 您的答复此前已记录。
fallback-sms-withdrawn = 此通知已撤回，无需处理。
fallback-sms-late = 此通知的答复已截止。
fallback-sms-no-such-choice = 请回复您的回复码加一个答复的编号。
fallback-sms-refused = 未能识别该回复码，未记录任何内容。
