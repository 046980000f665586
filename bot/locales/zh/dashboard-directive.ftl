## 仪表板的通知视图和“立即提醒”（issue #19，第二部分）。

dashboard-directives-open = 📋 通知 ›
dashboard-directives = 近期通知
dashboard-directives-none = 您的范围内还没有通知。
dashboard-directive-today = ‹ 今日
dashboard-directive-all = ‹ 全部通知
dashboard-directive-silent = 此处尚未确认或答复
dashboard-directive-none-silent = 此处所有人都已确认或答复。
dashboard-directive-delivery = 已发{ $sent }/{ $total } · 失败{ $failed } · 无法送达{ $unreachable } · 待发{ $pending }
dashboard-directive-withdrawn = 未发出（已撤回）{ $count }
dashboard-directive-acked = 已确认{ $done }/{ $total }（{ $percent }%）
dashboard-directive-answered = 已答复{ $done }/{ $total }（{ $percent }%）
dashboard-directive-closed = 答复已于{ $time }截止
dashboard-directive-unknown = 该通知已不存在，或不在您的查看范围内。
dashboard-remind-refused = 您无权向该单位发送提醒。
dashboard-remind-withdrawn = 该通知已撤回：无需提醒。
dashboard-remind-closed = 该问题的答复已截止：提醒后也无法再答复。
dashboard-remind-not-now = 该通知现在无法提醒（不需要确认，或尚未发出）。
dashboard-remind-bad = 无法识别该请求；请关闭仪表板，然后从聊天中重新打开。
