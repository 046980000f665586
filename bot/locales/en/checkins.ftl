## Daily check-ins, leave and /members.

# Check-ins
cmd-checkin = Today's check-in
checkin-day-off = No check-in is needed today ({ $day }).
checkin-not-yet = Today's check-in opens at { $time }. Come back then with /checkin.
checkin-closed = Today's check-in has closed. The next one opens { $when }.
checkin-window-passed = The check-in window closed before you finished; nothing was saved.
checkin-current = You checked in today at { $time }:
    { $summary }
checkin-current-by-phone = 📞 Your secretary { $secretary } recorded your check-in for today by phone, at { $time }. You can fill in today's form yourself: your answers will replace it.
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
checkin-flag-above = 🚩 { $label }: { $value }, at or above { $limit }
checkin-flag-below = 🚩 { $label }: { $value }, at or below { $limit }
checkin-flag-escalated = ⬆️ Passed up to you (level { $level }): <b>{ $name }</b> ({ $unit }) flagged a problem on { $day }, not handled yet:
    { $summary }
flag-handled-button = ✅ Handled
flag-escalate-button = ⬆️ Escalate
flag-handled-which = ✅ Handled: { $question }
flag-escalate-which = ⬆️ Escalate: { $question }
flag-note-ask = Handled: <b>{ $name }</b> ({ $unit }). Add a note on what was done, or press Skip.
flag-note-cancelled = Nothing changed: the flag is still open.
flag-note-text = Please type the note as text, press Skip, or /cancel.
flag-note-too-long = That note has { $length } characters; the limit is { $limit }. Shorten it, or /cancel.
flag-handled = ✅ Marked handled: <b>{ $name }</b> ({ $unit }).
flag-handled-note = ✅ Marked handled: <b>{ $name }</b> ({ $unit }). Note: { $note }
flag-by-admin = an administrator
flag-already-handled = Already handled by { $name } ({ $day } { $time }).
flag-withdrawn = { $name } changed that answer: nothing to follow up.
flag-escalated = ⬆️ Passed up to { $names } ({ $unit }).
flag-at-top = It is already at the top: it stays with { $names }.
flag-not-allowed = That flag is outside your units.
flag-unknown = That flag no longer exists.
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
cmd-flags = Open flags in your units, oldest first
flags-none = No open flags in your units.
flags-title = 🚩 <b>Open flags: { $count }</b>, oldest first
    { $lines }
flags-line = { $n }. <b>{ $name }</b> ({ $unit }), { $day }: { $answer } · { $level ->
        [0] not escalated
       *[other] escalated { $level }×
    }
flags-numbered = { $n } · { $label }
flags-not-allowed = Only secretaries and coordinators follow up flags.
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
members-reach = <b>Reach now</b> (joined / expected)
    { $lines }
members-reach-root = <b>{ $unit }</b>: { $figures }
members-reach-unit = • { $unit }: { $figures }
members-to-call = <b>Not joined yet — to call</b>
members-to-call-phone = • { $name } ({ $unit }): { $phone }
members-to-call-no-phone = • { $name } ({ $unit }): no phone number
members-unreached = { $name } ({ $note })
members-phone = { "   " }📞 { $names }
members-phone-name = { $name }: { $how }

## 📞 Checked in by phone (on behalf, issue #18): /members' buttons, for today
checkin-phone-ask = 📞 <b>Reached by phone: { $name }</b> ({ $unit })
    Check-in for { $day }: record that they checked in, on their behalf, or that you could not reach them. /cancel records nothing.
checkin-phone-checked-in = ✅ Checked in (by phone)
checkin-phone-recorded = 📞 Recorded for { $name }, on their behalf by you: { $outcome ->
        [checked_in] checked in for { $day }
       *[unreached] could not be reached: “{ $reason }”
    }.
checkin-phone-already = { $name } has checked in for { $day } meanwhile: nothing was recorded.
checkin-phone-closed = The check-in for { $day } is no longer open: nothing was recorded for { $name }.
checkin-phone-moved = { $name } has moved to another unit meanwhile: nothing was recorded.
checkin-phone-on-leave = { $name } is on recorded leave on { $day }: nothing was recorded.
checkin-phone-gone = This can no longer be recorded (the member is gone).
checkin-phone-told = 📞 Your secretary { $secretary } { $outcome ->
        [checked_in] recorded your check-in for { $day } by phone, at { $time }.
       *[unreached] tried to reach you by phone for the check-in of { $day }, at { $time }, and could not.
    }
