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
draft-stale = 此操作是在机器人更新前开始的，现已失效，未做任何更改。请重新开始。

# 通用回复
access-denied = 您无权在此执行该操作。
error-internal = 系统出了点问题，请重试，或发送 /cancel。
unknown-command = 没有这个命令。发送 /help 查看可用功能。
free-text-hint = 这里不需要输入文字。发送 /help 查看可用功能。
file-download-failed = 无法从 Telegram 获取该文件，请重新发送。
use-buttons = 请点击上方按钮选择，或发送 /cancel。
cancel-nothing = 当前没有可取消的操作。
list-more = ……另有{ $count }项。
list-names-more = { $names }……另有{ $count }人。

# 命令菜单
cmd-start = 通过邀请链接加入
cmd-me = 我的单位、角色和状态
cmd-invite = 创建邀请链接
cmd-invites = 管理和撤销邀请链接
cmd-register = 从文件导入成员名册
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

# 时间
when-today = 今天{ $time }
when-tomorrow = 明天{ $time }
when-day = { $day } { $time }
# 时长，用最大的整单位："3分钟"、"1小时30分钟"、"2天"。
duration-days = { $n }天
duration-hours = { $n }小时
duration-minutes = { $n }分钟
duration-joined = { $first }{ $rest }
