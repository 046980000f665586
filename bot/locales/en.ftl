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
draft-stale = This no longer applies: it was started before an update of the bot. Nothing was changed; please start again.

# Generic answers
access-denied = You are not allowed to do that here.
error-internal = Something went wrong on our side. Please try again, or /cancel.
unknown-command = I don't know that command. Send /help to see what you can do.
free-text-hint = I didn't expect a message here. Send /help to see what you can do.
file-download-failed = I could not fetch the file from Telegram. Please send it again.
use-buttons = Please choose with the buttons above, or send /cancel.
cancel-nothing = There is nothing to cancel.
list-more = …and { $count } more.
list-names-more = { $names } …and { $count } more.

# Command menu
cmd-start = Join with an invite link
cmd-me = Your unit, roles and status
cmd-invite = Create an invite link
cmd-invites = Invite links and revoking them
cmd-register = Load the member register from a file
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
