## English catalogue. HTML parse mode: arguments are escaped by the translator.

# Roles
role-member = member
role-secretary = secretary
role-coordinator = coordinator

# Buttons
button-approve = ✅ Approve
button-reject = ❌ Reject
button-back = ‹ Back
button-cancel = Cancel
button-previous = ‹ Previous
button-more = More ›
button-stale = This button no longer applies. Nothing was changed.

# Generic answers
access-denied = You are not allowed to do that here.
error-internal = Something went wrong on our side. Please try again, or /cancel.
unknown-command = I don't know that command. Send /help to see what you can do.
free-text-hint = I didn't expect a message here. Send /help to see what you can do.
use-buttons = Please choose with the buttons above, or send /cancel.
cancel-nothing = There is nothing to cancel.
list-more = …and { $count } more.
list-names-more = { $names } …and { $count } more.

# Command menu
cmd-start = Join with an invite link
cmd-me = Your unit, roles and status
cmd-invite = Create an invite link
cmd-invites = Invite links and revoking them
cmd-grant = Give a member a role
cmd-ungrant = Take a role away
cmd-move = Move a member to another unit
cmd-deactivate = Deactivate a member
cmd-reactivate = Reactivate a member
cmd-language = Language / 语言
cmd-help = What you can do
cmd-cancel = Leave the current step
help-text = <b>What you can do</b>
    { $commands }

# Joining
start-how-to-join = <b>Welcome to { $org }.</b>
    To join, open the invite link your secretary sent you. If you have no link, ask your unit's secretary for one.
start-welcome-back = Welcome back, { $name }. Send /help to see what you can do.
join-invalid = That invite link is not valid. Check that you opened the whole link, or ask your secretary for a new one.
join-expired = That invite link has expired. Ask your secretary for a new one.
join-used-up = That invite link has been used up. Ask your secretary for a new one.
join-revoked = That invite link was withdrawn. Ask your secretary for a new one.
join-inactive = Your membership is inactive. Please contact your secretary.
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

# Times
when-today = { $time } today
when-tomorrow = { $time } tomorrow
when-day = { $day } { $time }
# A duration, in its largest exact units: "3 min", "1 h 30 min", "2 days".
duration-days = { $n ->
    [one] 1 day
   *[other] { $n } days
}
duration-hours = { $n } h
duration-minutes = { $n } min
duration-joined = { $first } { $rest }

# Directives: composing
cmd-directive = Send a directive to your units
cmd-directives = Recent directives: sent and acknowledged
button-continue = Continue ›
directive-not-allowed = Only secretaries can send directives, to their own unit and the units below it.
directive-targets = <b>New directive</b> — who should receive it?
    Tap a unit once for it and every unit below it (☑), again for that unit alone (◉), a third time to remove it. Type part of a name to search.
    Selected: { $units } { $units ->
        [one] unit
       *[other] units
    } · <b>{ $members }</b> { $members ->
        [one] member
       *[other] members
    }
directive-targets-matching = Units matching “{ $query }”: { $found }
directive-targets-without-you = { " " }(not counting you)
directive-unit-included = Already included: { $unit } is selected with every unit below it.
directive-choose-a-unit = Choose at least one unit first.
directive-no-recipients = Nobody would receive it: the selected units have no members in Telegram. Choose other units.
directive-ask-text = Now send the text of the directive: up to { $limit } characters; bold, italics and links are kept.
    To attach one photo or document, send it first, or with the text as its caption.
