## Organisation: joining, /me and /language, /invite, admin commands, approvals.

# Joining
start-how-to-join = <b>Welcome to { $org }.</b>
    To join, open the invite link your secretary sent you. If you have no link, ask your unit's secretary for one.
start-welcome-back = Welcome back, { $name }. Send /help to see what you can do.
join-invalid = That invite link is not valid. Check that you opened the whole link, or ask your secretary for a new one.
join-expired = That invite link has expired. Ask your secretary for a new one.
join-used-up = That invite link has been used up. Ask your secretary for a new one.
join-revoked = That invite link was withdrawn. Ask your secretary for a new one.
join-inactive = Your membership is inactive. Please contact your secretary.
join-taken = That personal invite link has already been used by someone else, so I cannot let you join with it. I have told your secretary; please contact them.
join-welcome = <b>Welcome!</b> You are now a { $role } of <b>{ $unit }</b>.
    Send /help to see what you can do.
join-role-added = You are now also a { $role } of <b>{ $unit }</b>.
join-already = You are already a { $role } of <b>{ $unit }</b>. Nothing was changed.
join-already-elsewhere = You are already a member of <b>{ $unit }</b>. To change units, ask your secretary to move you.
join-pending = Your request to join <b>{ $unit }</b> was sent to its secretary. I will tell you when it is decided.
join-already-pending = Your request to join <b>{ $unit }</b> is still waiting for a decision.
join-approved = <b>You're in.</b> Your request was approved: you are now a { $role } of <b>{ $unit }</b>.
    Send /help to see what you can do.
join-rejected = Your request to join <b>{ $unit }</b> as { $role } was not approved. Contact your secretary if you think this is a mistake.
approval-request = <b>Join request for { $unit }</b>
    { $name } { $username } wants to join as { $role }.
approval-approved = ✅ { $name } joined <b>{ $unit }</b> (approved by { $by }).
approval-rejected = ❌ { $name } was not admitted to <b>{ $unit }</b> (rejected by { $by }).
approval-already-decided = Already decided.
approval-already-decided-detail = The request of { $name } to join <b>{ $unit }</b> was already decided.

# /me and /language
not-a-member = You are not a member of { $org } yet. Open the invite link your secretary sent you.
member-inactive = Your membership is inactive, so this is not open to you. If that is a mistake, ask your secretary.
me-card = <b>{ $name }</b>
    Unit: { $unit }
    Roles:
    { $roles }
    Status: { $status } · member since { $since }
    Today: { $today } · { $checkin }
me-role-line = • { $role } of { $unit }
me-no-roles = • member
me-active = active
me-inactive = inactive
language-choose = Choose your language:
language-set = Language set to { $language }.
language-not-member = Muster follows your Telegram language until you join.

# /invite
invite-not-allowed = Only secretaries can create invites, for their own unit and the units below it.
invite-choose-unit = <b>New invite</b> — which unit? ({ $count } to choose from)
    Choose below, or type part of a unit's name or its code to search.
invite-choose-unit-search = <b>New invite</b> — units matching “{ $query }”: { $count }
invite-unit-not-found = No unit in your scope matches “{ $query }”. Type another search, or /cancel.
invite-choose-role = <b>New invite for { $unit }</b> — join as what?
invite-choose-uses = How many people may use this link?
invite-uses-n = { $n ->
    [one] 1 person
   *[other] { $n } people
}
invite-uses-unlimited = No limit
invite-choose-expiry = How long should the link work?
invite-choose-approval = Should a secretary approve each person who joins?
invite-approval-yes = Yes, approve each
invite-approval-no = No, admit directly
invite-approval-on = each join needs a secretary's approval
invite-approval-off = people join directly
invite-created = <b>Invite for { $unit }</b> ({ $role })
    { $link }
    { $uses ->
        [0] No limit on uses
        [one] For 1 person
       *[other] For up to { $uses } people
    } · valid until { $until } · { $approval }
    Send this link only to the people it is meant for.
invite-failed = The invite could not be created. Please try again with /invite.
invite-cancelled = Cancelled. No invite was created.
invites-none = There are no usable invite links in your scope.
invites-list = <b>Usable invite links: { $count }</b>
    { $lines }
invites-line = • { $unit } · { $role } · { $uses ->
        [0] { $used } used
       *[other] { $used } of { $uses } used
    } · until { $until }
invites-revoke-button = Revoke: { $unit } · { $role }
invites-revoked = Invite revoked.

# Admin commands
admin-only = Only administrators can do that.
admin-unknown-member = No member { $who } was found. Name them by @username or Telegram id.
admin-unknown-unit = There is no unit with code { $code }.
admin-usage-grant = Usage: /grant @username secretary|coordinator UNIT_CODE
admin-usage-ungrant = Usage: /ungrant @username secretary|coordinator UNIT_CODE
admin-usage-move = Usage: /move @username UNIT_CODE
admin-usage-deactivate = Usage: /deactivate @username
admin-usage-reactivate = Usage: /reactivate @username
admin-granted = { $name } is now { $role } of <b>{ $unit }</b>.
admin-ungranted = { $name } is no longer { $role } of <b>{ $unit }</b>.
admin-already-has-role = { $name } already has that role.
admin-has-no-role = { $name } does not have that role there.
admin-moved = { $name } moved to <b>{ $unit }</b>.
admin-already-there = { $name } is already in that unit.
admin-deactivated = { $name } is deactivated: no messages, no roles in effect.
admin-reactivated = { $name } is active again.
admin-already-active = { $name } is already active.
admin-already-inactive = { $name } is already inactive.
admin-wrong-bot-username = ⚠️ <b>Invite links name the wrong bot.</b>
    The configuration says @{ $configured } (telegram.bot_username), but this bot is @{ $actual }, so links printed by <code>muster invite create</code> open @{ $configured }. Set telegram.bot_username = "{ $actual }" and restart the bot.

