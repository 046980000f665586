## 组织：加入、/me 和 /language、/invite、管理员命令、审批。

# 加入
start-how-to-join = <b>欢迎使用{ $org }。</b>
    请打开书记发给您的邀请链接加入。如果没有链接，请向本单位书记索取。
start-welcome-back = { $name }，欢迎回来。发送 /help 查看可用功能。
join-invalid = 邀请链接无效。请确认打开的是完整链接，或向书记索取新链接。
join-expired = 邀请链接已过期，请向书记索取新链接。
join-used-up = 邀请链接的使用次数已满，请向书记索取新链接。
join-revoked = 邀请链接已被撤销，请向书记索取新链接。
join-inactive = 您的成员身份已停用，请联系书记。
join-taken = 这个专属邀请链接已被他人使用，您无法通过它加入。已通知您的书记，请与其联系。
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

# 加入：审批无法执行时
join-pending-unreached = 您加入<b>{ $unit }</b>的申请已记录，但暂时联系不上书记。请联系书记后重新打开邀请链接，以再次提交。
register-invite-taken = ⚠️ 有人打开了<b>{ $name }</b>（{ $unit }）的专属邀请链接，该链接已被使用，未加入任何人。如确为{ $name }本人，请与其核实。
approval-link-invalid = ⚠️ 无法接纳{ $name }加入<b>{ $unit }</b>：邀请链接已过期、被撤销或次数已满。请给对方发一个新链接。
approval-elsewhere = ⚠️ { $name }已加入{ $home }，未做更改。
approval-inactive = ⚠️ { $name }的成员身份已停用，未做更改。
join-link-invalid = 您加入<b>{ $unit }</b>的申请未能完成：邀请链接已失效。请向书记索取新链接。
admin-ambiguous-member = 有多名成员使用用户名 { $who }，请改用 Telegram ID 指定。

## /register：在聊天中发送成员名册（issue #18）
register-not-allowed = 只有书记可以导入成员名册，范围限于本单位及下级单位。
register-ask = <b>成员名册</b> — 请以文件形式发送：CSV（UTF-8 或 GB18030）或 XLSX，不超过{ $limit }，列为 <code>name,unit</code>，可选 <code>phone,email,external_id</code>。仅限您担任书记的单位（及下级单位）。确认之前不会做任何更改；发送 /cancel 可退出。
register-wrong-type = { $name }不是 CSV 或 XLSX 文件。请以 .csv 或 .xlsx 发送名册，或发送 /cancel。
register-too-big = { $name }超过{ $limit }。请拆分后逐个发送，或发送 /cancel。
register-problems = ⚠️ { $name }无法导入，未做任何更改。
    { $problems }
    请修改文件后重新发送，或发送 /cancel。
register-preview = <b>{ $name }</b>：新增{ $added } · 更新{ $updated } · 不变{ $kept } · 待停用{ $absent }（仅在选择“停用”时：文件中没有的本单位条目）
    确认导入吗？
register-confirm = ✅ 导入
register-confirm-prune = ✅ 导入并停用{ $count }条
register-changed = 检查文件后名册已有变化，当前情况如下：
register-no-changes = { $name }：无需更改（{ $kept }条已与文件一致）。
register-done = ✅ { $name }已导入：新增{ $added }，更新{ $updated }，停用{ $deactivated }，不变{ $kept }。
register-cancelled = 已取消，名册未更改。
register-problem-line = 第{ $line }行：{ $problem }
register-problem-no-file = 文件不存在
register-problem-unreadable = 无法读取文件（{ $error }）
register-problem-too-big = 文件超过{ $limit }。
register-problem-not-text = 文件不是 UTF-8 或 GB18030 编码的文本。请在 Excel 中选择“另存为” → “CSV UTF-8”后重试。
register-problem-not-xlsx = 文件不是可读取的 XLSX 工作簿。
register-problem-bad-csv = 无法按 CSV 读取文件（{ $error }）。
register-problem-empty = 文件为空。
register-problem-bad-header = 第一行必须列出 name,unit 列（可选 phone,email,external_id）。
register-problem-unknown-columns = 未知的列：{ $columns }。
register-problem-extra-fields = 字段数多于表头（是否多了一个逗号？）。
register-problem-no-name = 姓名为空。
register-problem-long-name = 姓名超过{ $max }个字符。
register-problem-unknown-unit = 没有代码为“{ $unit }”的单位。
register-problem-unit-scope = 单位{ $unit }不在您的范围内。
register-problem-entry-scope = 此外部编号属于单位{ $unit }的人员，该单位不在您的范围内。
register-problem-bad-phone = “{ $phone }”不是电话号码。
register-problem-bad-email = “{ $email }”不是电子邮件地址。
register-problem-external-twice = 外部编号{ $id }也出现在第{ $first }行。
register-problem-person-twice = { $name }（{ $phone }）也出现在第{ $first }行（单位{ $unit }）。
register-problem-no-members = 文件中没有成员。
register-problem-more = ……另有{ $count }个问题。
register-link-offer = 👤 <b>{ $member }</b>通过通用邀请加入了{ $unit }。名册中有尚未加入的<b>{ $name }</b>{ $phone ->
        [none] {""}
       *[other] （电话尾号{ $phone }）
    }。是同一人吗？
register-link-yes = 🔗 关联
register-link-no = 不是同一人
register-link-linked = 🔗 { $member }已与名册中的{ $name }关联。
register-link-declined = 未关联：{ $member }与名册中的{ $name }不是同一人。
register-link-already = { $member }此前已与名册中的{ $name }关联，未做更改。
register-link-taken = 未关联：{ $holder }已先以名册中的{ $name }身份加入。
register-link-member-linked = 未关联：{ $member }已关联到名册中的另一条目。
register-link-gone = 未关联：该名册条目或成员已不再有效。
register-link-answered = { $anonymous ->
    [yes] 管理员已回答过，未做更改。
   *[no] { $holder }已回答过，未做更改。
}

## 各单位联系情况（issue #18）：各数字的定义见 README “Reach per unit”。
reach-figures = 已加入{ $joined }/{ $expected } · 可经 Telegram 联系{ $telegram } · 仅可经备用渠道联系{ $fallback } · 无法联系{ $unreachable }
reach-short = 已加入{ $joined }/{ $expected } · 无法联系{ $unreachable }