directive-ask-text-attached = Attachment received { $name }. Now send the text of the directive (up to { $limit } characters).
directive-text-empty = The directive has no text. Send the text, or /cancel.
directive-text-too-long = That text has { $length } characters; the limit is { $limit } (Telegram allows 4,096 and Muster adds a heading). Shorten it and send it again, or /cancel.
directive-unsupported-attachment = That kind of message cannot be attached. Send text, one photo or one document, or /cancel.
directive-ask-ack = Should members acknowledge it with one tap?
directive-ack-yes = Yes, by a deadline
directive-ack-no = No
directive-ask-deadline = By when must it be acknowledged? Choose, or type a time like 18:00 or 2026-12-01 18:00 ({ $zone }).
directive-ask-schedule = When should it go out? Choose, or type a time like 08:00 or 2026-12-01 08:00 ({ $zone }).
directive-send-now = Now
directive-bad-time = That is not a time I understand. Type it like 18:00 or 2026-12-01 18:00, or /cancel.
directive-past-time = That time has already passed. Choose or type a later one, or /cancel.
directive-deadline-past = The deadline has passed while you were writing. Choose a new one.
directive-deadline-before-send = The deadline must come after the directive goes out. Choose a later deadline.
directive-preview = <b>Preview</b> — { $members } { $members ->
        [one] member
       *[other] members
    } in { $units } { $units ->
        [one] unit
       *[other] units
    } will receive this. Sending: { $when }.{ $attachment }
    ────────
    { $body }
directive-preview-attachment = { " " }With { $kind ->
        [photo] a photo
       *[other] a document { $name }
    }.
directive-send = ✅ Send
directive-paid-button = ⚡ Urgent (paid)
directive-free-button = Send at the free rate instead
directive-preview-paid = ⚡ <b>Urgent (paid)</b>: about <b>{ $stars } ⭐</b> for { $members } { $members ->
        [one] member
       *[other] members
    } at up to { $rate }/s (cap { $cap } ⭐ per directive).
directive-paid-over-cap = ⚠️ About { $stars } ⭐ for { $members } { $members ->
        [one] member
       *[other] members
    } is over the cap of { $cap } ⭐ per directive. Send it at the free rate, or choose fewer units.
directive-paid-unavailable = Paid broadcasts are not available now. Send it at the free rate, or /cancel.
directive-cancelled = Cancelled. Nothing was sent.
directive-scheduled = ⏳ Scheduled for { $when }. You will see the progress here when it goes out.
directive-progress = Sending… <b>{ $sent }</b> / { $total } sent · { $unreachable } unreachable
directive-finished = ✅ Directive sent: <b>{ $sent }</b> of { $total } · { $unreachable } unreachable{ $failed ->
        [0] {""}
       *[other] { " " }· { $failed } failed
    }
directive-progress-withdrawn = ❌ Directive withdrawn: <b>{ $sent }</b> of { $total } sent · { $withdrawn } not sent · { $unreachable } unreachable{ $failed ->
        [0] {""}
       *[other] { " " }· { $failed } failed
    }
directive-paid-used = ⚡ Paid · about { $stars } ⭐ used (cap { $cap } ⭐)
directive-paid-capped = ⚡ Paid · about { $stars } ⭐ used: cap reached, the rest at the free rate
directive-paid-refused = ⚠️ Paid · about { $stars } ⭐ used: the bot's Star balance is too low, the rest at the free rate
directive-paid-refused-notice = ⚠️ <b>Paid broadcast stopped</b>: Telegram says the bot's Star balance is too low. The rest of the directive from { $unit } goes at the free rate (about 30 a second); about { $stars } ⭐ used. Top up the bot's Stars to send paid broadcasts again.

# Directives: receiving
directive-heading = <b>Directive from { $unit }</b>
directive-heading-ack = <b>Directive from { $unit }</b> — acknowledge by { $deadline }
directive-acknowledged-at = ✅ Acknowledged at { $time }
directive-withdrawn-line = ❌ This directive was withdrawn.
button-acknowledge = ✅ Acknowledge
directive-ack-done = Acknowledged at { $time }.
directive-ack-already = Already acknowledged at { $time }.
directive-withdrawn = This directive was withdrawn.
directive-reminder = ⚠️ <b>Reminder:</b> please acknowledge the directive from { $unit } (due { $deadline }).
reminder-done = ✅ Acknowledged at { $time }.

# Directives: chasing
escalation-list = ⚠️ <b>{ $count } { $count ->
        [one] member has
       *[other] members have
    } not acknowledged</b> a directive past its deadline:
    { $lines }
escalation-unit = • { $unit } ({ $count }): { $names }
escalation-open = Open the directive
unreachable-notice = ⚠️ { $count } { $count ->
        [one] member
       *[other] members
    } of { $unit } could not be reached (they blocked the bot or left Telegram): { $names }