# Joining: when an approval cannot be carried out
join-pending-unreached = Your request to join <b>{ $unit }</b> is recorded, but no secretary could be reached just now. Please contact your secretary, then open the invite link again to resend it.
register-invite-taken = ⚠️ Someone else opened the personal invite link of <b>{ $name }</b> ({ $unit }), which is already in use. Nobody was added. If this is the real { $name }, please check with them.
approval-link-invalid = ⚠️ { $name } could not be admitted to <b>{ $unit }</b>: the invite link has expired, been withdrawn or been used up. Send them a new link.
approval-elsewhere = ⚠️ { $name } has meanwhile joined { $home }; nothing was changed.
approval-inactive = ⚠️ The membership of { $name } is inactive; nothing was changed.
join-link-invalid = Your request to join <b>{ $unit }</b> could not be completed: the invite link is no longer valid. Ask your secretary for a new one.
admin-ambiguous-member = Several members have the username { $who }. Name them by Telegram id instead.

## /register: the member register sent in chat (issue #18)
register-not-allowed = Only secretaries can load the member register, for their own unit and the units below it.
register-ask = <b>Member register</b> — send the file as a document: CSV (UTF-8 or GB18030) or XLSX, at most { $limit }, with the columns <code>name,unit</code> and optionally <code>phone,email,external_id</code>. Only units you are secretary of (and below). Nothing is changed until you confirm; /cancel to stop.
register-wrong-type = { $name } is not a CSV or XLSX file. Please send the register as .csv or .xlsx, or /cancel.
register-too-big = { $name } is larger than { $limit }. Split it into parts and send them one by one, or /cancel.
register-problems = ⚠️ { $name } cannot be imported. Nothing was changed.
    { $problems }
    Correct the file and send it again, or /cancel.
register-preview = <b>{ $name }</b>: { $added } added · { $updated } updated · { $kept } unchanged · { $absent } to deactivate (only with “deactivate”: entries of your units the file leaves out)
    Import it?
register-confirm = ✅ Import
register-confirm-prune = ✅ Import and deactivate { $count }
register-changed = The register changed since the file was checked. Here is how it stands now:
register-no-changes = { $name }: nothing to change ({ $kept } entries already as in the file).
register-done = ✅ { $name } imported: { $added } added, { $updated } updated, { $deactivated } deactivated, { $kept } unchanged.
register-cancelled = Cancelled. The register was not changed.
register-problem-line = Line { $line }: { $problem }
register-problem-no-file = no such file
register-problem-unreadable = cannot read the file ({ $error })
register-problem-too-big = The file is larger than { $limit }.
register-problem-not-text = The file is not text in UTF-8 or GB18030. In Excel choose "Save as" → "CSV UTF-8" and try again.
register-problem-not-xlsx = The file is not a readable XLSX workbook.
register-problem-bad-csv = The file cannot be read as CSV ({ $error }).
register-problem-empty = The file is empty.
register-problem-bad-header = The first line must name the columns name,unit (and optionally phone,email,external_id).
register-problem-unknown-columns = Unknown column(s): { $columns }.
register-problem-extra-fields = More fields than the header names (a comma too many?).
register-problem-no-name = The name is empty.
register-problem-long-name = The name is longer than { $max } characters.
register-problem-unknown-unit = There is no unit with the code "{ $unit }".
register-problem-unit-scope = Unit { $unit } is not one of your units.
register-problem-entry-scope = This external id belongs to someone in unit { $unit }, which is not one of your units.
register-problem-bad-phone = "{ $phone }" is not a phone number.
register-problem-bad-email = "{ $email }" is not an email address.
register-problem-external-twice = External id { $id } is also on line { $first }.
register-problem-person-twice = { $name } ({ $phone }) is also on line { $first } (unit { $unit }).
register-problem-no-members = No members found in the file.
register-problem-more = …and { $count } more problems.
register-link-offer = 👤 <b>{ $member }</b> joined { $unit } by a general invite. The register has <b>{ $name }</b>{ $phone ->
        [none] {""}
       *[other] {" "}(phone …{ $phone })
    }, not joined yet. Same person?
register-link-yes = 🔗 Link
register-link-no = Not the same person
register-link-linked = 🔗 { $member } is now linked to the register's { $name }.
register-link-declined = Not linked: { $member } and the register's { $name } are not the same person.
register-link-already = { $member } was already linked to the register's { $name }. Nothing was changed.
register-link-taken = Not linked: { $holder } has joined as the register's { $name } meanwhile.
register-link-member-linked = Not linked: { $member } is already linked to another register entry.
register-link-gone = Not linked: the register entry or the member is no longer active.
register-link-answered = { $anonymous ->
    [yes] Already answered by an administrator: nothing was changed.
   *[no] Already answered by { $holder }: nothing was changed.
}

## Reach per unit (issue #18): README "Reach per unit" defines each figure.
reach-figures = joined { $joined } / { $expected } · on Telegram { $telegram } · fallback only { $fallback } · unreachable { $unreachable }
reach-short = joined { $joined } / { $expected } · unreachable { $unreachable }
