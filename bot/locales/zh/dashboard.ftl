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
dashboard-blocked = ⛔ 已屏蔽机器人：无法通过 Telegram 联系
dashboard-more = 另有{ $count }人
dashboard-no-directives = 今日无通知
dashboard-no-members = 无需打卡
dashboard-expired = 此仪表板已过期或不是从 Telegram 打开的：请关闭后从聊天中重新打开。

## 各视图的标签，以及值守和趋势视图。
dashboard-tab-today = 今日
dashboard-tab-duty = 值守
dashboard-tab-trends = 趋势
dashboard-duty-title = 值守
dashboard-duty-heading = 值守，{ $day }
dashboard-duty-legend = 按今晚班次显示的网格
dashboard-duty-grids = 网格
dashboard-duty-incidents = 今日事件
dashboard-duty-no-grids = 这里还没有网格。书记可用 /grids 添加。
dashboard-duty-no-map = 这里的网格都没有中心坐标，无法绘图：列在下方。
dashboard-duty-no-shifts = 今日无班次
dashboard-duty-tap = 点击网格查看班次。
dashboard-duty-started = 在岗
dashboard-duty-confirmed = 已确认
dashboard-duty-covered = 已排班，待确认
dashboard-duty-no-show = 缺岗
dashboard-duty-uncovered = 无人值守
dashboard-trends-title = 趋势
dashboard-trends-heading = 趋势，{ $first } – { $last }
dashboard-trends-no-data = 这些天没有数据。
dashboard-trends-total = 全部
dashboard-trends-rate = 打卡率
dashboard-trends-above = { $label } ≥ { $limit }：异常答复
dashboard-trends-below = { $label } ≤ { $limit }：异常答复
dashboard-trends-count = { $label }：答复数
dashboard-trends-sum = { $label }：合计
dashboard-trends-mean = { $label }：平均
dashboard-trends-max = { $label }：最高

## 仪表板的通知视图和“立即提醒”（issue #19，第二部分）。

dashboard-directives-open = 📋 通知 ›
dashboard-directives = 近期通知
dashboard-directives-none = 您的范围内还没有通知。
dashboard-directive-today = ‹ 今日
dashboard-directive-all = ‹ 全部通知
dashboard-directive-silent = 此处尚未确认或答复
dashboard-directive-none-silent = 此处所有人都已确认或答复。
dashboard-directive-entries = 此处名册上未加入 Telegram 的人员
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