# Directives: watching
watch-not-allowed = Only secretaries and coordinators can watch directives.
watch-none = No directives yet in your scope.
watch-list = <b>Recent directives</b>
    { $lines }
watch-line = { $number }. { $when } · “{ $text }”
    { $status }
watch-button = { $number }. { $day } · { $text }
watch-status = { $state } · sent { $sent }/{ $total }{ $acked ->
        [-1] {""}
       *[other] { " " }· ✅ { $acked } acknowledged
    } · { $unreachable } unreachable
watch-state-scheduled = ⏳ scheduled
watch-state-sending = sending
watch-state-sent = sent
watch-state-cancelled = ❌ withdrawn
watch-detail = <b>Directive from { $unit }</b> · { $when }
    “{ $text }”
    { $status }
    <b>By unit</b>, worst first:
    { $units }{ $silent_count ->
        [-1] {""}
        [0] {""}
       *[other] {"\u000A"}<b>Not acknowledged ({ $silent_count }):</b> { $silent }
    }
watch-unit-acked = • { $unit }: { $done }/{ $total } acknowledged ({ $percent }%)
watch-unit-sent = • { $unit }: { $done }/{ $total } sent ({ $percent }%)
watch-remind = 🔔 Remind now
watch-reminded = { $count ->
        [0] Reminders are already on their way to everyone silent.
        [one] Reminder queued for 1 member.
       *[other] Reminder queued for { $count } members.
    }
watch-cancel = Withdraw this directive
watch-cancel-confirm = Withdraw the directive from { $unit }, “{ $text }”? { $pending } unsent messages will not go out, and acknowledgements stop.
watch-cancel-yes = Yes, withdraw it
watch-cancelled = Directive withdrawn{ $count ->
        [0] .
        [one] : 1 unsent message was held back.
       *[other] : { $count } unsent messages were held back.
    }
watch-back = ‹ All directives
watch-export-caption = Recipients of the directive from { $unit }: { $rows }
delivery-pending = waiting
delivery-sent = sent
delivery-unreachable = unreachable
delivery-failed = failed
delivery-cancelled = not sent (withdrawn)
export-unit-code = Unit code
export-unit = Unit
export-member = Member
export-delivery = Delivery
export-sent = Sent at
export-acknowledged = Acknowledged at

# Joining: when an approval cannot be carried out
join-pending-unreached = Your request to join <b>{ $unit }</b> is recorded, but no secretary could be reached just now. Please contact your secretary, then open the invite link again to resend it.
approval-link-invalid = ⚠️ { $name } could not be admitted to <b>{ $unit }</b>: the invite link has expired, been withdrawn or been used up. Send them a new link.
approval-elsewhere = ⚠️ { $name } has meanwhile joined { $home }; nothing was changed.
approval-inactive = ⚠️ The membership of { $name } is inactive; nothing was changed.
join-link-invalid = Your request to join <b>{ $unit }</b> could not be completed: the invite link is no longer valid. Ask your secretary for a new one.
admin-ambiguous-member = Several members have the username { $who }. Name them by Telegram id instead.

# Check-ins
cmd-checkin = Today's check-in
checkin-day-off = No check-in is needed today ({ $day }).
checkin-not-yet = Today's check-in opens at { $time }. Come back then with /checkin.
checkin-closed = Today's check-in has closed. The next one opens { $when }.
checkin-window-passed = The check-in window closed before you finished; nothing was saved.
checkin-current = You checked in today at { $time }:
    { $summary }
checkin-change = ✏️ Change it
checkin-keep = Keep it
checkin-kept = Your check-in stays as it is.
checkin-question = <b>Check-in { $number }/{ $total }</b> — { $prompt }
    { $hint }
form-hint-single = Choose one.
form-hint-multi = Choose all that apply, then Done.
form-hint-number = Send a number from { $min } to { $max }{ $unit }.
form-hint-text = Type your answer.
form-hint-location = Share your location (📎 → Location).
form-hint-photo = Send a photo.
form-skip = Skip
form-done = Done ✓
checkin-confirm = <b>Your check-in</b>
    { $summary }
    Submit it?
