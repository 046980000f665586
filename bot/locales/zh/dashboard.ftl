## 仪表板小程序（issue #19）：聊天中的按钮和页面文字。

dashboard-button = 📊 仪表板
dashboard-title = 今日
dashboard-loading = 加载中…
dashboard-refused = 您没有可查看的单位：仪表板仅供书记和协调员使用。
dashboard-not-found = 该单位已不存在。
dashboard-out-of-scope = 该单位不在您的查看范围内。
dashboard-failed = 刷新失败，稍后重试。
dashboard-checked-in = 已打卡
dashboard-missing = 未打卡
dashboard-acked = 已确认或已回答
dashboard-reach = 通知已送达
dashboard-own = { $unit }（本级成员）
dashboard-back = ‹ { $unit }
dashboard-updated = 更新于{ $time }
dashboard-missing-heading = 今日未打卡
dashboard-none-missing = 所有人都已打卡。
dashboard-last-checkin = 上次打卡：{ $day }
dashboard-never = 从未打卡
dashboard-more = 另有{ $count }人
dashboard-no-directives = 今日无通知
dashboard-no-members = 无需打卡
dashboard-expired = 此仪表板已过期或不是从 Telegram 打开的：请关闭后从聊天中重新打开。