form-summary-line = • { $prompt }: { $answer }
checkin-submit = ✅ Submit
checkin-start-over = Start over
checkin-saved = ✅ Checked in for { $day }.
checkin-updated = ✅ Check-in for { $day } updated.
checkin-cancelled = Check-in cancelled. Nothing was saved.
checkin-restart = The form changed (or the day turned) while you were answering; let's start again.
form-error-required = This question needs an answer. Answer it, or /cancel.
form-error-choice = Please choose with the buttons above, or /cancel.
form-error-number = That is not a number. Send a number from { $min } to { $max }{ $unit }, or /cancel.
form-error-range = That is not a number from { $min } to { $max }{ $unit }. Send it again, or /cancel.
form-error-too-long = That answer has { $length } characters; the limit is { $limit }. Shorten it, or /cancel.
form-error-text = Please type your answer as text, or /cancel.
form-error-location = Please share a location (📎 → Location), or /cancel.
form-error-photo = Please send a photo, or /cancel.
checkin-flag-notice = ⚠️ <b>{ $name }</b> ({ $unit }) flagged a problem in today's check-in:
    { $summary }
me-checkin-done = ✅ checked in at { $time }
me-checkin-missing = not checked in yet — /checkin
me-checkin-day-off = no check-in needed today
me-checkin-inactive = no check-in while inactive
checkin-reminder = ⏰ Time to check in for { $day }. Check-in closes at { $time }.
checkin-now = Check in now
checkin-missing = ⚠️ <b>Not checked in</b>
    { $lines }
checkin-missing-unit = { $unit }, { $day }: { $count } — { $names }
checkin-missing-name = { $name } (last { $last })
checkin-missing-name-never = { $name } (never checked in)

# Leave
cmd-leave = Record or cancel leave
cmd-duty = Your duty shifts
cmd-roster = Duty roster of a unit, by day
cmd-assign = Put a member on duty in a grid
cmd-grids = Grids of your units
checkin-on-leave = You are on leave until { $until }: no check-in needed.
me-checkin-leave = on leave until { $until }
leave-overview = <b>Leave of { $name }</b>
    { $lines }
leave-line = • { $period } · { $reason }
leave-cancel-button = Cancel: { $period }
leave-add = ➕ Add leave
leave-ask-reason = <b>New leave</b> — what for?
leave-ask-first = From which day? Choose, or type a date like 2026-12-03.
leave-ask-last = From { $first } until which day (inclusive)? Choose, or type a date.
leave-today = Today
leave-tomorrow = Tomorrow
leave-same-day = Just that day
leave-days = { $days } days
leave-recorded = ✅ { $name } is on leave { $period } ({ $reason }). No check-in or reminders on those days.
leave-recorded-for-you = Your secretary recorded leave for you: { $period } ({ $reason }). No check-in is needed on those days.
leave-cancelled = Leave of { $name } on { $period } cancelled.
leave-closed = Nothing was changed.
leave-error-date = That is not a date I understand. Type it like 2026-12-03, or /cancel.
leave-error-past = Leave cannot start before today.
leave-error-past-retry = Leave cannot start before today. Choose today or a later day, or type one, or /cancel.
leave-error-backwards = The last day comes before the first. Choose or type a later day, or /cancel.
leave-error-too-long = Leave can be at most a year at a time.
leave-error-overlap = That overlaps leave already recorded ({ $first } – { $last }). Cancel that first with /leave.

# /members
cmd-members = Check-ins of your units, by day
members-status = <b>Check-ins, { $day }</b>
    { $lines }
members-unit = • <b>{ $unit }</b>: { $checked }/{ $total } checked in{ $excused ->
        [0] {""}
       *[other] { " " }({ $excused } excused by check-in)
    }{ $leave ->
        [0] {""}
       *[other] , { $leave } on recorded leave
    }{ $missing ->
        [0] {""}
       *[other] { " " }— missing: { $names }
    }
members-none = No members in your units on { $day }.
members-not-allowed = Only secretaries and coordinators can see their units' check-ins.
members-bad-date = That is not a date. Use /members or /members 2026-12-01.
members-future = That day has not come yet.
